"""Liveness and version: what a load balancer or a test waits for; and the API's Swagger UI."""

from __future__ import annotations

import base64
import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["meta"])

SWAGGER = "/vendor/swagger-ui-dist/"
#: The one inline script of /docs. Its hash goes into the page's CSP, so nothing else inline runs.
DOCS_INIT = (
    'SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", layout: "BaseLayout", '
    "deepLinking: true, showExtensions: true, showCommonExtensions: true, validatorUrl: null, "
    "presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]});"
)
_DOCS_INIT_HASH = base64.b64encode(hashlib.sha256(DOCS_INIT.encode()).digest()).decode()
#: Swagger UI draws its icons as data: images and sets styles from script; it fetches only
#: /openapi.json and the API itself, all on this origin.
DOCS_CSP = (
    "default-src 'none'; "
    f"script-src 'self' 'sha256-{_DOCS_INIT_HASH}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "connect-src 'self'; "
    "font-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_HTML = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>partnergraph API</title>
<link rel="stylesheet" href="{SWAGGER}swagger-ui.css">
<link rel="icon" href="/static/favicon.svg">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{SWAGGER}swagger-ui-bundle.js"></script>
<script>{DOCS_INIT}</script>
</body>
</html>
"""
#: The files of swagger-ui-dist that /docs loads (served from /vendor, see api.app).
DOCS_ASSETS = ("swagger-ui-dist/swagger-ui.css", "swagger-ui-dist/swagger-ui-bundle.js")


@router.get("/healthz", summary="Liveness and graph version")
def healthz(request: Request) -> dict[str, object]:
    store = request.app.state.store
    return {
        "status": "ok",
        "graph_version": store.stored_version(),
        "sparql": request.app.state.pool.status(),
        "views": request.app.state.views.status(),
    }


@router.get("/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    """Swagger UI for the OpenAPI description, served from the app's own assets (no CDN)."""
    return HTMLResponse(DOCS_HTML, headers={"Content-Security-Policy": DOCS_CSP})
