"""What an organization's page opens with: its partners by relation, a small map, a timeline.

Staff read a body's page for its ties, not its identifiers, so the page
leads with this summary (identifiers and raw statements follow it). Partners
come in the order of :mod:`partnergraph.partner_order`, dates as a reader of
the page's language writes them (:func:`human_date`), and each tie's
citations grouped by document: one line per document listing the sections
(and pages) cited, instead of one line per citation.

>>> summary = organization_summary(store, base + "lg/104442", "ja")   # doctest: +SKIP
>>> summary["groups"][0]["rows"][0]["partner"]["name_ja"]            # doctest: +SKIP
'世田谷区'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from partnergraph.analysis.relations import relations
from partnergraph.citations import Citation
from partnergraph.directory import Directory, Organization
from partnergraph.explore.layout import geo_point
from partnergraph.explore.style import type_style
from partnergraph.partner_order import type_rank
from partnergraph.partners import partners
from partnergraph.store import GraphStore
from partnergraph.text.display_dates import human_date

#: Size of the small map, in CSS pixels (it scales down on narrow screens).
MAP_SIZE = (320, 320)
MAP_MARGIN = 16


def organization_summary(store: GraphStore, iri: str, lang: str) -> dict[str, Any] | None:
    """The summary of the organization ``iri`` (None when the IRI is not one).

    ``groups``: relation types in weight order, each with its rows (partner,
    title, start as written for ``lang``, sources grouped by document);
    ``timeline``: every dated tie, earliest first; ``map``: the body and its
    located partners projected into a small square, for an inline SVG.
    """
    directory = Directory.load(store)
    body = directory.by_id.get(iri)
    if body is None:
        return None
    rel = relations(store)
    found = partners(store, body)
    groups: dict[str, list[dict[str, Any]]] = {}
    timeline: list[dict[str, Any]] = []
    for p in found:
        for r in p.relations:
            row = {
                "partner": p.partner.as_dict(),
                "via": r.via,
                "title": r.title,
                "direction": r.direction,
                "start": r.start,
                "when": human_date(r.start, lang),
                "documents": grouped_citations(r.sources, lang),
            }
            groups.setdefault(r.type, []).append(row)
            if r.start:
                timeline.append({**row, "type": r.type, "type_label": rel.type_label(r.type, lang)})
    timeline.sort(key=lambda row: (row["start"], row["partner"]["code"] or "", row["via"]))
    return {
        "key": body.code or body.slug or iri,
        "count": len(found),
        "relation_count": sum(len(rows) for rows in groups.values()),
        "groups": [
            {
                "type": kind,
                "label": rel.type_label(kind, lang),
                "colour": type_style(kind)[0],
                "partners": len({row["partner"]["id"] for row in rows}),
                "rows": rows,
            }
            for kind, rows in sorted(groups.items(), key=lambda item: type_rank(item[0]))
        ],
        "timeline": _years(timeline),
        "map": _map(body, [(p.partner, p.relations[0].type) for p in found], directory, lang),
    }


def grouped_citations(citations: Iterable[Citation], lang: str) -> list[dict[str, Any]]:
    """Citations merged by document: title, address and the sections and pages cited, in order.

    >>> c = [Citation("d", "Report", None, "§1", 3, None)]
    >>> c.append(Citation("d", "Report", None, "§2", None, None))
    >>> [(g["title"], g["sections"]) for g in grouped_citations(c, "en")]
    [('Report', ['§1 (p. 3)', '§2'])]
    """
    merged: dict[str, dict[str, Any]] = {}
    for c in citations:
        entry = merged.setdefault(
            c.document,
            {"document": c.document, "title": c.title or c.document, "url": c.url, "sections": []},
        )
        page = (f"{c.page}頁" if lang == "ja" else f"p. {c.page}") if c.page is not None else None
        where = " ".join(p for p in (c.section, f"({page})" if c.section and page else page) if p)
        if where and where not in entry["sections"]:
            entry["sections"].append(where)
    return list(merged.values())


def _years(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline by year: each year once, with the ties that began in it."""
    years: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        years.setdefault(str(row["start"])[:4], []).append(row)
    return [{"year": y, "ties": ties} for y, ties in years.items()]


def _map(
    body: Organization,
    found: list[tuple[Organization, str]],
    directory: Directory,
    lang: str,
) -> dict[str, Any] | None:
    """The body and its located partners in a ``MAP_SIZE`` square (north up), or None."""

    def name(o: Organization) -> str:
        return str((o.name_en or o.name_ja) if lang == "en" else (o.name_ja or o.name_en) or o.id)

    def located(o: Organization) -> Organization | None:
        if o.lat is not None and o.lon is not None:
            return o
        parent = directory.by_id.get(o.prefecture or "")
        return parent if parent and parent.lat is not None and parent.lon is not None else None

    centre = located(body)
    if centre is None:
        return None
    points = [(o, kind, located(o)) for o, kind in found]
    kept = [(o, kind, at) for o, kind, at in points if at is not None]
    raw = {o.id: geo_point(at.lat, at.lon) for o, _, at in kept if at.lat and at.lon}
    assert centre.lat is not None and centre.lon is not None
    origin = geo_point(centre.lat, centre.lon)
    xs = [x for x, _ in raw.values()] + [origin[0]]
    ys = [y for _, y in raw.values()] + [origin[1]]
    width, height = MAP_SIZE
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    scale = (min(width, height) - 2 * MAP_MARGIN) / span
    left = (width - (max(xs) - min(xs)) * scale) / 2
    top = (height - (max(ys) - min(ys)) * scale) / 2

    def place(point: tuple[float, float]) -> tuple[float, float]:
        return (
            round(left + (point[0] - min(xs)) * scale, 1),
            round(top + (point[1] - min(ys)) * scale, 1),
        )

    cx, cy = place(origin)
    return {
        "width": width,
        "height": height,
        "centre": {"x": cx, "y": cy, "name": name(body)},
        "points": [
            {
                "x": place(raw[o.id])[0],
                "y": place(raw[o.id])[1],
                "name": name(o),
                "colour": type_style(kind)[0],
            }
            for o, kind, _ in kept
            if o.id in raw
        ],
        "unlocated": len(found) - len(kept),
    }
