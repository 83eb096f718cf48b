"""Writes over HTTP: POST/PUT/DELETE of agreements and organizations, bulk import, the history.

The routes are thin: a FastAPI dependency checks the Bearer token with the
library (:func:`partnergraph.writes.tokens.check_token`), pydantic models check
the body's form, and one library call per request (off the event loop) does
everything else: store checks, SHACL, the atomic commit with its history
record, idempotent replays. Library errors become problem+json in
:mod:`api.problems`; the models and OpenAPI texts are in :mod:`api.write_schemas`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from partnergraph.errors import AuthenticationError, PartnergraphError
from partnergraph.web.write_schemas import (
    AGREEMENT_DESCRIPTION,
    AUTH,
    BODY,
    IMPORT_DESCRIPTION,
    IMPORT_REQUEST_BODY,
    REPLAY,
    AgreementBody,
    AgreementId,
    Changes,
    IdempotencyKey,
    ImportResult,
    OrganizationBody,
    OrganizationKey,
    WriteResult,
    created,
    problem_response,
)
from partnergraph.writes import agreements, history, imports, organizations
from partnergraph.writes.plan import WriteOutcome
from partnergraph.writes.tokens import check_token, parse_tokens


class _BearerChallenge(APIRoute):
    """Adds ``WWW-Authenticate: Bearer`` to a 401, which the problem+json mapping cannot do."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except AuthenticationError as exc:
                mapped = request.app.exception_handlers[PartnergraphError]
                response: Response = await mapped(request, exc)
                response.headers["WWW-Authenticate"] = 'Bearer realm="partnergraph"'
                return response

        return route


router = APIRouter(prefix="/api/v1", tags=["writes"], route_class=_BearerChallenge)

_bearer = HTTPBearer(
    auto_error=False,
    description="A write token from PARTNERGRAPH_TOKENS (name:secret); send the secret.",
)


def writer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The name of the request's token; 401 without one, 403 if wrong or writes are off."""
    tokens = parse_tokens(request.app.state.settings.tokens)
    return check_token(tokens, credentials.credentials if credentials else None)


Writer = Annotated[str, Depends(writer)]


def _respond(outcome: WriteOutcome) -> JSONResponse:
    headers = {"Location": outcome.location} if outcome.location and outcome.status == 201 else {}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(outcome.body, status_code=outcome.status, headers=headers)


def _store(request: Request) -> Any:
    return request.app.state.store


def _content_type(request: Request) -> tuple[str, str | None]:
    """The request's media type and declared ``charset`` (None when it declares none)."""
    media_type, _, params = request.headers.get("content-type", "").partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return media_type, charset


# ---------------------------------------------------------------------------
# Agreements
# ---------------------------------------------------------------------------


@router.post(
    "/agreements",
    status_code=201,
    summary="Add an agreement",
    description=AGREEMENT_DESCRIPTION,
    response_model=WriteResult,
    responses={201: created("Added"), **AUTH, **BODY, 409: problem_response("Exists already")},
)
async def create_agreement(
    request: Request, payload: AgreementBody, token: Writer, key: IdempotencyKey = None
) -> JSONResponse:
    outcome = await run_in_threadpool(
        agreements.create_agreement, _store(request), payload, token, key
    )
    return _respond(outcome)


@router.put(
    "/agreements/{id}",
    summary="Replace an agreement written through the API",
    description="Replaces the whole description of an agreement that was written through the "
    "API (same body as POST; its slug cannot change). Agreements curated in `graph/data` are "
    "refused with 409: the store is rebuilt from those files, so edit the file.",
    response_model=WriteResult,
    responses={
        200: {"description": "Replaced", "headers": REPLAY},
        **AUTH,
        **BODY,
        404: problem_response("No such agreement"),
        409: problem_response("Curated in graph/data: edit the file"),
    },
)
async def update_agreement(
    request: Request,
    id: AgreementId,
    payload: AgreementBody,
    token: Writer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    outcome = await run_in_threadpool(
        agreements.update_agreement, _store(request), id, payload, token, key
    )
    return _respond(outcome)


@router.delete(
    "/agreements/{id}",
    summary="Delete an agreement written through the API",
    description="Removes the agreement and its citations (and its source document when nothing "
    "else cites it). Curated agreements are refused with 409, as is one that other facts still "
    "refer to.",
    response_model=WriteResult,
    responses={
        200: {"description": "Deleted", "headers": REPLAY},
        **AUTH,
        400: BODY[400],
        422: problem_response("The Idempotency-Key was used for another request"),
        404: problem_response("No such agreement"),
        409: problem_response("Curated in graph/data, or still referred to"),
        503: BODY[503],
    },
)
async def delete_agreement(
    request: Request, id: AgreementId, token: Writer, key: IdempotencyKey = None
) -> JSONResponse:
    outcome = await run_in_threadpool(agreements.delete_agreement, _store(request), id, token, key)
    return _respond(outcome)


# ---------------------------------------------------------------------------
# Organizations
# ---------------------------------------------------------------------------


@router.post(
    "/organizations",
    status_code=201,
    summary="Add a body (university, agency, council, cooperative, platform, foreign city)",
    description="Adds a body that is not a Japanese local government (those come from the "
    "reference data). Its IRI is `{base}org/{slug}`; `homepage` must be http(s). Like every "
    "node of the graph it is cited to a source document.",
    response_model=WriteResult,
    responses={201: created("Added"), **AUTH, **BODY, 409: problem_response("The slug is taken")},
)
async def create_organization(
    request: Request, payload: OrganizationBody, token: Writer, key: IdempotencyKey = None
) -> JSONResponse:
    outcome = await run_in_threadpool(
        organizations.create_organization, _store(request), payload, token, key
    )
    return _respond(outcome)


@router.put(
    "/organizations/{key}",
    summary="Replace a body written through the API",
    description="Replaces the description of a body written through the API; its slug cannot "
    "change. Curated bodies are refused with 409.",
    response_model=WriteResult,
    responses={
        200: {"description": "Replaced", "headers": REPLAY},
        **AUTH,
        **BODY,
        404: problem_response("No such body"),
        409: problem_response("Curated in graph/data: edit the file"),
    },
)
async def update_organization(
    request: Request,
    key: OrganizationKey,
    payload: OrganizationBody,
    token: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    outcome = await run_in_threadpool(
        organizations.update_organization, _store(request), key, payload, token, idempotency_key
    )
    return _respond(outcome)


@router.delete(
    "/organizations/{key}",
    summary="Delete a body written through the API",
    description="Removes a body written through the API. A body that is still a party to an "
    "agreement (or otherwise referred to) is refused with 409, as is a curated one.",
    response_model=WriteResult,
    responses={
        200: {"description": "Deleted", "headers": REPLAY},
        **AUTH,
        400: BODY[400],
        422: problem_response("The Idempotency-Key was used for another request"),
        404: problem_response("No such body"),
        409: problem_response("Still a party to an agreement, or curated in graph/data"),
        503: BODY[503],
    },
)
async def delete_organization(
    request: Request,
    key: OrganizationKey,
    token: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    outcome = await run_in_threadpool(
        organizations.delete_organization, _store(request), key, token, idempotency_key
    )
    return _respond(outcome)


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


@router.post(
    "/import",
    status_code=201,
    summary="Import a spreadsheet of agreements (CSV) or an RDF file",
    description=IMPORT_DESCRIPTION,
    response_model=ImportResult,
    responses={
        201: {"description": "Imported", "headers": REPLAY},
        **AUTH,
        **BODY,
        409: problem_response("An agreement or entity is already in the graph"),
        415: problem_response("Not CSV, Turtle, RDF/XML or JSON-LD"),
    },
    openapi_extra=IMPORT_REQUEST_BODY,
)
async def import_file(
    request: Request,
    token: Writer,
    key: IdempotencyKey = None,
    owner: Annotated[
        str | None,
        Query(
            max_length=200,
            description="CSV only: the body whose agreement list this is (code, slug or name); "
            "it is made a party of every row",
        ),
    ] = None,
) -> JSONResponse:
    media_type, charset = _content_type(request)
    body = await request.body()
    outcome = await run_in_threadpool(
        imports.import_file,
        _store(request),
        body,
        media_type,
        token,
        key,
        charset=charset,
        owner=owner,
    )
    return _respond(outcome)


# ---------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------


@router.get(
    "/changes",
    summary="Recorded writes, newest first",
    description="Every write through the API or `partnergraph import`: the operation, the "
    "token's name (never its secret), the time, the entities it generated, used or invalidated, "
    "the graphs it touched and the number of triples added and removed. Kept in the named graph "
    "`{base}history` as PROV-O activities, so it can also be queried at `/sparql`.",
    response_model=Changes,
    responses={400: problem_response("limit or offset out of range")},
)
async def list_changes(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500, description="Most changes to list")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Changes to skip")] = 0,
) -> dict[str, object]:
    return await run_in_threadpool(history.list_changes, _store(request), limit, offset)
