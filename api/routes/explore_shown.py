"""Which view of the explorer a request is shown, and its bytes made once per revision.

A scope's base view comes from the server's background builder
(:class:`partnergraph.views.ViewBuilder`): current, or an earlier revision's
labelled stale (``Partnergraph-Stale`` and ``Cache-Control: no-store``).
A page and its packed view are answered from the renditions saved with the
view when there are some (:mod:`partnergraph.explore.renditions`), without
reading the view; otherwise they are made from it here, once per revision
of the view shown, for every reader. The routes are in :mod:`.explore`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from partnergraph import explore
from partnergraph.errors import InvalidInputError
from partnergraph.explore import renditions
from partnergraph.revision_cache import RevisionCache
from partnergraph.views import Shown, ViewBuilder
from partnergraph.web.caching import STALE_HEADER


def _builder(request: Request, scope: str) -> ViewBuilder[tuple[str, str], dict[str, Any]]:
    """The app's view builder, once ``scope`` is known to be one it builds."""
    if scope not in explore.SCOPES:
        raise InvalidInputError(f"unknown scope {scope!r}: curated or nation", field="scope")
    views: ViewBuilder[tuple[str, str], dict[str, Any]] = request.app.state.views
    return views


def base(request: Request, scope: str, lang: str) -> Shown[dict[str, Any]]:
    """The background builder's base view of ``scope`` (perhaps of an earlier revision)."""
    return _builder(request, scope).get((scope, lang))


def saved(request: Request, scope: str, lang: str, name: str) -> Shown[bytes] | None:
    """A rendition (:mod:`partnergraph.explore.renditions`) of the view :func:`base` would
    give, read from its file without reading the view; None if it has none on disk."""
    return _builder(request, scope).saved((scope, lang), name)


def head(request: Request, scope: str, lang: str) -> Shown[dict[str, Any]]:
    """What a scope's page shows of its view (:func:`renditions.head`), from the saved head
    when there is one; else from the view itself."""
    found = saved(request, scope, lang, renditions.HEAD)
    if found is None:
        return base(request, scope, lang)
    return Shown(json.loads(found.value), found.revision, found.stale)


def stale_headers(shown: Shown[Any] | None) -> dict[str, str]:
    """``Partnergraph-Stale`` (and no-store) for a view older than the current revision."""
    if shown is None or not shown.stale:
        return {}
    return {STALE_HEADER: shown.revision, "Cache-Control": "no-store"}


def full_view(
    request: Request,
    *,
    scope: str,
    lang: str,
    ego: str | None = None,
    hops: int = 1,
    shown: Shown[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], Shown[dict[str, Any]] | None]:
    """The full view model (default layout and overlays) and, for a scope, how it was found
    (``shown``, when the caller has it already)."""
    store = request.app.state.store
    if shown is None and not ego:
        shown = base(request, scope, lang)
    view = explore.view_of(
        store, scope=scope, lang=lang, ego=ego, hops=hops, base=shown.value if shown else None
    )
    return view, shown


def kept(
    request: Request,
    shown: Shown[dict[str, Any]] | None,
    language: str,
    make: Callable[[], Response],
) -> Response:
    """``make()``'s response, made once per view revision and representation.

    The app's revision caching replays only current answers; a stale view is
    asked for by every reader until the new one is built, so its pages are
    kept here, by the revision they show (a newer one drops them all).
    Readers arriving while a page is made wait for that one (at 1 M triples a
    page took ~2 s of CPU, and ten at once took 17-18 s each).
    """
    if shown is None:
        return make()
    cache: RevisionCache[tuple[bytes, dict[str, str]]] = request.app.state.explore_responses
    key = "\n".join(
        (request.method, request.url.path, request.url.query, language, str(shown.stale))
    )

    def made() -> tuple[bytes, dict[str, str]]:
        response = make()
        return bytes(response.body), dict(response.headers)

    body, headers = cache.get_or_make(shown.revision, key, made, weigh=lambda kept: len(kept[0]))
    return Response(body, headers=headers)


def packed_json(
    request: Request, shown: Shown[dict[str, Any]], scope: str, lang: str, part: str
) -> bytes:
    """A part (``view`` or ``details``: :func:`partnergraph.explore.packing.split`) of a scope's
    packed view as JSON; both parts made at once, once per revision of the view it shows.

    18 MB at 1 M triples, ~1.5 s to pack and write: the stale view asked for
    after every write and its current page share it.
    """
    cache: RevisionCache[tuple[bytes, bytes]] = request.app.state.explore_payloads

    def made() -> tuple[bytes, bytes]:
        return renditions.packed_parts(shown.value)

    both = cache.get_or_make(
        shown.revision, f"{scope}\n{lang}", made, weigh=lambda parts: sum(map(len, parts))
    )
    return both[part == "details"]


def packed_gzip(
    request: Request, shown: Shown[dict[str, Any]], scope: str, lang: str, part: str
) -> bytes:
    """:func:`packed_json` gzipped, once per revision of the view it shows.

    Why not leave it to the gzip middleware: it compresses each response on the
    event loop, ~0.2 s for 18 MB, so ten readers of a stale view after a write
    took 2.0-2.4 s each and writes beside them 0.96 s (alone 0.21 s) at 1 M
    triples. A current view's answer is replayed compressed by the caching
    middleware, a stale one is not (it is marked ``no-store``).
    """
    cache: RevisionCache[bytes] = request.app.state.explore_payloads

    def made() -> bytes:
        return renditions.gzipped(packed_json(request, shown, scope, lang, part))

    return cache.get_or_make(shown.revision, f"{scope}\n{lang}\n{part}\ngzip", made, weigh=len)
