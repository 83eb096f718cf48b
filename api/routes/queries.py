"""``/api/v1/queries``: the saved planning queries of ``graph/queries/``, listed and run.

The routes parse the request, call one library function
(:mod:`partnergraph.saved_queries`) off the event loop and shape the answer;
binding the parameters, running the query in the worker pool and adding the
byte-order mark to CSV all happen in the library.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from partnergraph.errors import InvalidInputError
from partnergraph.paging import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, Page
from partnergraph.saved_queries import RESERVED, run_saved_query

router = APIRouter(prefix="/api/v1/queries", tags=["saved queries"])

PREFIX = "/api/v1/queries"
_PROBLEM: dict[str, Any] = {"application/problem+json": {}}

_LIST_EXAMPLE = [
    {
        "name": "partners-by-type",
        "title": {"ja": "団体の連携先（種別ごと）", "en": "Partners of a body, by type of tie"},
        "description": {"ja": "指定した団体と…", "en": "The bodies tied to the given body…"},
        "params": [
            {
                "name": "org",
                "type": "organization",
                "label": {"ja": "連携先を調べる団体", "en": "the body"},
                "required": True,
                "default": None,
                "example": "川場村",
                "choices": None,
            }
        ],
        "link": "/api/v1/queries/partners-by-type",
    }
]
_JSON_EXAMPLE = {
    "head": {"vars": ["org", "tie", "partner_name", "start"]},
    "results": {
        "bindings": [
            {
                "org": {"type": "uri", "value": "http://127.0.0.1:8000/lg/104442"},
                "tie": {"type": "literal", "value": "engagement-accord"},
                "partner_name": {"type": "literal", "value": "世田谷区", "xml:lang": "ja"},
                "start": {"type": "literal", "value": "1981-11"},
            }
        ]
    },
}
_CSV_EXAMPLE = "\ufefforg,tie,partner_name,start\r\nhttp://127.0.0.1:8000/lg/104442,engagement-accord,世田谷区,1981-11\r\n"

RUN_DESCRIPTION = f"""Run a saved query. Its parameters (see `GET /api/v1/queries`) are passed as
query-string parameters of the same name, e.g. `?org=川場村` or `?from=2014&to=2021`:

* `organization`: a 6- or 5-digit local government code, a slug (`seijo-university`) or a name in
  kanji, kana or romaji;
* `year` / `integer`: digits; `date`: `YYYY-MM-DD`; `agreement-type`: one of the listed choices;
  `string`, `iri`: as given.

Parameters left out (or empty) take their default; optional ones without a default stay unbound.
A missing, ill-typed or unknown parameter answers 400 naming it (`field`); an organization that
matches no body answers 422 naming it, with close matches (`suggestions`). The OpenAPI document
lists each saved query as an operation of its own, with its parameters.

`format=json` (default) gives SPARQL 1.1 JSON results; `format=csv` gives UTF-8 CSV **with a
byte-order mark** (so that Excel shows Japanese), as an attachment named after the query.

Answers are paged: `limit` rows per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}),
`page` counting from 1. When a next page exists the answer carries `Partnergraph-Truncated: true`
and a `Link` header to it (`rel="next"`); `Partnergraph-Next-Page` is `true` or `false`."""


def _list(request: Request) -> list[dict[str, object]]:
    queries = request.app.state.saved_queries.get()
    return [{**q.as_dict(), "link": f"{PREFIX}/{q.name}"} for q in queries.values()]


@router.get(
    "",
    summary="List the saved planning queries",
    description="Every saved query of `graph/queries/`: name, title and description in Japanese "
    "and English, its parameters (type, label, default, example, choices), and the link to run it.",
    responses={200: {"content": {"application/json": {"example": _LIST_EXAMPLE}}}},
)
async def list_queries(request: Request) -> list[dict[str, object]]:
    return await run_in_threadpool(_list, request)


@router.get(
    "/{name}",
    summary="Run a saved query with parameters",
    description=RUN_DESCRIPTION,
    response_class=Response,
    responses={
        200: {
            "description": "The query's results",
            "content": {
                "application/sparql-results+json": {"example": _JSON_EXAMPLE},
                "text/csv": {"example": _CSV_EXAMPLE},
            },
            "headers": {
                "Partnergraph-Truncated": {
                    "description": "`true` when more rows follow on a next page",
                    "schema": {"type": "string", "enum": ["true"]},
                },
                "Partnergraph-Next-Page": {
                    "description": "Whether a next page exists",
                    "schema": {"type": "string", "enum": ["true", "false"]},
                },
                "Link": {
                    "description": 'The next page, `<...>; rel="next"`, when there is one',
                    "schema": {"type": "string"},
                },
            },
        },
        400: {"description": "A missing, ill-typed or unknown parameter", "content": _PROBLEM},
        404: {"description": "No saved query of that name", "content": _PROBLEM},
        503: {"description": "The query ran past the time limit", "content": _PROBLEM},
    },
)
async def run_query(
    request: Request,
    name: Annotated[
        str,
        Path(
            description="Name of the saved query (its file name without `.rq`)",
            openapi_examples={
                "partners": {"summary": "Partners of a body", "value": "partners-by-type"},
                "survey": {"summary": "The 7th forum's survey", "value": "forum-survey"},
            },
        ),
    ],
    format: Annotated[
        Literal["json", "csv"], Query(description="Result format: SPARQL JSON or CSV (with BOM)")
    ] = "json",
    page: Annotated[
        int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1 (see `limit`)")
    ] = 1,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page (the page size)")
    ] = DEFAULT_PAGE_SIZE,
) -> Response:
    args: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in RESERVED:
            continue
        if key in args:
            raise InvalidInputError(f"parameter {key!r} is given more than once", field=key)
        args[key] = value
    wanted = Page(page, min(limit, request.app.state.pool.row_limit))  # never past the row limit
    state = request.app.state
    result = await run_in_threadpool(
        lambda: run_saved_query(
            state.store, state.pool, state.saved_queries.get(), name, args, format, wanted
        )
    )
    headers = {"Partnergraph-Next-Page": "true" if result.truncated else "false"}
    if result.truncated:
        following = request.url.include_query_params(page=wanted.next.number, limit=wanted.size)
        headers["Partnergraph-Truncated"] = "true"
        headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    if format == "csv":
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return Response(result.body, media_type="text/csv; charset=utf-8", headers=headers)
    return Response(result.body, media_type=result.media_type, headers=headers)
