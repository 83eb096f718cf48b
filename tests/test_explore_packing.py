"""The packed form of explorer views: the same view back, smaller, or a refusal."""

from __future__ import annotations

import copy
import json

import pytest

from partnergraph import explore
from partnergraph.explore.packing import COMPOSED
from partnergraph.store import GraphStore


@pytest.fixture(scope="module", params=["curated", "nation"])
def view(request: pytest.FixtureRequest, shipped_store: GraphStore) -> dict:
    return explore.network_view(shipped_store, scope=request.param)


def test_unpack_gives_back_the_very_view(view: dict) -> None:
    packed = explore.pack(view)
    assert packed["nodes"] == [] and packed["edges"] == []
    assert explore.unpack(packed) == view
    # through JSON, as the page gets it (tuples come back as lists either way)
    as_json = json.loads(json.dumps(view))
    assert explore.unpack(json.loads(json.dumps(packed, ensure_ascii=False))) == as_json
    assert len(json.dumps(packed)) < len(json.dumps(view))


def test_edges_share_their_agreement_and_style(view: dict) -> None:
    packed = explore.pack(view)["packed"]
    assert len(packed["rows"]) == len(view["edges"])
    assert len(packed["styles"]) == len({e["type"] for e in view["edges"]})
    assert len(packed["relations"]) <= len(view["edges"])
    composed = [r for r in packed["relations"] if r[-1] == COMPOSED]
    assert composed, "the shipped titles are the composed ones"
    base = view["base_iri"]
    for relation in packed["relations"]:
        for iri in relation[0:1] + relation[4]:  # via, sources
            assert not iri.startswith(base)


def test_english_titles_come_back_in_english(shipped_store: GraphStore) -> None:
    view = explore.network_view(shipped_store, lang="en")
    assert explore.unpack(explore.pack(view)) == view


def test_a_view_without_packing_is_returned_as_it_is(view: dict) -> None:
    assert explore.unpack(view) is view


def _edited(view: dict, **changes: object) -> dict:
    changed = copy.deepcopy(view)
    changed["edges"][0].update(changes)
    return changed


def test_refuses_what_it_could_not_give_back(view: dict) -> None:
    with pytest.raises(ValueError, match="fields"):
        explore.pack(_edited(view, note="kept nowhere"))
    other = next(n for n in view["nodes"] if n["id"] != view["edges"][0]["from"])
    with pytest.raises(ValueError, match="not a node of the view"):
        explore.pack(_edited(view, **{"from": "no-such-node"}))
    with pytest.raises(ValueError, match="not a node of the view"):
        explore.pack(_edited(view, iri_from=other["iri"]))
    with pytest.raises(ValueError, match="not text"):
        explore.pack(_edited(view, title=0))
    with pytest.raises(ValueError, match="absolute IRI"):
        explore.pack(_edited(view, sources=["report.pdf"]))


def test_a_title_of_its_own_is_kept(view: dict) -> None:
    changed = _edited(view, title="<b>書き換え</b> & co")
    assert explore.unpack(explore.pack(changed)) == changed


def test_a_split_view_draws_without_its_relations_details_and_joins_back_whole(
    view: dict,
) -> None:
    packed = explore.pack(view)
    first, details = explore.split(packed)
    fields = packed["packed"]["relation_fields"]
    relations = packed["packed"]["relations"]
    assert first["packed"]["relations"] is None and first["sources"] == {}
    assert first["packed"]["relation_years"] == [r[fields.index("year")] for r in relations]
    assert details["relations"] == relations and details["revision"] == view["revision"]
    text = json.dumps(first, ensure_ascii=False)
    for relation in relations:  # no name, IRI or source of a relation is in the first part
        assert f'"{relation[fields.index("via")]}"' not in text
    assert explore.join(*json.loads(json.dumps([first, details]))) == json.loads(json.dumps(packed))
    assert explore.unpack(explore.join(first, details)) == view
    with pytest.raises(ValueError, match="details"):
        explore.unpack(first)
    with pytest.raises(ValueError, match="revision"):
        explore.join(first, {**details, "revision": "another"})


def test_fields_with_few_values_are_tabled_and_a_view_saved_without_tables_still_reads(
    view: dict,
) -> None:
    packed = explore.pack(view)
    tables = packed["packed"]["node_tables"]
    assert "kind" in tables and len(tables["kind"]) < len(view["nodes"])
    # As a server before node_tables saved it (views stay on disk across upgrades).
    older = copy.deepcopy(packed)
    fields = older["packed"]["node_fields"]
    for row in older["packed"]["node_rows"]:
        for j, name in enumerate(fields):
            if name in tables:
                row[j] = tables[name][row[j]]
    del older["packed"]["node_tables"]
    assert explore.unpack(older) == view
