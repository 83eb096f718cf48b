"""Shortest paths explained by relations, and ego networks."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from partnergraph.analysis.paths import NoPathError, ego_network, path_between, shortest_path
from partnergraph.analysis.scope import Filters
from partnergraph.errors import InvalidInputError, NotFoundError
from partnergraph.store import GraphStore
from tests.analysis.conftest import A, B, C, D, E, F, P, U
from tests.conftest import BASE


def test_path_between_prefers_graph_order_among_equals() -> None:
    g = nx.MultiGraph([(1, 2), (2, 3), (1, 4), (4, 3)])
    assert path_between(g, 1, 3) == [1, 2, 3]
    g.add_node(9)
    with pytest.raises(NoPathError):
        path_between(g, 1, 9)


def test_each_hop_comes_with_its_relations(tiny: GraphStore) -> None:
    result = shortest_path(tiny, "目黒区", "津南町")
    assert [n["id"] for n in result.nodes] == [B, A, D]
    first, second = result.hops
    assert [r["type"] for r in first["relations"]] == ["disaster-mutual-aid"]
    assert [r["type"] for r in second["relations"]] == ["energy-supply", "forum"]
    supply = second["relations"][0]
    assert (supply["from"], supply["to"]) == (D, A)
    assert result.as_dict()["length"] == 2
    assert result.table()[0][:4] == [1, "目黒区", "世田谷区", "disaster-mutual-aid"]


def test_the_relations_of_a_hop_are_earliest_first(tiny: GraphStore) -> None:
    (hop,) = shortest_path(tiny, "131121", "104442").hops
    assert [(r["type"], r["start"]) for r in hop["relations"]] == [
        ("engagement-accord", "1981-11"),
        ("disaster-mutual-aid", "1995"),
        ("forum", "2022-12-09"),
    ]
    (hop,) = shortest_path(tiny, "131121", "104442", Filters(as_of=dt.date(1990, 1, 1))).hops
    assert [r["type"] for r in hop["relations"]] == ["engagement-accord"]


def test_no_path_unknown_body_and_filtered_out_body(tiny: GraphStore) -> None:
    with pytest.raises(NoPathError, match=r"札幌市.*has no relation"):
        shortest_path(tiny, "世田谷区", "札幌市")
    with pytest.raises(NoPathError, match="no path between"):
        shortest_path(
            tiny,
            "世田谷区",
            "世田谷プラットフォーム",
            Filters(types=("forum", "membership"), as_of=dt.date(2017, 1, 1)),
        )
    assert issubclass(NoPathError, NotFoundError)
    with pytest.raises(NotFoundError, match="no organization matches"):
        shortest_path(tiny, "世田谷区", "Atlantis")
    result = shortest_path(tiny, "大阪市", "世田谷プラットフォーム")
    assert [n["id"] for n in result.nodes] == [E, A, U, P]


def test_ego_network(tiny: GraphStore) -> None:
    one = ego_network(tiny, "川場村")
    assert [(n["body"]["id"], n["distance"]) for n in one.nodes] == [(C, 0), (A, 1), (D, 1), (U, 1)]
    assert one.nodes[0]["relations"] == 5  # accord, pact and forum with A; forum with D and U
    assert all(C in e["between"] or {A, D, U} >= set(e["between"]) for e in one.edges)
    two = ego_network(tiny, "川場村", hops=2)
    assert {n["body"]["id"] for n in two.nodes} == {A, B, C, D, E, U, P}
    assert max(n["distance"] for n in two.nodes) == 2
    lonely = ego_network(tiny, "札幌市", hops=1)
    assert [n["body"]["id"] for n in lonely.nodes] == [F] and lonely.edges == []


@pytest.mark.parametrize("hops", [0, 5, -1, True])
def test_hops_out_of_range(tiny: GraphStore, hops: int) -> None:
    with pytest.raises(InvalidInputError, match="hops must be 1 to 4") as err:
        ego_network(tiny, "川場村", hops=hops)
    assert err.value.field == "hops"


def test_setagaya_to_kawaba_is_explained_by_the_1981_accord(shipped_store: GraphStore) -> None:
    result = shortest_path(shipped_store, "131121", "104442")
    assert [n["code"] for n in result.nodes] == ["131121", "104442"]
    (hop,) = result.hops
    first = hop["relations"][0]
    assert (first["type"], first["start"]) == ("engagement-accord", "1981-11")
    assert first["title"] == "区民健康村相互協力に関する協定"
    assert f"{BASE}source/setagaya-forum-report-2022" in first["sources"]
    assert {r["type"] for r in hop["relations"]} >= {
        "disaster-mutual-aid",
        "renewable-energy",
        "energy-supply",
        "forum",
    }
    (early,) = shortest_path(
        shipped_store, "世田谷区", "川場村", Filters(as_of=dt.date(1985, 1, 1))
    ).hops
    assert [r["type"] for r in early["relations"]] == ["engagement-accord"]


def test_meguro_reaches_kawaba_through_setagaya(shipped_store: GraphStore) -> None:
    result = shortest_path(shipped_store, "目黒区", "川場村")
    assert [n["name_ja"] for n in result.nodes] == ["目黒区", "世田谷区", "川場村"]
    with pytest.raises(NoPathError):
        shortest_path(shipped_store, "目黒区", "川場村", Filters(types=("sister-city",)))
