"""The real app served by uvicorn in a child process, for the tests that need a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from tests.conftest import GRAPH_DIR


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/"


@contextmanager
def uvicorn_server(
    env: Mapping[str, str],
    *,
    port: int | None = None,
    start_timeout: float = 300,
    stop_timeout: float = 10,
    command: list[str] | None = None,
    **popen: Any,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """uvicorn serving ``partnergraph.web.app:create_app`` on 127.0.0.1, with ``env`` added.

    Returns once ``/healthz`` answers 200 and yields (base URL, process); the process
    is terminated (killed after ``stop_timeout`` seconds) on exit, whatever happens.
    Pass ``port`` when ``env`` must name the base URL before the server starts;
    ``command`` to start the server another way (it is given ``--port``), and
    ``popen`` for :class:`subprocess.Popen` (``stderr``, ``preexec_fn``).
    """
    port = free_port() if port is None else port
    base = base_url(port)
    if command is None:
        command = [sys.executable, "-m", "uvicorn", "--factory", "partnergraph.web.app:create_app"]
        command += ["--host", "127.0.0.1", "--log-level", "warning"]
    cmd = [*command, "--port", str(port)]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=GRAPH_DIR.parent, **popen)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                if httpx.get(base + "healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start within {start_timeout:g} s")
            time.sleep(0.2)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def sparql_health(base: str, timeout: float = 300.0) -> dict[str, Any]:
    """The ``sparql`` part of ``/healthz`` once the query workers have started (they come up
    in the background after the server answers); ``timeout`` is a deadline against a hang."""
    deadline = time.monotonic() + timeout
    while True:
        sparql: dict[str, Any] = httpx.get(base.rstrip("/") + "/healthz", timeout=10).json()[
            "sparql"
        ]
        if not sparql.get("starting") or time.monotonic() > deadline:
            return sparql
        time.sleep(0.05)
