"""The network explorer: ``/explore`` pages, their data and a standalone HTML export.

* ``GET /explore``: the curated network (bodies with at least one relation);
  ``?scope=nation`` adds every local government.
* ``GET /explore/{key}?hops=k``: the ego network of one body.
* ``GET /explore/data.json``: the view model (:mod:`partnergraph.explore`) of
  the same scopes (``ego=`` and ``hops=`` for an ego network), with the
  filters ``type``, ``year``, ``prefecture``, ``kind`` and ``path=a,b`` applied.
* ``GET /explore/export.html``: one HTML file that works offline: vis-network,
  the page's script and styles inlined, the data embedded, and a
  Content-Security-Policy that admits exactly those inline blocks by hash.

The pages follow :mod:`api.routes.pages`: Jinja2 autoescapes every value, the
data travels as ``<script type="application/json">`` (never executed), scripts
and styles come from this app under a strict CSP. The page embeds the whole
view; filters, layout and overlays are applied in the browser (the view state
lives in the URL) with the same rules as :func:`partnergraph.explore.apply_filters`.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from partnergraph import explore
from partnergraph.errors import InvalidInputError
from partnergraph.web.i18n import MESSAGES
from partnergraph.web.routes.pages import (
    SECURITY_HEADERS,
    choose_language,
    layout_context,
    templates,
)

router = APIRouter(tags=["explore"], include_in_schema=False)

STATIC = Path(__file__).resolve().parents[1] / "static"
#: vis-network's classic UMD build: it bundles vis-data but, unlike the
#: ``standalone`` build, injects no ``<style>`` elements (which the CSP refuses);
#: its stylesheet is served beside it.
VIS_SCRIPT = "vis-network/dist/vis-network.min.js"
VIS_STYLE = "vis-network/dist/dist/vis-network.min.css"
#: The keys of the catalogue the page script needs.
SCRIPT_MESSAGE_PREFIX = "explore_"

Scope = Annotated[str, Query(description="curated (default) or nation")]
Lang = Annotated[str | None, Query()]
Hops = Annotated[int, Query(ge=1, le=4)]
Listed = Annotated[list[str] | None, Query()]


def _language(request: Request, lang: str | None) -> str:
    return choose_language(lang, request.headers.get("accept-language"))


async def _view(
    request: Request, *, scope: str, lang: str, ego: str | None = None, hops: int = 1
) -> dict[str, Any]:
    """The full view model (default layout and overlays), built off the event loop."""
    store = request.app.state.store
    return await run_in_threadpool(
        explore.view_of, store, scope=scope, lang=lang, ego=ego, hops=hops
    )


def _state(request: Request) -> dict[str, str]:
    """The view state as the page keeps it in its URL (for the export to restore)."""
    names = ("layout", "size", "color", "types", "year", "pref", "kind", "focus", "path")
    return {k: v for k, v in request.query_params.items() if k in names and v}


def _page_data(view: dict[str, Any], language: str, **extra: Any) -> dict[str, Any]:
    messages = {k: v for k, v in MESSAGES[language].items() if k.startswith(SCRIPT_MESSAGE_PREFIX)}
    return {"view": view, "messages": messages, "lang": language, **extra}


@router.api_route("/explore/data.json", methods=["GET", "HEAD"])
async def explore_data(
    request: Request,
    scope: Scope = "curated",
    lang: Lang = None,
    ego: Annotated[str | None, Query(description="a body: code, slug or name")] = None,
    hops: Hops = 1,
    layout: str | None = None,
    size: str = "degree",
    color: str = "kind",
    type: Listed = None,
    year: int | None = None,
    prefecture: Listed = None,
    kind: Listed = None,
    path: str | None = None,
) -> JSONResponse:
    """The view model as JSON, with the filters applied and a path highlighted."""
    view = await run_in_threadpool(
        explore.data_view,
        request.app.state.store,
        scope=scope,
        lang=_language(request, lang),
        ego=ego,
        hops=hops,
        layout=layout,
        size_by=size,
        color_by=color,
        types=type,
        year=year,
        prefectures=prefecture,
        kinds=kind,
        path=path,
    )
    return JSONResponse(view)


@router.api_route("/explore/export.html", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def explore_export(
    request: Request,
    scope: Scope = "curated",
    lang: Lang = None,
    ego: str | None = None,
    hops: Hops = 1,
) -> Response:
    """A standalone HTML file (attachment) that opens offline with the current view state."""
    language = _language(request, lang)
    view = await _view(request, scope=scope, lang=language, ego=ego, hops=hops)
    assets = request.app.state.settings.assets_dir
    scripts = [_inline(assets / VIS_SCRIPT, "</script"), _inline(STATIC / "explore.js", "</script")]
    styles = [
        _inline(path, "</style")
        for path in (assets / VIS_STYLE, STATIC / "app.css", STATIC / "explore.css")
    ]
    csp = "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(_hash(s) for s in scripts),
            "style-src " + " ".join(_hash(s) for s in styles),
            "img-src data: blob:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    data = _page_data(view, language, standalone=True, state=_state(request))
    context = {
        **layout_context(request, language, active="explore"),
        "page_data": data,
        "view": view,
        "scripts": scripts,
        "styles": styles,
        "csp": csp,
    }
    name = f"partnergraph-{ego or scope}.html"
    headers = {
        **SECURITY_HEADERS,
        "Content-Security-Policy": csp,
        "Content-Disposition": f'attachment; filename="{quote(name)}"',
    }
    return templates.TemplateResponse(request, "explore_export.html", context, headers=headers)


@router.api_route("/explore", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def explore_page(request: Request, scope: Scope = "curated", lang: Lang = None) -> Response:
    """The explorer over the curated network, or nationwide with ``?scope=nation``."""
    language = _language(request, lang)
    if scope not in explore.SCOPES:
        raise InvalidInputError(f"unknown scope {scope!r}: curated or nation", field="scope")
    view = await _view(request, scope=scope, lang=language)
    return _render(request, language, view, {"scope": scope})


@router.api_route("/explore/{key}", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def explore_ego(request: Request, key: str, hops: Hops = 1, lang: Lang = None) -> Response:
    """The ego network of one body (code, slug or name) within ``hops`` ties."""
    language = _language(request, lang)
    view = await _view(request, scope="curated", lang=language, ego=key, hops=hops)
    return _render(request, language, view, {"ego": view["center"], "hops": str(hops)})


def _render(
    request: Request, language: str, view: dict[str, Any], source: dict[str, str]
) -> Response:
    """The page: the view embedded, links for the export and the data in the same scope."""
    query = "&".join(f"{k}={quote(v)}" for k, v in {**source, "lang": language}.items())
    data = _page_data(
        view,
        language,
        standalone=False,
        endpoints={
            "data": f"/explore/data.json?{query}",
            "export": f"/explore/export.html?{query}",
            "organizations": "/api/v1/organizations",
        },
    )
    context = {
        **layout_context(request, language, active="explore"),
        "page_data": data,
        "view": view,
        "vis_script": "/vendor/" + VIS_SCRIPT,
        "vis_style": "/vendor/" + VIS_STYLE,
    }
    return templates.TemplateResponse(request, "explore.html", context, headers=SECURITY_HEADERS)


def _inline(path: Path, closing: str) -> str:
    """A file's text for an inline block; refuses one that would close the block early."""
    text = path.read_text(encoding="utf-8")
    if closing in text.lower():
        raise RuntimeError(f"{path} contains {closing!r} and cannot be inlined")
    return text


def _hash(text: str) -> str:
    """The CSP source expression admitting an inline block with exactly ``text``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
