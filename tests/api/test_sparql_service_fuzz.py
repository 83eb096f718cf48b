"""Differential fuzz: 720 hidden SERVICE calls at a live server; a listener that must stay alone.

The listener on 127.0.0.1 answers like a SPARQL endpoint, with a marker value,
so a call that got through would show twice: as a connection it counts and as
the marker in a 2xx answer. Both must stay at zero, and each variant must be
refused (403) by the check, not only stopped by the network namespace. CI runs
this file as root and again as an unprivileged user (see ``.ci/run``).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.api.service_variants import variants
from tests.conftest import GRAPH_DIR
from tests.live import base_url, free_port, sparql_health, uvicorn_server

MARKER = "leaked-through-service"
_TERM = {"type": "literal", "value": MARKER}
ANSWER = json.dumps(
    {"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": [dict.fromkeys("spo", _TERM)]}}
)


class Listener(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that counts every connection made to it."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Answer)
        self.connections = 0
        self._count_lock = threading.Lock()

    def verify_request(self, request: object, client_address: object) -> bool:
        with self._count_lock:
            self.connections += 1
        return True


class _Answer(BaseHTTPRequestHandler):
    def _reply(self) -> None:
        body = ANSWER.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reply

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {
        "PARTNERGRAPH_STORE": str(tmp_path_factory.mktemp("fuzz") / "store"),
        "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR),
        "PARTNERGRAPH_BASE_IRI": base_url(port),
        "PARTNERGRAPH_QUERY_TIMEOUT": "5",
        "PARTNERGRAPH_VIEWS": "on-demand",  # SPARQL only: no explorer views
    }
    with uvicorn_server(env, port=port) as (base, _proc):
        yield base


def send(client: httpx.Client, transport: str, query: str) -> httpx.Response:
    if transport == "get":
        return client.get("/sparql", params={"query": query})
    if transport == "form":
        return client.post("/sparql", data={"query": query})
    return client.post(
        "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
    )


def test_the_listener_answers_like_an_endpoint(listener: Listener) -> None:
    """The probe itself works: a direct request is counted and gets the marker."""
    before = listener.connections
    response = httpx.get(f"http://127.0.0.1:{listener.server_address[1]}/sparql")
    assert MARKER in response.text and listener.connections == before + 1


def test_no_service_variant_reaches_the_listener(server: str, listener: Listener) -> None:
    port = listener.server_address[1]
    with httpx.Client(base_url=server, timeout=30) as client:
        health = sparql_health(server)
        assert health["network_isolation"] is True, f"uid {os.getuid()}: {health}"
        statuses: dict[int, int] = {}
        leaked = []
        before = listener.connections
        sent = 0
        for transport, query in variants(port):
            response = send(client, transport, query)
            sent += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.is_success and MARKER in response.text:
                leaked.append((transport, query))
            assert response.status_code == 403, (transport, query, response.text)
            assert "SERVICE" in response.json()["detail"]
        # A plain query still answers: the server refused the variants, it is not broken.
        ok = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert ok.status_code == 200 and ok.json()["boolean"] is True
    assert sent >= 500
    assert leaked == []
    assert listener.connections - before == 0
    assert statuses == {403: sent}
