"""The store on a real Oxigraph server (the ``oxigraph`` package's CLI) and its faults:
a stopped server, a wrong port, a URL typo, a server without the Graph Store Protocol or
SPARQL Update, a server killed mid-load, a server gone while the API serves."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.web.app import create_app
from tests.conftest import GRAPH_DIR
from tests.oxigraph_server import OxigraphServer, free_port
from tests.stores import MODEL_WAIT
from tests.writes.support import TOKEN, TOKENS, fingerprint, organization


def cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "partnergraph", *args],
        env={**os.environ, "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,  # only against a hang
    )


def shape(quads: Iterable[ox.Quad]) -> Counter[str]:
    """The quads with blank nodes unnamed (each store names them its own way)."""

    def term(t: object) -> str:
        return "_:b" if isinstance(t, ox.BlankNode) else str(t)

    return Counter(" ".join(term(t) for t in q) for q in quads)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OxigraphServer]:
    with OxigraphServer(tmp_path / "oxigraph") as s:
        yield s


def test_load_fills_the_server_then_reports_current(server: OxigraphServer, tmp_path) -> None:
    first = cli({"PARTNERGRAPH_STORE": server.url}, tmp_path, "load")
    assert first.returncode == 0, first.stderr
    assert server.url in first.stdout
    second = cli({"PARTNERGRAPH_STORE": server.url}, tmp_path, "load")
    assert "store is current" in second.stdout
    store = GraphStore.open(Settings(store_url=server.url, graph_dir=GRAPH_DIR), build=False)
    assert store.stored_version() == store.current_version()
    # The same quads as the embedded store holds, graph for graph.
    embedded = GraphStore.in_memory(Settings(graph_dir=GRAPH_DIR))
    assert shape(store.quads()) == shape(embedded.quads())
    assert not (tmp_path / "http:").exists()


@pytest.mark.parametrize("how", ["stopped", "wrong port"])
def test_no_server_stops_load_and_serve_with_exit_2(how: str, tmp_path: Path) -> None:
    if how == "stopped":
        s = OxigraphServer(tmp_path / "oxigraph").start()
        s.stop()
        url = s.url
    else:
        url = f"http://127.0.0.1:{free_port()}"
    for command in ("load", "serve"):
        out = cli({"PARTNERGRAPH_STORE": url}, tmp_path, command)
        assert out.returncode == 2, out.stderr
        assert f"{url}/query" in out.stderr and "cannot reach" in out.stderr
    assert not (tmp_path / "http:").exists()


def test_url_typos_stop_load_naming_the_setting(server: OxigraphServer, tmp_path: Path) -> None:
    host = server.url.removeprefix("http://")
    for typo in (f"http:/{host}", f"htp://{host}", f"http//{host}"):
        out = cli({"PARTNERGRAPH_STORE": typo}, tmp_path, "load")
        assert out.returncode == 2, (typo, out.stdout)
        assert "PARTNERGRAPH_STORE" in out.stderr
    wrong_path = f"{server.url}/sparq"
    out = cli({"PARTNERGRAPH_STORE": wrong_path}, tmp_path, "load")
    assert out.returncode == 2
    assert f"no SPARQL query endpoint at {wrong_path}/query (HTTP 404)" in out.stderr
    assert not list(tmp_path.glob("http*")) and not list(tmp_path.glob("htp*"))


@pytest.mark.parametrize("endpoint", ["UPDATE", "GSP"])
def test_a_server_without_update_or_graph_store_is_left_untouched(
    server: OxigraphServer, tmp_path: Path, endpoint: str
) -> None:
    assert cli({"PARTNERGRAPH_STORE": server.url}, tmp_path, "load").returncode == 0
    settings = Settings(store_url=server.url, graph_dir=GRAPH_DIR)
    before = fingerprint(GraphStore.open(settings, build=False))
    env = {"PARTNERGRAPH_STORE": server.url, f"PARTNERGRAPH_STORE_{endpoint}_URL": server.url}
    out = cli(env, tmp_path, "load", "--rebuild")
    assert out.returncode == 2
    what = "SPARQL update endpoint" if endpoint == "UPDATE" else "Graph Store Protocol endpoint"
    assert f"no {what} at {server.url}" in out.stderr, out.stderr
    assert fingerprint(GraphStore.open(settings, build=False)) == before


def test_a_load_killed_midway_leaves_no_version_and_the_next_one_starts_over(
    tmp_path: Path,
) -> None:
    server = OxigraphServer(tmp_path / "oxigraph").start()
    env = {"PARTNERGRAPH_STORE": server.url, "PARTNERGRAPH_STORE_BATCH": "50"}
    command = [sys.executable, "-m", "partnergraph", "load"]
    full_env = {**os.environ, "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR), **env}
    load = subprocess.Popen(command, env=full_env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    count = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    # Kill the server once part of the graph is in it; the loop ends with the load process at
    # the latest (its own requests time out), so it needs no deadline of its own.
    while load.poll() is None:
        answer = httpx.post(
            server.url + "/query", data={"query": count}, headers={"Accept": "text/csv"}
        )
        if int(answer.text.split()[-1]) > 2000:
            break
        time.sleep(0.05)
    assert load.poll() is None, "the load finished before the server could be killed"
    server.stop(kill=True)
    _, err = load.communicate(timeout=300)
    assert load.returncode == 2 and server.url in err
    server.start()
    try:
        store = GraphStore.open(Settings(store_url=server.url, graph_dir=GRAPH_DIR), build=False)
        assert store.stored_version() is None
        again = cli(env, tmp_path, "load")
        assert again.returncode == 0, again.stderr
        assert store.stored_version() == store.current_version()
        embedded = GraphStore.in_memory(Settings(graph_dir=GRAPH_DIR))
        assert shape(store.quads()) == shape(embedded.quads())
    finally:
        server.stop()


def test_server_gone_while_serving_answers_503_until_back_and_a_failed_write_leaves_no_trace(
    tmp_path: Path,
) -> None:
    server = OxigraphServer(tmp_path / "oxigraph").start()
    settings = Settings(
        store_url=server.url,
        graph_dir=GRAPH_DIR,
        tokens=TOKENS,
        allowed_hosts="testserver",
        store_timeout=10,
        model_wait=MODEL_WAIT,
        views="on-demand",  # no explorer here
    )
    write = organization()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        with TestClient(create_app(settings)) as client:
            assert client.get("/api/v1/organizations/131121").status_code == 200
            store = GraphStore.open(settings, build=False)
            before = fingerprint(store)
            server.stop()
            for path in ("/api/v1/organizations/131121", "/healthz"):
                gone = client.get(path)
                assert gone.status_code == 503, (path, gone.text)
                assert gone.headers["content-type"] == "application/problem+json"
                assert server.url in gone.json()["detail"]
            failed = client.post("/api/v1/organizations", json=write, headers=auth)
            assert failed.status_code == 503, failed.text
            assert failed.headers["content-type"] == "application/problem+json"
            server.start()
            assert client.get("/api/v1/organizations/131121").status_code == 200
            assert fingerprint(store) == before  # neither the body nor a history record
            done = client.post("/api/v1/organizations", json=write, headers=auth)
            assert done.status_code == 201, done.text
            assert fingerprint(store) != before
    finally:
        server.stop()


def test_values_block_binds_terms_on_the_server(server: OxigraphServer) -> None:
    store = GraphStore.open(Settings(store_url=server.url, graph_dir=GRAPH_DIR))
    query = "SELECT ?v ?code WHERE { ?v <https://w3id.org/partnergraph/ns#lgCode> ?code }"
    assert len(store.select(query, code=ox.Literal("131121"))) == 1
    assert store.select(query, code=ox.Literal('131121" } ; DROP ALL ; #')) == []
    assert store.stored_version() == store.current_version()  # nothing dropped
