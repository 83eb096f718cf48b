"""The worker pool: answers, limits that kill, replacement, checkpoints, fairness, cleanup."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from partnergraph.errors import (
    NotAcceptableError,
    QueryError,
    QueryMemoryError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    QueryWorkerError,
)
from partnergraph.snapshots import Snapshots
from partnergraph.sparql import worker
from partnergraph.sparql.pool import QueryPool, QueryRequest
from partnergraph.sparql.schedule import Waiter
from partnergraph.store import GraphStore
from tests.conftest import BASE, embedded, small_settings, wait_for

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
LIGHT = "SELECT ?l WHERE { ?lg pg:lgCode '131121' ; rdfs:label ?l FILTER(lang(?l) = 'ja') }"
#: The module pool's limit: generous, so that light queries are answered on a busy machine;
#: the tests of the limit give their heavy query a short deadline of its own.
TIMEOUT = 60.0
SHORT = 2.0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def rows(body: bytes) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


def published(store: GraphStore) -> Snapshots:
    """Checkpoints of ``store`` as the server keeps them: one now, one after each change."""
    snapshots = Snapshots.beside(store.settings.store_path)
    snapshots.reset()
    snapshots.take(embedded(store))
    store.on_change(lambda revision: snapshots.take(embedded(store)))
    return snapshots


@pytest.fixture(scope="module")
def pool(shipped_store: GraphStore) -> Iterator[QueryPool]:
    """Two workers over checkpoints of the shipped store, which this process holds read-write."""
    snapshots = Snapshots.beside(shipped_store.settings.store_path)
    snapshots.reset()
    snapshots.take(embedded(shipped_store))
    with QueryPool(snapshots, workers=2, timeout=TIMEOUT, row_limit=100) as p:
        yield p


def test_workers_answer_from_a_checkpoint_beside_the_writer(pool: QueryPool) -> None:
    result = pool.run(QueryRequest(LIGHT, "json", prefixes=True))
    assert [r["l"]["value"] for r in rows(result.body)] == ["世田谷区"]
    assert result.media_type == "application/sparql-results+json"
    count = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pg:Prefecture }"
    assert rows(pool.run(QueryRequest(count, "json", prefixes=True)).body)[0]["n"]["value"] == "47"


def test_format_is_negotiated_from_the_form(pool: QueryPool) -> None:
    ttl = pool.run(QueryRequest("CONSTRUCT WHERE { ?s pg:lgCode '131121' }", None, prefixes=True))
    assert ttl.media_type == "text/turtle"
    csv = QueryRequest(LIGHT, None, prefixes=True, accept="text/csv")
    assert pool.run(csv).body.decode().splitlines() == ["l", "世田谷区"]
    with pytest.raises(NotAcceptableError):
        pool.run(QueryRequest("ASK {}", None, accept="text/turtle"))


def test_refusals_and_errors(pool: QueryPool) -> None:
    with pytest.raises(QueryRefusedError, match="read-only"):
        pool.run(QueryRequest("DROP ALL", "json"))
    with pytest.raises(QuerySyntaxError) as info:
        pool.run(QueryRequest("SELECT * WHERE {\n ?s ?p }", "json"))
    assert info.value.line == 2
    # Valid SPARQL that rdflib, the former checker, failed on with a 500.
    escaped = 'SELECT * WHERE { ?s ?p "\\u0023abcd" }'
    assert rows(pool.run(QueryRequest(escaped, "json")).body) == []
    with pytest.raises(QuerySyntaxError, match="IRI"):
        pool.run(QueryRequest("SELECT * FROM <not an iri> WHERE { ?s ?p ?o }", "json"))
    with pytest.raises(QueryError, match="not a valid absolute IRI"):
        pool.run(QueryRequest("ASK {}", "json", default_graphs=("not an iri",)))


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
        for keyword in ("SERVICE", "service", "\\u0053ERVICE", "# x\r SERVICE"):
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
    light: list[str] = []

    def send_light() -> None:
        time.sleep(0.5)
        light.append(
            rows(pool.run(QueryRequest(LIGHT, "json", prefixes=True)).body)[0]["l"]["value"]
        )

    helper = threading.Thread(target=send_light)
    helper.start()
    with pytest.raises(QueryTimeoutError, match="limit"):
        pool.run(QueryRequest(HEAVY, "json"), client="heavy", deadline=time.monotonic() + SHORT)
    helper.join()
    assert light == ["世田谷区"]
    # The killed worker is reaped in the background: wait for it to be gone.
    assert wait_for(lambda: any(not alive(pid) for pid in before))
    gone = [pid for pid in before if not alive(pid)]
    # Fresh workers take their places and the pool answers as before.
    assert wait_for(lambda: len(pool.pids()) == len(before))
    assert not set(gone) & set(pool.pids())
    assert rows(pool.run(QueryRequest(LIGHT, "json", prefixes=True)).body)


def test_a_request_never_waits_past_its_deadline(pool: QueryPool) -> None:
    with pytest.raises(QueryTimeoutError):
        pool.run(QueryRequest(LIGHT, "json", prefixes=True), deadline=time.monotonic() - 1)


def test_one_client_holds_one_worker_while_others_wait(tmp_path: Path) -> None:
    """The dispatch policy alone, on a pool whose processes are not started: a free worker
    goes to the earliest waiter whose client holds none; a client gets a second worker only
    when nobody else waits; the fast lane skips heavy clients."""
    p = QueryPool(Snapshots(tmp_path), workers=3, timeout=10, row_limit=1)
    free = [object(), object()]
    later = time.monotonic() + 60
    a2, b1 = Waiter("A", later, 1), Waiter("B", later, 2)
    with p._lock:
        p.schedule.held["A"] = 1  # A runs a query already
        p.schedule.waiters += [a2, b1]
        p._idle.append(free[0])
        p._dispatch()
        assert b1.granted is free[0] and a2.granted is None
        p._idle.append(free[1])
        p._dispatch()  # B holds one now, A one: both wait no more, A's second goes ahead
        assert a2.granted is free[1]
        c1, c2, d1 = Waiter("C", later, 3), Waiter("C", later, 4), Waiter("D", later, 5)
        p.schedule.held["C"] = 1
        p.schedule.waiters += [c1, c2, d1]
        p.schedule.heavy.add("D")
        p._fast, p._fast_free = free[0], True  # type: ignore[assignment]
        p._dispatch()  # C holds one and D waits: C waits; D is heavy: not on the fast lane
        assert (c1.granted, c2.granted, d1.granted) == (None, None, None)
        p.schedule.heavy.discard("D")
        p._dispatch()
        assert d1.granted is free[0] and c1.granted is None


def test_the_fast_lane_moves_a_slow_query_and_serves_light_ones(tmp_path: Path, graph_dir) -> None:
    settings = small_settings(tmp_path, graph_dir())
    store = GraphStore.open(settings)
    with QueryPool(published(store), workers=2, timeout=4, row_limit=10) as p:
        outcomes: list[str] = []

        def heavy(client: str) -> None:
            try:
                p.run(QueryRequest(HEAVY, "json"), client=client)
            except QueryTimeoutError:
                outcomes.append(client)

        threads = [threading.Thread(target=heavy, args=(c,)) for c in ("h1", "h2")]
        for thread in threads:
            thread.start()
        assert wait_for(lambda: p.stats["slices_run_out"] >= 1)
        assert {"h1", "h2"} & p.schedule.heavy
        answers = [
            p.run(QueryRequest("ASK { ?s ?p ?o }", "json"), client="light") for _ in range(20)
        ]
        for thread in threads:
            thread.join()
    assert all(a.body.endswith(b"true}") for a in answers)
    assert sorted(outcomes) == ["h1", "h2"]


def test_memory_cap_stops_the_query_and_replaces_the_worker(pool: QueryPool) -> None:
    with QueryPool(pool.snapshots, workers=1, timeout=60, row_limit=10, memory_mb=700) as p:
        (pid,) = p.pids()
        with pytest.raises(QueryMemoryError, match="700 MB memory limit"):
            p.run(QueryRequest(HUNGRY, "json"))
        assert not alive(pid)
        assert p.stats["memory_stops"] == 1
        assert p.run(QueryRequest("ASK { ?s ?p ?o }", "json")).body.endswith(b"true}")


def test_a_dead_worker_is_replaced(tmp_path: Path, graph_dir) -> None:
    settings = small_settings(tmp_path, graph_dir())
    store = GraphStore.open(settings)
    with QueryPool(published(store), workers=1, timeout=5, row_limit=10) as p:
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
        assert p.run(QueryRequest("ASK { ?s ?p ?o }", "json")).body.endswith(b"true}")
        pids = p.pids()
    assert not any(alive(pid) for pid in pids)


def open_paths(pid: int) -> list[str]:
    """Where the open file descriptors of process ``pid`` point."""
    out = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            out.append(os.readlink(fd))
        except OSError:
            continue
    return out


def test_readers_never_open_the_live_store_and_see_each_write(tmp_path: Path, graph_dir) -> None:
    settings = small_settings(tmp_path, graph_dir())
    store = GraphStore.open(settings)
    snapshots = published(store)
    live = str(Path(settings.store_path).resolve())
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with QueryPool(snapshots, workers=2, timeout=5, row_limit=10) as p:
        first = int(rows(p.run(QueryRequest(count, "json")).body)[0]["n"]["value"])
        for i in range(3):
            subject = ox.NamedNode(f"{BASE}x{i}")
            quad = ox.Quad(
                subject, ox.NamedNode(BASE + "p"), ox.Literal("1"), ox.NamedNode(BASE + "g")
            )
            store.apply(add=[quad])
            for client in ("a", "b"):  # both workers, each on the newest checkpoint
                after = int(
                    rows(p.run(QueryRequest(count, "json"), client=client).body)[0]["n"]["value"]
                )
                assert after > first + i
        paths = [path for pid in p.pids() for path in open_paths(pid)]
        assert any(path.startswith(str(snapshots.directory.resolve())) for path in paths)
        assert not [path for path in paths if path.startswith(live + "/") or path == live]
        # Old checkpoints are gone once no worker reads them; at most one per worker is left.
        assert len(snapshots.on_disk()) <= len(p.pids()) + 1
    assert snapshots.on_disk() == [snapshots.newest()]


def test_start_fails_clearly_without_a_checkpoint(tmp_path: Path) -> None:
    pool = QueryPool(Snapshots(tmp_path / "none"), workers=1, timeout=1, row_limit=1)
    with pool as p, pytest.raises(QueryWorkerError, match="no checkpoint"):
        p.run(QueryRequest("ASK {}", "json"))


def test_close_leaves_no_children(tmp_path: Path, graph_dir) -> None:
    settings = small_settings(tmp_path, graph_dir())
    store = GraphStore.open(settings)
    p = QueryPool(published(store), workers=3, timeout=30, row_limit=10)
    p.start()
    pids = p.pids()
    assert len(pids) == 4 and all(alive(pid) for pid in pids)  # three workers and the spare
    outcome: list[BaseException] = []

    def busy() -> None:
        try:
            p.run(QueryRequest(HEAVY, "json"))
        except QueryWorkerError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=busy)
    thread.start()
    time.sleep(0.5)
    p.close()  # one worker busy, the others idle
    thread.join()
    assert outcome and "closed" in str(outcome[0])
    assert not any(alive(pid) for pid in pids)
    assert p.pids() == []
    with pytest.raises(QueryWorkerError, match="closed"):
        p.run(QueryRequest("ASK {}", "json"))


def test_the_pool_reports_that_its_workers_left_the_network(pool: QueryPool) -> None:
    """What happens when they cannot is tested on a real server in test_sparql_isolation.py."""
    assert pool.isolation is None, f"workers could not leave the network: {pool.isolation}"
    assert pool.status()["network_isolation"] is True
    assert pool.status()["public_queries"] is True


def _connect_after_isolation(port: int, out: multiprocessing.Queue) -> None:
    failure = worker.isolate_network()
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        out.put((failure, "connected"))
    except OSError as exc:
        out.put((failure, f"refused: {exc}"))


def test_workers_leave_the_network_as_any_user() -> None:
    """Runs as whoever runs the suite: CI runs it as root and as an unprivileged user."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        child = ctx.Process(target=_connect_after_isolation, args=(server.getsockname()[1], out))
        child.start()
        failure, outcome = out.get(timeout=30)
        child.join()
    assert failure is None, f"uid {os.getuid()}: {failure}"
    assert outcome.startswith("refused")


def thread_niceness(pid: int) -> set[int]:
    """The nice values of every thread of process ``pid`` (Linux keeps one per thread)."""
    return {os.getpriority(os.PRIO_PROCESS, int(tid)) for tid in os.listdir(f"/proc/{pid}/task")}


def test_ordinary_workers_run_below_the_fast_lane(shipped_store: GraphStore) -> None:
    """Heavy queries end up on the ordinary workers: they are niced, the fast lane and spare not."""
    snapshots = Snapshots.beside(shipped_store.settings.store_path)
    snapshots.reset()
    snapshots.take(embedded(shipped_store))
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    with QueryPool(snapshots, workers=3, timeout=TIMEOUT, row_limit=100, slow_nice=7) as p:
        fast, spare = p._fast, p._spare
        assert fast is not None and spare is not None and fast.pid and spare.pid
        ordinary = [w.pid for w in p._idle if w.pid]
        assert len(ordinary) == 2
        for pid in ordinary:
            assert thread_niceness(pid) == {min(19, mine + 7)}
        assert thread_niceness(fast.pid) == thread_niceness(spare.pid) == {mine}
        # A heavy query runs on an ordinary worker, at its priority, and the answer still comes.
        with pytest.raises(QueryTimeoutError):
            p.run(QueryRequest(HEAVY, "json"), client="heavy", deadline=time.monotonic() + SHORT)
        assert rows(p.run(QueryRequest(LIGHT, "json", prefixes=True)).body)
        assert wait_for(lambda: len(p._idle) == 2 and p._spare is not None)
        for w in p._idle:
            assert w.pid and thread_niceness(w.pid) == {min(19, mine + 7)}


def test_a_pool_started_without_waiting_answers_once_its_workers_are_up(
    tmp_path: Path, graph_dir: Callable[..., Path]
) -> None:
    # The server's start does not wait for the workers: a query sent at once waits for them
    # (their network isolation known first), and the health check says when they are up.
    store = GraphStore.open(small_settings(tmp_path, graph_dir()))
    pool = QueryPool(published(store), workers=2, timeout=TIMEOUT, row_limit=10)
    try:
        pool.start(wait=False)
        answer = pool.run(QueryRequest("ASK { ?s ?p ?o }", "json"))
        assert json.loads(answer.body)["boolean"] is True
        assert pool.wait_started(TIMEOUT)
        status = pool.status()
        assert status["starting"] is False and status["start_problem"] is None
        assert status["network_isolation"] is True and status["public_queries"] is True
    finally:
        pool.close()
    assert pool.pids() == []
