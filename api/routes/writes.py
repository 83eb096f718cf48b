"""Writes over HTTP: POST/PUT/DELETE of agreements and organizations, bulk import, the history.

The routes are thin: a FastAPI dependency checks the Bearer token with the
library (:func:`partnergraph.writes.tokens.check_token`), pydantic models check
the body's form, and one library call per request (off the event loop) does
everything else: store checks, SHACL, the atomic commit with its history
record, idempotent replays. Library errors become problem+json in
:mod:`api.problems`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from partnergraph.errors import AuthenticationError, PartnergraphError
from partnergraph.writes import service
from partnergraph.writes.importer import COLUMNS, RDF_FORMATS
from partnergraph.writes.models import SLUG_PATTERN, AgreementIn, OrganizationIn
from partnergraph.writes.service import WriteOutcome
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
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Any unique string (a UUID). A retried request with the same key is "
        "answered as the first time and not applied again; the same key with another request "
        "is refused (422). Kept in the store's history, so it survives restarts.",
    ),
]
AgreementId = Annotated[
    str, Path(pattern=SLUG_PATTERN, max_length=100, description="The agreement's slug")
]
OrganizationKey = Annotated[
    str,
    Path(
        pattern=SLUG_PATTERN,
        max_length=100,
        description="The body's slug (bodies written through the API are named by slug)",
    ),
]


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of this API is answered."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    suggestions: list[str] | None = None


class WriteResult(BaseModel):
    """What a write did: the entity, the graph it went into, the history record, the counts."""

    model_config = ConfigDict(extra="allow")
    id: str
    iri: str
    graph: str | None
    operation: str
    change: str
    change_number: int
    added: int
    removed: int
    warnings: list[str]


class ImportResult(BaseModel):
    """What an import did. CSV: rows, created agreements, encoding; RDF: graph, triples."""

    model_config = ConfigDict(extra="allow")
    operation: str
    format: str
    change: str
    change_number: int
    added: int
    removed: int
    warnings: list[str]


class Change(BaseModel):
    """One recorded write."""

    id: str
    number: int
    operation: str
    kind: str
    agent: str
    time: str
    added: int
    removed: int
    generated: list[str]
    used: list[str]
    invalidated: list[str]
    graphs: list[str]


class Changes(BaseModel):
    """A page of the history, newest first."""

    total: int
    limit: int
    offset: int
    changes: list[Change]


def _problem(description: str) -> dict[str, object]:
    schema = Problem.model_json_schema()
    return {"description": description, "content": {"application/problem+json": {"schema": schema}}}


_AUTH = {
    401: _problem("No token (`Authorization: Bearer …`); the answer carries `WWW-Authenticate`"),
    403: _problem("The token is wrong, or writes are disabled (no tokens configured)"),
}
_BODY = {
    400: _problem("A malformed body or value: unknown field, bad code, date, URL, slug…"),
    413: _problem("Request body too large"),
    422: _problem(
        "Unknown party, type or body; SHACL violations (listed in `detail`); an "
        "Idempotency-Key reused for another request"
    ),
    503: _problem("The store is held read-only by another process"),
}
_REPLAY = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


_AGREEMENT_EXAMPLE = {
    "title_ja": "例：世田谷区と川場村の災害時相互応援協定",
    "title_en": "Example: disaster mutual-aid agreement of Setagaya and Kawaba",
    "type": "disaster-mutual-aid",
    "parties": ["131121", "104442"],
    "signed": "1995-04",
    "revised": "2011",
    "source": {
        "title": "例：世田谷区の協定一覧",
        "url": "https://www.city.setagaya.lg.jp/",
        "section": "災害時の協定",
        "page": 3,
    },
}
_ORGANIZATION_EXAMPLE = {
    "slug": "example-university",
    "name_ja": "例示大学",
    "name_en": "Example University",
    "kind": "university",
    "homepage": "https://www.example-university.ac.jp/",
    "kana": "レイジダイガク",
    "source": {"title": "例：大学の一覧", "url": "https://example.org/universities"},
}
_CSV_EXAMPLE = (
    "協定名,協定先,種別,初度締結日,最新締結日,出典,出典URL,頁\n"
    "例：災害時相互応援協定,世田谷区・川場村,災害時相互応援協定,H7.12.1,,例：協定一覧,,12\n"
    "例：包括連携協定,成城大学・駒澤大学,包括連携協定,2016/2/15,2021/4/1,例：協定一覧,,13\n"
)
AgreementBody = Annotated[
    AgreementIn,
    Body(openapi_examples={"agreement": {"summary": "An agreement", "value": _AGREEMENT_EXAMPLE}}),
]
OrganizationBody = Annotated[
    OrganizationIn,
    Body(openapi_examples={"body": {"summary": "A university", "value": _ORGANIZATION_EXAMPLE}}),
]


def _created(description: str) -> dict[str, object]:
    location = {"description": "The new entity's URL", "schema": {"type": "string"}}
    return {"description": description, "headers": {"Location": location, **_REPLAY}}


def _respond(outcome: WriteOutcome) -> JSONResponse:
    headers = {"Location": outcome.location} if outcome.location and outcome.status == 201 else {}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(outcome.body, status_code=outcome.status, headers=headers)


def _store(request: Request) -> Any:
    return request.app.state.store


# ---------------------------------------------------------------------------
# Agreements
# ---------------------------------------------------------------------------

_AGREEMENT_DESCRIPTION = """Adds an agreement between two or more bodies, cited to its source.

Parties are 6-digit local government codes (with check digit) or slugs of bodies in the graph;
`type` is a notation of the agreement-type scheme; dates keep the source's precision
(`YYYY`, `YYYY-MM`, `YYYY-MM-DD`). The IRI is `{base}agreement/{slug}` (minted when `slug` is
left out). The agreement goes into the named graph of its source document,
`{base}source/w-{hash of title and URL}`, with a citation `{base}citation/{uuid}`.

Checked in turn: the body's form (400 naming the field), the store (unknown party or type: 422;
slug taken or the same agreement already there: 409), then SHACL (`graph/shapes.ttl`) on the
new nodes (422 listing each violation). The change and its record in the history
(`GET /api/v1/changes`) are committed in one transaction."""


@router.post(
    "/agreements",
    status_code=201,
    summary="Add an agreement",
    description=_AGREEMENT_DESCRIPTION,
    response_model=WriteResult,
    responses={201: _created("Added"), **_AUTH, **_BODY, 409: _problem("Exists already")},
)
async def create_agreement(
    request: Request, payload: AgreementBody, token: Writer, key: IdempotencyKey = None
) -> JSONResponse:
    outcome = await run_in_threadpool(
        service.create_agreement, _store(request), payload, token, key
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
        200: {"description": "Replaced", "headers": _REPLAY},
        **_AUTH,
        **_BODY,
        404: _problem("No such agreement"),
        409: _problem("Curated in graph/data: edit the file"),
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
        service.update_agreement, _store(request), id, payload, token, key
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
        200: {"description": "Deleted", "headers": _REPLAY},
        **_AUTH,
        400: _BODY[400],
        404: _problem("No such agreement"),
        409: _problem("Curated in graph/data, or still referred to"),
        503: _BODY[503],
    },
)
async def delete_agreement(
    request: Request, id: AgreementId, token: Writer, key: IdempotencyKey = None
) -> JSONResponse:
    outcome = await run_in_threadpool(service.delete_agreement, _store(request), id, token, key)
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
    responses={201: _created("Added"), **_AUTH, **_BODY, 409: _problem("The slug is taken")},
)
async def create_organization(
    request: Request, payload: OrganizationBody, token: Writer, key: IdempotencyKey = None
) -> JSONResponse:
    outcome = await run_in_threadpool(
        service.create_organization, _store(request), payload, token, key
    )
    return _respond(outcome)


@router.put(
    "/organizations/{key}",
    summary="Replace a body written through the API",
    description="Replaces the description of a body written through the API; its slug cannot "
    "change. Curated bodies are refused with 409.",
    response_model=WriteResult,
    responses={
        200: {"description": "Replaced", "headers": _REPLAY},
        **_AUTH,
        **_BODY,
        404: _problem("No such body"),
        409: _problem("Curated in graph/data: edit the file"),
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
        service.update_organization, _store(request), key, payload, token, idempotency_key
    )
    return _respond(outcome)


@router.delete(
    "/organizations/{key}",
    summary="Delete a body written through the API",
    description="Removes a body written through the API. A body that is still a party to an "
    "agreement (or otherwise referred to) is refused with 409, as is a curated one.",
    response_model=WriteResult,
    responses={
        200: {"description": "Deleted", "headers": _REPLAY},
        **_AUTH,
        400: _BODY[400],
        404: _problem("No such body"),
        409: _problem("Still a party to an agreement, or curated in graph/data"),
        503: _BODY[503],
    },
)
async def delete_organization(
    request: Request,
    key: OrganizationKey,
    token: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    outcome = await run_in_threadpool(
        service.delete_organization, _store(request), key, token, idempotency_key
    )
    return _respond(outcome)


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------

_COLUMN_ROWS = "\n".join(
    f"| {c.name} | {'yes' if c.required else 'no'} | {c.meaning} |" for c in COLUMNS
)
IMPORT_DESCRIPTION = f"""Imports many agreements at once from a spreadsheet, or an RDF file: **all
of it or nothing**, in one transaction recorded as one change.

**CSV** (`Content-Type: text/csv`): a municipal agreement list, one agreement per row under a
header row. UTF-8 with or without BOM; a Shift_JIS (CP932) file as Excel saves it is accepted
when it decodes cleanly (a declared `charset` is honoured). The answer says which (`encoding`).

| column | required | meaning |
| --- | --- | --- |
{_COLUMN_ROWS}

Header names are compared after NFKC normalisation (`出典ＵＲＬ` = `出典URL`); other columns are
ignored and listed in `ignored_columns`. Parties in 協定先 are codes, slugs or names (kanji, kana,
romaji; `東京都府中市` when a name is ambiguous), separated by `・` or `;`. `owner` names the body
whose list it is; it becomes a party of every row. Dates may be `1995-04-01`, `1995/4/1`,
`1995年4月1日`, `平成7年4月1日`, `H7.4.1`, `1995-04` or `1995`; 最新締結日 equal to 初度締結日 is
left out. Errors are listed by spreadsheet row (the header is row 1) and column, e.g.
`row 3, 協定先: no organization matches '世田谷町' (did you mean 東京都世田谷区 (131121)?)`.

**RDF** (`text/turtle`, `application/rdf+xml`, `application/ld+json`): new entities under the
base IRI (relative IRIs resolve against it) going into a new graph named by the one
`pg:SourceDocument` the file describes (`{{base}}source/{{slug}}`). Blank nodes get minted IRIs.
RDF/XML with a `DOCTYPE`/`ENTITY` and JSON-LD with a non-inline `@context` are refused before
parsing; nothing is fetched from the network. Validated by SHACL like every write."""

_IMPORT_BODY = {"schema": {"type": "string"}}
_CSV_BODY = {"schema": {"type": "string"}, "example": _CSV_EXAMPLE}


@router.post(
    "/import",
    status_code=201,
    summary="Import a spreadsheet of agreements (CSV) or an RDF file",
    description=IMPORT_DESCRIPTION,
    response_model=ImportResult,
    responses={
        201: {"description": "Imported", "headers": _REPLAY},
        **_AUTH,
        **_BODY,
        409: _problem("An agreement or entity is already in the graph"),
        415: _problem("Not CSV, Turtle, RDF/XML or JSON-LD"),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": _CSV_BODY} | {t: _IMPORT_BODY for t in RDF_FORMATS},
        }
    },
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
    content_type = request.headers.get("content-type", "")
    media_type, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    body = await request.body()
    outcome = await run_in_threadpool(
        service.import_file,
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
    responses={400: _problem("limit or offset out of range")},
)
async def list_changes(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500, description="Most changes to list")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Changes to skip")] = 0,
) -> dict[str, object]:
    return await run_in_threadpool(service.list_changes, _store(request), limit, offset)
