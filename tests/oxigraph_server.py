"""Oxigraph's own SPARQL server (the ``oxigraph`` package's CLI) on 127.0.0.1, for the tests
of the remote store: started on a free port, stopped (or killed) by the test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """A port nobody listens on now (as tests/live.py picks them; kept here to import nothing
    from the test modules that import this one)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_command() -> str:
    """The ``oxigraph`` CLI installed beside this interpreter (dev dependency), or on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the oxigraph CLI is missing: `make .venv/.installed` installs it")
    return found


class OxigraphServer:
    """One ``oxigraph serve`` process over a folder; can be stopped and started again."""

    def __init__(self, location: Path, port: int | None = None) -> None:
        self.location = location
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout: float = 300) -> OxigraphServer:
        """Start it and return once it answers a query (raises if it does not in ``timeout``)."""
        cmd = [oxigraph_command(), "serve", "--location", str(self.location)]
        cmd += ["--bind", f"127.0.0.1:{self.port}"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"oxigraph serve exited with {self.proc.returncode}: {err}")
            try:
                r = httpx.post(self.url + "/query", data={"query": "ASK {}"}, timeout=2)
                if r.status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"oxigraph serve did not answer within {timeout:g} s")
            time.sleep(0.1)

    def stop(self, *, kill: bool = False) -> None:
        """Terminate it (or SIGKILL it, as a crash would) and wait until it is gone."""
        if self.proc is None or self.proc.poll() is not None:
            return
        if kill:
            self.proc.kill()
        else:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextmanager
def oxigraph_server(location: Path) -> Iterator[OxigraphServer]:
    """A running Oxigraph server over ``location``, stopped on exit whatever happens."""
    server = OxigraphServer(location)
    try:
        yield server.start()
    finally:
        server.stop()
