"""A real uvicorn server over a given store with the write tokens, for the write tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.api.conftest import free_port
from tests.conftest import GRAPH_DIR
from tests.writes.support import TOKENS


@contextmanager
def server(store: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """uvicorn serving the app over ``store`` with write tokens; yields (base URL, process)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "PARTNERGRAPH_STORE": str(store),
        "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR),
        "PARTNERGRAPH_TOKENS": TOKENS,
        "PARTNERGRAPH_QUERY_WORKERS": "1",
    }
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=GRAPH_DIR.parent)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                if httpx.get(base + "healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 90 s")
            time.sleep(0.2)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
