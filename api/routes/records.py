"""``/api/v1/agreements``, ``/api/v1/forums``, ``/api/v1/sources``: the graph's records.

Thin: the library builds each listing once per store revision; these routes
filter, page and negotiate the format.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from partnergraph.formats import jsonld
from partnergraph.records import agreements, forums, sources
from partnergraph.web import record_schemas as schemas
from partnergraph.web.negotiation import (
    DOWNLOADS,
    PROBLEM,
    Format,
    Limit,
    Offset,
    json_response,
    list_response,
    page,
)
from partnergraph.web.params import TypeName, partial_date

router = APIRouter(prefix="/api/v1")

_LIST_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": DOWNLOADS},
    400: PROBLEM,
    406: PROBLEM,
}


@router.get(
    "/agreements",
    tags=["agreements"],
    summary="Agreements, by type, party and signing date",
    response_model=schemas.AgreementList,
    responses=_LIST_RESPONSES,
)
def list_agreements(
    request: Request,
    type: Annotated[
        list[TypeName] | None,
        Query(description="Agreement-type notation (repeatable)", examples=["sister-city"]),
    ] = None,
    party: Annotated[
        str | None,
        Query(description="A party: code, slug or name (any script)", examples=["川場村"]),
    ] = None,
    signed_from: Annotated[
        str | None,
        partial_date("Signed on or after (YYYY, YYYY-MM or YYYY-MM-DD)"),
    ] = None,
    signed_to: Annotated[
        str | None,
        partial_date("Signed on or before (YYYY, YYYY-MM or YYYY-MM-DD)"),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """Oldest first; dates compare at the source's precision ("1995" is in signed_from=1995-06).

    An unknown party is a 400 naming ``party`` with close matches.
    """
    found = agreements.list_agreements(
        request.app.state.store,
        types=type,
        party=party,
        signed_from=signed_from,
        signed_to=signed_to,
    )
    body = page(found, limit, offset)
    return list_response(
        request,
        format,
        body=body,
        columns=agreements.AGREEMENT_COLUMNS,
        nodes=lambda: map(jsonld.agreement_node, body["items"]),
        filename="agreements",
    )


@router.get(
    "/agreements/{id}",
    tags=["agreements"],
    summary="One agreement, with its programmes and energy supplies",
    response_model=schemas.AgreementDetail,
    responses={404: PROBLEM},
)
def get_agreement(
    request: Request,
    id: Annotated[
        str,
        Path(
            description="The slug after {base}agreement/",
            examples=["setagaya-kawaba-engagement-accord"],
        ),
    ],
) -> Response:
    return json_response(agreements.agreement_detail(request.app.state.store, id))


@router.get(
    "/forums",
    tags=["forums"],
    summary="Forum series",
    response_model=schemas.ForumList,
    responses=_LIST_RESPONSES,
)
def list_forums(
    request: Request, limit: Limit = 100, offset: Offset = 0, format: Format = None
) -> Response:
    body = page(forums.list_forums(request.app.state.store), limit, offset)
    return list_response(
        request,
        format,
        body=body,
        columns=forums.FORUM_COLUMNS,
        nodes=lambda: map(jsonld.forum_node, body["items"]),
        filename="forums",
    )


@router.get(
    "/forums/{id}",
    tags=["forums"],
    summary="One forum series: editions with attendees, presentations, speakers, survey",
    response_model=schemas.ForumDetail,
    responses={404: PROBLEM},
)
def get_forum(
    request: Request,
    id: Annotated[
        str,
        Path(
            description="The slug after {base}forum/",
            examples=["setagaya-inter-municipal-forum"],
        ),
    ],
) -> Response:
    return json_response(forums.forum_detail(request.app.state.store, id))


@router.get(
    "/sources",
    tags=["sources"],
    summary="Source documents, with how many nodes cite each",
    response_model=schemas.SourceList,
    responses=_LIST_RESPONSES,
)
def list_sources(
    request: Request, limit: Limit = 100, offset: Offset = 0, format: Format = None
) -> Response:
    """Each document's IRI is also the name of the graph holding the facts taken from it."""
    body = page(sources.list_sources(request.app.state.store), limit, offset)
    return list_response(
        request,
        format,
        body=body,
        columns=sources.SOURCE_COLUMNS,
        nodes=lambda: map(jsonld.source_node, body["items"]),
        filename="sources",
    )
