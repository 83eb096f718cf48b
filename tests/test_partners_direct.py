"""One body's partners straight from the store, before a read model is held: the same
answer as through the read model, for every body of the shipped graph."""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass

import pyoxigraph as ox
import pytest

from partnergraph import citations, readmodel, titles
from partnergraph import partners as partners_module
from partnergraph.directory import Directory
from partnergraph.errors import InvalidInputError, NotFoundError
from partnergraph.namespaces import sparql_prefixes
from partnergraph.partner_order import SORTS
from partnergraph.partners import Partner, load_party_counts, partners, read_directly
from partnergraph.records.organizations import partner_listing
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from tests.conftest import GRAPH_DIR, embedded
from tests.stores import store_settings

SETAGAYA = "131121"
KAWABA = "104493"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The shipped graph in a store of its own that no test has read a model of."""
    path = tmp_path_factory.mktemp("direct") / "store"
    store = GraphStore.open(Settings(**store_settings(path), graph_dir=GRAPH_DIR))  # type: ignore[arg-type]
    embedded(store)  # the direct path is for the embedded store only
    assert store.values.peek(readmodel.KEY) is None
    return store


#: Every relation node a partner list can name: agreements, supplies, editions, memberships.
ALL_RELATIONS = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?via WHERE {
  { ?via a pg:Agreement } UNION { ?via a pg:EnergySupply } UNION { ?via a pg:ForumEdition }
  UNION { ?via a org:Membership }
}"""
)
#: Orders and filters asked of the two bodies below, beside every body's default listing.
ASKED: list[dict[str, object]] = [
    *({"sort": sort} for sort in SORTS),
    {"types": ["disaster-mutual-aid", "forum"]},
    {"as_of": dt.date(1990, 1, 1)},
    {"since": "2020", "until": "2022-12"},
]
#: Ways to name Setagaya that are no code, slug or IRI: left to the directory.
BY_NAME = ("世田谷区", "せたがや", "setagaya", "131120", "")


@dataclass
class Answered:
    """What the direct path gave, all asked before any read model existed: every body's
    partners, the two bodies' under each order and filter, and whom each key names."""

    every: dict[str, list[dict[str, object]]]
    asked: dict[tuple[str, int], list[dict[str, object]]]
    keys: dict[str, str | None]


def listed(found: list[Partner]) -> list[dict[str, object]]:
    return [p.as_dict() for p in found]


@pytest.fixture(scope="module")
def answered(fresh: GraphStore) -> Answered:
    every = {}
    for body in Directory.build(fresh).organizations:
        found = Directory.identify(fresh, body.code or body.id)
        assert found is not None and found.as_dict() == body.as_dict(), body.id
        every[body.id] = listed(partners(fresh, found))
    asked = {}
    for key in (SETAGAYA, KAWABA):
        found = Directory.identify(fresh, key)
        assert found is not None
        for i, kwargs in enumerate(ASKED):
            asked[(key, i)] = listed(partners(fresh, found, **kwargs))  # type: ignore[arg-type]
    base = fresh.settings.base_iri
    keys = {}
    for key in (SETAGAYA[:5], f" {SETAGAYA} ", f"{base}lg/{SETAGAYA}", *BY_NAME):
        found = Directory.identify(fresh, key)
        keys[key] = None if found is None else found.id
    with pytest.raises(InvalidInputError, match="unknown relation type nonsense; known: "):
        partners(fresh, Directory.build(fresh).organizations[0], types=["nonsense"])
    assert fresh.values.peek(readmodel.KEY) is None
    return Answered(every, asked, keys)


def test_every_body_has_the_partners_the_read_model_gives(
    fresh: GraphStore, answered: Answered
) -> None:
    directory = Directory.load(fresh)  # builds the read model
    assert not read_directly(fresh)  # so the answers below are the read model's
    assert set(answered.every) == set(directory.by_id)
    differing = [
        body.id
        for body in directory.organizations
        if answered.every[body.id] != [p.as_dict() for p in partners(fresh, body)]
    ]
    assert differing == []
    assert sum(1 for found in answered.every.values() if found) > 100  # not a graph of loners


def test_orders_and_filters_agree_with_the_read_model(
    fresh: GraphStore, answered: Answered
) -> None:
    directory = Directory.load(fresh)
    for (key, i), direct in answered.asked.items():
        expected = partners(fresh, directory.resolve(key), **ASKED[i])  # type: ignore[arg-type]
        assert direct == [p.as_dict() for p in expected], (key, ASKED[i])
    assert answered.asked[(SETAGAYA, 0)] != []


def test_codes_and_iris_are_answered_and_names_left_to_the_directory(
    fresh: GraphStore, answered: Answered
) -> None:
    setagaya = f"{fresh.settings.base_iri}lg/{SETAGAYA}"
    assert answered.keys[SETAGAYA[:5]] == setagaya
    assert answered.keys[f" {SETAGAYA} "] == setagaya
    assert answered.keys[setagaya] == setagaya
    assert {key: answered.keys[key] for key in BY_NAME} == dict.fromkeys(BY_NAME)


def test_the_listing_reads_the_model_once_it_holds_the_current_one(fresh: GraphStore) -> None:
    direct = partner_listing(fresh, SETAGAYA)  # before or after the tests above: the same
    Directory.load(fresh)
    assert readmodel.at_hand(fresh)
    assert partner_listing(fresh, SETAGAYA) == direct
    built = readmodel.read_model(fresh).memo.builds
    partner_listing(fresh, SETAGAYA)
    partner_listing(fresh, SETAGAYA, sort="code")
    assert readmodel.read_model(fresh).memo.builds == built + 1  # kept, per revision
    with pytest.raises(NotFoundError, match="check digit"):
        partner_listing(fresh, "131120")  # a malformed code: the directory says why


def test_each_table_read_for_some_nodes_is_the_whole_tables_share(fresh: GraphStore) -> None:
    """The few-subjects readers scan the index instead of running the loaders' queries: the
    titles, party counts and citations of every relation node (and of a sample) must be
    exactly the whole tables' entries for them, citations in the same order."""
    nodes = sorted({row["via"].value for row in fresh.select(ALL_RELATIONS)})
    assert len(nodes) > 50
    whole_titles = titles.load(fresh)
    whole_counts = load_party_counts(fresh)
    whole_citations = citations.load(fresh, citations.document_titles(fresh))
    for some in (nodes, nodes[::7]):
        chosen = set(some)
        described = {iri: fresh.properties(ox.NamedNode(iri)) for iri in some}
        found = titles.load(fresh, only=described)
        assert found.ja == {k: v for k, v in whole_titles.ja.items() if k in chosen}
        assert found.en == {k: v for k, v in whole_titles.en.items() if k in chosen}
        assert load_party_counts(fresh, only=described) == {
            k: v for k, v in whole_counts.items() if k in chosen
        }
        assert citations.load_of(fresh, described) == {
            k: v for k, v in whole_citations.items() if k in chosen
        }
    assert any(len(cited) > 1 for cited in whole_citations.values())  # order is tested


def test_the_direct_read_runs_with_the_collector_paused_and_restores_it(
    fresh: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside a held read model, the objects of a hub's read set off full collections that
    find nothing; the read pauses the collector and turns it back on after."""
    seen: list[bool] = []
    read = partners_module.read_tables

    def recording(store: GraphStore, tied: list[dict[str, object]]) -> object:
        seen.append(gc.isenabled())
        return read(store, tied)  # type: ignore[arg-type]

    monkeypatch.setattr(partners_module, "read_tables", recording)
    assert gc.isenabled()
    setagaya = f"{fresh.settings.base_iri}lg/{SETAGAYA}"
    assert partners_module.body_partners(fresh, setagaya)
    assert seen == [False] and gc.isenabled()
