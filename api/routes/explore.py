"""The network explorer: ``/explore`` pages, their data and a standalone HTML export.

* ``GET /explore``: the curated network (bodies with at least one relation);
  ``?scope=nation`` adds every local government.
* ``GET /explore/{key}?hops=k``: the ego network of one body.
* ``GET /explore/view.json``: a scope's view packed (:mod:`partnergraph.explore.packing`),
  which its page fetches and draws; ``GET /explore/details.json`` what it leaves out of
  the relations, which the page fetches next (``revision=``: 409 if another is shown).
* ``GET /explore/data.json``: the view model (:mod:`partnergraph.explore`) of
  the same scopes (``ego=`` and ``hops=`` for an ego network), with the
  filters ``type``, ``year``, ``prefecture``, ``kind`` and ``path=a,b`` applied.
* ``GET /explore/export.html``: one HTML file that works offline: vis-network,
  the page's script and styles inlined, the data embedded, and a
  Content-Security-Policy that admits exactly those inline blocks by hash.

The base views of the two scopes come from the server's background builder
(:class:`partnergraph.views.ViewBuilder`), never from a computation in the
request: after a write they show the previous revision until the new one is
built, marked by a ``Partnergraph-Stale: <revision shown>`` header (and
``Cache-Control: no-store``) and a note on the page; with no view at all yet,
a request waits ``PARTNERGRAPH_VIEW_WAIT`` seconds at most, then gets 503
with ``Retry-After`` (:mod:`.explore_shown` finds the view a request is shown).
Every response is made in a worker thread, never on the event loop, and
nothing is computed for a client that has gone.

The pages follow :mod:`api.routes.pages`: Jinja2 autoescapes every value, the
data travels as ``<script type="application/json">`` (never executed) or as
fetched JSON, scripts and styles come from this app under a strict CSP. The
page holds the whole view; filters, layout and overlays are applied in the
browser (the view state lives in the URL) with the same rules as
:func:`partnergraph.explore.apply_filters`, and it draws at most
``PARTNERGRAPH_EXPLORE_MAX_DRAWN`` lines.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2.utils import htmlsafe_json_dumps
from starlette.concurrency import run_in_threadpool

from partnergraph import explore
from partnergraph.errors import ConflictError, InvalidInputError, ViewNotReadyError
from partnergraph.explore import renditions
from partnergraph.views import Shown
from partnergraph.web.i18n import MESSAGES
from partnergraph.web.routes import explore_shown
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


async def _gone(request: Request) -> bool:
    """Whether the client has disconnected: then no work is started for it."""
    return await request.is_disconnected()


def _state(request: Request) -> dict[str, str]:
    """The view state as the page keeps it in its URL (for the export to restore)."""
    names = ("layout", "size", "color", "types", "year", "pref", "kind", "focus", "path")
    return {k: v for k, v in request.query_params.items() if k in names and v}


def _page_data(request: Request, language: str, **extra: Any) -> dict[str, Any]:
    """What the page script reads besides the view: messages, language, the drawing limit."""
    messages = {k: v for k, v in MESSAGES[language].items() if k.startswith(SCRIPT_MESSAGE_PREFIX)}
    return {
        "messages": messages,
        "lang": language,
        "max_drawn": request.app.state.settings.explore_max_drawn,
        **extra,
    }


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
) -> Response:
    """The view model as JSON, with the filters applied and a path highlighted."""
    language = _language(request, lang)
    if await _gone(request):
        return Response(status_code=204)

    def answer() -> Response:
        shown = None if ego else explore_shown.base(request, scope, language)
        return explore_shown.kept(request, shown, language, lambda: _data(shown))

    def _data(shown: Shown[dict[str, Any]] | None) -> JSONResponse:
        view = explore.data_view(
            request.app.state.store,
            scope=scope,
            lang=language,
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
            base=shown.value if shown else None,
        )
        return JSONResponse(
            {**view, "stale": bool(shown and shown.stale)},
            headers=explore_shown.stale_headers(shown),
        )

    return await run_in_threadpool(answer)


@router.api_route("/explore/view.json", methods=["GET", "HEAD"])
async def explore_view(request: Request, scope: Scope = "curated", lang: Lang = None) -> Response:
    """The packed view a scope's page draws (:mod:`partnergraph.explore.packing`), its
    relations cut to their years; ``/explore/details.json`` has the rest of them, and
    ``/explore/data.json`` is the whole view unpacked, with filters."""
    language = _language(request, lang)
    if await _gone(request):
        return Response(status_code=204)
    return await run_in_threadpool(_packed, request, scope, language, "view", None)


@router.api_route("/explore/details.json", methods=["GET", "HEAD"])
async def explore_details(
    request: Request,
    scope: Scope = "curated",
    lang: Lang = None,
    revision: Annotated[
        str | None, Query(description="the revision of the view read first: 409 if not shown")
    ] = None,
) -> Response:
    """What ``/explore/view.json`` leaves out (relation names, IRIs, sources, titles, and the
    view's sources), which the page fetches after its first frame."""
    language = _language(request, lang)
    if await _gone(request):
        return Response(status_code=204)
    return await run_in_threadpool(_packed, request, scope, language, "details", revision)


def _packed(
    request: Request, scope: str, language: str, part: str, revision: str | None
) -> Response:
    """A part of a scope's packed view, gzipped if the client takes it; ConflictError if it
    is not of ``revision`` (when given)."""
    gzipped = "gzip" in request.headers.get("accept-encoding", "")  # as the middleware reads
    name = renditions.DETAILS_GZIP if part == "details" else renditions.PACKED_GZIP
    saved = explore_shown.saved(request, scope, language, name)
    shown: Shown[Any] = saved or explore_shown.base(request, scope, language)
    if revision is not None and revision != shown.revision:
        raise ConflictError(
            f"the {scope} view shown now is of revision {shown.revision}, not {revision}: "
            "reload the page"
        )
    if saved is not None:  # saved with the view: its value is not read
        body = saved.value if gzipped else gzip.decompress(saved.value)
    else:
        make = explore_shown.packed_gzip if gzipped else explore_shown.packed_json
        body = make(request, shown, scope, language, part)
    headers = {**explore_shown.stale_headers(shown), "Vary": "Accept-Encoding"}
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/json", headers=headers)


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
    if await _gone(request):
        return Response(status_code=204)
    return await run_in_threadpool(_export, request, scope, language, ego, hops)


def _export(request: Request, scope: str, language: str, ego: str | None, hops: int) -> Response:
    view, shown = explore_shown.full_view(request, scope=scope, lang=language, ego=ego, hops=hops)
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
    data = _page_data(
        request, language, view=explore.pack(view), standalone=True, state=_state(request)
    )
    context = {
        **layout_context(request, language, active="explore"),
        "page_json": htmlsafe_json_dumps(data, ensure_ascii=False),
        "view": view,
        "scripts": scripts,
        "styles": styles,
        "csp": csp,
        "stale": shown.revision if shown and shown.stale else None,
    }
    name = f"partnergraph-{ego or scope}.html"
    headers = {
        **SECURITY_HEADERS,
        **explore_shown.stale_headers(shown),
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
    if await _gone(request):
        return Response(status_code=204)

    def page() -> Response:
        try:
            shown = explore_shown.head(request, scope, language)
        except ViewNotReadyError as exc:
            return _building(request, language, exc.retry_after)

        def render() -> Response:
            # The view's head: the script fetches the view and draws it.
            return _render(request, language, shown.value, {"scope": scope}, shown)

        return explore_shown.kept(request, shown, language, render)

    return await run_in_threadpool(page)


@router.api_route("/explore/{key}", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def explore_ego(request: Request, key: str, hops: Hops = 1, lang: Lang = None) -> Response:
    """The ego network of one body (code, slug or name) within ``hops`` ties."""
    language = _language(request, lang)
    if await _gone(request):
        return Response(status_code=204)

    def page() -> Response:
        view, _ = explore_shown.full_view(
            request, scope="curated", lang=language, ego=key, hops=hops
        )
        source = {"ego": view["center"], "hops": str(hops)}
        return _render(request, language, view, source, None)

    return await run_in_threadpool(page)


def _building(request: Request, language: str, retry_after: int) -> Response:
    """503 for a person: the view is being built, the page reloads itself when it may be done.

    The data endpoint answers problem+json instead (see :mod:`api.problems`).
    """
    context = {
        **layout_context(request, language, active="explore"),
        "retry_after": retry_after,
    }
    headers = {**SECURITY_HEADERS, "Retry-After": str(retry_after), "Cache-Control": "no-store"}
    return templates.TemplateResponse(
        request, "explore_building.html", context, status_code=503, headers=headers
    )


def _render(
    request: Request,
    language: str,
    view: dict[str, Any],
    source: dict[str, str],
    shown: Shown[dict[str, Any]] | None,
) -> Response:
    """The page, with links for the export and the data in the same scope.

    A scope's page (``shown``) names the URL of its packed view, which the
    script fetches; an ego network's view is embedded.
    """
    query = "&".join(f"{k}={quote(v)}" for k, v in {**source, "lang": language}.items())
    endpoints = {
        "data": f"/explore/data.json?{query}",
        "export": f"/explore/export.html?{query}",
        "organizations": "/api/v1/organizations",
    }
    if shown is None:
        data = _page_data(request, language, view=explore.pack(view), endpoints=endpoints)
        view_url = None
    else:
        view_url = f"/explore/view.json?{query}"
        details_url = f"/explore/details.json?{query}"
        data = _page_data(
            request, language, view_url=view_url, details_url=details_url, endpoints=endpoints
        )
    context = {
        **layout_context(request, language, active="explore"),
        "page_json": htmlsafe_json_dumps(data, ensure_ascii=False),
        "view_url": view_url,
        "view": view,
        "vis_script": "/vendor/" + VIS_SCRIPT,
        "vis_style": "/vendor/" + VIS_STYLE,
        "stale": shown.revision if shown and shown.stale else None,
    }
    headers = {**SECURITY_HEADERS, **explore_shown.stale_headers(shown)}
    return templates.TemplateResponse(request, "explore.html", context, headers=headers)


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
