"""Communities, bridges, articulation points, cores and layer overlap."""

from __future__ import annotations

import networkx as nx
import pytest

from partnergraph.analysis.scope import Filters
from partnergraph.analysis.structure import (
    articulation_points,
    bridges,
    communities,
    k_core,
    layer_overlap,
    louvain,
    structure,
)
from partnergraph.errors import InvalidInputError
from partnergraph.store import GraphStore
from tests.analysis.conftest import A, B, C, D, E, P, U


def test_louvain_splits_two_cliques_the_same_way_every_time() -> None:
    g = nx.barbell_graph(5, 0)
    assert louvain(g) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    ring = nx.ring_of_cliques(6, 4)
    assert louvain(ring, seed=7) == louvain(ring, seed=7)
    assert len(louvain(ring)) == 6


def test_bridges_and_articulation_points() -> None:
    two_triangles = nx.Graph([(1, 2), (2, 3), (1, 3), (3, 4), (4, 5), (5, 6), (4, 6)])
    assert bridges(two_triangles) == [(3, 4)]
    assert articulation_points(two_triangles) == [3, 4]
    # a pair tied by two relations is still the only way across
    m = nx.MultiGraph([(1, 2), (1, 2), (2, 3)])
    assert bridges(m) == [(1, 2), (2, 3)]
    assert articulation_points(m) == [2]
    assert bridges(nx.cycle_graph(4)) == [] and articulation_points(nx.cycle_graph(4)) == []


def test_k_core() -> None:
    g = nx.complete_graph(4)
    g.add_edge(3, 4)
    assert k_core(g) == (3, [0, 1, 2, 3])
    assert k_core(g, 1) == (1, [0, 1, 2, 3, 4])
    assert k_core(g, 9) == (9, [])


def test_layer_overlap_is_the_jaccard_index_of_tied_pairs() -> None:
    m = nx.MultiGraph()
    m.add_edges_from(
        [
            (1, 2, {"type": "pact"}),
            (2, 3, {"type": "pact"}),
            (3, 4, {"type": "pact"}),
            (1, 2, {"type": "forum"}),
            (2, 3, {"type": "forum"}),
            (5, 6, {"type": "supply"}),
        ]
    )
    rows = {tuple(r["types"]): r for r in layer_overlap(m)}
    assert rows[("forum", "pact")] == {
        "types": ["forum", "pact"],
        "a": 2,
        "b": 3,
        "shared": 2,
        "jaccard": pytest.approx(2 / 3, abs=1e-6),
    }
    assert rows[("pact", "supply")]["jaccard"] == 0.0
    assert layer_overlap(m)[0]["types"] == ["forum", "pact"]


def test_communities_of_the_tiny_graph(tiny: GraphStore) -> None:
    result = communities(tiny)
    members = [{m["id"] for m in c["members"]} for c in result.communities]
    assert set().union(*members) == {A, B, C, D, E, U, P}
    assert result.modularity > 0 and result.singletons == 0
    assert result.as_dict() == communities(tiny).as_dict()
    with_lonely = communities(tiny, Filters(include_isolated=True))
    assert with_lonely.singletons == 6  # Sapporo and the five prefectures
    with pytest.raises(InvalidInputError):
        communities(tiny, min_size=0)


def test_structure_of_the_tiny_graph(tiny: GraphStore) -> None:
    result = structure(tiny)
    pairs = [{e["id"] for e in b["between"]} for b in result.bridges]
    assert pairs == [{B, A}, {A, E}, {U, P}]
    assert [a["id"] for a in result.articulation_points] == [A, U]
    assert result.core_k == 3 and {m["id"] for m in result.core} == {A, C, D, U}
    overlap = {tuple(o["types"]): o["shared"] for o in result.overlap}
    assert overlap[("disaster-mutual-aid", "engagement-accord")] == 1
    assert overlap[("disaster-mutual-aid", "forum")] == 1
    findings = [row[0] for row in result.table()]
    assert findings.count("bridge") == 3 and "3-core" in findings


def test_communities_on_the_shipped_graph_are_stable(shipped_store: GraphStore) -> None:
    first = communities(shipped_store, Filters(region="関東"))
    assert first.as_dict() == communities(shipped_store, Filters(region="関東")).as_dict()
    # the 23-ward pact holds most wards together; since issue 13 their distant partners join them
    wards = next(c for c in first.communities if "千代田区" in {m["name_ja"] for m in c["members"]})
    assert wards["types"].get("disaster-mutual-aid")
    assert sum(m["kind"] == "special-ward" for m in wards["members"]) > len(wards["members"]) / 2
