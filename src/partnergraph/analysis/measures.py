"""Centrality of each body: who is central, who holds the network together.

The pure functions take networkx graphs (tests build small ones by hand); the
``centrality`` function reads the store's projection and caches its answer per
revision and filters.

* ``degree``: distinct partners; ``relations``: relations (multi-edges);
  ``weighted_degree``: sum of relation weights (see :mod:`.projection`).
* ``betweenness``: on hops, not weights (a tie is a tie). Exact while the graph
  has at most :data:`EXACT_BETWEENNESS_LIMIT` bodies with a relation, otherwise
  estimated from :data:`BETWEENNESS_SAMPLES` pivots drawn with the fixed seed
  :data:`SEED` (so the same graph always gives the same numbers). Bodies
  without a relation add nothing to anyone's betweenness and are skipped;
  values are normalized over the whole graph, as networkx does.
* ``closeness``: networkx's, with the Wasserman–Faust correction for
  disconnected graphs (a body reaching few others scores low). Both it and
  betweenness are computed by :mod:`.breadth_first` (which says why).
* ``pagerank``: weighted, damping 0.85, by power iteration in pure Python
  (:func:`pagerank`), so scipy is not needed; it agrees with ``nx.pagerank``.
* ``core``: k-core number; ``articulation``: removing the body splits a component.

With the default ``Filters(pacts="bipartite")`` an agreement of three or more
parties is a node of its own: paths run body → pact → body, so a 47-party pact
makes its parties two hops apart through one node rather than a clique of
1,081 edges that every shortest path would use. Pact nodes are measured (they
carry betweenness) but never listed. ``pacts="pairwise"`` gives the clique.

networkx, numpy and scipy are imported inside the functions that use them, so the server
starts without them.

>>> import networkx as nx
>>> g = nx.path_graph(3)
>>> betweenness(g)
({0: 0.0, 1: 1.0, 2: 0.0}, 'exact')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from partnergraph.analysis.breadth_first import (
    CLOSENESS_WORDS,
    betweenness_sums,
    closeness_sums,
)
from partnergraph.analysis.projection import memo, node_info, projection, simple_projection
from partnergraph.analysis.scope import Filters, normalize
from partnergraph.errors import InvalidInputError
from partnergraph.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx
    from scipy.sparse import csr_array

SEED = 42
EXACT_BETWEENNESS_LIMIT = 600
BETWEENNESS_SAMPLES = 200
DIGITS = 6

SORT_KEYS = ("pagerank", "betweenness", "closeness", "degree", "weighted_degree", "core")


def degrees(graph: nx.MultiGraph) -> dict[str, tuple[int, int, float]]:
    """Node → (distinct partners, relations, sum of relation weights).

    >>> import networkx as nx
    >>> m = nx.MultiGraph([("a", "b"), ("a", "b"), ("a", "c")])
    >>> degrees(m)["a"]
    (2, 3, 3.0)
    """
    result = {}
    for node in graph:
        partners = {v for v in graph[node] if v != node}
        relations = sum(len(graph[node][v]) for v in partners)
        weight = sum(d.get("weight", 1.0) for v in partners for d in graph[node][v].values())
        result[node] = (len(partners), relations, weight)
    return result


def betweenness(
    graph: nx.Graph,
    *,
    exact_limit: int = EXACT_BETWEENNESS_LIMIT,
    samples: int = BETWEENNESS_SAMPLES,
    seed: int = SEED,
) -> tuple[dict[str, float], str]:
    """Normalized betweenness of every node and how it was computed (``exact`` or sampled).

    Exact up to ``exact_limit`` tied nodes. Brandes' algorithm grows with
    nodes × edges: on a connected nationwide graph (1,804 bodies, ~5,000 ties;
    ``benchmarks/analysis.py``) exact took networkx 6–8 s here, 200 pivots
    0.6 s, with the same top 20 and a mean error of about 15 %. The pivots are
    those ``nx.betweenness_centrality(k=..., seed=...)`` draws and the values
    are its own, computed by :func:`.breadth_first.betweenness_sums` (which says
    why). Either way the result is cached per store revision.
    """
    import random

    import numpy as np

    n = graph.number_of_nodes()
    tied = [v for v in graph if graph.degree(v) > 0]
    method, pivots = "exact", tied
    if not tied:
        return dict.fromkeys(graph, 0.0), method
    if len(tied) > exact_limit:
        k = min(samples, len(tied))
        pivots = random.Random(seed).sample(tied, k)  # networkx's draw for this seed
        method = f"sampled (k={k}, seed={seed})"
    index = {v: i for i, v in enumerate(tied)}
    rows = np.array([index[v] for v in pivots], dtype=np.int64)
    raw = betweenness_sums(_adjacency(graph.subgraph(tied), tied), rows)
    # networkx's rescaling of unnormalized values (endpoints excluded, pairs counted once
    # in an undirected graph; a sampled pivot stands for one pair fewer than the others).
    sides = 1 if graph.is_directed() else 2
    pairs = len(tied) - 1
    if pairs >= 2:
        k = len(pivots)
        if k == len(tied):
            raw = raw / sides
        else:
            raw = raw * (pairs / (k * sides))
            raw[rows] *= k / (k - 1) if k > 1 else float("nan")
    scale = 2 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    if graph.is_directed():
        scale /= 2
    return {v: float(raw[index[v]]) * scale if v in index else 0.0 for v in graph}, method


def closeness(graph: nx.Graph, *, words: int = CLOSENESS_WORDS) -> dict[str, float]:
    """Closeness of every node, as ``nx.closeness_centrality`` gives it (Wasserman–Faust).

    Computed by :func:`.breadth_first.closeness_sums` (which says why), ``words``
    × 64 sources at a time.

    >>> import networkx as nx
    >>> closeness(nx.path_graph(3)) == nx.closeness_centrality(nx.path_graph(3))
    True
    """
    import numpy as np

    order = list(graph)
    n = len(order)
    if n <= 1:
        return {v: 0.0 for v in order}
    adjacency = _adjacency(graph, order)
    # networkx measures a digraph's distances *to* each node: search the reversed edges.
    incoming = adjacency.T.tocsr() if graph.is_directed() else adjacency
    reached, total = closeness_sums(incoming, words=words)
    others = reached - 1
    safe = np.where(total > 0, total, 1)
    values = np.where(total > 0, (others / safe) * (others / (n - 1)), 0.0)
    return {v: float(x) for v, x in zip(order, values, strict=True)}


def _adjacency(graph: nx.Graph, order: list[str]) -> csr_array:
    """The 0/1 adjacency matrix of ``graph`` in ``order`` (a multi-edge counts once)."""
    import networkx as nx

    matrix = nx.to_scipy_sparse_array(graph, nodelist=order, weight=None, format="csr")
    matrix.data[:] = 1
    return matrix


def pagerank(
    graph: nx.Graph,
    *,
    alpha: float = 0.85,
    weight: str | None = "weight",
    max_iter: int = 100,
    tol: float = 1.0e-6,
) -> dict[str, float]:
    """PageRank by power iteration, as ``nx.pagerank`` computes it but without scipy.

    Undirected edges count both ways; a node with no edge spreads its rank
    evenly over all nodes (networkx's handling of dangling nodes).

    >>> import networkx as nx
    >>> star = nx.star_graph(3)
    >>> round(pagerank(star)[0], 4), round(pagerank(star)[1], 4)
    (0.4797, 0.1734)
    """
    import networkx as nx

    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    out: dict[str, list[tuple[str, float]]] = {v: [] for v in nodes}
    edges = (
        cast("nx.MultiGraph[str]", graph).edges(data=True, keys=True)
        if graph.is_multigraph()
        else graph.edges(data=True)
    )
    for u, v, *rest in edges:
        w = float(rest[-1].get(weight, 1.0)) if weight else 1.0
        out[u].append((v, w))
        if not graph.is_directed():
            out[v].append((u, w))
    totals = {v: sum(w for _, w in out[v]) for v in nodes}
    rank = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        previous = rank
        dangling = alpha * sum(previous[v] for v in nodes if totals[v] == 0) / n
        rank = dict.fromkeys(nodes, (1.0 - alpha) / n + dangling)
        for u in nodes:
            if totals[u]:
                share = alpha * previous[u] / totals[u]
                for v, w in out[u]:
                    rank[v] += share * w
        if sum(abs(rank[v] - previous[v]) for v in nodes) < n * tol:
            return rank
    raise nx.PowerIterationFailedConvergence(max_iter)


@dataclass
class CentralityResult:
    """Centrality of every body of a projection, sorted; see the module docstring."""

    filters: dict[str, object]
    nodes: int
    relations: int
    betweenness_method: str
    rows: list[dict[str, object]] = field(default_factory=list)

    header = (
        "rank",
        "name",
        "code",
        "kind",
        "degree",
        "relations",
        "weighted_degree",
        "betweenness",
        "closeness",
        "pagerank",
        "core",
        "articulation",
    )

    def table(self) -> list[list[object]]:
        return [
            [
                i,
                r["body"]["name_ja"] or r["body"]["name_en"],  # type: ignore[index]
                r["body"]["code"],  # type: ignore[index]
                r["body"]["kind"],  # type: ignore[index]
                *(r[h] for h in self.header[4:]),
            ]
            for i, r in enumerate(self.rows, 1)
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "filters": self.filters,
            "nodes": self.nodes,
            "relations": self.relations,
            "betweenness_method": self.betweenness_method,
            "bodies": self.rows,
        }


def centrality(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    sort: str = "pagerank",
    limit: int | None = None,
) -> CentralityResult:
    """Every measure for every body of the filtered graph, highest ``sort`` first.

    >>> top = centrality(store, limit=3).rows                  # doctest: +SKIP
    >>> top[0]["body"]["name_ja"], top[0]["degree"]            # doctest: +SKIP
    ('世田谷区', 51)
    """
    if sort not in SORT_KEYS:
        raise InvalidInputError(
            f"unknown sort key {sort!r}; known: {', '.join(SORT_KEYS)}", field="sort"
        )
    check_limit(limit)
    f = normalize(store, filters)
    rows, method, n, m = memo(store, ("centrality", f.key()), lambda: _centrality(store, f))
    ordered = sorted(rows, key=lambda r: (-float(r[sort]), r["order"]))  # type: ignore[arg-type]
    shown = [{k: v for k, v in r.items() if k != "order"} for r in ordered[:limit]]
    return CentralityResult(f.as_dict(), n, m, method, shown)


def _centrality(store: GraphStore, f: Filters) -> tuple[list[dict[str, object]], str, int, int]:
    import networkx as nx

    multi = projection(store, f)
    simple = simple_projection(store, f)
    deg = degrees(multi)
    between, method = betweenness(simple)
    close = closeness(simple)
    rank = pagerank(simple)
    cores = nx.core_number(simple)
    cut = set(nx.articulation_points(simple))
    rows = [
        {
            "body": node_info(multi, v),
            "degree": deg[v][0],
            "relations": deg[v][1],
            "weighted_degree": round(deg[v][2], DIGITS),
            "betweenness": round(between[v], DIGITS),
            "closeness": round(close[v], DIGITS),
            "pagerank": round(rank[v], DIGITS),
            "core": cores[v],
            "articulation": v in cut,
            "order": i,
        }
        for i, v in enumerate(multi)
        if multi.nodes[v].get("kind") != "pact"
    ]
    return rows, method, multi.number_of_nodes(), multi.number_of_edges()


def check_limit(limit: int | None) -> None:
    """Refuse a ``limit`` below 1 (None means no limit)."""
    if limit is not None and limit < 1:
        raise InvalidInputError(f"limit must be at least 1, got {limit}", field="limit")


def tie_weights(graph: nx.MultiGraph, *, skip: tuple[str, ...] = ()) -> dict[str, dict[str, float]]:
    """Node → partner → summed weight of the relations between them (``skip``: types left out).

    >>> import networkx as nx
    >>> m = nx.MultiGraph()
    >>> _ = m.add_edge(1, 2, type="a", weight=1.0)
    >>> _ = m.add_edge(1, 2, type="f", weight=0.5)
    >>> tie_weights(m)[1], tie_weights(m, skip=("f",))[2]
    ({2: 1.5}, {1: 1.0})
    """
    weights: dict[str, dict[str, float]] = {v: {} for v in graph}
    for u, v, data in graph.edges(data=True):
        if u == v or data.get("type") in skip:
            continue
        w = float(data.get("weight", 1.0))
        weights[u][v] = weights[u].get(v, 0.0) + w
        weights[v][u] = weights[v].get(u, 0.0) + w
    return weights


def resource_allocation(
    weights: dict[str, dict[str, float]], strength: dict[str, float], u: str, v: str
) -> tuple[float, list[str]]:
    """Weighted resource allocation between ``u`` and ``v`` and the partners they share.

    Each shared partner ``z`` adds ``w(u, z) · w(z, v) / s(z)``, ``s`` being
    its weighted degree: a small partner, or strong ties to it, say more than
    a hub both are loosely tied to (Zhou, Lü & Zhang 2009, weighted form).

    >>> w = {"a": {"z": 1.0}, "b": {"z": 1.0}, "z": {"a": 1.0, "b": 1.0}}
    >>> resource_allocation(w, {"a": 1.0, "b": 1.0, "z": 2.0}, "a", "b")
    (0.5, ['z'])
    """
    common = [z for z in weights.get(u, {}) if z in weights.get(v, {}) and z not in (u, v)]
    score = sum(weights[u][z] * weights[z][v] / strength[z] for z in common if strength[z])
    return score, common


def prepare(store: GraphStore) -> None:
    """Build the current revision's default projection and measures (what a first
    analysis request would otherwise build inside it): the server calls this in the
    background after each change (:func:`partnergraph.explore.explore_views`)."""
    centrality(store)
