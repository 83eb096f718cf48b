"""The batched breadth-first searches: every batch and block size gives networkx's answers."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from partnergraph.analysis import breadth_first
from partnergraph.analysis.breadth_first import betweenness_sums, closeness_sums
from partnergraph.analysis.measures import _adjacency


def _matrix(graph: nx.Graph) -> object:
    return _adjacency(graph, list(graph))


@pytest.mark.parametrize("batch", [1, 3, 256])
@pytest.mark.parametrize("directed", [False, True])
def test_betweenness_sums_are_brandes_sums_whatever_the_batch(batch: int, directed: bool) -> None:
    g = nx.gnm_random_graph(70, 160, seed=5, directed=directed)
    expected = nx.betweenness_centrality(g, normalized=False)
    # networkx halves an undirected graph's sums (each pair is searched from both ends).
    factor = 1 if directed else 2
    sums = betweenness_sums(_matrix(g), np.arange(len(g)), batch=batch)
    assert sums.tolist() == pytest.approx([expected[v] * factor for v in g], abs=1e-9)


def test_betweenness_sums_count_every_shortest_path() -> None:
    """In the square 0-1-2-3-0, two shortest routes from 0 reach 2 (via 1 and via 3):
    each is between for half of that pair."""
    square = nx.cycle_graph(4)
    sums = betweenness_sums(_matrix(square), np.array([0]))
    assert sums.tolist() == [0.0, 0.5, 0.0, 0.5]


@pytest.mark.parametrize("words", [1, 2, 64])
def test_closeness_sums_reach_and_distance_whatever_the_block(words: int) -> None:
    g = nx.gnm_random_graph(200, 260, seed=9, directed=True)
    reached, total = closeness_sums(_matrix(g).T.tocsr(), words=words)
    for i, v in enumerate(g):
        to_v = nx.single_source_shortest_path_length(g.reverse(copy=False), v)
        assert (reached[i], total[i]) == (len(to_v), sum(to_v.values()))


def test_closeness_sums_split_a_level_into_blocks_of_ties(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hub with more ties than a block holds stands alone; the answer does not change."""
    g = nx.star_graph(30)
    nx.add_path(g, range(31, 40))
    g.add_edge(40, 0)
    whole = closeness_sums(_matrix(g))
    monkeypatch.setattr(breadth_first, "GATHER", 4)
    assert len(breadth_first._row_blocks(_matrix(g).indptr)) > 10
    split = closeness_sums(_matrix(g))
    assert [a.tolist() for a in split] == [a.tolist() for a in whole]
    dist = dict(nx.all_pairs_shortest_path_length(g))
    assert split[1].tolist() == [sum(dist[v].values()) for v in g]
