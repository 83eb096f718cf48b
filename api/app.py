"""The application factory: one app over one store, built from one settings object.

>>> app = create_app(Settings(store_path=Path("/tmp/pg-store")))   # doctest: +SKIP

``uvicorn --factory partnergraph.web.app:create_app`` serves it with settings from the
environment; tests call :func:`create_app` with settings over a temporary store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp

from partnergraph import __version__
from partnergraph.assets import VENDOR_FILES, require_assets
from partnergraph.backends.embedded import EmbeddedBackend
from partnergraph.explore import explore_views
from partnergraph.revision_cache import RevisionCache
from partnergraph.saved_query_files import SavedQueryFiles
from partnergraph.settings import Settings
from partnergraph.snapshots import Snapshots
from partnergraph.sparql.forward import RemoteQueries
from partnergraph.sparql.pool import QueryPool
from partnergraph.store import GraphStore
from partnergraph.view_files import views_folder
from partnergraph.web import openapi, problems
from partnergraph.web.caching import RevisionCaching
from partnergraph.web.limits import BodySizeLimit
from partnergraph.web.routes import (
    analysis,
    entities,
    explore,
    meta,
    organizations,
    pages,
    queries,
    records,
    sparql,
    writes,
)
from partnergraph.web.security import ListedFiles, NoSniff

STATIC = Path(__file__).parent / "static"


class PartnergraphApp(FastAPI):
    """FastAPI with :class:`NoSniff` around the whole stack, outside Starlette's error handler."""

    def build_middleware_stack(self) -> ASGIApp:
        return NoSniff(super().build_middleware_stack())


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the store is opened (and built if needed) when it starts.

    Raises :class:`~partnergraph.errors.AssetsMissingError` (saying how to install
    them) when the front-end files the pages load are missing.
    """
    settings = settings or Settings.from_env()
    require_assets(settings.assets_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = GraphStore.open(settings)
        # Query workers read checkpoints, never the live store: one now, one after each change.
        snapshots = Snapshots.beside(settings.store_path)
        backend = store.backend
        if isinstance(backend, EmbeddedBackend) and not store.read_only:
            snapshots.reset()
            snapshots.take(backend.store)

            def checkpoint(revision: str) -> None:
                snapshots.take(backend.store)

            store.on_change(checkpoint)
        pool: QueryPool | RemoteQueries
        if settings.remote:
            pool = RemoteQueries(settings)
        else:
            pool = QueryPool(
                snapshots,
                workers=settings.query_workers,
                timeout=settings.query_timeout,
                row_limit=settings.row_limit,
                memory_mb=settings.query_memory_mb,
                slow_nice=settings.query_slow_nice,
                require_isolation=settings.sparql_isolation == "required",
            )
        pool.start(wait=False)  # the workers come up while the app starts (see QueryPool.start)
        # Derived views (the explorer's) are built in a child process from the newest checkpoint,
        # once per revision: the first now, without delaying readiness, the next after each change.
        # A remote store has no checkpoints nor a folder to keep views beside: built in-process.
        local = isinstance(backend, EmbeddedBackend) and not store.read_only
        views = explore_views(
            store,
            wait=settings.view_wait,
            folder=views_folder(settings.store_path) if local else None,
            snapshots=snapshots if local else None,
        )
        store.on_change(views.on_change)
        views.start()
        app.state.store = store
        app.state.pool = pool
        app.state.views = views
        try:
            yield
        finally:
            views.close()
            pool.close()
            store.close()

    app = PartnergraphApp(
        title="partnergraph",
        version=__version__,
        description="Partnerships between Japanese local governments, universities and other "
        "bodies, with their evidence: SPARQL 1.1 endpoint, REST API and pages.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.saved_queries = SavedQueryFiles(settings.graph_dir)  # read again when one changes
    # Explorer answers by the revision of the view they show (stale ones included).
    app.state.explore_responses = RevisionCache()
    # The explorer's packed views (18 MB a scope at 1 M triples), shared by a view's current
    # and stale pages: two scopes in two languages, with room to spare.
    app.state.explore_payloads = RevisionCache(max_bytes=256 << 20, max_entry_bytes=64 << 20)
    app.openapi = lambda: openapi.document(app)  # type: ignore[method-assign]
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Level 4, not Starlette's 9: a 25 MB explorer page took 1.72 s at 9 and 0.23 s at 4,
    # for 3.56 MB against 3.88 MB.
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=4)
    app.add_middleware(RevisionCaching)  # 304s and kept answers skip everything inside it
    # Added last, so it runs first: a made-up Host gets 400 before anything builds a URL from it.
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts(), www_redirect=False
    )
    problems.install(app)
    app.include_router(meta.router)
    app.include_router(sparql.router)
    app.include_router(queries.router)
    app.include_router(pages.router)
    app.include_router(organizations.router)
    app.include_router(records.router)
    app.include_router(entities.router)
    app.include_router(analysis.router)
    app.include_router(writes.router)
    app.include_router(explore.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/vendor", ListedFiles(settings.assets_dir, VENDOR_FILES), name="vendor")
    return app
