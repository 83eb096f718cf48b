"""The path overlay: a shortest path between two nodes of a view.

Computed over the view as drawn (after filters), so the highlighted path only
uses ties the user can see.

networkx is imported by :func:`highlight_path`, so the server starts without it.
"""

from __future__ import annotations

from typing import Any

from partnergraph.errors import InvalidInputError


def parse_path(path: str) -> tuple[str, str]:
    """The two node ids of a ``path=a,b`` request value.

    >>> parse_path(" 104442 , winnipeg")
    ('104442', 'winnipeg')
    """
    ends = [p.strip() for p in path.split(",") if p.strip()]
    if len(ends) != 2:
        raise InvalidInputError("path takes two node ids: path=a,b", field="path")
    return ends[0], ends[1]


def highlight_path(view: dict[str, Any], source: str, target: str) -> list[str]:
    """Node ids of a shortest path (fewest hops) between two nodes of ``view``, else [].

    Ties are broken by the view's node order, as the page's breadth-first search does.
    """
    import networkx as nx

    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(n["id"] for n in view["nodes"])
    graph.add_edges_from((e["from"], e["to"]) for e in view["edges"])
    try:
        return list(nx.shortest_path(graph, source, target))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []
