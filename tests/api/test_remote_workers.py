"""Several API processes over one remote store: ``partnergraph serve --workers 2`` on
Oxigraph's server. Each request reads the graph revision from the store, so the stated
bound is: a write is visible to every request that starts after the write was answered."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import GRAPH_DIR
from tests.live import base_url, free_port, uvicorn_server
from tests.oxigraph_server import OxigraphServer
from tests.stores import MODEL_WAIT
from tests.writes.support import TOKEN, TOKENS, organization

CONNECTIONS = 24


def fresh_get(url: str) -> httpx.Response:
    """A GET on a connection of its own, so the kernel may hand it to either worker."""
    with httpx.Client(timeout=120) as c:
        return c.get(url)


def test_a_write_through_one_worker_is_seen_by_every_worker(tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "oxigraph").start()
    port = free_port()
    env = {
        "PARTNERGRAPH_STORE": server.url,
        "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR),
        "PARTNERGRAPH_BASE_IRI": base_url(port),
        "PARTNERGRAPH_TOKENS": TOKENS,
        "PARTNERGRAPH_MODEL_WAIT": str(MODEL_WAIT),
        "PARTNERGRAPH_VIEWS": "on-demand",  # records and lists only: no explorer views
    }
    command = [sys.executable, "-m", "partnergraph", "serve", "--workers", "2"]
    command += ["--host", "127.0.0.1"]
    try:
        # serve loads the store once, before the workers start; then uvicorn forks two.
        with uvicorn_server(env, port=port, command=command, start_timeout=300) as (base, _):
            new = organization(slug="two-workers-university")
            where = base + "api/v1/organizations/two-workers-university"
            # Every worker has answered (and kept) "not found" and the list before the write.
            for _ in range(CONNECTIONS):
                assert fresh_get(where).status_code == 404
                assert fresh_get(base + "api/v1/organizations?q=テスト大学").status_code == 200
            with httpx.Client(timeout=120) as c:
                made = c.post(
                    base + "api/v1/organizations",
                    json=new,
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )
            assert made.status_code == 201, made.text
            for _ in range(CONNECTIONS):
                assert fresh_get(where).status_code == 200
                listed = fresh_get(base + "api/v1/organizations?q=テスト大学").text
                assert "two-workers-university" in listed
    finally:
        server.stop()


def test_several_workers_need_a_remote_store(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "partnergraph", "serve", "--workers", "2"],
        env={**os.environ, "PARTNERGRAPH_STORE": str(tmp_path / "store")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 2 and "remote store" in out.stderr
