"""How two bodies are connected, and who lies within a few hops of one.

A path is found on ties (fewest hops), then each hop is explained by every
relation that makes it: Setagaya → Kawaba is one hop, made by the 1981
engagement accord, the 1995 disaster pact, the 2016 renewable-energy
agreement, the wood-biomass supply and the 2022 forum.

networkx is imported inside the functions that use it, so the server starts without it.

>>> hop = shortest_path(store, "世田谷区", "川場村").hops[0]          # doctest: +SKIP
>>> hop["relations"][0]["type"], hop["relations"][0]["start"]        # doctest: +SKIP
('engagement-accord', '1981-11')
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from partnergraph.analysis.projection import memo, node_info, projection, simple_projection
from partnergraph.analysis.relations import relations
from partnergraph.analysis.scope import Filters, normalize
from partnergraph.directory import Directory, Organization
from partnergraph.errors import InvalidInputError, NotFoundError
from partnergraph.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx

MAX_HOPS = 4


class NoPathError(NotFoundError):
    """Two bodies exist but no chain of relations joins them in the selected graph.

    A :class:`NotFoundError`, so the CLI exits 2 and the API answers 404.
    """


def relation_info(data: dict[str, object]) -> dict[str, object]:
    """An edge's attributes as answers show them (``from``/``to`` only for directed ones)."""
    info = {
        k: data.get(k) for k in ("type", "via", "title", "title_en", "start", "sources", "weight")
    }
    if data.get("directed"):
        info["from"], info["to"] = data.get("from"), data.get("to")
    return info


def hop_relations(graph: nx.MultiGraph, u: str, v: str) -> list[dict[str, object]]:
    """Every relation between ``u`` and ``v``, earliest first (undated last)."""
    found = [relation_info(d) for d in graph[u][v].values()] if graph.has_edge(u, v) else []
    return sorted(found, key=lambda r: (r["start"] is None, r["start"] or "", r["type"], r["via"]))


@dataclass
class PathResult:
    """The bodies along a shortest path and, for each hop, the relations that make it."""

    filters: dict[str, object]
    source: dict[str, object]
    target: dict[str, object]
    nodes: list[dict[str, object]]
    hops: list[dict[str, object]]

    header = ("hop", "from", "to", "type", "title", "start", "sources")

    def table(self) -> list[list[object]]:
        return [
            [
                i,
                h["from"]["name_ja"] or h["from"]["name_en"],  # type: ignore[index]
                h["to"]["name_ja"] or h["to"]["name_en"],  # type: ignore[index]
                r["type"],
                r["title"],
                r["start"],
                r["sources"],
            ]
            for i, h in enumerate(self.hops, 1)
            for r in h["relations"]  # type: ignore[attr-defined]
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "filters": self.filters,
            "from": self.source,
            "to": self.target,
            "length": len(self.hops),
            "nodes": self.nodes,
            "hops": self.hops,
        }


def path_between(graph: nx.Graph[str], source: str, target: str) -> list[str]:
    """The nodes of a shortest path (fewest hops), or :class:`NoPathError`.

    Ties between equally short paths are broken by the graph's node order, so
    the answer does not change from run to run.

    >>> import networkx as nx
    >>> path_between(nx.MultiGraph([(1, 2), (2, 3), (1, 4), (4, 3)]), 1, 3)
    [1, 2, 3]
    """
    import networkx as nx

    try:
        return nx.shortest_path(graph, source, target)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        raise NoPathError(f"no path between {source} and {target}") from None


def shortest_path(
    store: GraphStore, source: str, target: str, filters: Filters | None = None
) -> PathResult:
    """A shortest chain of relations from ``source`` to ``target`` (codes, names, slugs).

    Unknown names raise :class:`NotFoundError` with close matches; bodies not
    connected in the filtered graph raise :class:`NoPathError`.
    """
    # each hop is a pair of bodies with the agreements between them: multi-party pacts pairwise
    f = replace(normalize(store, filters), pacts="pairwise")
    directory = Directory.load(store)
    a, b = directory.resolve(source), directory.resolve(target)
    multi = projection(store, f)
    simple = simple_projection(store, f)
    for org in (a, b):
        if org.id not in multi:
            raise NoPathError(
                f"no path between {a.display} and {b.display}: {org.display} has no relation "
                "in the selected graph"
            )
    try:
        nodes = memo(store, ("path", f.key(), a.id, b.id), lambda: path_between(simple, a.id, b.id))
    except NoPathError:
        raise NoPathError(f"no path between {a.display} and {b.display}") from None
    hops: list[dict[str, object]] = [
        {
            "from": node_info(multi, u),
            "to": node_info(multi, v),
            "relations": hop_relations(multi, u, v),
        }
        for u, v in pairwise(nodes)
    ]
    return PathResult(
        f.as_dict(),
        node_info(multi, a.id),
        node_info(multi, b.id),
        [node_info(multi, v) for v in nodes],
        hops,
    )


@dataclass
class EgoResult:
    """The bodies within ``hops`` of a body, with their distance, and the relations among them."""

    filters: dict[str, object]
    center: dict[str, object]
    hops: int
    nodes: list[dict[str, object]]
    edges: list[dict[str, object]]

    header = ("distance", "name", "code", "kind", "relations")

    def table(self) -> list[list[object]]:
        return [
            [
                n["distance"],
                n["body"]["name_ja"] or n["body"]["name_en"],  # type: ignore[index]
                n["body"]["code"],  # type: ignore[index]
                n["body"]["kind"],  # type: ignore[index]
                n["relations"],
            ]
            for n in self.nodes
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "filters": self.filters,
            "center": self.center,
            "hops": self.hops,
            "nodes": self.nodes,
            "edges": self.edges,
        }


def check_hops(hops: int) -> int:
    """``hops`` if it is 1 to :data:`MAX_HOPS`, else :class:`InvalidInputError`.

    Four hops from a forum attendee already reach most of the graph; more says nothing.
    """
    if isinstance(hops, bool) or not isinstance(hops, int) or not 1 <= hops <= MAX_HOPS:
        raise InvalidInputError(f"hops must be 1 to {MAX_HOPS}, got {hops!r}", field="hops")
    return hops


def ego_network(
    store: GraphStore, body: str | Organization, hops: int = 1, filters: Filters | None = None
) -> EgoResult:
    """The ego network of ``body``: everyone within ``hops`` ties, and their relations.

    ``relations`` of each node counts its relations inside the ego network.

    >>> ego = ego_network(store, "川場村", hops=1)                      # doctest: +SKIP
    >>> ego.nodes[0]["distance"], ego.nodes[0]["body"]["name_ja"]      # doctest: +SKIP
    (0, '川場村')
    """
    check_hops(hops)
    f = normalize(store, filters)
    org = body if isinstance(body, Organization) else Directory.load(store).resolve(body)
    multi = projection(store, f)
    if org.id not in multi:
        lone = {"id": org.id, **relations(store).nodes.get(org.id, {})}
        center = {k: lone.get(k) for k in ("id", "code", "name_ja", "name_en", "kind")}
        node = {"body": center, "distance": 0, "relations": 0}
        return EgoResult(f.as_dict(), center, hops, [node], [])
    return memo(store, ("ego", f.key(), org.id, hops), lambda: _ego(multi, org.id, hops, f))


def _ego(multi: nx.MultiGraph, center: str, hops: int, f: Filters) -> EgoResult:
    import networkx as nx

    distance = nx.single_source_shortest_path_length(multi, center, cutoff=hops)
    order = {v: i for i, v in enumerate(multi)}
    inside = multi.subgraph(distance)
    members = sorted(distance, key=lambda v: (distance[v], order[v]))
    nodes = [
        {"body": node_info(multi, v), "distance": distance[v], "relations": inside.degree(v)}
        for v in members
    ]
    edges: list[dict[str, Any]] = []
    for u, v, data in inside.edges(data=True):
        a, b = sorted((u, v), key=order.__getitem__)
        edges.append({"between": [a, b], **relation_info(data)})
    edges.sort(key=lambda e: (order[e["between"][0]], order[e["between"][1]], e["type"], e["via"]))
    return EgoResult(f.as_dict(), node_info(multi, center), hops, nodes, edges)
