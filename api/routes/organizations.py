"""``/api/v1/organizations``: find bodies, read one, list its partners.

Thin: parameters in, a library call, a negotiated answer out. Errors are
library exceptions mapped once in :mod:`api.problems`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from partnergraph.formats import jsonld, xlsx_export
from partnergraph.partner_order import SORTS
from partnergraph.records import organizations as records
from partnergraph.web import schemas
from partnergraph.web.negotiation import (
    DOWNLOADS,
    PROBLEM,
    Format,
    Limit,
    Offset,
    json_response,
    list_response,
)
from partnergraph.web.params import TypeName, day, partial_date

router = APIRouter(prefix="/api/v1/organizations", tags=["organizations"])

Key = Annotated[
    str,
    Path(
        description="6-digit code (131121), 5-digit JIS code (13112), slug "
        "(seijo-university) or a name in kanji, kana or romaji",
        examples=["131121"],
    ),
]


@router.get(
    "",
    summary="Find organizations by name, kind and prefecture",
    response_model=schemas.OrganizationList,
    responses={200: {"content": DOWNLOADS}, 400: PROBLEM, 406: PROBLEM},
)
def list_organizations(
    request: Request,
    q: Annotated[
        str | None,
        Query(
            description="Name in kanji, kana (hiragana or katakana, half- or full-width) or "
            "romaji, NFKC-normalised; exact name keys first, else prefixes",
            examples=["せたがや"],
        ),
    ] = None,
    kind: Annotated[
        str | None,
        Query(
            description="One of: " + ", ".join(records.KIND_NAMES),
            examples=["village"],
            json_schema_extra={"enum": list(records.KIND_NAMES)},
        ),
    ] = None,
    prefecture: Annotated[
        str | None,
        Query(description="Prefecture code, number (13) or name", examples=["群馬県"]),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """Bodies in the graph; without filters, all of them (local governments by code first)."""
    store = request.app.state.store
    found = records.list_organizations(store, q=q, kind=kind, prefecture=prefecture)
    body: dict[str, Any] = {
        "items": [o.as_dict() for o in found[offset : offset + limit]],
        "total": len(found),
    }
    return list_response(
        request,
        format,
        body=body,
        columns=records.ORGANIZATION_COLUMNS,
        nodes=lambda: map(jsonld.organization_node, body["items"]),
        filename="organizations",
    )


@router.get(
    "/{key}",
    summary="One organization, with its prefecture, coordinates and sources",
    response_model=schemas.OrganizationDetail,
    responses={404: PROBLEM},
)
def get_organization(request: Request, key: Key) -> Response:
    """An unknown key is a 404 whose ``suggestions`` name close matches."""
    return json_response(records.organization_detail(request.app.state.store, key))


@router.get(
    "/{key}/partners",
    summary="Partners of an organization, by relation, with their evidence",
    response_model=schemas.PartnerList,
    responses={
        200: {"content": {**DOWNLOADS, xlsx_export.MEDIA_TYPE: {"schema": {"type": "string"}}}},
        400: PROBLEM,
        404: PROBLEM,
        406: PROBLEM,
    },
)
def list_partners(
    request: Request,
    key: Key,
    type: Annotated[
        list[TypeName] | None,
        Query(
            description="Relation type (repeatable): an agreement-type notation "
            "(engagement-accord, disaster-mutual-aid, renewable-energy, "
            "comprehensive-partnership, employment, sister-city, university-platform) "
            "or forum, membership, energy-supply",
            examples=["disaster-mutual-aid"],
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        day("Only ties begun by this day (YYYY-MM-DD)", examples=["1990-01-01"]),
    ] = None,
    since: Annotated[
        str | None,
        partial_date("Only ties starting on or after (YYYY, YYYY-MM or YYYY-MM-DD)"),
    ] = None,
    until: Annotated[
        str | None,
        partial_date("Only ties starting on or before (YYYY, YYYY-MM or YYYY-MM-DD)"),
    ] = None,
    sort: Annotated[
        str | None,
        Query(
            description="Order of the partners. Default `relation`: formal agreements first "
            "(engagement accord, disaster aid, renewable energy, comprehensive, sister city, "
            "employment), then energy supply, memberships, forum co-attendance; within a group "
            "the earliest tie first. Also `date` (earliest tie first), `code`, `name`",
            examples=["relation"],
            json_schema_extra={"enum": list(SORTS)},
        ),
    ] = None,
    lang: Annotated[
        str,
        Query(description="Headings of the xlsx briefing: ja (default) or en", pattern="^(ja|en)$"),
    ] = "ja",
    format: Format = None,
) -> Response:
    """Ties with an unknown start are left out by ``as_of``, ``since`` and ``until``.

    ``format=xlsx`` answers an Excel briefing (cover sheet, partners, sources
    with hyperlinks), Japanese headings unless ``lang=en``.

    Dates compare at the start's own precision: a tie begun "1981-11" counts
    from 1981-11-01 for ``as_of`` and lies in ``since=1981``. A body with no
    ties answers 200 with an empty list. CSV has one row per relation.
    """
    store = request.app.state.store
    if format == "xlsx":
        book = xlsx_export.partner_workbook(
            store, key, lang=lang, types=type, as_of=as_of, since=since, until=until, sort=sort
        )
        return Response(
            book,
            media_type=xlsx_export.MEDIA_TYPE,
            headers={"Content-Disposition": 'attachment; filename="partners.xlsx"'},
        )
    listing = records.partner_listing(
        store, key, types=type, as_of=as_of, since=since, until=until, sort=sort
    )
    return list_response(
        request,
        format,
        body=listing,
        rows=lambda: records.partner_rows(listing),
        columns=records.PARTNER_COLUMNS,
        nodes=lambda: jsonld.partner_nodes(listing),
        filename="partners",
    )
