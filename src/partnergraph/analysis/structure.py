"""The shape of the network: communities, weak points, cores and how relation layers overlap.

* :func:`louvain`: Louvain communities on the weighted graph with a fixed seed,
  so the same graph always splits the same way.
* :func:`bridges` / :func:`articulation_points`: ties and bodies whose loss
  splits a component. A pair tied by several relations is one tie here: losing
  one agreement of five does not cut anything, losing the partnership does.
* :func:`k_core`: the bodies that keep at least ``k`` partners among themselves.
* :func:`layer_overlap`: for each pair of relation types, the Jaccard index of
  the pairs of bodies they tie (1 = the layers tie exactly the same pairs).

networkx is imported inside the functions that use it, so the server starts without it.

>>> import networkx as nx
>>> two_triangles = nx.Graph([(1, 2), (2, 3), (1, 3), (3, 4), (4, 5), (5, 6), (4, 6)])
>>> bridges(two_triangles), articulation_points(two_triangles)
([(3, 4)], [3, 4])
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from partnergraph.analysis.measures import DIGITS, SEED
from partnergraph.analysis.projection import memo, node_info, projection, simple_projection
from partnergraph.analysis.scope import Filters, normalize
from partnergraph.errors import InvalidInputError
from partnergraph.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx


def louvain(graph: nx.Graph, *, seed: int = SEED, resolution: float = 1.0) -> list[list]:
    """Communities, largest first, each in the graph's node order (deterministic for a seed).

    >>> import networkx as nx
    >>> g = nx.barbell_graph(4, 0)
    >>> louvain(g)
    [[0, 1, 2, 3], [4, 5, 6, 7]]
    """
    import networkx as nx

    order = {v: i for i, v in enumerate(graph)}
    found = nx.community.louvain_communities(
        graph, weight="weight", resolution=resolution, seed=seed
    )
    ordered = [sorted(c, key=order.__getitem__) for c in found]
    return sorted(ordered, key=lambda c: (-len(c), order[c[0]]))


def bridges(graph: nx.Graph) -> list[tuple]:
    """Pairs whose tie is the only connection between two parts, in node order.

    A multigraph is first collapsed, so parallel relations do not hide a bridge.
    """
    import networkx as nx

    simple = nx.Graph(graph) if graph.is_multigraph() else graph
    order = {v: i for i, v in enumerate(simple)}
    pairs = [tuple(sorted(e, key=order.__getitem__)) for e in nx.bridges(simple)]
    return sorted(pairs, key=lambda p: (order[p[0]], order[p[1]]))


def articulation_points(graph: nx.Graph) -> list:
    """Bodies whose removal splits their component, in node order."""
    import networkx as nx

    simple = nx.Graph(graph) if graph.is_multigraph() else graph
    cut = set(nx.articulation_points(simple))
    return [v for v in simple if v in cut]


def k_core(graph: nx.Graph, k: int | None = None) -> tuple[int, list]:
    """``k`` (default: the largest k with a non-empty core) and the members of the k-core.

    >>> import networkx as nx
    >>> k_core(nx.complete_graph(4))
    (3, [0, 1, 2, 3])
    """
    import networkx as nx

    simple = nx.Graph(graph) if graph.is_multigraph() else graph
    cores = nx.core_number(simple)
    if k is None:
        k = max(cores.values(), default=0)
    return k, [v for v in simple if cores[v] >= k]


def layer_overlap(graph: nx.MultiGraph) -> list[dict[str, object]]:
    """Jaccard index of the tied pairs for every pair of relation types present.

    >>> import networkx as nx
    >>> m = nx.MultiGraph()
    >>> _ = m.add_edges_from([(1, 2, {"type": "a"}), (2, 3, {"type": "a"}), (1, 2, {"type": "b"})])
    >>> layer_overlap(m)
    [{'types': ['a', 'b'], 'a': 2, 'b': 1, 'shared': 1, 'jaccard': 0.5}]
    """
    layers: dict[str, set[frozenset]] = defaultdict(set)
    for u, v, data in graph.edges(data=True):
        if u != v:
            layers[str(data.get("type"))].add(frozenset((u, v)))
    rows = []
    for a, b in combinations(sorted(layers), 2):
        shared = len(layers[a] & layers[b])
        union = len(layers[a] | layers[b])
        rows.append(
            {
                "types": [a, b],
                "a": len(layers[a]),
                "b": len(layers[b]),
                "shared": shared,
                "jaccard": round(shared / union, DIGITS) if union else 0.0,
            }
        )
    rows.sort(key=lambda r: (-float(r["jaccard"]), r["types"]))  # type: ignore[arg-type]
    return rows


@dataclass
class CommunitiesResult:
    """Louvain communities of a projection with their size, members and relation types."""

    filters: dict[str, object]
    seed: int
    modularity: float
    communities: list[dict[str, object]]
    singletons: int

    header = ("community", "size", "members", "codes", "relations", "types")

    def table(self) -> list[list[object]]:
        return [
            [
                c["community"],
                c["size"],
                [m["name_ja"] or m["name_en"] for m in c["members"]],  # type: ignore[attr-defined]
                [m["code"] for m in c["members"]],  # type: ignore[attr-defined]
                c["relations"],
                [f"{t} {n}" for t, n in c["types"].items()],  # type: ignore[attr-defined]
            ]
            for c in self.communities
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "filters": self.filters,
            "seed": self.seed,
            "modularity": self.modularity,
            "singletons": self.singletons,
            "communities": self.communities,
        }


def communities(
    store: GraphStore, filters: Filters | None = None, *, seed: int = SEED, min_size: int = 2
) -> CommunitiesResult:
    """Louvain communities of the filtered graph; bodies alone in theirs are only counted.

    >>> [c["size"] for c in communities(store).communities]     # doctest: +SKIP
    [22, 21, 10, 3]
    """
    if min_size < 1:
        raise InvalidInputError("min_size must be at least 1", field="min_size")
    f = normalize(store, filters)
    return memo(
        store,
        ("communities", f.key(), seed, min_size),
        lambda: _communities(store, f, seed, min_size),
    )


def _communities(store: GraphStore, f: Filters, seed: int, min_size: int) -> CommunitiesResult:
    import networkx as nx

    multi = projection(store, f)
    simple = simple_projection(store, f)
    found = louvain(simple, seed=seed)
    modularity = (
        nx.community.modularity(simple, [set(c) for c in found], weight="weight")
        if simple.size()
        else 0.0
    )
    shown = []
    # pact nodes (Filters.pacts == "bipartite") take part in the partition but are not members
    bodies = [[v for v in c if multi.nodes[v].get("kind") != "pact"] for c in found]
    for i, (community, members) in enumerate(
        ((c, b) for c, b in zip(found, bodies, strict=True) if len(b) >= min_size), 1
    ):
        inside = multi.subgraph(community)
        types: Counter[str] = Counter(d["type"] for _, _, d in inside.edges(data=True))
        shown.append(
            {
                "community": i,
                "size": len(members),
                "pacts": len(community) - len(members),
                "members": [node_info(multi, v) for v in members],
                "relations": inside.number_of_edges(),
                "types": dict(sorted(types.items(), key=lambda t: (-t[1], t[0]))),
            }
        )
    singletons = sum(1 for b in bodies if len(b) < min_size)
    return CommunitiesResult(f.as_dict(), seed, round(modularity, DIGITS), shown, singletons)


@dataclass
class StructureResult:
    """Bridges, articulation points, the main core and the overlap of relation layers.

    The table lists only layer pairs that share a tie; the JSON has every pair.
    """

    filters: dict[str, object]
    bridges: list[dict[str, object]]
    articulation_points: list[dict[str, object]]
    core_k: int
    core: list[dict[str, object]]
    overlap: list[dict[str, object]]

    header = ("finding", "bodies", "codes", "detail")

    def table(self) -> list[list[object]]:
        rows: list[list[object]] = []
        for b in self.bridges:
            ends = b["between"]
            rows.append(
                [
                    "bridge",
                    [e["name_ja"] or e["name_en"] for e in ends],  # type: ignore[attr-defined]
                    [e["code"] for e in ends],  # type: ignore[attr-defined]
                    f"{b['relations']} relation(s): {', '.join(b['types'])}",  # type: ignore[arg-type]
                ]
            )
        for a in self.articulation_points:
            rows.append(["articulation point", a["name_ja"] or a["name_en"], a["code"], ""])
        rows.append(
            [
                f"{self.core_k}-core",
                [m["name_ja"] or m["name_en"] for m in self.core],
                [m["code"] for m in self.core],
                f"{len(self.core)} bodies",
            ]
        )
        for o in (o for o in self.overlap if o["shared"]):
            rows.append(
                [
                    "layer overlap",
                    " & ".join(o["types"]),  # type: ignore[arg-type]
                    "",
                    f"jaccard {o['jaccard']} ({o['shared']} shared of {o['a']} and {o['b']})",
                ]
            )
        return rows

    def as_dict(self) -> dict[str, object]:
        return {
            "filters": self.filters,
            "bridges": self.bridges,
            "articulation_points": self.articulation_points,
            "core": {"k": self.core_k, "members": self.core},
            "layer_overlap": self.overlap,
        }


def structure(store: GraphStore, filters: Filters | None = None) -> StructureResult:
    """Weak points and layers of the filtered graph.

    >>> [b["types"] for b in structure(store).bridges][:1]      # doctest: +SKIP
    [['energy-supply', 'renewable-energy']]
    """
    f = normalize(store, filters)
    return memo(store, ("structure", f.key()), lambda: _structure(store, f))


def _structure(store: GraphStore, f: Filters) -> StructureResult:
    multi = projection(store, f)
    simple = simple_projection(store, f)
    found = [
        {
            "between": [node_info(multi, u), node_info(multi, v)],
            "relations": simple.edges[u, v]["relations"],
            "types": simple.edges[u, v]["types"],
        }
        for u, v in bridges(simple)
    ]
    k, members = k_core(simple)
    return StructureResult(
        filters=f.as_dict(),
        bridges=found,
        articulation_points=[node_info(multi, v) for v in articulation_points(simple)],
        core_k=k,
        core=[node_info(multi, v) for v in members],
        overlap=layer_overlap(multi),
    )
