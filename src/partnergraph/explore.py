"""The view model of the interactive network explorer: nodes, edges, legend, layouts, overlays.

Everything the page draws is decided here, in Python, and handed to the
browser as plain JSON in the shape vis-network takes (``id``, ``label``,
``x``/``y``, ``size``, ``color``, ``shape``; ``from``/``to``, ``dashes``,
``arrows``). pyvis is not used: its ``Network.add_node``/``add_edge`` only fill
such dicts (with a linear duplicate scan per call) and everything else it does,
its unescaped template and CDN links, is what the explorer must avoid; building
the same dicts directly keeps one code path and no hidden HTML.

Labels and titles are raw text: escaping is the template's and the page's job
(``|tojson`` and ``textContent``), so a name holding markup arrives unchanged.

* **Scopes**: ``curated`` (the bodies with at least one relation), ``nation``
  (every local government plus the curated bodies) and ego networks
  (:func:`ego_view`).
* **Layouts**, both precomputed so the browser never runs physics: ``force``
  (a seeded Fruchterman–Reingold spring layout of the tied bodies, isolated
  ones on a grid below) and ``geo`` (longitude → x, latitude → −y; bodies
  without a point in Japan sit near their located partners, else in a column
  to the west).
* **Overlays**: node size by degree, PageRank or betweenness
  (:func:`partnergraph.analysis.measures.centrality`), colour by kind or by
  Louvain community (:func:`partnergraph.analysis.structure.louvain`, seeded),
  and a shortest path (:func:`highlight_path`).
* **Filters** (:func:`apply_filters`): relation types, a year (the network as
  it stood then), prefectures and kinds. The page applies the same rules
  client-side (``api/static/explore.js``) so that its controls react at once.

>>> view = network_view(store, scope="curated", lang="ja")        # doctest: +SKIP
>>> len(view["nodes"]), view["layout"]                            # doctest: +SKIP
(56, 'force')
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx

from partnergraph.analysis.measures import SEED, centrality
from partnergraph.analysis.paths import check_hops, ego_network
from partnergraph.analysis.projection import memo, projection, relations, simple_projection
from partnergraph.analysis.scope import Filters
from partnergraph.analysis.structure import louvain
from partnergraph.citations import all_citations
from partnergraph.errors import InvalidInputError
from partnergraph.store import GraphStore

Scope = Literal["curated", "nation"]
SCOPES: tuple[str, ...] = ("curated", "nation")
LAYOUTS: tuple[str, ...] = ("force", "geo")
SIZE_MEASURES: tuple[str, ...] = ("degree", "pagerank", "betweenness", "none")
COLOR_MODES: tuple[str, ...] = ("kind", "community")

#: Pixels per degree of latitude in the geographic layout (longitude is shrunk by cos 36°).
GEO_SCALE = 200.0
GEO_REFERENCE = (36.0, 138.0)
#: Japan's bounding box (lat, lon): points outside it (foreign cities) join the side column.
JAPAN_BOUNDS = ((20.0, 46.5), (122.0, 154.5))
#: Half-width of the force layout's square, in pixels.
FORCE_SCALE = 600.0
GRID_STEP = 40.0
NODE_SIZE = (6.0, 30.0)
UNCOLOURED = "#b8bec6"

#: kind → (ja, en, colour, vis-network shape).
KIND_STYLE: dict[str, tuple[str, str, str, str]] = {
    "prefecture": ("都道府県", "prefecture", "#8e44ad", "hexagon"),
    "city": ("市", "city", "#2e86de", "dot"),
    "special-ward": ("特別区", "special ward", "#10ac84", "dot"),
    "town": ("町", "town", "#ee5253", "dot"),
    "village": ("村", "village", "#ff9f43", "dot"),
    "university": ("大学", "university", "#5f27cd", "square"),
    "agency": ("行政機関", "government agency", "#576574", "star"),
    "council": ("協議会", "council", "#c8d6e5", "diamond"),
    "cooperative": ("協同組合", "cooperative", "#01a3a4", "diamond"),
    "platform": ("プラットフォーム", "platform", "#f368e0", "diamond"),
    "foreign-local-government": ("海外の自治体", "foreign local government", "#222f3e", "triangle"),
    "unit": ("部局・施設", "unit", "#8395a7", "triangleDown"),
    "organization": ("団体", "organization", "#8395a7", "diamond"),
}
#: relation type → (colour, dashes): dashed for forums, dotted for memberships.
TYPE_STYLE: dict[str, tuple[str, bool | list[int]]] = {
    "engagement-accord": ("#d35400", False),
    "disaster-mutual-aid": ("#c0392b", False),
    "renewable-energy": ("#27ae60", False),
    "energy-supply": ("#16a085", False),
    "comprehensive-partnership": ("#2980b9", False),
    "employment": ("#8e44ad", False),
    "sister-city": ("#f39c12", False),
    "university-platform": ("#6c5ce7", False),
    "membership": ("#7f8c8d", [2, 4]),
    "forum": ("#95a5a6", [8, 6]),
}
OTHER_TYPE_STYLE: tuple[str, bool | list[int]] = ("#34495e", False)
#: Colours of the Louvain communities (size ≥ 2), in order of size; they cycle.
COMMUNITY_PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
    "#f032e6", "#9a6324", "#469990", "#808000", "#000075", "#e6beff",
)  # fmt: skip
TEXT: dict[str, dict[str, str]] = {
    "ja": {"unknown_start": "開始時期不明", "separator": "・"},
    "en": {"unknown_start": "start unknown", "separator": " · "},
}


@dataclass(frozen=True)
class ViewFilters:
    """What the explorer shows of a view: the same rules as the page's controls.

    ``types``: relation types kept (None = all); ``year``: the network as it
    stood at the end of that year (ties with an unknown start only when
    ``year`` is the view's last year); ``prefectures``: prefecture codes whose
    bodies stay, with the unlocated bodies tied to them; ``kinds``: kinds kept.
    """

    types: frozenset[str] | None = None
    year: int | None = None
    prefectures: frozenset[str] | None = None
    kinds: frozenset[str] | None = None

    def active(self) -> bool:
        return any(v is not None for v in (self.types, self.year, self.prefectures, self.kinds))


# ---------------------------------------------------------------- public API


def network_view(
    store: GraphStore,
    *,
    scope: str = "curated",
    lang: str = "ja",
    layout: str | None = None,
    size_by: str = "degree",
    color_by: str = "kind",
) -> dict[str, Any]:
    """The explorer's view of ``scope``: every node and relation, both layouts, all overlays.

    ``layout`` (default: ``force`` for curated, ``geo`` for nation), ``size_by``
    and ``color_by`` choose each node's ``x``/``y``, ``size`` and ``color``;
    the alternatives stay in ``positions``, ``sizes`` and ``colors`` so the page
    switches without asking again. Cached per store revision.
    """
    _check("scope", scope, SCOPES)
    base = memo(store, ("explore", scope, lang), lambda: _build(store, scope, lang))
    return with_options(base, layout=layout, size_by=size_by, color_by=color_by)


def ego_view(
    store: GraphStore,
    key: str,
    hops: int = 1,
    *,
    lang: str = "ja",
    layout: str | None = None,
    size_by: str = "degree",
    color_by: str = "kind",
) -> dict[str, Any]:
    """The ego network of the body ``key`` names: everyone within ``hops`` ties.

    Unknown names raise :class:`NotFoundError` with close matches; ``hops``
    outside 1–4 :class:`InvalidInputError`.
    """
    check_hops(hops)
    ego = ego_network(store, key, hops)
    center = str(ego.center["id"])
    members = tuple(str(n["body"]["id"]) for n in ego.nodes)
    base = memo(
        store,
        ("explore-ego", center, hops, lang),
        lambda: _build(store, "ego", lang, members=members, center=center, hops=hops),
    )
    return with_options(base, layout=layout, size_by=size_by, color_by=color_by)


def with_options(
    view: dict[str, Any],
    *,
    layout: str | None = None,
    size_by: str = "degree",
    color_by: str = "kind",
) -> dict[str, Any]:
    """A shallow copy of ``view`` with each node's ``x``/``y``, ``size`` and ``color`` chosen."""
    layout = layout or view["default_layout"]
    _check("layout", layout, LAYOUTS)
    _check("size", size_by, SIZE_MEASURES)
    _check("color", color_by, COLOR_MODES)
    nodes = []
    for node in view["nodes"]:
        x, y = node["positions"][layout]
        colour = node["colors"][color_by]
        nodes.append(
            {
                **node,
                "x": x,
                "y": y,
                "size": node["sizes"][size_by],
                "color": {"background": colour, "border": _darker(colour)},
            }
        )
    return {**view, "nodes": nodes, "layout": layout, "size_by": size_by, "color_by": color_by}


def apply_filters(view: dict[str, Any], filters: ViewFilters) -> dict[str, Any]:
    """``view`` with only what ``filters`` keep; bodies left without a tie drop out
    of curated and ego views (never the ego's centre), not of the nationwide one.
    """
    if not filters.active():
        return view
    last = view["years"]["max"]
    by_id = {n["id"]: n for n in view["nodes"]}
    kept = {n["id"] for n in view["nodes"] if _node_kept(n, filters)}

    def edge_kept(e: dict[str, Any]) -> bool:
        if filters.types is not None and e["type"] not in filters.types:
            return False
        if filters.year is not None:
            if e["year"] is None:
                return last is None or filters.year >= last
            return e["year"] <= filters.year
        return True

    edges = [e for e in view["edges"] if edge_kept(e)]
    if filters.prefectures is not None:
        # Unlocated bodies (universities, platforms) stay when tied to a kept body.
        for e in edges:
            for a, b in ((e["from"], e["to"]), (e["to"], e["from"])):
                if a in kept and b not in kept and _floating(by_id[b], filters):
                    kept.add(b)
    edges = [e for e in edges if e["from"] in kept and e["to"] in kept]
    if view["scope"] != "nation":
        tied = {n for e in edges for n in (e["from"], e["to"])}
        kept &= tied | {view.get("center")}
    nodes = [n for n in view["nodes"] if n["id"] in kept]
    return {**view, "nodes": nodes, "edges": edges, "filters": _filters_dict(filters)}


def highlight_path(view: dict[str, Any], source: str, target: str) -> list[str]:
    """Node ids of a shortest path (fewest hops) between two nodes of ``view``, else [].

    Ties are broken by the view's node order, as the page's breadth-first search does.
    """
    graph = nx.Graph()
    graph.add_nodes_from(n["id"] for n in view["nodes"])
    graph.add_edges_from((e["from"], e["to"]) for e in view["edges"])
    try:
        return list(nx.shortest_path(graph, source, target))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []


def parse_filters(
    types: Iterable[str] | None = None,
    year: int | None = None,
    prefectures: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
) -> ViewFilters:
    """:class:`ViewFilters` from request values; each may be comma-separated; empty = none."""

    def split(values: Iterable[str] | None) -> frozenset[str] | None:
        if values is None:
            return None
        found = frozenset(p.strip() for v in values for p in v.split(",") if p.strip())
        return found or None

    kind_set = split(kinds)
    if kind_set:
        unknown = kind_set - set(KIND_STYLE)
        if unknown:
            raise InvalidInputError(f"unknown kind {sorted(unknown)[0]!r}", field="kind")
    return ViewFilters(split(types), year, split(prefectures), kind_set)


# ---------------------------------------------------------------- layouts


def spring_layout(
    nodes: list[str],
    edges: list[tuple[str, str, float]],
    *,
    seed: int = SEED,
    iterations: int = 150,
    scale: float = FORCE_SCALE,
) -> dict[str, tuple[float, float]]:
    """Seeded Fruchterman–Reingold positions in ``[-scale, scale]²``, as ``nx.spring_layout``.

    networkx's own needs numpy, which the project does not install; this is
    the same algorithm (weighted attraction d²/k·w, repulsion k²/d, linear
    cooling) in pure Python, fine for the few hundred tied bodies it lays out.

    >>> pos = spring_layout(["a", "b", "c"], [("a", "b", 1.0)])
    >>> pos == spring_layout(["a", "b", "c"], [("a", "b", 1.0)])
    True
    """
    if not nodes:
        return {}
    rng = random.Random(seed)
    pos = {v: [rng.random(), rng.random()] for v in nodes}
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    k = math.sqrt(1.0 / len(nodes))
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        disp = {v: [0.0, 0.0] for v in nodes}
        for i, u in enumerate(nodes):
            pu, du = pos[u], disp[u]
            for v in nodes[i + 1 :]:
                pv = pos[v]
                dx, dy = pu[0] - pv[0], pu[1] - pv[1]
                dist = max(math.hypot(dx, dy), 0.01)
                force = k * k / (dist * dist)
                du[0] += dx * force
                du[1] += dy * force
                disp[v][0] -= dx * force
                disp[v][1] -= dy * force
        for u, v, w in edges:
            dx, dy = pos[u][0] - pos[v][0], pos[u][1] - pos[v][1]
            dist = max(math.hypot(dx, dy), 0.01)
            force = dist * w / k
            disp[u][0] -= dx * force
            disp[u][1] -= dy * force
            disp[v][0] += dx * force
            disp[v][1] += dy * force
        for v in nodes:
            dx, dy = disp[v]
            length = max(math.hypot(dx, dy), 0.01)
            step = min(length, temperature) / length
            pos[v][0] += dx * step
            pos[v][1] += dy * step
        temperature -= cooling
    return _rescale(pos, scale)


def _near(
    pos: dict[str, tuple[float, float]], partners: list[str], index: int
) -> tuple[float, float]:
    """A point on a small circle around the partners' centre; the golden angle spreads them."""
    cx = sum(pos[p][0] for p in partners) / len(partners)
    cy = sum(pos[p][1] for p in partners) / len(partners)
    angle = index * 2.399963
    radius = 30.0 + 6.0 * (index % 7)
    return round(cx + radius * math.cos(angle), 1), round(cy + radius * math.sin(angle), 1)


def force_positions(nodes: list[dict[str, Any]], ties: nx.Graph) -> dict[str, tuple[float, float]]:
    """Tied bodies by :func:`spring_layout`; bodies without a tie on a grid below them."""
    ids = [n["iri"] for n in nodes]
    tied = [v for v in ids if v in ties and ties.degree(v) > 0]
    edges = [
        (u, v, min(float(d.get("weight", 1.0)), 3.0))
        for u, v, d in ties.edges(data=True)
        if u != v and u in ties and v in ties
    ]
    pos = spring_layout(tied, edges)
    alone = [v for v in ids if v not in pos]
    columns = max(10, int(math.sqrt(len(alone)) * 1.6))
    top = (max((y for _, y in pos.values()), default=0.0)) + 3 * GRID_STEP
    left = -(columns - 1) * GRID_STEP / 2
    for i, v in enumerate(alone):
        pos[v] = (left + (i % columns) * GRID_STEP, top + (i // columns) * GRID_STEP)
    return pos


def geo_point(lat: float, lon: float) -> tuple[float, float]:
    """Canvas position of a point: east is right, north is up (smaller y).

    >>> geo_point(43.06, 141.35)[1] < geo_point(26.21, 127.68)[1]   # Sapporo north of Naha
    True
    """
    lat0, lon0 = GEO_REFERENCE
    x = (lon - lon0) * GEO_SCALE * math.cos(math.radians(lat0))
    return round(x, 1), round(-(lat - lat0) * GEO_SCALE, 1)


def geo_positions(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]]
) -> dict[str, tuple[float, float]]:
    """Located bodies at their point; the others near their located partners, else in a column.

    A body's partners over ties other than forums count first (a forum says
    nothing of where its attendees are), then any partner.
    """
    pos: dict[str, tuple[float, float]] = {}
    for n in nodes:
        if _in_japan(n.get("lat"), n.get("lon")):
            pos[n["iri"]] = geo_point(n["lat"], n["lon"])
    links: dict[str, set[str]] = defaultdict(set)
    forum_links: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        table = forum_links if e["type"] == "forum" else links
        table[e["iri_from"]].add(e["iri_to"])
        table[e["iri_to"]].add(e["iri_from"])
    waiting = [n["iri"] for n in nodes if n["iri"] not in pos]
    placed = 0
    # Rounds: a platform's members follow the platform once it has a place.
    for table in (links, links, links, forum_links):
        still = []
        for v in waiting:
            partners = sorted(p for p in table[v] if p in pos)
            if not partners:
                still.append(v)
                continue
            pos[v] = _near(pos, partners, placed)
            placed += 1
        waiting = still
    column = waiting
    if column:
        xs = [x for x, _ in pos.values()] or [0.0]
        ys = [y for _, y in pos.values()] or [0.0]
        left, top = min(xs) - 6 * GRID_STEP, min(ys)
        for i, v in enumerate(column):
            pos[v] = (left, top + i * GRID_STEP)
    return pos


# ---------------------------------------------------------------- building


def _build(
    store: GraphStore,
    scope: str,
    lang: str,
    *,
    members: tuple[str, ...] | None = None,
    center: str | None = None,
    hops: int | None = None,
) -> dict[str, Any]:
    words = TEXT.get(lang, TEXT["ja"])
    nation = scope == "nation"
    # Ego networks may centre on a local government without ties: take them all.
    filters = Filters(include_isolated=nation or members is not None)
    multi = projection(store, filters)
    ties = simple_projection(store, filters)
    if members is not None:
        keep = set(members)
        multi = multi.subgraph(keep)
        ties = ties.subgraph(keep)
        order = [v for v in projection(store, filters) if v in keep]
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
        _edge(i, u, v, data, keys, rel.type_label(str(data.get("type")), lang), lang, words)
        for i, (u, v, data) in enumerate(_ordered_edges(multi, order))
    ]
    _add_sizes(nodes)
    force = force_positions(nodes, ties)
    geo = geo_positions(nodes, edges)
    for node in nodes:
        node["positions"] = {"force": force[node["iri"]], "geo": geo[node["iri"]]}
    years = [e["year"] for e in edges if e["year"] is not None]
    sources = _source_titles(store, edges)
    return {
        "scope": scope,
        "lang": lang,
        "center": keys.get(center) if center else None,
        "hops": hops,
        "revision": store.revision(),
        "base_iri": base,
        "default_layout": "geo" if nation else "force",
        "nodes": nodes,
        "edges": edges,
        "years": {"min": min(years, default=None), "max": max(years, default=None)},
        "legend": _legend(nodes, edges, rel, lang),
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
    ja, en, colour, shape = KIND_STYLE.get(kind, (kind, kind, UNCOLOURED, "dot"))
    name_ja, name_en = data.get("name_ja"), data.get("name_en")
    label = (name_ja or name_en) if lang == "ja" else (name_en or name_ja)
    kind_label = ja if lang == "ja" else en
    prefecture = data.get("prefecture")
    names = " / ".join(str(n) for n in (name_ja, name_en) if n)
    title = names + "\n" + " · ".join(str(p) for p in (kind_label, prefecture) if p)
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
        "kind_label": kind_label,
        "shape": shape,
        "prefecture": prefecture,
        "prefecture_code": data.get("prefecture_code"),
        "lat": data.get("lat"),
        "lon": data.get("lon"),
        "measures": {m: measures.get(m, 0) for m in ("degree", "pagerank", "betweenness")},
        "community": community,
        "colors": {"kind": colour, "community": _community_colour(community)},
    }


def _edge(
    index: int,
    u: str,
    v: str,
    data: dict[str, Any],
    keys: dict[str, str],
    type_label: str,
    lang: str,
    words: dict[str, str],
) -> dict[str, Any]:
    kind = str(data.get("type"))
    colour, dashes = TYPE_STYLE.get(kind, OTHER_TYPE_STYLE)
    directed = bool(data.get("directed"))
    if directed:  # supplier → consumer, member → organization
        u, v = str(data.get("from", u)), str(data.get("to", v))
    start = data.get("start")
    name = data.get("title_en") if lang == "en" and data.get("title_en") else data.get("title")
    when = str(start)[:10] if start else words["unknown_start"]
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
        "title": "\n".join(str(p) for p in (name, f"{type_label}{words['separator']}{when}") if p),
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
    for measure in ("degree", "pagerank", "betweenness"):
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


def _community_colour(community: int | None) -> str:
    if community is None:
        return UNCOLOURED
    return COMMUNITY_PALETTE[(community - 1) % len(COMMUNITY_PALETTE)]


def _legend(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], rel: Any, lang: str
) -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, int] = defaultdict(int)
    for n in nodes:
        kinds[n["kind"]] += 1
    types: dict[str, int] = defaultdict(int)
    for e in edges:
        types[e["type"]] += 1
    communities: dict[int, int] = defaultdict(int)
    for n in nodes:
        if n["community"] is not None:
            communities[n["community"]] += 1
    kind_order = list(KIND_STYLE)
    type_order = list(TYPE_STYLE)
    return {
        "kinds": [
            {
                "kind": k,
                "label": KIND_STYLE.get(k, (k, k))[0 if lang == "ja" else 1],
                "color": KIND_STYLE.get(k, ("", "", UNCOLOURED))[2],
                "shape": KIND_STYLE.get(k, ("", "", "", "dot"))[3],
                "count": kinds[k],
            }
            for k in sorted(kinds, key=lambda k: (_rank(kind_order, k), k))
        ],
        "types": [
            {
                "type": t,
                "label": rel.type_label(t, lang),
                "color": TYPE_STYLE.get(t, OTHER_TYPE_STYLE)[0],
                "dashes": TYPE_STYLE.get(t, OTHER_TYPE_STYLE)[1],
                "count": types[t],
            }
            for t in sorted(types, key=lambda t: (_rank(type_order, t), t))
        ],
        "communities": [
            {"community": c, "color": _community_colour(c), "size": communities[c]}
            for c in sorted(communities)
        ],
    }


def _prefectures(nodes: list[dict[str, Any]]) -> list[dict[str, str]]:
    found = {n["prefecture_code"]: n["prefecture"] for n in nodes if n.get("prefecture_code")}
    return [{"code": c, "name": str(found[c])} for c in sorted(found)]


def _source_titles(store: GraphStore, edges: list[dict[str, Any]]) -> dict[str, str]:
    """Title of every source document the edges cite (for the page's offline fallback)."""
    wanted = {s for e in edges for s in e["sources"]}
    titles: dict[str, str] = {}
    for cites in all_citations(store).values():
        for c in cites:
            if c.document in wanted and c.document not in titles:
                titles[c.document] = c.title or c.document
    return {s: titles.get(s, s) for s in sorted(wanted)}


# ---------------------------------------------------------------- helpers


def _node_kept(node: dict[str, Any], filters: ViewFilters) -> bool:
    if filters.kinds is not None and node["kind"] not in filters.kinds:
        return False
    if filters.prefectures is not None:
        return node.get("prefecture_code") in filters.prefectures
    return True


def _floating(node: dict[str, Any], filters: ViewFilters) -> bool:
    """An unlocated body of a kept kind: it follows the bodies it is tied to."""
    kind_ok = filters.kinds is None or node["kind"] in filters.kinds
    return (
        kind_ok and not node.get("prefecture_code") and node["kind"] != "foreign-local-government"
    )


def _filters_dict(filters: ViewFilters) -> dict[str, Any]:
    def listed(values: frozenset[str] | None) -> list[str] | None:
        return sorted(values) if values is not None else None

    return {
        "types": listed(filters.types),
        "year": filters.year,
        "prefectures": listed(filters.prefectures),
        "kinds": listed(filters.kinds),
    }


def _year(start: object) -> int | None:
    """The year a lexical start begins with ("1981-11" → 1981), else None."""
    text = str(start or "")
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


def _in_japan(lat: object, lon: object) -> bool:
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return False
    (south, north), (west, east) = JAPAN_BOUNDS
    return south <= lat <= north and west <= lon <= east


def _rescale(pos: dict[str, list[float]], scale: float) -> dict[str, tuple[float, float]]:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {
        v: (round((p[0] - cx) / span * scale, 1), round((p[1] - cy) / span * scale, 1))
        for v, p in pos.items()
    }


def _darker(colour: str) -> str:
    """``colour`` (``#rrggbb``) at 70 % brightness, for node borders."""
    if not (colour.startswith("#") and len(colour) == 7):
        return colour
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{int(c * 0.7):02x}" for c in channels)


def _rank(order: list[str], value: str) -> int:
    return order.index(value) if value in order else len(order)


def _check(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidInputError(
            f"unknown {field} {value!r}; known: {', '.join(allowed)}", field=field
        )


__all__ = [
    "COLOR_MODES",
    "LAYOUTS",
    "SCOPES",
    "SIZE_MEASURES",
    "ViewFilters",
    "apply_filters",
    "ego_view",
    "force_positions",
    "geo_point",
    "geo_positions",
    "highlight_path",
    "network_view",
    "parse_filters",
    "spring_layout",
    "with_options",
]
