"""``/api/v1/analysis/...``: network analysis over HTTP.

Each route parses its parameters, calls one library function off the event
loop and shapes the answer: JSON (the result's ``as_dict()``, as the CLI's
``--format json``) or CSV (UTF-8 with a BOM so Excel reads Japanese; the
rows of the CLI's ``--format csv``). Library errors become problem+json in
:mod:`api.problems`: an unknown body or no path 404, bad input 400.

The body a question is about is ``org`` (code, slug or name, as in the saved
queries); a path runs ``from`` one body ``to`` another.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from partnergraph.analysis.export import FORMATS as GRAPH_FORMATS
from partnergraph.analysis.export import export_graph
from partnergraph.analysis.measures import SORT_KEYS
from partnergraph.analysis.measures import centrality as run_centrality
from partnergraph.analysis.paths import ego_network, shortest_path
from partnergraph.analysis.resilience import resilience as run_resilience
from partnergraph.analysis.scope import REGIONS, Filters
from partnergraph.analysis.structure import communities as run_communities
from partnergraph.analysis.structure import structure as run_structure
from partnergraph.analysis.suggest import suggest as run_suggest
from partnergraph.dates import full_date
from partnergraph.errors import ViewNotReadyError
from partnergraph.paging import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, Page
from partnergraph.readmodel import hold_analysed
from partnergraph.store import GraphStore
from partnergraph.tables import render_csv
from partnergraph.web.params import TypeName, day

router = APIRouter(prefix="/api/v1/analysis", tags=["analysis"])

_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/json": {}, "text/csv": {}}},
    400: {
        "description": "Invalid input (unknown relation type, bad date, hops out of range)",
        **_PROBLEM,
    },
    404: {"description": "Unknown body, or no path between the two", **_PROBLEM},
}


class Result(Protocol):
    @property
    def header(self) -> tuple[str, ...]: ...

    def table(self) -> list[list[object]]: ...

    def as_dict(self) -> dict[str, object]: ...


Types = Annotated[
    list[TypeName] | None,
    Query(
        alias="type",
        description="Relation type (agreement notation, energy-supply, forum, membership); "
        "repeatable. Default: all.",
    ),
]
AsOf = Annotated[str | None, day("Only relations begun by this day (YYYY-MM-DD).")]
Prefecture = Annotated[
    str | None, Query(description="Only bodies in this prefecture (number, code or name).")
]
Region = Annotated[
    str | None,
    Query(
        description="Only bodies in this region: one of the eight, 関東 or kanto, ... "
        "(empty: the whole country, as when left out)",
        json_schema_extra={"enum": ["", *REGIONS, *(e for e, _, _ in REGIONS.values())]},
    ),
]
Isolated = Annotated[
    bool, Query(description="Add every local government, also those with no relation.")
]


def filters(
    types: Types = None,
    as_of: AsOf = None,
    prefecture: Prefecture = None,
    region: Region = None,
    include_isolated: Isolated = False,
) -> Filters:
    return Filters(
        types=tuple(types) if types else None,
        as_of=full_date(as_of, "as_of"),
        prefecture=prefecture,
        region=region,
        include_isolated=include_isolated,
    )


def filters_of_every_type(
    types: Annotated[
        list[str] | None,
        Query(
            alias="type",
            description="Not taken: resilience reads every relation type (400 if given).",
            json_schema_extra={"maxItems": 0},
        ),
    ] = None,
    as_of: AsOf = None,
    prefecture: Prefecture = None,
    region: Region = None,
    include_isolated: Isolated = False,
) -> Filters:
    """The filters of a question that reads every relation type (resilience).

    ``type=`` is declared with no items allowed; the library refuses it with a message.
    """
    return filters(types, as_of, prefecture, region, include_isolated)


Scope = Annotated[Filters, Depends(filters)]
EveryTypeScope = Annotated[Filters, Depends(filters_of_every_type)]
Format = Annotated[
    Literal["json", "csv"], Query(description="json (default) or csv (UTF-8 with BOM).")
]
Limit = Annotated[int | None, Query(ge=1, description="At most this many rows.")]


async def _ready(request: Request) -> GraphStore:
    """The store, once the shared projection and measures of its revision are built.

    They are built in the background after each change
    (:func:`partnergraph.explore.explore_views`); a request waits for that
    ``PARTNERGRAPH_MODEL_WAIT`` seconds at most, then is answered from the last
    revision analysed, labelled stale (``Partnergraph-Stale``, as pages
    are). With none analysed yet (a start), it waits ``PARTNERGRAPH_VIEW_WAIT``
    seconds in all, then gets 503 with Retry-After. Nothing is started for a
    client that has gone (499, as nginx logs a request its client closed;
    nobody receives it).
    """
    if await request.is_disconnected():
        raise HTTPException(status_code=499, detail="the client closed the request")
    views = request.app.state.views
    store: GraphStore = request.app.state.store
    settings = store.settings
    first = min(settings.model_wait, settings.view_wait)
    try:
        await run_in_threadpool(views.wait_prepared, wait=first)
    except ViewNotReadyError:
        if hold_analysed(store) is None:
            await run_in_threadpool(views.wait_prepared, wait=settings.view_wait - first)
    return store


def _shape(result: Result, fmt: str, name: str) -> Response:
    if fmt == "csv":
        return Response(
            render_csv(result.header, result.table(), bom=True),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'inline; filename="{name}.csv"'},
        )
    return JSONResponse(result.as_dict())


@router.get("/centrality", summary="Centrality of every body", responses=RESPONSES)
async def centrality(
    request: Request,
    scope: Scope,
    sort: Annotated[
        str,
        Query(
            description="pagerank, betweenness, closeness, degree, weighted_degree, core",
            json_schema_extra={"enum": list(SORT_KEYS)},
        ),
    ] = "pagerank",
    limit: Limit = None,
    format: Format = "json",
) -> Response:
    result = await run_in_threadpool(
        run_centrality, await _ready(request), scope, sort=sort, limit=limit
    )
    return _shape(result, format, "centrality")


@router.get("/communities", summary="Louvain communities (fixed seed)", responses=RESPONSES)
async def communities(request: Request, scope: Scope, format: Format = "json") -> Response:
    result = await run_in_threadpool(run_communities, await _ready(request), scope)
    return _shape(result, format, "communities")


@router.get(
    "/structure",
    summary="Bridges, articulation points, main core, overlap of relation layers",
    responses=RESPONSES,
)
async def structure(request: Request, scope: Scope, format: Format = "json") -> Response:
    result = await run_in_threadpool(run_structure, await _ready(request), scope)
    return _shape(result, format, "structure")


@router.get("/path", summary="Shortest chain of relations between two bodies", responses=RESPONSES)
async def path(
    request: Request,
    scope: Scope,
    source: Annotated[str, Query(alias="from", description="Code, slug or name.")],
    target: Annotated[str, Query(alias="to", description="Code, slug or name.")],
    format: Format = "json",
) -> Response:
    result = await run_in_threadpool(shortest_path, await _ready(request), source, target, scope)
    return _shape(result, format, "path")


@router.get("/ego", summary="Bodies within k hops of a body", responses=RESPONSES)
async def ego(
    request: Request,
    scope: Scope,
    org: Annotated[str, Query(description="The body: code, slug or name.")],
    hops: Annotated[int, Query(ge=1, le=4, description="Radius in hops, 1 to 4.")] = 1,
    format: Format = "json",
) -> Response:
    result = await run_in_threadpool(ego_network, await _ready(request), org, hops, scope)
    return _shape(result, format, "ego")


@router.get("/suggest", summary="Candidate partners with reasons and evidence", responses=RESPONSES)
async def suggest(
    request: Request,
    scope: Scope,
    org: Annotated[str, Query(description="The body: code, slug or name.")],
    limit: Annotated[int, Query(ge=1, description="How many suggestions.")] = 10,
    format: Format = "json",
) -> Response:
    result = await run_in_threadpool(run_suggest, await _ready(request), org, scope, limit=limit)
    return _shape(result, format, "suggest")


@router.get(
    "/resilience",
    summary="Disaster-pact partners, distances, flags and distant candidates",
    description="One entry per local government, in code order, paged: `page` from 1, "
    f"`page_size` entries (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}). The JSON says "
    '`more` when entries follow; a `Link` header (`rel="next"`) gives the next page and '
    "`Partnergraph-Next-Page` is `true` or `false`.",
    responses=RESPONSES,
)
async def resilience(
    request: Request,
    scope: EveryTypeScope,
    org: Annotated[
        str | None, Query(description="One local government (default: all with a relation).")
    ] = None,
    radius_km: Annotated[
        float | None,
        Query(gt=0, description="Near means within this distance (default: setting)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, description="Candidates per flagged body.")] = 5,
    flagged_only: bool = False,
    format: Format = "json",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page of the entries, from 1.")] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Entries per page.")
    ] = DEFAULT_PAGE_SIZE,
) -> Response:
    wanted = Page(page, page_size)
    result = await run_in_threadpool(
        run_resilience,
        await _ready(request),
        org,
        scope,
        radius_km=radius_km,
        limit=limit,
        flagged_only=flagged_only,
        page=wanted,
    )
    response = _shape(result, format, "resilience")
    response.headers["Partnergraph-Next-Page"] = "true" if result.more else "false"
    if result.more:
        following = request.url.include_query_params(page=wanted.next.number, page_size=page_size)
        response.headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    return response


@router.get(
    "/export",
    summary="The filtered graph as GraphML or GEXF",
    responses={200: {"content": {t: {} for t, _ in GRAPH_FORMATS.values()}}, 400: RESPONSES[400]},
)
async def export(
    request: Request,
    scope: Scope,
    format: Annotated[Literal["graphml", "gexf"], Query()] = "graphml",
    directed: Annotated[
        bool, Query(description="Supplies and memberships one way, agreements both ways.")
    ] = False,
) -> Response:
    data = await run_in_threadpool(
        export_graph, await _ready(request), scope, format, directed=directed
    )
    media_type, extension = GRAPH_FORMATS[format]
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="partnergraph.{extension}"'},
    )
