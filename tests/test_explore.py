"""The explorer's view model over the shipped graph: nodes, layouts, filters, raw labels."""

from __future__ import annotations

import pytest

from partnergraph import explore
from partnergraph.analysis.projection import projection
from partnergraph.analysis.scope import Filters
from partnergraph.errors import InvalidInputError, NotFoundError
from partnergraph.store import GraphStore

KAWABA, SETAGAYA = "104442", "131121"
HOKKAIDO, OKINAWA, NAHA = "010006", "470007", "472018"


@pytest.fixture(scope="module")
def curated(shipped_store: GraphStore) -> dict:
    return explore.network_view(shipped_store)


@pytest.fixture(scope="module")
def nation(shipped_store: GraphStore) -> dict:
    return explore.network_view(shipped_store, scope="nation")


def by_id(view: dict) -> dict[str, dict]:
    return {n["id"]: n for n in view["nodes"]}


def test_node_and_edge_counts_match_the_projection(shipped_store, curated, nation) -> None:
    g = projection(shipped_store)
    assert len(curated["nodes"]) == g.number_of_nodes()
    assert len(curated["edges"]) == g.number_of_edges()
    everyone = projection(shipped_store, Filters(include_isolated=True))
    assert len(nation["nodes"]) == everyone.number_of_nodes()
    assert len(nation["edges"]) == everyone.number_of_edges()
    assert {n["iri"] for n in curated["nodes"]} == set(g.nodes)


def test_every_node_is_placed_in_both_layouts(curated, nation) -> None:
    for view in (curated, nation):
        for n in view["nodes"]:
            for layout in explore.LAYOUTS:
                x, y = n["positions"][layout]
                assert isinstance(x, float) and isinstance(y, float)
    assert curated["default_layout"] == "force" and nation["default_layout"] == "geo"
    first = by_id(nation)
    assert first[HOKKAIDO]["x"], first[HOKKAIDO]["y"] == tuple(first[HOKKAIDO]["positions"]["geo"])


def test_geo_layout_puts_hokkaido_north_of_okinawa(curated, nation) -> None:
    nodes = by_id(nation)
    for north in (HOKKAIDO, "011002"):  # the prefecture, Sapporo
        for south in (OKINAWA, NAHA):
            assert nodes[north]["positions"]["geo"][1] < nodes[south]["positions"]["geo"][1]
    assert nodes[NAHA]["positions"]["geo"][0] < nodes[HOKKAIDO]["positions"]["geo"][0]
    # In the curated view too: a Hokkaido town against Kawaba (Gunma).
    hokkaido = [n for n in curated["nodes"] if n["prefecture_code"] == HOKKAIDO]
    assert hokkaido
    kawaba = by_id(curated)[KAWABA]["positions"]["geo"]
    assert all(n["positions"]["geo"][1] < kawaba[1] for n in hokkaido)


def test_unlocated_bodies_sit_near_their_partners(curated) -> None:
    nodes = by_id(curated)
    setagaya = nodes[SETAGAYA]["positions"]["geo"]
    seijo = nodes["seijo-university"]["positions"]["geo"]
    assert abs(seijo[0] - setagaya[0]) < 200 and abs(seijo[1] - setagaya[1]) < 200


def test_layouts_are_deterministic(shipped_store, curated) -> None:
    again = explore.network_view(shipped_store)
    assert [n["positions"] for n in again["nodes"]] == [n["positions"] for n in curated["nodes"]]
    pos = explore.spring_layout(["a", "b", "c", "d"], [("a", "b", 1.0), ("c", "d", 1.0)], seed=1)
    assert pos == explore.spring_layout(
        ["a", "b", "c", "d"], [("a", "b", 1.0), ("c", "d", 1.0)], seed=1
    )


def test_year_filter_keeps_the_network_as_it_stood(curated) -> None:
    view = explore.apply_filters(curated, explore.ViewFilters(year=1990))
    assert view["edges"]
    assert all(e["year"] is not None and e["year"] <= 1990 for e in view["edges"])
    assert ("engagement-accord", "1981-11") in {(e["type"], e["start"]) for e in view["edges"]}
    expected = [e for e in curated["edges"] if e["year"] is not None and e["year"] <= 1990]
    assert len(view["edges"]) == len(expected)
    # Bodies with no tie by then drop out of the curated view.
    tied = {x for e in view["edges"] for x in (e["from"], e["to"])}
    assert {n["id"] for n in view["nodes"]} == tied
    # At the last year everything is back, also ties of unknown start.
    last = explore.apply_filters(curated, explore.ViewFilters(year=curated["years"]["max"]))
    assert len(last["edges"]) == len(curated["edges"])
    assert any(e["year"] is None for e in last["edges"])


def test_type_filter_drops_the_other_relations(curated) -> None:
    view = explore.apply_filters(curated, explore.parse_filters(types=["engagement-accord,forum"]))
    kept = {e["type"] for e in view["edges"]}
    assert kept == {"engagement-accord", "forum"}
    dropped = [e for e in curated["edges"] if e["type"] not in kept]
    assert len(view["edges"]) == len(curated["edges"]) - len(dropped)


def test_prefecture_and_kind_filters(curated) -> None:
    tokyo = explore.apply_filters(curated, explore.parse_filters(prefectures=["130001"]))
    nodes = by_id(tokyo)
    assert KAWABA not in nodes and SETAGAYA in nodes
    assert "seijo-university" in nodes  # unlocated, tied to Setagaya
    assert all(n["prefecture_code"] in ("130001", None) for n in tokyo["nodes"])
    villages = explore.apply_filters(curated, explore.parse_filters(kinds=["village"]))
    assert {n["kind"] for n in villages["nodes"]} <= {"village"}
    with pytest.raises(InvalidInputError):
        explore.parse_filters(kinds=["castle"])


def test_nation_filters_keep_isolated_local_governments(nation) -> None:
    view = explore.apply_filters(nation, explore.ViewFilters(year=1990))
    assert len(view["nodes"]) == len(nation["nodes"])
    assert len(view["edges"]) < len(nation["edges"])


def test_overlays(shipped_store, curated) -> None:
    nodes = by_id(curated)
    # sized by degree: the body with most partners is the largest (甲府市 since issue 13's pacts)
    largest = max(curated["nodes"], key=lambda n: n["size"])
    assert largest["measures"]["degree"] == max(n["measures"]["degree"] for n in curated["nodes"])
    assert nodes[SETAGAYA]["community"] is not None
    coloured = explore.network_view(shipped_store, size_by="pagerank", color_by="community")
    setagaya = by_id(coloured)[SETAGAYA]
    assert setagaya["size"] == setagaya["sizes"]["pagerank"]
    assert setagaya["color"]["background"] == setagaya["colors"]["community"]
    assert {c["community"] for c in curated["legend"]["communities"]} == {
        n["community"] for n in curated["nodes"] if n["community"] is not None
    }
    with pytest.raises(InvalidInputError):
        explore.network_view(shipped_store, layout="circle")


def test_shortest_path_highlight(curated) -> None:
    path = explore.highlight_path(curated, KAWABA, "winnipeg")
    assert path == [KAWABA, SETAGAYA, "winnipeg"]
    assert explore.highlight_path(curated, KAWABA, "nowhere") == []


def test_edges_carry_type_year_style_and_text(curated) -> None:
    accord = next(e for e in curated["edges"] if e["type"] == "engagement-accord")
    assert {accord["from"], accord["to"]} == {KAWABA, SETAGAYA}
    assert accord["year"] == 1981 and accord["start"] == "1981-11"
    assert accord["name"] == "区民健康村相互協力に関する協定"
    assert "1981-11" in accord["title"] and "<" not in accord["title"]
    forum = next(e for e in curated["edges"] if e["type"] == "forum")
    assert forum["dashes"] and not accord["dashes"]
    supply = next(e for e in curated["edges"] if e["type"] == "energy-supply")
    assert supply["arrows"] == "to" and supply["directed"]
    assert all(s in curated["sources"] for e in curated["edges"] for s in e["sources"])


def test_ego_view(shipped_store) -> None:
    ego = explore.ego_view(shipped_store, "川場村", hops=1)
    assert ego["center"] == KAWABA and ego["scope"] == "ego"
    ids = {n["id"] for n in ego["nodes"]}
    assert KAWABA in ids and SETAGAYA in ids
    assert all(e["from"] in ids and e["to"] in ids for e in ego["edges"])
    lone = explore.ego_view(shipped_store, "155811", hops=1)  # Sekikawa: no recorded tie
    assert [n["id"] for n in lone["nodes"]] == ["155811"] and lone["edges"] == []
    with pytest.raises(NotFoundError):
        explore.ego_view(shipped_store, "no such body")
    with pytest.raises(InvalidInputError):
        explore.ego_view(shipped_store, KAWABA, hops=9)


def test_labels_stay_raw_text(graph_dir, tmp_path) -> None:
    """Markup in a name reaches the JSON unchanged: escaping is the template's job."""
    from tests.conftest import small_settings

    root = graph_dir(
        xss="""
<src/x> {
  body:xss a pg:University ; rdfs:label "<img src=x onerror=alert(1)>"@ja .
  body:other a pg:University ; rdfs:label "B & C"@ja .
  agr:x a pg:Agreement ; pg:agreementType pgat:comprehensive-partnership ;
    rdfs:label "<b>accord</b>"@ja ; pg:party body:xss, body:other .
}
"""
    )
    store = GraphStore.open(small_settings(tmp_path, root))
    try:
        view = explore.network_view(store)
        labels = {n["label"] for n in view["nodes"]}
        assert labels == {"<img src=x onerror=alert(1)>", "B & C"}
        assert view["edges"][0]["name"] == "<b>accord</b>"
    finally:
        store.close()


def test_ego_view_does_not_depend_on_the_hash_seed() -> None:
    """networkx subgraph views iterate sets; the view must not change with PYTHONHASHSEED."""
    import hashlib
    import os
    import subprocess
    import sys

    code = (
        "import json; from partnergraph.settings import Settings; "
        "from partnergraph.store import GraphStore; from partnergraph import explore; "
        "s = GraphStore.in_memory(Settings()); "
        "print(json.dumps(explore.ego_view(s, '104442', 2), sort_keys=True, default=str))"
    )
    digests = set()
    for seed in ("0", "1"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        digests.add(hashlib.sha256(out.stdout.encode()).hexdigest())
    assert len(digests) == 1


def test_the_model_goes_through_pyvis_and_keeps_parallel_ties(curated) -> None:
    # Kawaba and Setagaya are tied five ways; an undirected pyvis Network would keep one.
    pair = {"104442", "131121"}
    ties = [e for e in curated["edges"] if {e["from"], e["to"]} == pair]
    assert len(ties) >= 5 and {e["type"] for e in ties} >= {"engagement-accord", "forum"}
    assert all("directed" in e and "arrows" in e for e in curated["edges"])


def test_to_pyvis_escapes_titles_and_draws_offline(shipped_store) -> None:
    from partnergraph.explore.pyvis_model import notebook_html, to_pyvis

    view = explore.ego_view(shipped_store, "104442", 1)
    view = {**view, "nodes": [{**view["nodes"][0], "title": "<img src=x onerror=alert(1)>"}]}
    view["edges"] = []
    net = to_pyvis(view)
    assert net.nodes[0]["title"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert net.nodes[0]["physics"] is False and net.nodes[0]["x"] == view["nodes"][0]["x"]
    page = notebook_html(net)
    assert page.startswith("<iframe srcdoc=") and "<img" not in page
    assert "cdnjs" not in page and "jsdelivr" not in page
