"""Closeness and betweenness from breadth-first searches run many sources at a time in numpy.

Why not networkx's (or scipy's per-source searches): on the projection of the
1 M-triple synthetic graph (9,581 bodies and pacts, 96,874 ties) networkx's
sampled betweenness (200 pivots) took 28 s and closeness by scipy's searches
26 s, at load 2.9 on 2 cores; they are most of what the analysis of a new
revision costs. Here every search of a batch advances one level per step:

* :func:`closeness_sums` keeps, per node, a bitset of the sources already
  within ``d`` hops, so one level for 64 sources is one OR of 64-bit words
  along each tie (all-pairs breadth-first search, 64 sources a word);
* :func:`betweenness_sums` is Brandes' algorithm with a batch of sources as
  the columns of dense matrices: shortest-path counts move one level forward,
  dependencies one level back, each a sparse matrix product.

The values are networkx's own (the tests compare them on many graphs);
``benchmarks/analysis.py`` prints both timings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_array

#: Source bits a closeness batch handles at once (64 sources a word): the bitsets take
#: nodes × words × 8 bytes, 4.9 MB for 9,581 nodes.
CLOSENESS_WORDS = 64
#: Sources a betweenness batch handles at once: its matrices take nodes × sources × 8 bytes each.
BETWEENNESS_BATCH = 256
#: Ties gathered at once in a closeness level (bounds the memory of one step).
GATHER = 1 << 15


def closeness_sums(
    incoming: csr_array, *, words: int = CLOSENESS_WORDS
) -> tuple[np.ndarray, np.ndarray]:
    """Per node ``v``: how many nodes reach it (itself included) and the sum of their distances.

    ``incoming`` is the 0/1 adjacency with row ``v`` listing the nodes tied *to*
    ``v`` (the transpose of a digraph's adjacency; an undirected graph's own),
    as networkx measures a digraph's closeness on distances to each node.
    ``words`` × 64 sources are searched at a time.

    >>> from scipy.sparse import csr_array
    >>> path = csr_array(([1, 1, 1, 1], ([0, 1, 1, 2], [1, 0, 2, 1])), shape=(3, 3))
    >>> [list(map(int, a)) for a in closeness_sums(path)]
    [[3, 3, 3], [3, 2, 3]]
    """
    import numpy as np

    n = incoming.shape[0]
    indptr, indices = incoming.indptr, incoming.indices
    blocks = _row_blocks(indptr)
    reached = np.zeros(n, dtype=np.int64)
    total = np.zeros(n, dtype=np.int64)
    for first in range(0, n, words * 64):
        sources = np.arange(first, min(first + words * 64, n))
        # Row v, bit s: source s is within ``depth`` hops of v.
        within = np.zeros((n, (len(sources) + 63) // 64), dtype=np.uint64)
        offset = sources - first
        within[sources, offset // 64] = np.left_shift(np.uint64(1), (offset % 64).astype(np.uint64))
        count = np.bitwise_count(within).sum(axis=1, dtype=np.int64)
        depth = 0
        while True:
            depth += 1
            grown = within.copy()
            for lo, hi in blocks:
                starts = indptr[lo:hi]
                has = indptr[lo + 1 : hi + 1] > starts  # reduceat wants non-empty segments
                if not has.any():
                    continue
                gathered = within[indices[indptr[lo] : indptr[hi]]]
                rows = np.flatnonzero(has) + lo
                grown[rows] |= np.bitwise_or.reduceat(gathered, starts[has] - indptr[lo], axis=0)
            now = np.bitwise_count(grown).sum(axis=1, dtype=np.int64)
            new = now - count
            if not new.any():
                break
            total += depth * new
            within, count = grown, now
        reached += count
    return reached, total


def _row_blocks(indptr: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges holding about :data:`GATHER` ties each (a row with more stands alone)."""
    import numpy as np

    n = len(indptr) - 1
    blocks, lo = [], 0
    while lo < n:
        hi = int(np.searchsorted(indptr, indptr[lo] + GATHER, side="right")) - 1
        hi = min(max(hi, lo + 1), n)
        blocks.append((lo, hi))
        lo = hi
    return blocks


def betweenness_sums(
    adjacency: csr_array, sources: np.ndarray, *, batch: int = BETWEENNESS_BATCH
) -> np.ndarray:
    """Brandes' dependency of every node summed over the searches from ``sources``.

    Unscaled, endpoints excluded, each ordered pair counted (networkx's
    ``betweenness_centrality(normalized=False)`` before its rescaling):
    ``adjacency`` is the 0/1 matrix with a 1 at ``[u, v]`` for a tie ``u → v``
    (both ways for an undirected tie). ``batch`` sources are searched at a time.

    >>> import numpy as np
    >>> from scipy.sparse import csr_array
    >>> path = csr_array(([1, 1, 1, 1], ([0, 1, 1, 2], [1, 0, 2, 1])), shape=(3, 3))
    >>> betweenness_sums(path, np.arange(3)).tolist()
    [0.0, 2.0, 0.0]
    """
    import numpy as np

    n = adjacency.shape[0]
    forward = adjacency.T.tocsr()  # row v: the nodes with a tie to v
    result = np.zeros(n)
    for first in range(0, len(sources), batch):
        starts = sources[first : first + batch]
        columns = np.arange(len(starts))
        sigma = np.zeros((n, len(starts)))  # shortest paths from each source
        depth = np.full((n, len(starts)), -1, dtype=np.int32)
        sigma[starts, columns] = 1.0
        depth[starts, columns] = 0
        level = 0
        while True:
            frontier = np.where(depth == level, sigma, 0.0)
            arriving = forward @ frontier
            new = (depth < 0) & (arriving > 0)
            if not new.any():
                break
            level += 1
            sigma[new] = arriving[new]
            depth[new] = level
        delta = np.zeros_like(sigma)
        for d in range(level - 1, -1, -1):
            below = np.where(depth == d + 1, (1.0 + delta) / np.where(sigma > 0, sigma, 1.0), 0.0)
            delta += np.where(depth == d, sigma * (adjacency @ below), 0.0)
        delta[starts, columns] = 0.0  # a source is not between its own pairs
        result += delta.sum(axis=1)
    return result
