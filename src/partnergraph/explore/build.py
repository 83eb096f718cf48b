"""Building the explorer's base view of a graph: nodes, edges, legend, every layout and overlay.

The base view holds every alternative (both layouts, each size measure, both
colourings) per node, so :func:`partnergraph.explore.view.with_options` only
picks among them and the page switches without asking again. It is built once
per store revision (see :func:`partnergraph.analysis.projection.memo`).

Labels and titles are raw text: escaping is the template's and the page's job
(``|tojson`` and ``textContent``), so a name holding markup arrives unchanged.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING, Any, TypeVar, cast

from partnergraph.analysis.measures import SEED, centrality
from partnergraph.analysis.projection import memo, projection, relations, simple_projection
from partnergraph.analysis.scope import Filters
from partnergraph.analysis.structure import louvain
from partnergraph.explore.layout import force_positions, geo_positions
from partnergraph.explore.pacts import style_pact_legend, style_pact_nodes
from partnergraph.explore.pyvis_model import network_model
from partnergraph.explore.style import (
    KIND_STYLE,
    NODE_SIZE,
    TYPE_STYLE,
    community_colour,
    edge_title,
    kind_label,
    kind_style,
    type_style,
)
from partnergraph.readmodel import read_model
from partnergraph.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx

#: The measures a node's size can follow ("none" is added as a fixed size).
MEASURES = ("degree", "pagerank", "betweenness")

G = TypeVar("G", bound="nx.Graph[str]")


def build_view(
    store: GraphStore,
    scope: str,
    lang: str,
    *,
    members: tuple[str, ...] | None = None,
    center: str | None = None,
    hops: int | None = None,
) -> dict[str, Any]:
    """The base view of ``scope`` (``curated``, ``nation`` or ``ego`` with its ``members``)."""
    nation = scope == "nation"
    # Ego networks may centre on a local government without ties: take them all.
    filters = Filters(include_isolated=nation or members is not None)
    multi = projection(store, filters)
    ties = simple_projection(store, filters)
    if members is not None:
        keep = set(members)
        order = [v for v in multi if v in keep]
        multi = induced(multi, order)
        ties = induced(ties, order)
    else:
        order = list(multi)
    rel = relations(store)
    measures = {
        r["body"]["id"]: r  # type: ignore[index]
        for r in centrality(store, filters).rows
    }
    communities = _communities(ties)
    base = store.settings.base_iri
    keys = {v: str(multi.nodes[v].get("code") or v) for v in order}

    nodes = [
        _node(v, multi.nodes[v], keys[v], base, lang, measures.get(v, {}), communities.get(v))
        for v in order
    ]
    edges = [
        _edge(i, u, v, data, keys, rel.type_label(str(data.get("type")), lang), lang)
        for i, (u, v, data) in enumerate(_ordered_edges(multi, order))
    ]
    style_pact_nodes(nodes, multi, lang)  # multi-party pacts: one node each (explore/pacts.py)
    _add_sizes(nodes)
    # The positions depend on the bodies and ties only: one layout serves every language.
    force = memo(store, ("force-layout", scope, members), lambda: force_positions(nodes, ties))
    geo = geo_positions(nodes, edges)
    for node in nodes:
        node["positions"] = {"force": force[node["iri"]], "geo": geo[node["iri"]]}
    nodes, edges = network_model(nodes, edges)
    years = [e["year"] for e in edges if e["year"] is not None]
    sources = _source_titles(store, edges)
    legend = _legend(nodes, edges, rel, lang)
    style_pact_legend(legend, lang)
    return {
        "scope": scope,
        "lang": lang,
        "center": keys.get(center) if center else None,
        "hops": hops,
        "revision": read_model(store).revision,
        "base_iri": base,
        "default_layout": "geo" if nation else "force",
        "nodes": nodes,
        "edges": edges,
        "years": {"min": min(years, default=None), "max": max(years, default=None)},
        "legend": legend,
        "prefectures": _prefectures(nodes),
        "sources": sources,
        "filters": None,
        "path": [],
    }


def _node(
    iri: str,
    data: dict[str, Any],
    key: str,
    base: str,
    lang: str,
    measures: dict[str, Any],
    community: int | None,
) -> dict[str, Any]:
    kind = str(data.get("kind"))
    _, _, colour, shape = kind_style(kind)
    name_ja, name_en = data.get("name_ja"), data.get("name_en")
    label = (name_ja or name_en) if lang == "ja" else (name_en or name_ja)
    kind_name = kind_label(kind, lang)
    prefecture = data.get("prefecture")
    names = " / ".join(str(n) for n in (name_ja, name_en) if n)
    title = names + "\n" + " · ".join(str(p) for p in (kind_name, prefecture) if p)
    return {
        "id": key,
        "iri": iri,
        "path": "/" + iri[len(base) :] if iri.startswith(base) else None,
        "code": data.get("code"),
        "label": str(label or key),
        "title": title,
        "name_ja": name_ja,
        "name_en": name_en,
        "kind": kind,
        "kind_label": kind_name,
        "shape": shape,
        "prefecture": prefecture,
        "prefecture_code": data.get("prefecture_code"),
        "lat": data.get("lat"),
        "lon": data.get("lon"),
        "measures": {m: measures.get(m, 0) for m in MEASURES},
        "community": community,
        "colors": {"kind": colour, "community": community_colour(community)},
    }


def _edge(
    index: int,
    u: str,
    v: str,
    data: dict[str, Any],
    keys: dict[str, str],
    type_label: str,
    lang: str,
) -> dict[str, Any]:
    kind = str(data.get("type"))
    colour, dashes = type_style(kind)
    directed = bool(data.get("directed"))
    if directed:  # supplier → consumer, member → organization
        u, v = str(data.get("from", u)), str(data.get("to", v))
    start = data.get("start")
    name = data.get("title_en") if lang == "en" and data.get("title_en") else data.get("title")
    return {
        "id": f"e{index}",
        "from": keys[u],
        "to": keys[v],
        "iri_from": u,
        "iri_to": v,
        "type": kind,
        "type_label": type_label,
        "via": data.get("via"),
        "name": name,
        "start": start,
        "year": _year(start),
        "sources": list(data.get("sources") or []),
        "directed": directed,
        "title": edge_title(name, type_label, start, lang),
        "color": {"color": colour, "highlight": colour, "hover": colour},
        "dashes": dashes,
        "arrows": "to" if directed else "",
        "width": 1 if kind == "forum" else 2,
    }


def _ordered_edges(graph: nx.MultiGraph, order: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """Edges in a stable order: by the nodes' order, then type, relation and key."""
    rank = {v: i for i, v in enumerate(order)}
    found = [
        (u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True) if u in rank and v in rank
    ]
    found.sort(key=lambda e: (min(rank[e[0]], rank[e[1]]), max(rank[e[0]], rank[e[1]]), e[2]))
    return [(u, v, d) for u, v, _, d in found]


def _add_sizes(nodes: list[dict[str, Any]]) -> None:
    """``sizes``: a radius per measure, the square root of the value over the largest."""
    low, high = NODE_SIZE
    for measure in MEASURES:
        top = max((float(n["measures"][measure]) for n in nodes), default=0.0)
        for n in nodes:
            share = math.sqrt(float(n["measures"][measure]) / top) if top > 0 else 0.0
            n.setdefault("sizes", {})[measure] = round(low + (high - low) * share, 2)
    for n in nodes:
        n["sizes"]["none"] = 12.0


def _communities(ties: nx.Graph) -> dict[str, int]:
    """Node → community number (1 = largest) for Louvain communities of two or more."""
    if ties.number_of_edges() == 0:
        return {}
    tied = ties.subgraph([v for v in ties if ties.degree(v) > 0])
    found = louvain(tied, seed=SEED)
    return {v: i for i, members in enumerate(found, 1) if len(members) > 1 for v in members}


def _legend(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], rel: Any, lang: str
) -> dict[str, list[dict[str, Any]]]:
    """What the view holds, counted: kinds and types in the tables' order, then communities."""
    kinds = Counter(n["kind"] for n in nodes)
    types = Counter(e["type"] for e in edges)
    communities = Counter(n["community"] for n in nodes if n["community"] is not None)
    return {
        "kinds": [
            {
                "kind": k,
                "label": kind_label(k, lang),
                "color": kind_style(k)[2],
                "shape": kind_style(k)[3],
                "count": kinds[k],
            }
            for k in sorted(kinds, key=lambda k: (_rank(list(KIND_STYLE), k), k))
        ],
        "types": [
            {
                "type": t,
                "label": rel.type_label(t, lang),
                "color": type_style(t)[0],
                "dashes": type_style(t)[1],
                "count": types[t],
            }
            for t in sorted(types, key=lambda t: (_rank(list(TYPE_STYLE), t), t))
        ],
        "communities": [
            {"community": c, "color": community_colour(c), "size": communities[c]}
            for c in sorted(communities)
        ],
    }


def _prefectures(nodes: list[dict[str, Any]]) -> list[dict[str, str]]:
    found = {n["prefecture_code"]: n["prefecture"] for n in nodes if n.get("prefecture_code")}
    return [{"code": c, "name": str(found[c])} for c in sorted(found)]


def _source_titles(store: GraphStore, edges: list[dict[str, Any]]) -> dict[str, str]:
    """Title of every source document the edges cite (for the page's offline fallback)."""
    wanted = {s for e in edges for s in e["sources"]}
    titles = read_model(store).documents
    return {s: titles[s][0] if s in titles else s for s in sorted(wanted)}


def _year(start: object) -> int | None:
    """The year a lexical start begins with ("1981-11" → 1981), else None."""
    text = str(start or "")
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


def _rank(order: list[str], value: str) -> int:
    return order.index(value) if value in order else len(order)


def induced(graph: G, order: list[str]) -> G:
    """The subgraph on the nodes of ``order``, built in that order.

    networkx's subgraph views iterate a set of nodes, so layouts and Louvain
    over them would depend on the hash seed; a copy in a fixed order does not.
    """
    rank = {v: i for i, v in enumerate(order)}
    sub = graph.__class__()
    sub.add_nodes_from((v, graph.nodes[v]) for v in order)
    view = graph.subgraph(order)
    multi = graph.is_multigraph()
    edges: list[tuple[Any, ...]] = list(
        cast("nx.MultiGraph[str]", view).edges(keys=True, data=True)
        if multi
        else view.edges(data=True)
    )

    def position(edge: tuple) -> tuple:
        u, v = sorted(edge[:2], key=rank.__getitem__)
        return (rank[u], rank[v], str(edge[2]) if multi else "")

    sub.add_edges_from(sorted(edges, key=position))
    return sub
