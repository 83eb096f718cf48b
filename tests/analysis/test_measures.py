"""Centrality measures: known answers on small graphs, determinism, the store-level table."""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox
import pytest

from partnergraph.analysis.measures import (
    betweenness,
    centrality,
    closeness,
    degrees,
    pagerank,
    resource_allocation,
    tie_weights,
)
from partnergraph.analysis.scope import Filters
from partnergraph.errors import InvalidInputError
from partnergraph.namespaces import AGREEMENT_TYPE, PG, RDF
from partnergraph.store import GraphStore
from tests.analysis.conftest import A, B, C, D, E, U
from tests.conftest import BASE

RDF_TYPE = RDF + "type"


def test_degrees_count_partners_relations_and_weights() -> None:
    m = nx.MultiGraph()
    m.add_edge("a", "b", weight=1.0)
    m.add_edge("a", "b", weight=0.5)
    m.add_edge("a", "c", weight=0.25)
    m.add_node("d")
    assert degrees(m) == {
        "a": (2, 3, 1.75),
        "b": (1, 2, 1.5),
        "c": (1, 1, 0.25),
        "d": (0, 0, 0),
    }


def test_betweenness_of_a_path_and_a_star() -> None:
    assert betweenness(nx.path_graph(5))[0] == pytest.approx(
        {0: 0.0, 1: 0.5, 2: 2 / 3, 3: 0.5, 4: 0.0}
    )
    star, method = betweenness(nx.star_graph(4))
    assert method == "exact" and star[0] == 1.0 and star[1] == 0.0


def test_betweenness_skips_isolated_nodes_but_normalizes_as_networkx() -> None:
    g = nx.path_graph(4)
    g.add_nodes_from(range(10, 16))
    ours, method = betweenness(g)
    assert method == "exact"
    assert ours == pytest.approx(nx.betweenness_centrality(g))


def test_betweenness_samples_big_graphs_with_a_fixed_seed() -> None:
    g = nx.connected_watts_strogatz_graph(60, 4, 0.2, seed=1)
    first, method = betweenness(g, exact_limit=10, samples=15)
    again, _ = betweenness(g, exact_limit=10, samples=15)
    assert method == "sampled (k=15, seed=42)"
    assert first == again
    every_pivot, _ = betweenness(g, exact_limit=10, samples=60)
    assert every_pivot == pytest.approx(nx.betweenness_centrality(g))


def _in_order(graph: nx.Graph, nodes: list[int]) -> nx.Graph:
    """``graph``'s subgraph on ``nodes``, in that order (networkx's own subgraph views
    iterate a set, whose order is not the graph's)."""
    copy = graph.__class__()
    copy.add_nodes_from(nodes)
    copy.add_edges_from(graph.subgraph(nodes).edges())
    return copy


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("exact_limit", "samples"), [(600, 200), (5, 7), (5, 1)])
def test_betweenness_is_networkx_betweenness_with_the_same_pivots(
    seed: int, exact_limit: int, samples: int
) -> None:
    """Exact or sampled, directed or not, with isolated nodes and a self-loop: networkx's
    values for the pivots it draws on the tied nodes."""
    n = 8 + 4 * seed
    g = nx.gnp_random_graph(n, 0.12, seed=seed, directed=seed % 3 == 0)
    g.add_nodes_from(range(n, n + seed % 4))  # isolated
    g.add_edge(0, 0)
    tied = [v for v in g if g.degree(v) > 0]
    k = min(samples, len(tied)) if len(tied) > exact_limit else None
    raw = nx.betweenness_centrality(_in_order(g, tied), k=k, normalized=False, seed=42)
    scale = 2 / ((len(g) - 1) * (len(g) - 2)) / (2 if g.is_directed() else 1)
    expected = {v: raw.get(v, 0.0) * scale for v in g}
    ours, method = betweenness(g, exact_limit=exact_limit, samples=samples)
    assert method == ("exact" if k is None else f"sampled (k={k}, seed=42)")
    assert ours == pytest.approx(expected, rel=1e-9, abs=1e-12, nan_ok=True)


@pytest.mark.parametrize(
    "graph",
    [
        nx.empty_graph(1),
        nx.path_graph(5),
        nx.disjoint_union(nx.star_graph(4), nx.path_graph(3)),  # two components
        nx.gnm_random_graph(300, 700, seed=7),  # isolated nodes among the rest; 5 source blocks
        nx.gnm_random_graph(60, 150, seed=3, directed=True),
    ],
    ids=["one node", "path", "two components", "random", "directed"],
)
def test_closeness_is_networkx_closeness(graph: nx.Graph) -> None:
    ours, theirs = closeness(graph, words=1), nx.closeness_centrality(graph)
    assert ours.keys() == theirs.keys()
    assert all(ours[v] == pytest.approx(theirs[v], abs=1e-12) for v in graph)


def test_pagerank_of_a_star_and_a_cycle() -> None:
    star = pagerank(nx.star_graph(3))
    # x_c = 0.0375 + 0.85·3·x_l and x_l = 0.0375 + 0.85·x_c/3, solved
    assert star[0] == pytest.approx(0.133125 / 0.2775, abs=1e-6)
    assert star[1] == pytest.approx((1 - star[0]) / 3, abs=1e-6)
    assert pagerank(nx.cycle_graph(5)) == pytest.approx(dict.fromkeys(range(5), 0.2))


def test_pagerank_handles_isolated_nodes_weights_and_direction() -> None:
    g = nx.Graph()
    g.add_edge("a", "b", weight=3.0)
    g.add_edge("b", "c", weight=1.0)
    g.add_node("lonely")
    ranks = pagerank(g)
    assert sum(ranks.values()) == pytest.approx(1.0)
    assert ranks["a"] > ranks["c"] > ranks["lonely"]
    chain = pagerank(nx.DiGraph([(1, 2), (2, 3)]))
    assert chain[3] > chain[2] > chain[1]


def test_pagerank_agrees_with_networkx_when_scipy_is_there() -> None:
    pytest.importorskip("scipy")
    g = nx.les_miserables_graph()
    g.add_node("isolated")
    assert pagerank(g) == pytest.approx(nx.pagerank(g, weight="weight"), abs=1e-6)
    d = nx.gn_graph(40, seed=3)
    assert pagerank(d) == pytest.approx(nx.pagerank(d), abs=1e-6)


def test_weighted_resource_allocation() -> None:
    m = nx.MultiGraph()
    m.add_edge("a", "hub", weight=1.0, type="x")
    m.add_edge("b", "hub", weight=1.0, type="x")
    m.add_edge("c", "hub", weight=1.0, type="x")
    m.add_edge("a", "small", weight=1.0, type="x")
    m.add_edge("b", "small", weight=2.0, type="x")
    m.add_edge("a", "b", weight=5.0, type="forum")
    w = tie_weights(m, skip=("forum",))
    strength = {v: sum(x.values()) for v, x in w.items()}
    score, common = resource_allocation(w, strength, "a", "b")
    assert sorted(common) == ["hub", "small"]
    assert score == pytest.approx(1 / 3 + 2 / 3)
    assert resource_allocation(w, strength, "a", "c") == (pytest.approx(1 / 3), ["hub"])
    assert "b" not in w["a"]


def test_centrality_on_the_tiny_graph(tiny: GraphStore) -> None:
    result = centrality(tiny)
    assert result.nodes == 7 and result.relations == 12
    assert result.betweenness_method == "exact"
    rows = {r["body"]["id"]: r for r in result.rows}
    assert result.rows[0]["body"]["name_ja"] == "世田谷区"
    assert rows[A]["degree"] == 5 and rows[A]["relations"] == 8
    # B 1; C 1 + 1 + 1/3 (forum of four); D 1 + 1/3; E 1; U 1/3
    assert rows[A]["weighted_degree"] == pytest.approx(6.0)
    assert rows[A]["articulation"] and rows[U]["articulation"] and not rows[B]["articulation"]
    assert rows[A]["core"] == rows[C]["core"] == rows[D]["core"] == rows[U]["core"] == 3
    assert rows[B]["core"] == rows[E]["core"] == 1
    # B and E hang off A: every path from them runs through A
    assert rows[A]["betweenness"] > rows[U]["betweenness"] > rows[C]["betweenness"] == 0.0
    assert rows[A]["closeness"] == max(r["closeness"] for r in result.rows)


def test_centrality_sort_limit_and_bad_input(tiny: GraphStore) -> None:
    by_degree = centrality(tiny, sort="degree", limit=2)
    assert [r["body"]["id"] for r in by_degree.rows] == [A, U]  # U: the forum three and P
    assert by_degree.table()[0][:3] == [1, "世田谷区", "131121"]
    with pytest.raises(InvalidInputError, match="unknown sort key") as err:
        centrality(tiny, sort="fame")
    assert err.value.field == "sort"
    with pytest.raises(InvalidInputError, match="limit"):
        centrality(tiny, limit=0)


def test_centrality_is_deterministic(tiny: GraphStore, tiny_with) -> None:
    first = centrality(tiny, Filters(include_isolated=True)).as_dict()
    again = centrality(tiny_with(), Filters(include_isolated=True)).as_dict()
    assert first == again


def test_centrality_on_the_shipped_graph(shipped_store: GraphStore) -> None:
    result = centrality(shipped_store, limit=3)
    # issue 13's groups and pacts join Setagaya at the top; pact nodes are never listed
    assert "131121" in {r["body"]["code"] for r in result.rows}
    assert result.betweenness_method == "exact"
    assert all(r["body"]["kind"] != "pact" for r in centrality(shipped_store).rows)
    nationwide = centrality(shipped_store, Filters(include_isolated=True), sort="degree")
    assert nationwide.nodes > 1788 and nationwide.rows[-1]["degree"] == 0


def test_a_write_invalidates_cached_measures(tiny: GraphStore) -> None:
    before = {r["body"]["id"]: r["degree"] for r in centrality(tiny).rows}
    via, graph = ox.NamedNode(f"{BASE}agreement/be"), ox.NamedNode(f"{BASE}source/tiny")
    facts = [
        (RDF_TYPE, ox.NamedNode(PG + "Agreement")),
        (PG + "agreementType", ox.NamedNode(AGREEMENT_TYPE + "sister-city")),
        (PG + "party", ox.NamedNode(B)),
        (PG + "party", ox.NamedNode(E)),
    ]
    tiny.apply(add=[ox.Quad(via, ox.NamedNode(p), o, graph) for p, o in facts])
    after = {r["body"]["id"]: r["degree"] for r in centrality(tiny).rows}
    assert (before[E], after[E]) == (1, 2)
