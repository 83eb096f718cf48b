"""The worker pool: answers, a time limit that kills, replacement, refresh, no network, cleanup."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from partnergraph.errors import (
    QueryError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    QueryWorkerError,
)
from partnergraph.sparql import worker
from partnergraph.sparql.pool import QueryPool, QueryRequest
from partnergraph.sparql.safety import QueryForm
from partnergraph.store import GraphStore
from tests.conftest import BASE, small_settings

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIGHT = "SELECT ?l WHERE { ?lg pg:lgCode '131121' ; rdfs:label ?l FILTER(lang(?l) = 'ja') }"
TIMEOUT = 2.0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def rows(body: bytes) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


@pytest.fixture(scope="module")
def pool(shipped_store: GraphStore) -> Iterator[QueryPool]:
    """Two workers over the shipped store, which this process holds open read-write."""
    with QueryPool(
        shipped_store.settings.store_path, workers=2, timeout=TIMEOUT, row_limit=100
    ) as p:
        yield p


def test_read_only_workers_answer_beside_the_writer(pool: QueryPool) -> None:
    result = pool.run(QueryRequest(LIGHT, "json", prefixes=True))
    assert [r["l"]["value"] for r in rows(result.body)] == ["世田谷区"]
    assert result.media_type == "application/sparql-results+json"
    count = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pg:Prefecture }"
    assert rows(pool.run(QueryRequest(count, "json", prefixes=True)).body)[0]["n"]["value"] == "47"


def test_check_returns_the_form_and_refuses(pool: QueryPool) -> None:
    assert pool.check("CONSTRUCT WHERE { ?s ?p ?o }") is QueryForm.CONSTRUCT
    assert pool.check("SELECT * { ?s pg:lgCode ?c }", prefixes=True) is QueryForm.SELECT
    with pytest.raises(QueryRefusedError, match="read-only"):
        pool.check("DROP ALL")
    with pytest.raises(QuerySyntaxError) as info:
        pool.run(QueryRequest("SELECT * WHERE {\n ?s ?p }", "json"))
    assert info.value.line == 2


def test_row_limit_and_bindings(pool: QueryPool) -> None:
    result = pool.run(QueryRequest("SELECT ?s WHERE { ?s a pg:Town }", "csv", prefixes=True))
    assert result.truncated and result.count == 100
    setagaya = f"<{BASE}lg/131121>"
    query = "SELECT ?lg ?l WHERE { ?lg rdfs:label ?l FILTER(lang(?l) = 'en') }"
    bound = pool.run(QueryRequest(query, "json", bindings={"lg": setagaya}, prefixes=True))
    assert [r["l"]["value"] for r in rows(bound.body)] == ["Setagaya City"]
    with pytest.raises(QueryError, match="no variable"):
        pool.run(QueryRequest(query, "json", bindings={"x": setagaya}, prefixes=True))


def test_service_is_refused_and_nothing_connects(pool: QueryPool) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        port = server.getsockname()[1]
        for keyword in ("SERVICE", "service", "\\u0053ERVICE"):
            query = (
                f"SELECT * WHERE {{ {keyword} <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
            )
            with pytest.raises(QueryRefusedError, match="SERVICE"):
                pool.run(QueryRequest(query, "json"))
        time.sleep(0.2)
        with pytest.raises(BlockingIOError):
            server.accept()


def test_timeout_kills_the_worker_while_others_keep_answering(pool: QueryPool) -> None:
    before = set(pool.pids())
    events: list[str] = []

    def light() -> None:
        time.sleep(0.5)
        assert rows(pool.run(QueryRequest(LIGHT, "json", prefixes=True)).body)
        events.append("light answered")

    helper = threading.Thread(target=light)
    helper.start()
    with pytest.raises(QueryTimeoutError, match=f"{TIMEOUT:g} s time limit"):
        pool.run(QueryRequest(HEAVY, "json"))
    events.append("heavy stopped")
    helper.join()
    # The light query was answered by the other worker while the heavy one still ran.
    assert events == ["light answered", "heavy stopped"]
    gone = [pid for pid in before if not alive(pid)]
    assert len(gone) == 1, "exactly the worker running the heavy query was killed"
    # A fresh worker takes its place and the pool answers as before.
    deadline = time.monotonic() + 30
    while len(pool.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(pool.pids()) == 2 and gone[0] not in pool.pids()
    assert rows(pool.run(QueryRequest(LIGHT, "json", prefixes=True)).body)


def test_a_shorter_timeout_per_call(shipped_store: GraphStore) -> None:
    """A pool whose own limit is an hour stops a call given 0.5 s: the call ends at all."""
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            p.run(QueryRequest(HEAVY, "json"), timeout=0.5)
        except (QueryTimeoutError, QueryWorkerError) as exc:
            outcome.append(exc)

    store_path = shipped_store.settings.store_path
    with QueryPool(store_path, workers=1, timeout=3600, row_limit=100) as p:
        thread = threading.Thread(target=call, daemon=True)
        thread.start()
        thread.join(timeout=120)  # a generous deadline, far below the pool's own hour
        assert not thread.is_alive(), "the per-call limit did not stop the query"
    assert len(outcome) == 1 and isinstance(outcome[0], QueryTimeoutError)


def test_a_dead_worker_is_replaced(tmp_path: Path, graph_dir) -> None:
    settings = small_settings(tmp_path, graph_dir())
    GraphStore.open(settings)
    with QueryPool(settings.store_path, workers=1, timeout=5, row_limit=10) as p:
        (pid,) = p.pids()
        os.kill(pid, signal.SIGKILL)  # died while idle
        time.sleep(0.2)
        assert p.run(QueryRequest("ASK { ?s ?p ?o }", "json")).body.endswith(b"true}")
        (pid,) = p.pids()
        killer = threading.Timer(0.5, os.kill, (pid, signal.SIGKILL))  # dies mid-query
        killer.start()
        with pytest.raises(QueryWorkerError, match="stopped"):
            p.run(QueryRequest(HEAVY, "json"))
        killer.join()
        assert p.run(QueryRequest("ASK { ?s ?p ?o }", "json"), timeout=30).body.endswith(b"true}")
        pids = p.pids()
    assert not any(alive(pid) for pid in pids)


def test_refresh_reopens_the_store(tmp_path: Path, graph_dir) -> None:
    settings = small_settings(tmp_path, graph_dir())
    store = GraphStore.open(settings)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with QueryPool(settings.store_path, workers=2, timeout=5, row_limit=10) as p:
        first = rows(p.run(QueryRequest(count, "json")).body)[0]["n"]["value"]
        graph = ox.NamedNode(BASE + "source/extra")
        store.raw.add(
            ox.Quad(ox.NamedNode(BASE + "x"), ox.NamedNode(BASE + "p"), ox.Literal("1"), graph)
        )
        store.raw.flush()
        p.refresh()
        for _ in range(2):  # both workers
            after = rows(p.run(QueryRequest(count, "json")).body)[0]["n"]["value"]
            assert int(after) == int(first) + 1


def test_start_fails_clearly_without_a_store(tmp_path: Path) -> None:
    pool = QueryPool(tmp_path / "missing", workers=1, timeout=1, row_limit=1)
    with pytest.raises(QueryWorkerError, match="could not start"):
        pool.start()
    assert pool.pids() == []


def test_close_leaves_no_children(tmp_path: Path, graph_dir) -> None:
    settings = small_settings(tmp_path, graph_dir())
    GraphStore.open(settings)
    p = QueryPool(settings.store_path, workers=3, timeout=30, row_limit=10)
    p.start()
    pids = p.pids()
    assert len(pids) == 3 and all(alive(pid) for pid in pids)
    outcome: list[BaseException] = []

    def busy() -> None:
        try:
            p.run(QueryRequest(HEAVY, "json"))
        except QueryWorkerError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=busy)
    thread.start()
    time.sleep(0.5)
    p.close()  # one worker busy, two idle
    thread.join()
    # Ended by close(), not by the 30 s limit (that would be a QueryTimeoutError).
    assert outcome and "closed" in str(outcome[0])
    assert not any(alive(pid) for pid in pids)
    assert p.pids() == []
    with pytest.raises(QueryWorkerError, match="closed"):
        p.run(QueryRequest("ASK {}", "json"))


def _connect_after_isolation(port: int, out: multiprocessing.Queue) -> None:
    isolated = worker.isolate_network()
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        out.put((isolated, "connected"))
    except OSError as exc:
        out.put((isolated, f"refused: {exc}"))


def test_workers_leave_the_network() -> None:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        child = ctx.Process(target=_connect_after_isolation, args=(server.getsockname()[1], out))
        child.start()
        isolated, outcome = out.get(timeout=30)
        child.join()
    if not isolated:
        pytest.skip("unshare(CLONE_NEWNET) is not permitted here (needs root)")
    assert outcome.startswith("refused")
