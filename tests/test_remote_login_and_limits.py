"""A remote store behind a login, and the time limit the server is asked for: against a real
Oxigraph server behind a real authenticating proxy (always), and against Debian's Virtuoso
(``make test-virtuoso``, which sets ``PARTNERGRAPH_TEST_STORE=virtuoso``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from partnergraph.backends.remote import RemoteBackend
from partnergraph.errors import QueryTimeoutError, StoreTimeoutError
from partnergraph.settings import Settings
from partnergraph.sparql.execute import QueryRequest
from partnergraph.sparql.forward import RemoteQueries
from tests.conftest import GRAPH_DIR
from tests.oxigraph_server import OxigraphServer
from tests.store_proxy import store_proxy
from tests.stores import KIND
from tests.test_remote_store import cli
from tests.virtuoso_server import PASSWORD, USER, VirtuosoServer

LOGIN = ("partnergraph", "right horse battery")
virtuoso_only = pytest.mark.skipif(KIND != "virtuoso", reason="make test-virtuoso runs it")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OxigraphServer]:
    with OxigraphServer(tmp_path / "oxigraph") as s:
        yield s


@pytest.fixture
def virtuoso(tmp_path: Path) -> Iterator[VirtuosoServer]:
    with VirtuosoServer(tmp_path / "virtuoso") as s:
        yield s


def test_a_refused_login_stops_load_and_serve_with_exit_2(
    server: OxigraphServer, tmp_path: Path
) -> None:
    with store_proxy(server.url, LOGIN) as proxy:
        env = {"PARTNERGRAPH_STORE": proxy.url, "PARTNERGRAPH_STORE_USER": LOGIN[0]}
        for command in ("load", "serve"):
            out = cli({**env, "PARTNERGRAPH_STORE_PASSWORD": "wrong"}, tmp_path, command)
            assert out.returncode == 2, (command, out.stderr)
            assert f"the SPARQL query endpoint at {proxy.url}/query refused the login" in out.stderr
            assert "PARTNERGRAPH_STORE_PASSWORD" in out.stderr
        refused = len(proxy.requests)
        loaded = cli({**env, "PARTNERGRAPH_STORE_PASSWORD": LOGIN[1]}, tmp_path, "load")
        assert loaded.returncode == 0, loaded.stderr
        assert len(proxy.requests) > refused  # the load went through the proxy
    assert not list(tmp_path.glob("http*"))


@pytest.mark.parametrize(("unit", "scale"), [("ms", 1000), ("s", 1)])
def test_every_query_asks_the_server_for_a_time_limit(
    server: OxigraphServer, unit: str, scale: int
) -> None:
    with store_proxy(server.url) as proxy:
        settings = Settings(
            store_url=proxy.url,
            graph_dir=GRAPH_DIR,
            query_timeout=7,
            store_timeout=30,
            store_timeout_param="limit-please",
            store_timeout_unit=unit,
        )
        queries = RemoteQueries(settings)
        try:
            answer = queries.run(QueryRequest("SELECT (1 + 1 AS ?two) WHERE {}"))
        finally:
            queries.close()
        assert answer.count == 1 and b'"2"' in answer.body
        RemoteBackend(settings).query("ASK {}")  # the library's own read: its own timeout
        RemoteBackend(settings).update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    sent = [(path, params) for _, path, params in proxy.requests]
    public, own, update = sent
    assert public[0] == own[0] == "/query" and update[0] == "/update"
    assert 0 < float(public[1]["limit-please"][0]) <= 7 * scale
    assert 7 * scale < float(own[1]["limit-please"][0]) <= 30 * scale
    assert "limit-please" not in update[1]


@virtuoso_only
def test_virtuoso_refuses_a_wrong_login_and_load_stops_naming_the_endpoint(
    virtuoso: VirtuosoServer, tmp_path: Path
) -> None:
    env = {f"PARTNERGRAPH_{k.upper()}": str(v) for k, v in virtuoso.settings().items()} | {
        "PARTNERGRAPH_STORE_PASSWORD": "not-" + PASSWORD
    }
    for command in ("load", "serve"):
        out = cli(env, tmp_path, command)
        assert out.returncode == 2, (command, out.stderr)
        assert f"{virtuoso.url}/sparql-auth refused the login (HTTP 401)" in out.stderr
    right = cli({**env, "PARTNERGRAPH_STORE_PASSWORD": PASSWORD}, tmp_path, "load")
    assert right.returncode == 0, right.stderr


@virtuoso_only
def test_virtuoso_stops_a_forwarded_query_at_the_limit_it_is_asked_for(
    virtuoso: VirtuosoServer,
) -> None:
    auth = httpx.DigestAuth(USER, PASSWORD)
    triples = " ".join(f"<urn:s{i}> <urn:p> <urn:o{i % 50}> ." for i in range(1000))
    insert = f"INSERT DATA {{ GRAPH <urn:g> {{ {triples} }} }}"
    httpx.post(f"{virtuoso.url}/sparql-auth", data={"update": insert}, auth=auth, timeout=60)
    # The server's own settings ask it for this client's limit (timeout, in ms).
    assert virtuoso.settings()["store_timeout_param"] == "timeout"
    settings = Settings(
        **virtuoso.settings(),  # type: ignore[arg-type]
        graph_dir=GRAPH_DIR,
        query_timeout=1,
    )
    heavy = "SELECT (COUNT(*) AS ?n) { ?a <urn:p> ?x . ?b <urn:p> ?y . ?c <urn:p> ?z }"
    queries = RemoteQueries(settings)
    try:
        # The client's own deadline is far off: only the server's limit can stop this query.
        with pytest.raises(QueryTimeoutError) as raised:
            queries.run(QueryRequest(heavy), deadline=time.monotonic() + 600)
    finally:
        queries.close()
    cause = raised.value.__cause__
    assert isinstance(cause, StoreTimeoutError)
    assert "stopped the query at its own time limit" in str(cause)
