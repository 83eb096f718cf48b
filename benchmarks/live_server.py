"""uvicorn over the shipped graph in a child process, for the benchmark scripts.

The scripts run as ``python benchmarks/<name>.py`` from the repository root,
so this folder is on ``sys.path`` and they import it as ``live_server``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(
    store: Path,
    port: int,
    *,
    timeout: float = 60,
    graph_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    app: str = "partnergraph.web.app:create_app",
) -> subprocess.Popen[bytes]:
    """uvicorn on 127.0.0.1:port over ``store`` and graph/ (or ``graph_dir``); returns once
    /healthz answers. ``env`` adds variables (tokens); ``app`` names another app factory."""
    base = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "PARTNERGRAPH_STORE": str(store),
        "PARTNERGRAPH_GRAPH_DIR": str(graph_dir or REPO / "graph"),
        "PARTNERGRAPH_BASE_IRI": base,
        **(env or {}),
    }
    cmd = [sys.executable, "-m", "uvicorn", "--factory", app]
    if not app.startswith("partnergraph."):
        cmd += ["--app-dir", str(REPO / "benchmarks")]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"uvicorn exited with {proc.returncode}")
        try:
            if httpx.get(base + "healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"uvicorn did not start within {timeout:g} s")


def stop(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Terminate the server; kill it if it has not exited after ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
