"""Liveness and version: what a load balancer or a test waits for."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["meta"])


@router.get("/healthz", summary="Liveness and graph version")
def healthz(request: Request) -> dict[str, object]:
    store = request.app.state.store
    return {
        "status": "ok",
        "graph_version": store.stored_version(),
        "sparql": request.app.state.pool.status(),
    }


@router.get("/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    """Swagger UI for the OpenAPI description, served from the app's own assets (no CDN)."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="partnergraph API",
        swagger_js_url="/vendor/swagger-ui-dist/swagger-ui-bundle.js",
        swagger_css_url="/vendor/swagger-ui-dist/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
