"""networkx graphs of the organizations, built from the store, never kept by hand.

:func:`projection` gives a ``MultiGraph`` (or, with ``directed=True``, a
``MultiDiGraph``) whose nodes are organizations and whose edges are relations,
one edge per relation and pair of bodies:

* ``agreement``: each pair of parties of a ``pg:Agreement``; the edge type is
  the agreement type's notation (``engagement-accord``, ``disaster-mutual-aid``, ...).
  With ``Filters(pacts="bipartite")`` (the default) an agreement of three or
  more parties is instead one node (``kind`` "pact", its IRI, ``parties``) with
  one edge to each party, weight 1: the body–agreement graph. With
  ``pacts="pairwise"`` it is every pair of parties, weighted as below;
* ``energy-supply``: supplier → consumer of a ``pg:EnergySupply``;
* ``forum``: each pair of attendees of a ``pg:ForumEdition`` (one edge per edition);
* ``membership``: member → organization of an ``org:Membership``.

Each edge carries ``type``, ``via`` (the relation's IRI), ``title`` (Japanese)
and ``title_en``, ``start`` (lexical, at the source's precision: "1981-11"),
``sources`` (IRIs of the source documents), ``directed`` (with ``from`` and
``to``, the nodes' IRIs, for supplies and memberships) and ``weight``. The
weight follows Newman's collaboration weighting: a relation shared by ``n``
bodies (an agreement's parties, a forum edition's attendees) weighs
``1 / (n - 1)`` per pair, so each participant gets 1 in all from it and a
bilateral accord counts for more than co-signing a 23-party pact; energy
supplies and memberships weigh 1. Edge keys are ``"{type}@{via}@{code}-{code}"``
(the two bodies' codes or slugs), unique in the graph.

Nodes are the organization IRIs, with ``name_ja``, ``name_en``, ``kind``,
``code``, ``prefecture`` (Japanese name), ``prefecture_code``, ``region``,
``lat`` and ``lon``. A body's prefecture is its own (prefectures), its
``pg:prefecture`` (municipalities) or that of the body it is a ``pg:unitOf``;
universities, platforms, councils and foreign cities have none.

With an area (prefecture or region) the graph keeps the bodies located there,
plus the bodies with no known location reached from them over ties other than
forums (the ward's platform and the universities in it, the town's employment
council; see :func:`_attached`), and the relations among the kept bodies.

The records come from :mod:`.relations` (the SPARQL is there). Graphs are
kept in the read model of the store's revision (:mod:`partnergraph.readmodel`) and frozen:
copy one (``nx.MultiGraph(g)``) before changing it. networkx is imported inside the
functions that build graphs, so the server starts without it.

>>> g = projection(store, Filters(types=("engagement-accord",)))     # doctest: +SKIP
>>> [(g.nodes[u]["name_ja"], g.nodes[v]["name_ja"], d["start"])
...  for u, v, d in g.edges(data=True)]                               # doctest: +SKIP
[('川場村', '世田谷区', '1981-11')]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from partnergraph.analysis.relations import FIXED_TYPE_LABELS, Relation, Relations, relations
from partnergraph.analysis.scope import Filters, area, normalize
from partnergraph.partners import started_by
from partnergraph.readmodel import cached
from partnergraph.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx

T = TypeVar("T")


def projection(
    store: GraphStore, filters: Filters | None = None, *, directed: bool = False
) -> nx.MultiGraph:
    """The organization graph under ``filters``: one edge per relation, frozen, cached.

    With ``directed`` it is a ``MultiDiGraph``: energy supplies run supplier →
    consumer and memberships member → organization; relations without a
    direction (agreements, forums) appear as a reciprocal pair of edges, so
    that reachability reads them right. Count relations on the undirected graph.

    >>> g = projection(store, Filters(as_of=dt.date(1990, 1, 1)))   # doctest: +SKIP
    >>> sorted(d["type"] for _, _, d in g.edges(data=True))          # doctest: +SKIP
    ['engagement-accord', 'sister-city', 'sister-city']
    """
    f = normalize(store, filters)
    return memo(store, ("projection", f.key(), directed), lambda: _build(store, f, directed))


def simple_projection(store: GraphStore, filters: Filters | None = None) -> nx.Graph:
    """:func:`projection` with each pair's relations merged into one edge (see :func:`collapse`)."""
    import networkx as nx

    f = normalize(store, filters)
    return memo(store, ("simple", f.key()), lambda: nx.freeze(collapse(projection(store, f))))


def collapse(graph: nx.MultiGraph) -> nx.Graph:
    """One edge per tied pair: ``weight`` is the sum of the relations' weights,
    ``relations`` their number and ``types`` their sorted types.

    Path lengths, betweenness and cores are about who is tied to whom, not by
    how many agreements, so they run on this graph.

    >>> import networkx as nx
    >>> m = nx.MultiGraph()
    >>> _ = m.add_edge("a", "b", type="forum", weight=0.5)
    >>> _ = m.add_edge("a", "b", type="sister-city", weight=1.0)
    >>> collapse(m).edges["a", "b"]
    {'weight': 1.5, 'relations': 2, 'types': ['forum', 'sister-city']}
    """
    import networkx as nx

    simple: nx.Graph[str] = nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True))
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        if simple.has_edge(u, v):
            edge = simple.edges[u, v]
            edge["weight"] += data.get("weight", 1.0)
            edge["relations"] += 1
            if data.get("type") not in edge["types"]:
                edge["types"] = sorted([*edge["types"], data.get("type")])
        else:
            simple.add_edge(
                u, v, weight=data.get("weight", 1.0), relations=1, types=[data.get("type")]
            )
    return simple


def node_info(graph: nx.Graph, node: str) -> dict[str, object]:
    """The short description of a node that every answer uses (as ``Organization.as_dict``)."""
    data = graph.nodes[node]
    return {
        "id": node,
        "code": data.get("code"),
        "name_ja": data.get("name_ja"),
        "name_en": data.get("name_en"),
        "kind": data.get("kind"),
    }


def display_name(graph: nx.Graph, node: str, lang: str = "ja") -> str:
    """A body's name for sentences: Japanese or English, falling back to the other, then the IRI."""
    data = graph.nodes[node]
    first, second = ("name_ja", "name_en") if lang == "ja" else ("name_en", "name_ja")
    return str(data.get(first) or data.get(second) or node)


def memo(store: GraphStore, key: Hashable, build: Callable[[], T]) -> T:
    """``build()``'s result under ``key`` in the read model of the store's revision.

    The read model's memo is bounded (callers varying ``as_of`` or the area
    cannot grow it without bound) and single-flight: concurrent callers of one
    key share one computation.
    """
    return cached(store, ("analysis", key), build)


def _build(store: GraphStore, f: Filters, directed: bool) -> nx.MultiGraph:
    import networkx as nx

    rel = relations(store)
    edges = [
        e
        for e in rel.edges
        if (f.types is None or e.type in f.types)
        and (f.as_of is None or started_by(e.start, f.as_of))
    ]
    pacts: dict[str, dict[str, object]] = {}
    if f.pacts == "bipartite":
        edges, pacts = pact_nodes(edges, rel)
    keep = {n for e in edges for n in (e.u, e.v) if n not in pacts}
    if f.include_isolated:
        keep.update(rel.local_governments)
    where = area(f)
    if where is not None:
        located = {
            n
            for n in keep
            if (code := rel.nodes[n].get("prefecture_code")) and int(str(code)[:2]) in where.numbers
        }
        bodies = [e for e in edges if e.u not in pacts and e.v not in pacts]
        keep = located | _attached(rel, bodies, keep, located)
    keep |= {e.v for e in edges if e.v in pacts and e.u in keep}
    nodes = {**rel.nodes, **pacts}
    graph: nx.MultiGraph[str] = nx.MultiDiGraph() if directed else nx.MultiGraph()
    graph.graph["filters"] = f.as_dict()
    graph.add_nodes_from((n, dict(attrs)) for n, attrs in nodes.items() if n in keep)
    for e in edges:
        if e.u in keep and e.v in keep:
            graph.add_edge(e.u, e.v, key=e.key(nodes), **e.attributes())
            if directed and not e.directed:
                graph.add_edge(e.v, e.u, key=e.key(nodes, reverse=True), **e.attributes())
    return nx.freeze(graph)


def pact_nodes(
    edges: list[Relation], rel: Relations
) -> tuple[list[Relation], dict[str, dict[str, object]]]:
    """Agreements of three or more parties as one node each, tied to every party.

    Returns the edges with each such agreement's pairwise edges replaced by one
    edge party → agreement (weight 1; the agreement's IRI is the node), and the
    agreement nodes' attributes (``kind`` "pact", ``parties``, names = title).
    Forums, supplies, memberships and two-party agreements are left as they are.
    """
    fixed = set(FIXED_TYPE_LABELS)
    parties: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.type not in fixed:
            parties[e.via].update((e.u, e.v))
    multi = {via for via, members in parties.items() if len(members) > 2}
    kept = [e for e in edges if e.via not in multi]
    nodes: dict[str, dict[str, object]] = {}
    first = {e.via: e for e in edges if e.via in multi}
    for via in sorted(multi):
        e = first[via]
        nodes[via] = {
            "name_ja": e.title,
            "name_en": e.title_en or e.title,
            "kind": "pact",
            "code": None,
            "parties": len(parties[via]),
            "type": e.type,
            "start": e.start,
        }
        for party in sorted(parties[via]):
            kept.append(replace(e, u=party, v=via, weight=1.0))
    return kept, nodes


def _attached(
    rel: Relations, edges: list[Relation], candidates: set[str], located: set[str]
) -> set[str]:
    """Bodies without a location reached from ``located`` over ties other than forums.

    A forum says nothing about where its attendees are; a membership or an
    agreement with a body of the area does (the ward's platform, the
    universities in it, the town's employment council). Foreign cities have a
    location, abroad, and never come along.
    """
    floating = {
        n
        for n in candidates
        if rel.nodes[n].get("prefecture_code") is None
        and rel.nodes[n].get("kind") != "foreign-local-government"
    }
    links: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.type != "forum":
            links[e.u].add(e.v)
            links[e.v].add(e.u)
    found: set[str] = set()
    frontier = list(located)
    while frontier:
        node = frontier.pop()
        for other in links[node]:
            if other in floating and other not in found:
                found.add(other)
                frontier.append(other)
    return found
