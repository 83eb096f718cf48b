"""Organizations as records: the filtered directory, one body in full, and its partners.

Names are matched by :meth:`Directory.search` (kanji, kana in either script
and width, romaji; NFKC-normalised), so the API finds what the CLI finds.
"""

from __future__ import annotations

import difflib
from typing import Any

from partnergraph.citations import all_citations
from partnergraph.dates import full_date
from partnergraph.directory import KINDS, Directory, Organization
from partnergraph.errors import InvalidInputError, InvalidReferenceError, NotFoundError
from partnergraph.formats.csv_export import Column, citations_text, field
from partnergraph.partner_order import check_sort
from partnergraph.partners import partners, read_directly
from partnergraph.readmodel import ReadModel, partner_tables
from partnergraph.store import GraphStore
from partnergraph.text.normalize import search_key

MUNICIPALITY_KINDS = frozenset({"city", "special-ward", "town", "village"})
#: Kinds that stand for several: a filter on "municipality" keeps cities, wards, towns, villages.
KIND_GROUPS: dict[str, frozenset[str]] = {
    "municipality": MUNICIPALITY_KINDS,
    "local-government": MUNICIPALITY_KINDS | {"prefecture"},
}
KIND_NAMES: tuple[str, ...] = (*dict.fromkeys(KINDS.values()), *KIND_GROUPS)

ORGANIZATION_COLUMNS = (
    Column("id", field("id")),
    Column("code", field("code")),
    Column("name_ja", field("name_ja")),
    Column("name_en", field("name_en")),
    Column("kind", field("kind")),
)

PARTNER_COLUMNS = (
    Column("organization_id", field("organization", "id")),
    Column("organization_code", field("organization", "code")),
    Column("organization_name_ja", field("organization", "name_ja")),
    Column("partner_id", field("partner", "id")),
    Column("partner_code", field("partner", "code")),
    Column("partner_name_ja", field("partner", "name_ja")),
    Column("partner_name_en", field("partner", "name_en")),
    Column("partner_kind", field("partner", "kind")),
    Column("type", field("relation", "type")),
    Column("direction", field("relation", "direction")),
    Column("via", field("relation", "via")),
    Column("title", field("relation", "title")),
    Column("start", field("relation", "start")),
    Column("sources", lambda r: citations_text(r["relation"]["sources"])),
)


def list_organizations(
    store: GraphStore,
    *,
    q: str | None = None,
    kind: str | None = None,
    prefecture: str | None = None,
) -> list[Organization]:
    """Bodies matching a name, of a kind, in a prefecture; all bodies when nothing is given.

    ``kind`` is one of :data:`KIND_NAMES`; an unknown one is an
    :class:`InvalidInputError` naming ``kind``. ``prefecture`` is a code, a
    two-digit prefecture number (``13``) or a name in any script.
    """
    directory = Directory.load(store)
    found = directory.search(q) if q and q.strip() else list(directory.organizations)
    if kind:
        kinds = kinds_for(kind)
        found = [o for o in found if o.kind in kinds]
    if prefecture:
        pref = find_prefecture(directory, prefecture)
        found = [o for o in found if o.prefecture == pref.id]
    return found


def kinds_for(kind: str) -> frozenset[str]:
    """The kinds a ``kind`` filter keeps; InvalidInputError naming ``kind`` if unknown."""
    if kind in KIND_GROUPS:
        return KIND_GROUPS[kind]
    if kind in KINDS.values():
        return frozenset({kind})
    raise InvalidInputError(f"unknown kind {kind!r}; known: {', '.join(KIND_NAMES)}", field="kind")


def find_prefecture(directory: Directory, key: str) -> Organization:
    """The prefecture ``key`` names (code, ``13``, 東京都, とうきょう, tokyo), or a 400."""
    key = key.strip()
    if key.isascii() and key.isdigit() and len(key) <= 2:
        key = f"{int(key):02d}000"
    try:
        found = directory.resolve(key)
        if found.kind == "prefecture":
            return found
    except NotFoundError:
        pass
    prefectures = [o for o in directory.organizations if o.kind == "prefecture"]
    matches = [o for o in directory.search(key) if o.kind == "prefecture"]
    if len(matches) == 1:
        return matches[0]
    names = {search_key(n): o for o in prefectures for n in (o.name_ja, o.name_en) if n}
    close = difflib.get_close_matches(search_key(key), list(names), n=5, cutoff=0.5)
    raise InvalidReferenceError(
        f"prefecture: {key!r} names no prefecture",
        field="prefecture",
        suggestions=list(dict.fromkeys(names[c].display for c in close)),
    )


def find_organization(store: GraphStore, key: str, field_name: str) -> Organization:
    """The body a filter parameter names, or a 400 naming the parameter, with suggestions.

    Used for filters (``party=``): the list asked for exists, only the filter is wrong.
    """
    try:
        return Directory.load(store).resolve(key)
    except NotFoundError as exc:
        raise InvalidReferenceError(
            f"{field_name}: {exc}", field=field_name, suggestions=exc.suggestions
        ) from None


def org_ref(directory: Directory, iri: str) -> dict[str, Any]:
    """The short form of a body (id, code, names, kind), also for IRIs outside the directory."""
    found = directory.by_id.get(iri)
    if found is not None:
        return found.as_dict()
    return {"id": iri, "code": None, "name_ja": None, "name_en": None, "kind": None}


def organization_detail(store: GraphStore, key: str) -> dict[str, Any]:
    """One body in full: its names, kind, prefecture, coordinates and the citations behind it.

    An unknown key is a :class:`NotFoundError` with close matches.
    """
    directory = Directory.load(store)
    found = directory.resolve(key)
    prefecture = directory.by_id.get(found.prefecture or "")
    return {
        **found.as_dict(),
        "prefecture": prefecture.as_dict() if prefecture else None,
        "lat": found.lat,
        "lon": found.lon,
        "sources": [c.as_dict() for c in all_citations(store).get(found.id, [])],
    }


def partner_listing(
    store: GraphStore,
    key: str,
    *,
    types: list[str] | None = None,
    as_of: str | None = None,
    since: str | None = None,
    until: str | None = None,
    sort: str | None = None,
) -> dict[str, Any]:
    """``{"organization": ..., "sort": ..., "partners": [...]}`` for the body ``key`` names.

    ``sort`` is one of :data:`partnergraph.partner_order.SORTS`; by default
    formal agreements first, then energy supply, memberships and forums, each
    group earliest first.

    Dates arrive as text and are checked here, so a malformed one is an
    :class:`InvalidInputError` naming its parameter whoever the caller is.
    The unfiltered listing is cached per body and store revision: treat the
    result as read-only. While the current revision's read model is neither held
    nor saved, a body named by code, slug or IRI is found and its ties are read
    without it (:func:`partnergraph.partners.read_directly`).
    """
    day = full_date(as_of, "as_of")
    order = check_sort(sort)
    direct = read_directly(store)
    tables = None if direct else partner_tables(store)  # the model, or its share while it loads
    found = (direct and Directory.identify(store, key)) or (
        Directory.load(store) if tables is None else tables.directory
    ).resolve(key)

    def build() -> dict[str, Any]:
        listed = partners(
            store, found, types=types, as_of=day, since=since, until=until, sort=order
        )
        return {
            "organization": found.as_dict(),
            "sort": order,
            "partners": [p.as_dict() for p in listed],
        }

    if not isinstance(tables, ReadModel) or types or day or since or until:
        return build()
    # The unfiltered listing is what is asked most; keep its JSON-ready form (read-only).
    return tables.cached(("records.partners", found.id, order), build)


def partner_rows(listing: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per (partner, relation), for :data:`PARTNER_COLUMNS`."""
    return [
        {"organization": listing["organization"], "partner": p["partner"], "relation": r}
        for p in listing["partners"]
        for r in p["relations"]
    ]
