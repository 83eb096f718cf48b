"""What part of the graph an analysis looks at: relation types, a date, an area.

Every analysis takes one :class:`Filters`, so the CLI, the HTTP API and the
library agree on what ``--type``, ``--as-of``, ``--prefecture``, ``--region``
and ``--include-isolated`` mean.

Regions are Japan's eight standard regions (八地方区分), defined by ranges of
the two-digit prefecture number that opens every local-government code. Mie
(24) is counted in 近畿, as in that division (some ministries put it in 中部/東海):

=========  ==============  =========
region     prefectures     numbers
=========  ==============  =========
北海道     Hokkaido        01
東北       Tohoku          02–07
関東       Kanto           08–14
中部       Chubu           15–23
近畿       Kinki (Kansai)  24–30
中国       Chugoku         31–35
四国       Shikoku         36–39
九州・沖縄 Kyushu–Okinawa  40–47
=========  ==============  =========

>>> region_of("131121")
'関東'
>>> resolve_region("kyushu-okinawa")
'九州・沖縄'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from partnergraph.directory import Directory
from partnergraph.errors import InvalidInputError, InvalidReferenceError, NotFoundError
from partnergraph.partners import check_types
from partnergraph.store import GraphStore
from partnergraph.text.normalize import search_key

#: Region (Japanese name) → (English name, first and last prefecture number).
REGIONS: dict[str, tuple[str, int, int]] = {
    "北海道": ("Hokkaido", 1, 1),
    "東北": ("Tohoku", 2, 7),
    "関東": ("Kanto", 8, 14),
    "中部": ("Chubu", 15, 23),
    "近畿": ("Kinki", 24, 30),
    "中国": ("Chugoku", 31, 35),
    "四国": ("Shikoku", 36, 39),
    "九州・沖縄": ("Kyushu-Okinawa", 40, 47),
}

_REGION_ALIASES = {
    "関西": "近畿",
    "kansai": "近畿",
    "九州": "九州・沖縄",
    "九州沖縄": "九州・沖縄",
    "kyushu": "九州・沖縄",
    "okinawa": "九州・沖縄",
    "kyushuokinawa": "九州・沖縄",
}


#: How multi-party agreements enter a projection (see :class:`Filters`).
PACT_MODES = ("bipartite", "pairwise")


@dataclass(frozen=True)
class Filters:
    """Which relations and bodies an analysis sees.

    ``types`` are relation types (agreement notations, ``energy-supply``,
    ``forum``, ``membership``; None = all); ``as_of`` keeps the relations
    begun by that day (:func:`partnergraph.partners.started_by`); ``prefecture``
    (code, number or name) and ``region`` (one of :data:`REGIONS`) keep the
    bodies located there (both: those in the prefecture if it lies in the
    region); ``include_isolated`` adds the local governments that have no
    relation, so that nationwide measures see every municipality.
    ``pacts`` says how an agreement of three or more parties enters the graph:
    ``"bipartite"`` (the default) as one pact node tied to each party, so that a
    47-party pact is 47 edges through one node; ``"pairwise"`` as an edge between
    every two parties, each weighing 1/(parties − 1) (see :mod:`.projection`).

    >>> Filters(types=("forum",), region="関東").key()
    "(('forum',), None, None, '関東', False, 'bipartite')"
    """

    types: tuple[str, ...] | None = None
    as_of: dt.date | None = None
    prefecture: str | None = None
    region: str | None = None
    include_isolated: bool = False
    pacts: str = "bipartite"

    def key(self) -> str:
        """A string naming these filters, for caches."""
        return repr(
            (
                self.types,
                self.as_of,
                self.prefecture,
                self.region,
                self.include_isolated,
                self.pacts,
            )
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "types": list(self.types) if self.types else None,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "prefecture": self.prefecture,
            "region": self.region,
            "include_isolated": self.include_isolated,
            "pacts": self.pacts,
        }


@dataclass(frozen=True)
class Area:
    """A resolved area: the prefecture numbers it covers and how to name it."""

    numbers: frozenset[int]
    name: str


def normalize(store: GraphStore, filters: Filters | None) -> Filters:
    """``filters`` checked and in canonical form, so equal requests share a cache entry.

    Unknown relation types raise :class:`InvalidInputError` (``field="type"``),
    an unknown prefecture :class:`NotFoundError`, a number or body that is no
    prefecture :class:`InvalidReferenceError`, an unknown region
    :class:`InvalidInputError`.
    """
    f = filters or Filters()
    types = check_types(store, list(f.types) if f.types else None)
    prefecture = region = None
    if f.prefecture:
        prefecture = resolve_prefecture(store, f.prefecture)
    if f.region:
        region = resolve_region(f.region)
    if f.pacts not in PACT_MODES:
        raise InvalidInputError(
            f"unknown pacts mode {f.pacts!r}; known: {', '.join(PACT_MODES)}", field="pacts"
        )
    return Filters(
        types=tuple(sorted(set(types))) if types else None,
        as_of=f.as_of,
        prefecture=prefecture,
        region=region,
        include_isolated=f.include_isolated,
        pacts=f.pacts,
    )


def area(filters: Filters) -> Area | None:
    """The prefecture numbers that normalized ``filters`` keep, or None for the whole country.

    A prefecture and a region together keep what lies in both: the prefecture
    if it is in the region, else nothing (an empty scope, not an error, as any
    filter that matches no body).
    """
    numbers: frozenset[int] | None = None
    names = []
    if filters.prefecture:
        numbers = frozenset({int(filters.prefecture[:2])})
        names.append(filters.prefecture)
    if filters.region:
        _, first, last = REGIONS[filters.region]
        in_region = frozenset(range(first, last + 1))
        numbers = in_region if numbers is None else numbers & in_region
        names.append(filters.region)
    if numbers is None:
        return None
    return Area(numbers, " ∩ ".join(names))


def resolve_region(text: str) -> str:
    """The Japanese name of the region ``text`` names (ja or en, with or without 地方).

    >>> resolve_region("関東地方"), resolve_region("Kinki"), resolve_region("関西")
    ('関東', '近畿', '近畿')
    """
    raw = text.strip().removesuffix("地方")
    key = "".join(c for c in raw.lower() if c.isalnum())
    for name, (english, _, _) in REGIONS.items():
        if raw == name or key == "".join(c for c in english.lower() if c.isalnum()):
            return name
    if raw in _REGION_ALIASES or key in _REGION_ALIASES:
        return _REGION_ALIASES.get(raw) or _REGION_ALIASES[key]
    known = ", ".join(f"{n} ({e})" for n, (e, _, _) in REGIONS.items())
    raise InvalidInputError(f"unknown region {text!r}; known: {known}", field="region")


def resolve_prefecture(store: GraphStore, text: str) -> str:
    """The 6-digit code of the prefecture ``text`` names: ``13``, ``130001``, 東京都, 東京, tokyo.

    A name that is a body but not a prefecture is refused, naming what it is.
    """
    raw = text.strip()
    directory = Directory.load(store)
    prefectures = [o for o in directory.organizations if o.kind == "prefecture" and o.code]
    if raw.isascii() and raw.isdigit() and len(raw) <= 2:
        found = [o for o in prefectures if int(o.code[:2]) == int(raw)]  # type: ignore[index]
        if found:
            return found[0].code  # type: ignore[return-value]
        raise InvalidReferenceError(f"no prefecture numbered {raw} (1–47)", field="prefecture")
    by_code = {o.code: o for o in prefectures}
    if raw in by_code:
        return raw
    for candidate in (raw, *(raw + s for s in "都道府県")):
        matches = [o for o in directory.search(candidate) if o.kind == "prefecture"]
        if len(matches) == 1:
            return matches[0].code  # type: ignore[return-value]
    key = search_key(raw)
    exact = [o for o in prefectures if key and key in o.keys]
    if len(exact) == 1:
        return exact[0].code  # type: ignore[return-value]
    try:
        body = directory.resolve(raw)
    except NotFoundError as exc:
        raise NotFoundError(f"no prefecture matches {text!r}", exc.suggestions) from None
    raise InvalidReferenceError(
        f"{body.display} is a {body.kind}, not a prefecture", field="prefecture"
    )


def region_of(code: str | None) -> str | None:
    """The region of a local-government code (its first two digits), or None.

    >>> region_of("472018"), region_of(None)
    ('九州・沖縄', None)
    """
    if not code or not code[:2].isdigit():
        return None
    number = int(code[:2])
    for name, (_, first, last) in REGIONS.items():
        if first <= number <= last:
            return name
    return None
