"""The explorer's filters: relation types, a year, prefectures and kinds.

These are the rules the page's controls apply client-side
(``api/static/explore.js``, so that they react at once); the data endpoint and
the tests apply them here, and the two must agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from partnergraph.errors import InvalidInputError
from partnergraph.explore.style import KIND_STYLE


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
    """The filters as the view reports them (JSON: sorted lists, None for "no filter")."""

    def listed(values: frozenset[str] | None) -> list[str] | None:
        return sorted(values) if values is not None else None

    return {
        "types": listed(filters.types),
        "year": filters.year,
        "prefectures": listed(filters.prefectures),
        "kinds": listed(filters.kinds),
    }
