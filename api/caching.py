"""HTTP caching for every GET: a strong ETag from the graph revision, 304s, Cache-Control,
and answers replayed as bytes until the next write.

Every answer of the app is a function of the graph revision and of the request's
representation: method, path, query string, and the ``Accept``,
``Accept-Language``, ``Accept-Encoding`` and ``Host`` headers (and, so that no
answer crosses from one caller to another, ``Authorization`` and ``Cookie``).
So the ETag is computed *before* the route runs
(:func:`partnergraph.revision_cache.entity_tag`), a matching ``If-None-Match``
is answered 304 without running it, and a 200 is kept as bytes in a
:class:`~partnergraph.revision_cache.RevisionCache` and replayed for the same
representation until the revision changes.

Cache-Control per route: ``no-cache`` (store, but revalidate: the answer
changes with any write) for data, pages, queries and the explorer;
``no-store`` for ``/healthz``; static and vendored files (not content-hashed,
so no long max-age) get ``no-cache`` beside Starlette's own ETag. A route that
sets ``Cache-Control`` or ``ETag`` itself (a view marked stale, say) is left
alone and never replayed; so is any answer but a 200, and one with
``Set-Cookie``.

After a write, a GET waits ``PARTNERGRAPH_MODEL_WAIT`` seconds at most for the
new revision's read model (:func:`partnergraph.readmodel.allow_previous`); past
that it is answered from the previous revision's, with ``Partnergraph-Stale:
<revision shown>`` and ``no-store``, and is neither tagged nor kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partnergraph.errors import StoreError
from partnergraph.readmodel import PreviousAllowed, allow_previous
from partnergraph.revision_cache import RevisionCache, entity_tag
from partnergraph.store import GraphStore
from partnergraph.web.problems import library_problem

REVALIDATE = "no-cache"
NO_STORE = "no-store"
#: Request headers an answer may depend on; the first three are named in ``Vary``.
VARY = ("accept", "accept-language", "accept-encoding")
_KEYED = (*VARY, "host", "authorization", "cookie")
_STATIC = ("/static/", "/vendor/")
_UNCACHED = ("/healthz",)
#: Names the revision an answer was made from when it is not the current one.
STALE_HEADER = "Partnergraph-Stale"


@dataclass(frozen=True)
class Kept:
    """A 200 as it was sent: its headers (ETag and Cache-Control included) and body."""

    headers: list[tuple[bytes, bytes]]
    body: bytes


class RevisionCaching:
    """ASGI middleware: ETag / If-None-Match / Cache-Control, and replay of kept answers.

    The store is ``app.state.store`` of the app in the request's scope; the
    answers are kept in ``app.state.responses`` (made on first use, one per app).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(_STATIC):
            await self.app(scope, receive, _with_cache_control(send, REVALIDATE))
            return
        state = scope["app"].state
        store: GraphStore | None = getattr(state, "store", None)
        if path in _UNCACHED or store is None:
            await self.app(scope, receive, _with_cache_control(send, NO_STORE))
            return
        headers = Headers(scope=scope)
        representation = [
            scope["method"],
            scope.get("root_path", "") + path,
            scope.get("query_string", b"").decode("latin-1"),
            *(f"{name}={headers.get(name, '')}" for name in _KEYED),
        ]
        key = "\n".join(representation)
        try:
            revision = await _published_revision(store)
        except StoreError as exc:  # a remote store gone: 503 until it is back
            await library_problem(exc)(scope, receive, send)
            return
        tag = entity_tag(revision, representation)
        if _matches(headers.get("if-none-match"), tag):
            await _not_modified(send, tag)
            return
        cache: RevisionCache[Kept] | None = getattr(state, "responses", None)
        if cache is None:
            cache = state.responses = RevisionCache()
        kept = cache.get(revision, key)
        if kept is not None:
            await send({"type": "http.response.start", "status": 200, "headers": kept.headers})
            await send({"type": "http.response.body", "body": kept.body})
            return
        wait = store.settings.model_wait
        with allow_previous(wait) as allowed:
            recorder = _Recorder(send, cache, store, revision, key, tag, allowed)
            await self.app(scope, receive, recorder)


async def _published_revision(store: GraphStore) -> str:
    """The store's published revision; read on a thread when it is a server's (an HTTP call)."""
    if store.settings.remote:
        return await anyio.to_thread.run_sync(store.published_revision)
    return store.published_revision()


class _Recorder:
    """The ``send`` of one request: adds ETag, Cache-Control and Vary to a 200 and keeps it."""

    def __init__(
        self,
        send: Send,
        cache: RevisionCache[Kept],
        store: GraphStore,
        revision: str,
        key: str,
        tag: str,
        allowed: PreviousAllowed,
    ) -> None:
        self.send, self.cache, self.store = send, cache, store
        self.revision, self.key, self.tag = revision, key, tag
        self.allowed = allowed
        self.keep = False
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.size = 0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            own = "cache-control" in headers or "etag" in headers or "set-cookie" in headers
            if self.allowed.shown is not None and STALE_HEADER not in headers:
                # Made from the previous revision's tables while the current ones build.
                headers[STALE_HEADER] = self.allowed.shown
                headers["Cache-Control"] = NO_STORE
                if "etag" in headers:
                    del headers["etag"]
            elif message["status"] == 200 and not own:
                # A write that lands while the route runs: the body may be newer than the tag.
                try:
                    now = await _published_revision(self.store)
                except StoreError:
                    now = None
                if now == self.revision:
                    headers["ETag"] = self.tag
                    self.keep = True
                headers["Cache-Control"] = REVALIDATE
                _add_vary(headers)
            elif "cache-control" not in headers:
                headers["Cache-Control"] = REVALIDATE if message["status"] < 400 else NO_STORE
            self.headers = list(message["headers"])
        elif message["type"] == "http.response.body" and self.keep:
            body = message.get("body", b"")
            self.size += len(body)
            if self.size > self.cache.max_entry_bytes:
                self.keep, self.chunks = False, []
            else:
                self.chunks.append(body)
                if not message.get("more_body", False):
                    kept = Kept(self.headers, b"".join(self.chunks))
                    self.cache.put(self.revision, self.key, kept, size=self.size + 512)
        await self.send(message)


def _with_cache_control(send: Send, value: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers.setdefault("Cache-Control", value)
        await send(message)

    return wrapped


def _add_vary(headers: MutableHeaders) -> None:
    present = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
    lower = {v.lower() for v in present}
    names = {"accept": "Accept", "accept-language": "Accept-Language"}
    names["accept-encoding"] = "Accept-Encoding"
    present += [names[v] for v in VARY if v not in lower]
    headers["Vary"] = ", ".join(present)


def _matches(if_none_match: str | None, tag: str) -> bool:
    """``If-None-Match`` compared weakly, as RFC 9110 asks for it (``W/`` prefixes ignored).

    ``*`` is not honoured: it would need to know that the route answers 200."""
    if not if_none_match:
        return False
    candidates = [c.strip().removeprefix("W/") for c in if_none_match.split(",")]
    return tag in candidates


async def _not_modified(send: Send, tag: str) -> None:
    vary = ", ".join(("Accept", "Accept-Language", "Accept-Encoding"))
    headers = [
        (b"etag", tag.encode()),
        (b"cache-control", REVALIDATE.encode()),
        (b"vary", vary.encode()),
    ]
    await send({"type": "http.response.start", "status": 304, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
