"""The real app over a temporary store: in-process (TestClient) and as a uvicorn server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from partnergraph.settings import Settings
from tests.conftest import GRAPH_DIR


def api_settings(store_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"store_path": store_path, "graph_dir": GRAPH_DIR}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of the app over the shipped graph in its own temporary store."""
    store = tmp_path_factory.mktemp("api") / "store"
    with TestClient(create_app(api_settings(store, query_timeout=3.0))) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn serving the app on 127.0.0.1 in a child process; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "PARTNERGRAPH_STORE": str(tmp_path_factory.mktemp("live") / "store"),
        "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR),
        "PARTNERGRAPH_BASE_IRI": base,
        "PARTNERGRAPH_QUERY_TIMEOUT": "3",
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "api.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=GRAPH_DIR.parent)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                if httpx.get(base + "healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start within 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
