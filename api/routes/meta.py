"""Liveness and version: what a load balancer or a test waits for."""

from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter(tags=["meta"])


@router.get("/healthz", summary="Liveness and graph version")
def healthz(request: Request) -> dict[str, object]:
    store = request.app.state.store
    return {"status": "ok", "graph_version": store.stored_version()}
