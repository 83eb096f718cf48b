"""A small real HTTP server on 127.0.0.1 in front of a SPARQL server, for the tests of what the
remote store sends and of a refused login: it passes every request on to the server behind it,
answers 401 to a request without the login when it is given one (as an authenticating proxy in
front of Oxigraph server does in a deployment), and keeps each request's path and query-string
parameters for the test to read."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class StoreProxy:
    """``url`` forwards to ``upstream``; ``requests`` holds (method, path, parameters) of each."""

    def __init__(self, upstream: str, login: tuple[str, str] | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.expected = None
        if login is not None:
            token = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode()
            self.expected = f"Basic {token}"
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> StoreProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the tests read ``requests`` instead."""

            def _forward(self) -> None:
                parts = urlsplit(self.path)
                with proxy._lock:
                    proxy.requests.append((self.command, parts.path, parse_qs(parts.query)))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if proxy.expected and self.headers.get("Authorization") != proxy.expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="store"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in _HOP | {"host", "authorization"}
                }
                answer = httpx.request(
                    self.command,
                    proxy.upstream + self.path,
                    headers=headers,
                    content=body,
                    timeout=600,
                )
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in _HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        return Handler


@contextmanager
def store_proxy(upstream: str, login: tuple[str, str] | None = None) -> Iterator[StoreProxy]:
    """A running proxy in front of ``upstream``, stopped on exit."""
    proxy = StoreProxy(upstream, login).start()
    try:
        yield proxy
    finally:
        proxy.stop()
