"""The reference for the nationwide benchmark: a bare FastAPI app with nothing of the project.

``BARE_BODIES`` names a folder of ``*.json`` files, served byte for byte at
``/b/{stem}`` (the same bytes the project answered, so only the project's own
work differs). With ``BARE_STORE`` set, the app opens that pyoxigraph store at
start and ``/healthz`` asks it a query, as the project's readiness does.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pyoxigraph as ox
from fastapi import FastAPI, HTTPException
from fastapi.responses import Response


def create_app() -> FastAPI:
    folder = os.environ.get("BARE_BODIES")
    bodies = {p.stem: p.read_bytes() for p in Path(folder).glob("*.json")} if folder else {}
    stores: list[ox.Store] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if os.environ.get("BARE_STORE"):
            stores.append(ox.Store(os.environ["BARE_STORE"]))
        yield
        stores.clear()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    def healthz() -> dict[str, object]:
        if stores:
            answer = stores[0].query("ASK { ?s ?p ?o }", use_default_graph_as_union=True)
            return {"status": "ok", "nonempty": bool(answer)}
        return {"status": "ok"}

    @app.get("/b/{name}")
    def body(name: str) -> Response:
        if name not in bodies:
            raise HTTPException(404)
        return Response(bodies[name], media_type="application/json")

    return app
