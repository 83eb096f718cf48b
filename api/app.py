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

from partnergraph import __version__
from partnergraph.settings import Settings
from partnergraph.snapshots import Snapshots
from partnergraph.sparql.pool import QueryPool
from partnergraph.store import GraphStore
from partnergraph.web import problems
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

STATIC = Path(__file__).parent / "static"
#: npm packages (installed into frontend/node_modules by `make`) served under /vendor/.
VENDOR_PACKAGES = ("codemirror", "vis-network", "swagger-ui-dist")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the store is opened (and built if needed) when it starts."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = GraphStore.open(settings)
        # Query workers read checkpoints, never the live store: one now, one after each change.
        snapshots = Snapshots.beside(settings.store_path)
        if not store.read_only:
            snapshots.reset()
            snapshots.take(store.raw)
            store.on_change(lambda revision: snapshots.take(store.raw))
        pool = QueryPool(
            snapshots,
            workers=settings.query_workers,
            timeout=settings.query_timeout,
            row_limit=settings.row_limit,
            memory_mb=settings.query_memory_mb,
            require_isolation=settings.sparql_isolation == "required",
        )
        pool.start()
        app.state.store = store
        app.state.pool = pool
        try:
            yield
        finally:
            pool.close()
            store.close()

    app = FastAPI(
        title="partnergraph",
        version=__version__,
        description="Partnerships between Japanese local governments, universities and other "
        "bodies, with their evidence: SPARQL 1.1 endpoint, REST API and pages.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(GZipMiddleware, minimum_size=2048)
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
    for package in VENDOR_PACKAGES:
        if (settings.assets_dir / package).is_dir():
            app.mount(
                f"/vendor/{package}",
                StaticFiles(directory=settings.assets_dir / package),
                name=f"vendor-{package}",
            )
    return app
