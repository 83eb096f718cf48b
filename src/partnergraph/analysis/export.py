"""GraphML and GEXF files of a filtered projection, for Gephi, Cytoscape or yEd.

networkx's writers take scalar attributes only, and GEXF reserves some names
for its own use (an edge's ``type`` is directed/undirected, ``start`` and
``end`` make a graph dynamic). So every attribute is written the same way in
both formats:

* lists (an edge's ``sources``) become one string, IRIs separated by spaces
  (IRIs cannot contain one);
* attributes without a value are left out;
* the edge's relation type is written as ``relation`` and its start as
  ``since`` (still at the source's precision: "1981-11");
* nodes get a ``label`` (the Japanese name), edges a ``label`` (the title, or
  the relation type); multigraph keys (``"{type}@{via}@{code}-{code}"``, unique
  in the graph, as Gephi wants edge ids) are kept: GraphML writes them as edge
  ids, GEXF as the ``networkx_key`` attribute. networkx reads them back as keys
  (``read_graphml(..., edge_key_type=str, force_multigraph=True)``; ``read_gexf``
  returns a multigraph, with the keys, whenever some pair has two relations).

networkx is imported inside the functions that use it, so the server starts without it.

>>> data = export_graph(store, Filters(types=("engagement-accord",)), "graphml")   # doctest: +SKIP
>>> g = nx.read_graphml(io.BytesIO(data), edge_key_type=str, force_multigraph=True) # doctest: +SKIP
>>> [d["since"] for _, _, d in g.edges(data=True)]                                # doctest: +SKIP
['1981-11']
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from partnergraph.analysis.projection import projection
from partnergraph.analysis.scope import Filters
from partnergraph.errors import InvalidInputError
from partnergraph.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx

#: Export format → (media type, file extension).
FORMATS = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
}
RENAMED = {"type": "relation", "start": "since"}


def flatten(graph: nx.MultiGraph) -> nx.MultiGraph:
    """A copy of ``graph`` whose attributes the GraphML and GEXF writers accept (see above).

    >>> import networkx as nx
    >>> m = nx.MultiGraph()
    >>> m.add_node("a", name_ja="世田谷区", lat=None)
    >>> _ = m.add_edge("a", "a", key="k", type="forum", start="2022", sources=["s1", "s2"])
    >>> f = flatten(m)
    >>> f.nodes["a"]
    {'name_ja': '世田谷区', 'label': '世田谷区'}
    >>> f.edges["a", "a", "k"]
    {'relation': 'forum', 'since': '2022', 'sources': 's1 s2', 'label': 'forum'}
    """
    import networkx as nx

    flat: nx.MultiGraph[str] = nx.MultiDiGraph() if graph.is_directed() else nx.MultiGraph()
    flat.graph.update({k: _scalar(v) for k, v in graph.graph.items() if not isinstance(v, dict)})
    for key, value in (graph.graph.get("filters") or {}).items():
        if value not in (None, [], False):
            flat.graph[f"filter_{key}"] = _scalar(value)
    for node, data in graph.nodes(data=True):
        attrs = {k: _scalar(v) for k, v in data.items() if v is not None}
        attrs["label"] = str(data.get("name_ja") or data.get("name_en") or node)
        flat.add_node(node, **attrs)
    for u, v, key, data in graph.edges(keys=True, data=True):
        attrs = {RENAMED.get(k, k): _scalar(w) for k, w in data.items() if w is not None}
        attrs["label"] = str(data.get("title") or data.get("type") or key)
        flat.add_edge(u, v, key=key, **attrs)
    return flat


def export_graph(
    store: GraphStore,
    filters: Filters | None = None,
    fmt: str = "graphml",
    *,
    directed: bool = False,
) -> bytes:
    """The filtered projection as a GraphML or GEXF document (UTF-8 bytes).

    With ``directed`` the graph is the ``MultiDiGraph`` of :func:`.projection`
    (agreements and forums as reciprocal pairs, supplies and memberships one way).
    """
    import networkx as nx

    if fmt not in FORMATS:
        raise InvalidInputError(
            f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}", field="format"
        )
    flat = flatten(projection(store, filters, directed=directed))
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(flat, buffer, encoding="utf-8", named_key_ids=True)
    else:
        nx.write_gexf(flat, buffer, encoding="utf-8")
    return buffer.getvalue()


def _scalar(value: object) -> object:
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)
