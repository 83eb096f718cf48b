"""The order partner lists are shown in: what matters to a reader first.

Formal agreements come first (engagement accord, disaster aid, renewable
energy, comprehensive partnership, sister city, employment, then any other
agreement type), then energy supply, memberships and last forum
co-attendance; within a group the earliest tie first, ties with an unknown
start after the dated ones. The API, the CLI, the explorer's panel, the
organization page and the Excel briefing all use :func:`sort_partners`, so a
body's first partner is the same everywhere.

Other orders are available by name (:data:`SORTS`): ``code`` (the partner's
code, as lists were ordered before), ``name`` and ``date`` (earliest tie first,
whatever its kind).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from partnergraph.errors import InvalidInputError

#: Relation types in the order a reader weighs them; unknown agreement types go after the last
#: formal agreement, before energy supply.
TYPE_ORDER: tuple[str, ...] = (
    "engagement-accord",
    "disaster-mutual-aid",
    "renewable-energy",
    "comprehensive-partnership",
    "sister-city",
    "employment",
    "university-platform",
)
LATER_TYPES: tuple[str, ...] = ("energy-supply", "membership", "forum")
#: The orders a partner list can be asked for; the first is the default.
SORTS: tuple[str, ...] = ("relation", "date", "code", "name")
DEFAULT_SORT = SORTS[0]
#: Sorts after every real start (YYYY, YYYY-MM, YYYY-MM-DD...).
UNDATED = "~"


class _Relation(Protocol):
    type: str
    start: str | None
    via: str


class _Body(Protocol):
    id: str
    code: str | None
    name_ja: str | None
    name_en: str | None


class _Partner(Protocol):
    @property
    def partner(self) -> _Body: ...
    @property
    def relations(self) -> Sequence[_Relation]: ...


P = TypeVar("P", bound=_Partner)


def type_rank(relation_type: str) -> int:
    """Place of a relation type in :data:`TYPE_ORDER` (agreements) then :data:`LATER_TYPES`.

    >>> type_rank("engagement-accord") < type_rank("sister-city") < type_rank("forum")
    True
    >>> type_rank("some-new-agreement") < type_rank("energy-supply")
    True
    """
    if relation_type in TYPE_ORDER:
        return TYPE_ORDER.index(relation_type)
    if relation_type in LATER_TYPES:
        return len(TYPE_ORDER) + 1 + LATER_TYPES.index(relation_type)
    return len(TYPE_ORDER)


def relation_key(relation: _Relation) -> tuple[int, str, str]:
    """Sort key of one relation: its type's rank, then its start (undated last), then its IRI."""
    return (type_rank(relation.type), relation.start or UNDATED, relation.via)


def check_sort(sort: str | None) -> str:
    """``sort`` if it names an order (None → the default), else :class:`InvalidInputError`."""
    if sort is None or sort == "":
        return DEFAULT_SORT
    if sort not in SORTS:
        raise InvalidInputError(
            f"unknown sort {sort!r}; known: {', '.join(SORTS)} (default {DEFAULT_SORT})",
            field="sort",
        )
    return sort


def sort_partners(found: Sequence[P], sort: str | None = None) -> list[P]:
    """``found`` in the order ``sort`` names (see :data:`SORTS`).

    Each partner's relations are expected in :func:`relation_key` order already
    (the partner list is built so), so its most weighty tie is listed first.
    """
    order = check_sort(sort)

    def by_code(p: P) -> tuple[bool, str, str]:
        return (p.partner.code is None, p.partner.code or "", p.partner.id)

    def by_relation(p: P) -> tuple[object, ...]:
        first = min((relation_key(r) for r in p.relations), default=(99, UNDATED, ""))
        return (first[0], first[1], *by_code(p))

    def by_date(p: P) -> tuple[object, ...]:
        start = min((r.start or UNDATED for r in p.relations), default=UNDATED)
        return (start, *by_code(p))

    def by_name(p: P) -> tuple[object, ...]:
        name = p.partner.name_ja or p.partner.name_en or p.partner.id
        return (name, *by_code(p))

    keys = {"relation": by_relation, "date": by_date, "code": by_code, "name": by_name}
    return sorted(found, key=keys[order])
