"""Disaster-pact resilience: does a local government have help that a disaster won't also hit?

A disaster mutual-aid pact with the neighbours is good for the small
emergency and useless for the big one: an earthquake that hits the ward hits
the next ward too. For each local government this lists its disaster-pact
partners with their great-circle distance and flags

* ``no-pact``: no disaster mutual-aid partner at all;
* ``all-near``: every partner lies within the radius (``PARTNERGRAPH_RESILIENCE_RADIUS_KM``,
  100 km by default), so one disaster may strike them all.

A flagged body gets candidates to close the gap: local governments beyond the
radius, ranked by existing relations of other kinds with it first (a tie to
build on: the village that already sells the ward power), then network
evidence (resource allocation: partners in common, a small shared partner
counting more than a hub), then distance, nearest first (help must still
arrive). The candidates come from the whole country, whatever area is being
assessed; ``include_isolated`` widens them to every local government.

>>> entry = resilience(store, "目黒区").entries[0]             # doctest: +SKIP
>>> entry["flags"], entry["candidates"][0]["body"]["name_ja"]  # doctest: +SKIP
(['all-near'], '川場村')
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from partnergraph.analysis.geo import PointIndex, haversine_km
from partnergraph.analysis.measures import DIGITS, check_limit, resource_allocation, tie_weights
from partnergraph.analysis.paths import relation_info
from partnergraph.analysis.projection import memo, projection
from partnergraph.analysis.relations import LOCAL_GOVERNMENT_KINDS, relations
from partnergraph.analysis.scope import Filters, area, normalize
from partnergraph.directory import Directory
from partnergraph.errors import InvalidInputError, UnprocessableError
from partnergraph.paging import Page
from partnergraph.store import GraphStore

if TYPE_CHECKING:
    import networkx as nx

PACT = "disaster-mutual-aid"
FLAGS = ("no-pact", "all-near")


@dataclass
class ResilienceResult:
    """One entry per local government assessed, in code order (one page of them, if paged).

    For the whole country the answer runs to megabytes; ``page`` is the page
    given and ``more`` whether entries follow it.
    """

    filters: dict[str, object]
    radius_km: float
    entries: list[dict[str, object]]
    page: Page | None = None
    more: bool = False

    header = (
        "name",
        "code",
        "pacts",
        "nearest_km",
        "farthest_km",
        "flags",
        "candidates",
    )

    def table(self) -> list[list[object]]:
        return [
            [
                e["body"]["name_ja"],  # type: ignore[index]
                e["body"]["code"],  # type: ignore[index]
                len(e["partners"]),  # type: ignore[arg-type]
                e["nearest_km"],
                e["farthest_km"],
                e["flags"],
                [
                    f"{c['body']['name_ja']} ({c['distance_km']} km)"
                    for c in e["candidates"]  # type: ignore[attr-defined]
                ],
            ]
            for e in self.entries
        ]

    def as_dict(self) -> dict[str, object]:
        paged = {}
        if self.page is not None:
            paged = {"page": self.page.number, "page_size": self.page.size, "more": self.more}
        return {
            "filters": self.filters,
            "radius_km": self.radius_km,
            **paged,
            "entries": self.entries,
        }


def resilience(
    store: GraphStore,
    body: str | None = None,
    filters: Filters | None = None,
    *,
    radius_km: float | None = None,
    limit: int = 5,
    flagged_only: bool = False,
    page: Page | None = None,
) -> ResilienceResult:
    """Disaster-pact partners, flags and distant candidates for ``body`` or every local government.

    Without ``body``: every local government of the area with at least one
    relation (every one with ``include_isolated``). ``filters.types`` does not
    apply (pacts and other ties are read from every type) and is refused.
    With ``page``, only that page of the entries (the whole list is kept per
    revision, so the next page costs a slice).
    """
    check_limit(limit)
    radius = store.settings.resilience_radius_km if radius_km is None else radius_km
    if not radius > 0:
        raise InvalidInputError(f"radius must be positive, got {radius}", field="radius_km")
    f = normalize(store, filters)
    if f.types:
        raise InvalidInputError(
            "resilience reads every relation type; leave out the type filter", field="type"
        )
    one = None
    if body is not None:
        org = Directory.load(store).resolve(body)
        if org.kind not in LOCAL_GOVERNMENT_KINDS:
            raise UnprocessableError(
                f"{org.display} is a {org.kind}, not a local government", field="org"
            )
        one = org.id
    key = ("resilience", f.key(), one, radius, limit)
    entries = memo(store, key, lambda: _assess(store, f, one, radius, limit))
    if flagged_only:
        entries = [e for e in entries if e["flags"]]
    if page is None:
        return ResilienceResult(f.as_dict(), radius, entries)
    shown, more = page.of(entries)
    return ResilienceResult(f.as_dict(), radius, shown, page, more)


def _assess(
    store: GraphStore, f: Filters, one: str | None, radius: float, limit: int
) -> list[dict[str, object]]:
    rel = relations(store)
    graph = projection(
        store, Filters(as_of=f.as_of, include_isolated=f.include_isolated, pacts="pairwise")
    )
    where = area(f)
    assessed = (
        [one]
        if one is not None
        else [
            n
            for n in graph
            if rel.nodes[n]["kind"] in LOCAL_GOVERNMENT_KINDS
            and (where is None or int(str(rel.nodes[n]["prefecture_code"])[:2]) in where.numbers)
        ]
    )
    context = Context.of(graph, rel.nodes, rel.type_labels)
    order = {v: i for i, v in enumerate(rel.nodes)}
    return [
        assess(context, body, radius, limit) for body in sorted(assessed, key=order.__getitem__)
    ]


@dataclass
class Context:
    """What assessing one local government needs, computed once for all of them."""

    graph: nx.MultiGraph
    nodes: dict[str, dict[str, object]]
    weights: dict[str, dict[str, float]]
    strength: dict[str, float]
    order: dict[str, int]
    pool: set[str]
    index: PointIndex
    type_labels: dict[str, tuple[str, str]]

    @classmethod
    def of(
        cls,
        graph: nx.MultiGraph,
        nodes: dict[str, dict[str, object]] | None = None,
        type_labels: dict[str, tuple[str, str]] | None = None,
    ) -> Context:
        """The context over ``graph``; candidates are its local governments with coordinates.

        ``nodes`` gives attributes of bodies outside ``graph`` (an isolated body asked for).
        """
        nodes = nodes if nodes is not None else dict(graph.nodes(data=True))
        weights = tie_weights(graph)
        order = {v: i for i, v in enumerate(graph)}
        pool = [
            v
            for v in graph
            if graph.nodes[v].get("kind") in LOCAL_GOVERNMENT_KINDS and _point(graph.nodes[v])
        ]
        points = [(v, *_point(graph.nodes[v])) for v in pool]  # type: ignore[misc]
        return cls(
            graph=graph,
            nodes=nodes,
            weights=weights,
            strength={v: sum(w.values()) for v, w in weights.items()},
            order=order,
            pool=set(pool),
            index=PointIndex(points),
            type_labels=type_labels or {},
        )

    def label(self, kind: str, lang: str) -> str:
        ja, en = self.type_labels.get(kind, (kind, kind))
        return ja if lang == "ja" else en


def assess(context: Context, body: str, radius: float, limit: int) -> dict[str, object]:
    """One local government's pacts, flags and candidates (see the module docstring)."""
    graph, nodes = context.graph, context.nodes
    me = nodes[body]
    neighbours = set(graph[body]) - {body} if body in graph else set()
    pacts: dict[str, list[dict[str, object]]] = defaultdict(list)
    for other in neighbours:
        for data in graph[body][other].values():
            if data["type"] == PACT:
                pacts[other].append(relation_info(data))

    def km(other: str) -> float | None:
        a, b = _point(me), _point(nodes[other])
        return round(haversine_km(*a, *b), 1) if a and b else None

    partners: list[dict[str, Any]] = [
        {
            "body": _info(other, nodes[other]),
            "distance_km": km(other),
            "pacts": sorted(pacts[other], key=lambda r: (r["start"] or "", r["via"])),
        }
        for other in pacts
    ]
    partners.sort(
        key=lambda p: (p["distance_km"] is None, p["distance_km"] or 0.0, p["body"]["code"])
    )
    known = [float(p["distance_km"]) for p in partners if p["distance_km"] is not None]
    flags = []
    if not partners:
        flags.append("no-pact")
    elif len(known) == len(partners) and max(known) <= radius:
        flags.append("all-near")
    return {
        "body": _info(body, me),
        "partners": partners,
        "nearest_km": min(known) if known else None,
        "farthest_km": max(known) if known else None,
        "flags": flags,
        "candidates": _candidates(context, body, radius, limit, set(pacts)) if flags else [],
    }


def _candidates(
    context: Context, body: str, radius: float, limit: int, pacts: set[str]
) -> list[dict[str, object]]:
    """Local governments beyond ``radius``: tied ones first, then by network evidence, then near.

    Only bodies within two hops can have ties or shared partners; the rest are
    ranked by distance alone, so they come from the point index.
    """
    graph, nodes, weights = context.graph, context.nodes, context.weights
    me = _point(nodes[body])
    if me is None:
        return []
    mine = weights.get(body, {})
    near = {y for z in mine for y in weights[z]} | set(mine)
    scored = []
    for other in near & context.pool - pacts - {body}:
        d = haversine_km(*me, *_point(nodes[other]))  # type: ignore[misc]
        if d > radius:
            ra, common = resource_allocation(weights, context.strength, body, other)
            ties = list(graph[body][other].values()) if other in mine else []
            scored.append((-len(ties), -ra, d, context.order[other], other, ties, common))
    chosen = sorted(scored)[:limit]
    rest = context.index.nearest_beyond(*me, radius, limit - len(chosen), near | pacts | {body})
    chosen += [(0, 0.0, d, context.order[o], o, [], []) for d, o in rest]
    found = []
    for _, neg_ra, d, _, other, ties, common in chosen:
        kinds = sorted({str(t["type"]) for t in ties})
        common = sorted(common, key=context.order.__getitem__)
        ja, en = [], []
        if kinds:
            ja.append(f"既存の連携あり（{'、'.join(context.label(k, 'ja') for k in kinds)}）")
            en.append(f"already tied by {', '.join(context.label(k, 'en') for k in kinds)}")
        if common:
            names_ja = "、".join(str(nodes[z]["name_ja"]) for z in common[:5])
            names_en = ", ".join(
                str(nodes[z]["name_en"] or nodes[z]["name_ja"]) for z in common[:5]
            )
            more = len(common) - min(len(common), 5)
            ja.append(
                f"共通の連携先が{len(common)}団体（{names_ja}" + (f" 他{more}）" if more else "）")
            )
            en.append(
                f"{len(common)} partner(s) in common ({names_en}"
                + (f" and {more} more)" if more else ")")
            )
        ja.append(f"距離 {d:.0f} km（半径 {radius:g} km の外）")
        en.append(f"{d:.0f} km away, beyond the {radius:g} km radius")
        found.append(
            {
                "body": _info(other, nodes[other]),
                "distance_km": round(d, 1),
                "ties": kinds,
                "common_partners": len(common),
                "network": round(-neg_ra, DIGITS),
                "reasons_ja": ja,
                "reasons_en": en,
                "evidence": [{"between": [body, other], **relation_info(t)} for t in ties],
            }
        )
    return found


def _point(attrs: dict[str, object]) -> tuple[float, float] | None:
    lat, lon = attrs.get("lat"), attrs.get("lon")
    return (float(lat), float(lon)) if lat is not None and lon is not None else None  # type: ignore[arg-type]


def _info(node: str, attrs: dict[str, object]) -> dict[str, object]:
    return {"id": node, **{k: attrs.get(k) for k in ("code", "name_ja", "name_en", "kind")}}
