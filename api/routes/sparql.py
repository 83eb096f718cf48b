"""``/sparql``: the SPARQL 1.1 Protocol, query operation only.

The route reads the protocol's forms (GET ``?query=``, POST form, POST
``application/sparql-query``), hands the query with the client's Accept and
``format=`` to the worker pool, and shapes the HTTP answer. All the work
(checking, negotiating the format once the form is known, evaluating,
serialising) happens in the library and its worker processes, called off the
event loop so that a slow query never holds up other requests. The time
limit starts when the request arrives: waiting for a thread or a worker
counts against it. Updates are refused with 403.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Annotated, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from partnergraph.errors import (
    InvalidInputError,
    QueryRefusedError,
    QueryTimeoutError,
    UnsupportedMediaTypeError,
)
from partnergraph.sparql.formats import FORMATS, negotiate
from partnergraph.sparql.pool import QueryPool, QueryRequest, QueryResult
from partnergraph.sparql.safety import UPDATE_REFUSED, QueryForm
from partnergraph.sparql.service import describe_service

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
#: Threads that may wait on the pool at once, per worker process.
THREADS_PER_WORKER = 8
#: Calls on threads one client address may have at once.
THREADS_PER_CLIENT = 2
T = TypeVar("T")

DESCRIPTION = """SPARQL 1.1 Protocol endpoint, **query only** (updates are refused with 403).

Without `query`, `GET /sparql` answers with the SPARQL 1.1 Service Description.

* **Default graph**: the union of the named graphs (every fact lives in the graph of its source
  document). `default-graph-uri` / `named-graph-uri` (repeatable) set the dataset instead, as do
  `FROM` / `FROM NAMED` in the query.
* **Prefixes**: the project's prefixes (`pg:`, `org:`, `schema:`, `dct:`, `skos:`, `geo:`,
  `prov:`, `rdf:`, `rdfs:`, `xsd:`, `owl:`, `pgat:`, `pges:`) may be used without PREFIX lines.
* **Formats**: SELECT/ASK as SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT/DESCRIBE as
  Turtle (default), N-Triples, JSON-LD or RDF/XML. Chosen by the `Accept` header (q-values and
  wildcards honoured) or by `format=json|xml|csv|tsv|ttl|nt|jsonld|rdfxml`, which wins.
* **Limits**: each query is stopped after the configured time limit, counted from its arrival
  (503), or when it needs more than a worker's memory limit (503). One client address holds at
  most one worker while others wait. Answers stop after the row limit: then
  `Partnergraph-Truncated: true` and a `Warning` header say so; `Partnergraph-Row-Limit`
  always gives the limit.
* `SERVICE` (federated query) is refused with 403, as is any query holding the letters
  `service` anywhere (any case, after `\\u` escapes), even in a string or comment.
* 503 as well when the server requires network isolation for its query workers and could not
  get it (`/healthz` says which holds).
"""

_PROBLEM: dict[str, dict[str, object]] = {"application/problem+json": {}}
RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "Query results, or the service description when there is no query",
        "content": {f.media_type: {} for f in FORMATS.values()},
        "headers": {
            "Partnergraph-Truncated": {
                "description": "`true` when the answer was cut at the row limit",
                "schema": {"type": "string", "enum": ["true", "false"]},
            },
            "Partnergraph-Row-Limit": {
                "description": "Most rows (or triples) an answer carries",
                "schema": {"type": "integer"},
            },
        },
    },
    400: {"description": "Malformed query (with line and column) or request", "content": _PROBLEM},
    403: {"description": "An update, or a query using SERVICE", "content": _PROBLEM},
    406: {"description": "No offered format is acceptable", "content": _PROBLEM},
    413: {"description": "Request body too large", "content": _PROBLEM},
    415: {"description": "POST body of another media type", "content": _PROBLEM},
    503: {
        "description": "The query ran or waited past the time limit, or hit the memory limit, "
        "and was stopped; or public SPARQL is off (no network isolation)",
        "content": _PROBLEM,
    },
}

DefaultGraphs = Annotated[
    list[str] | None,
    Query(
        alias="default-graph-uri",
        description="IRI of a graph to merge into the default graph (repeatable)",
    ),
]
NamedGraphs = Annotated[
    list[str] | None,
    Query(alias="named-graph-uri", description="IRI of a graph to make available by name"),
]
FormatParam = Annotated[
    list[str] | None,
    Query(
        alias="format",
        description="Result format, overriding Accept: json, xml, csv, tsv (SELECT, ASK); "
        "ttl, nt, jsonld, rdfxml (CONSTRUCT, DESCRIBE)",
    ),
]


@router.get(
    "/sparql",
    summary="SPARQL query (GET), or the service description",
    description=DESCRIPTION,
    response_class=Response,
    responses=RESPONSES,
)
async def sparql_get(
    request: Request,
    default_graphs: DefaultGraphs = None,
    named_graphs: NamedGraphs = None,
    formats: FormatParam = None,
    query: Annotated[str | None, Query(description="The SPARQL query")] = None,
) -> Response:
    params = request.query_params
    if "update" in params:
        raise QueryRefusedError(UPDATE_REFUSED)
    if query is None:
        if default_graphs or named_graphs:
            raise InvalidInputError(
                "default-graph-uri and named-graph-uri apply to a query; give one (query=...)",
                "query",
            )
        return await _service_description(request, formats or [])
    _single(params.getlist("query"))
    return await _answer(request, query, default_graphs or [], named_graphs or [], formats or [])


@router.post(
    "/sparql",
    summary="SPARQL query (POST, form or direct)",
    description=DESCRIPTION,
    response_class=Response,
    responses=RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": {"type": "string"},
                            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "format": {"type": "string"},
                        },
                    }
                },
                DIRECT: {"schema": {"type": "string"}},
            },
        }
    },
)
async def sparql_post(
    request: Request,
    default_graphs: DefaultGraphs = None,
    named_graphs: NamedGraphs = None,
    formats: FormatParam = None,
) -> Response:
    media_type, charset = _content_type(request.headers.get("content-type", ""))
    if media_type == UPDATE:
        raise QueryRefusedError(UPDATE_REFUSED)
    if media_type == DIRECT:
        try:
            query = (await request.body()).decode(charset)
        except (UnicodeDecodeError, LookupError):
            raise InvalidInputError(f"the query is not valid {charset} text", "query") from None
        return await _answer(
            request, query, default_graphs or [], named_graphs or [], formats or []
        )
    if media_type == FORM:
        form = await request.form()
        if "update" in form:
            raise QueryRefusedError(UPDATE_REFUSED)
        query = _single(_strings(form, "query"))
        return await _answer(
            request,
            query,
            [*(default_graphs or []), *_strings(form, "default-graph-uri")],
            [*(named_graphs or []), *_strings(form, "named-graph-uri")],
            [*(formats or []), *_strings(form, "format")],
        )
    raise UnsupportedMediaTypeError(
        f"POST a query as {FORM} (query=...) or as {DIRECT}; got {media_type or 'nothing'}"
    )


async def _answer(
    request: Request,
    query: str,
    default_graphs: list[str],
    named_graphs: list[str],
    formats: list[str],
) -> Response:
    pool: QueryPool = request.app.state.pool
    deadline = time.monotonic() + pool.timeout
    job = QueryRequest(
        query=query,
        result_format=None,
        accept=request.headers.get("accept"),
        formats=tuple(formats),
        default_graphs=tuple(default_graphs),
        named_graphs=tuple(named_graphs),
        prefixes=True,
    )
    client = request.client.host if request.client else None
    call = partial(pool.run, job, client=client, deadline=deadline)
    result: QueryResult = await _in_thread(request, call, deadline, pool.timeout)
    return Response(result.body, media_type=result.media_type, headers=_headers(result, pool))


async def _in_thread(request: Request, call: Callable[[], T], deadline: float, limit: float) -> T:
    """Run a blocking pool call on a thread by ``deadline``: a few per worker, two per client.

    The pool blocks while its workers are busy; without a limiter of its own a
    burst of slow queries could take every thread of the shared pool that the
    other (synchronous) routes also need. A client address has at most
    :data:`THREADS_PER_CLIENT` calls on threads (one running, one next in
    line); its further requests wait here, so that a burst from one address
    cannot fill the threads others need to reach the pool. Every wait counts
    against the request's time limit.
    """
    state = request.app.state
    limiter = getattr(state, "sparql_limiter", None)
    if limiter is None:
        limiter = state.sparql_limiter = anyio.CapacityLimiter(THREADS_PER_WORKER * state.pool.size)
    clients: dict[str, anyio.CapacityLimiter] | None = getattr(state, "sparql_clients", None)
    if clients is None:
        clients = state.sparql_clients = {}
    address = request.client.host if request.client else ""
    own = clients.setdefault(address, anyio.CapacityLimiter(THREADS_PER_CLIENT))
    try:
        with anyio.move_on_after(max(0.0, deadline - time.monotonic())) as scope:
            async with own:
                return await anyio.to_thread.run_sync(call, limiter=limiter)
    finally:
        if own.borrowed_tokens == 0 and own.statistics().tasks_waiting == 0:
            clients.pop(address, None)
    if scope.cancelled_caught:
        raise QueryTimeoutError(
            f"the query waited past the {limit:g} s time limit; try again later"
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _headers(result: QueryResult, pool: QueryPool) -> dict[str, str]:
    headers = {
        "Vary": "Accept",
        "Partnergraph-Truncated": "true" if result.truncated else "false",
        "Partnergraph-Row-Limit": str(pool.row_limit),
    }
    if result.count is not None:
        headers["Partnergraph-Result-Count"] = str(result.count)
    if result.truncated:
        headers["Warning"] = (
            f'199 - "results truncated at {pool.row_limit} rows; '
            'use LIMIT and OFFSET to page through the rest"'
        )
    return headers


async def _service_description(request: Request, formats: list[str]) -> Response:
    fmt = negotiate(QueryForm.CONSTRUCT, request.headers.get("accept"), formats)
    store = request.app.state.store
    endpoint = request.app.state.settings.base_iri + "sparql"
    graphs = await anyio.to_thread.run_sync(store.loaded_graphs)
    body = describe_service(endpoint, graphs, fmt)
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


def _content_type(header: str) -> tuple[str, str]:
    """The media type (lower case, no parameters) and the charset, UTF-8 unless given."""
    media_type, *params = (part.strip() for part in header.split(";"))
    charset = "utf-8"
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return media_type.lower(), charset


def _strings(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]


def _single(values: list[str]) -> str:
    if not values:
        raise InvalidInputError("the request has no query parameter", "query")
    if len(values) > 1:
        raise InvalidInputError("give exactly one query parameter", "query")
    return values[0]
