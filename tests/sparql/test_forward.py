"""The public SPARQL endpoint's forwarder over a remote store, against a real Oxigraph server:
one client flooding the endpoint does not keep another waiting behind all its queries.

Order of completion is what is checked, never a duration.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from partnergraph.errors import QueryTimeoutError
from partnergraph.settings import Settings
from partnergraph.sparql.execute import QueryRequest
from partnergraph.sparql.forward import RemoteQueries
from tests.conftest import wait_for
from tests.oxigraph_server import OxigraphServer

#: A deadline against a hang, never a measure of speed.
DEADLINE = 120.0
_VALUES = " ".join(str(i) for i in range(250))
#: A cross product of 15.6 M rows the server counts for seconds; it passes every check.
_CROSS = " ".join(f"VALUES ?{v} {{ {_VALUES} }}" for v in "abc")
HEAVY = f"SELECT (COUNT(*) AS ?n) WHERE {{ {_CROSS} }}"
LIGHT = "SELECT ?x WHERE { VALUES ?x { 1 } }"


@pytest.fixture
def queries(tmp_path: Path) -> Iterator[RemoteQueries]:
    with OxigraphServer(tmp_path / "oxigraph") as server:
        forwarder = RemoteQueries(
            Settings(store_url=server.url, query_workers=2, query_timeout=DEADLINE)
        )
        try:
            yield forwarder
        finally:
            forwarder.close()


def test_a_second_client_gets_the_next_free_slot_before_a_floods_queue(
    queries: RemoteQueries,
) -> None:
    done: list[str] = []
    lock = threading.Lock()

    def ask(client: str, name: str, query: str) -> None:
        queries.run(QueryRequest(query), client=client)
        with lock:
            done.append(name)

    def state() -> tuple[int, int]:
        with queries._lock:
            return queries.schedule.held["flood"], len(queries.schedule.waiters)

    with ThreadPoolExecutor(5) as pool:
        flood = [pool.submit(ask, "flood", f"heavy{i}", HEAVY) for i in range(4)]
        # two heavy queries in flight, two queued
        assert wait_for(lambda: state() == (2, 2), DEADLINE), f"never filled: {state()}"
        other = pool.submit(ask, "other", "light", LIGHT)
        for f in [*flood, other]:
            f.result(timeout=DEADLINE)
    # The first slot freed goes to the other client, so both queued heavy queries end after
    # the light one; first come, first served would have put it last but one at best.
    assert done.index("light") <= 2, done


def test_a_request_past_its_deadline_while_waiting_is_a_timeout(queries: RemoteQueries) -> None:
    with ThreadPoolExecutor(2) as pool:
        busy = [pool.submit(queries.run, QueryRequest(HEAVY), client="a") for _ in range(2)]
        assert wait_for(lambda: queries.schedule.held["a"] == 2, DEADLINE)
        with pytest.raises(QueryTimeoutError, match="busy"):
            queries.run(QueryRequest(LIGHT), client="b", deadline=time.monotonic() + 0.05)
        for f in busy:
            f.result(timeout=DEADLINE)
    assert queries.schedule.waiters == [] and not queries.schedule.held
