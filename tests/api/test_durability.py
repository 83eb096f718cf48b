"""Acknowledged writes survive ``kill -9`` and restarts; concurrent writes are all kept.

A real uvicorn server runs in a child process over a temporary store with a
write token. Writes stream in from a thread; the server is killed with SIGKILL
mid-stream; then the store is opened directly and every write that was answered
201 must be there. A second server over the same store takes 50 concurrent
writes, answers an idempotent retry from before the crash from the history,
and after a clean restart everything committed is still there.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from tests.api.write_server import server
from tests.conftest import GRAPH_DIR
from tests.writes.support import TOKEN, agreement

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def open_store(path: Path) -> GraphStore:
    """The store as the next process sees it (read-only if a dying worker still holds it)."""
    return GraphStore.open(Settings(store_path=path, graph_dir=GRAPH_DIR))


def present(store: GraphStore, iri: str) -> bool:
    return bool(store.query(f"ASK {{ <{iri}> a <https://w3id.org/partnergraph/ns#Agreement> }}"))


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("durability") / "store"


@pytest.fixture(scope="module")
def acknowledged(store_path: Path) -> list[tuple[str, dict, dict]]:
    """Writes answered 201 before the server was killed with SIGKILL mid-stream:
    (idempotency key, request body, response body)."""
    done: list[tuple[str, dict, dict]] = []
    stop = threading.Event()

    with server(store_path) as (base, proc):

        def stream() -> None:
            with httpx.Client(base_url=base, timeout=30) as http:
                i = 0
                while not stop.is_set():
                    key = f"crash-{i}"
                    body = agreement(title_ja=f"強制終了の前後の協定{i}")
                    try:
                        r = http.post(
                            "/api/v1/agreements",
                            json=body,
                            headers={**AUTH, "Idempotency-Key": key},
                        )
                    except httpx.TransportError:
                        return  # the server is gone
                    if r.status_code == 201:
                        done.append((key, body, r.json()))
                    i += 1

        writer = threading.Thread(target=stream)
        writer.start()
        deadline = time.monotonic() + 60
        while len(done) < 6 and time.monotonic() < deadline and writer.is_alive():
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # while the next write is in flight
        proc.wait(timeout=10)
        stop.set()
        writer.join(timeout=60)
    assert len(done) >= 6
    return done


def test_every_acknowledged_write_survives_kill_9(
    store_path: Path, acknowledged: list[tuple[str, dict, dict]]
) -> None:
    store = open_store(store_path)
    missing = [body["iri"] for _, _, body in acknowledged if not present(store, body["iri"])]
    assert not missing
    history = store.settings.base_iri + "history"
    for _, _, body in acknowledged:
        assert store.query(
            f"ASK {{ GRAPH <{history}> {{ <{body['change']}> "
            f"<http://www.w3.org/ns/prov#generated> <{body['iri']}> }} }}"
        )
    del store


def test_after_a_restart_retries_replay_and_concurrent_writes_are_all_kept(
    store_path: Path, acknowledged: list[tuple[str, dict, dict]]
) -> None:
    with server(store_path) as (base, _):
        with httpx.Client(base_url=base, timeout=60) as http:
            # A client that never saw the answer to its last write retries it after the crash.
            key, body, first = acknowledged[-1]
            again = http.post(
                "/api/v1/agreements", json=body, headers={**AUTH, "Idempotency-Key": key}
            )
            assert again.status_code == 201 and again.json() == first
            assert again.headers["idempotent-replayed"] == "true"
            total_before = http.get("/api/v1/changes").json()["total"]

        def write(i: int) -> httpx.Response:
            with httpx.Client(base_url=base, timeout=120) as client:
                payload = agreement(title_ja=f"同時に届く協定{i}", signed=f"{1950 + i}")
                return client.post("/api/v1/agreements", json=payload, headers=AUTH)

        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(write, range(50)))
        assert [r.status_code for r in answers] == [201] * 50, [r.text for r in answers][:3]
        iris = {r.json()["iri"] for r in answers}
        numbers = sorted(r.json()["change_number"] for r in answers)
        assert len(iris) == 50 and numbers == list(range(total_before + 1, total_before + 51))
    # A clean restart (the store opened anew) keeps everything committed.
    store = open_store(store_path)
    assert all(present(store, iri) for iri in iris)
    assert all(present(store, body["iri"]) for _, _, body in acknowledged)
