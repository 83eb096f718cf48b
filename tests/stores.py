"""Which store the store-dependent tests run on: ``PARTNERGRAPH_TEST_STORE``.

``embedded`` (the default) puts each test store in its folder; ``oxigraph-server``
starts Oxigraph's own server over that folder instead (one server per store, so
tests stay as isolated as folders keep them) and points the settings at its URL;
``virtuoso`` does the same with Debian's Virtuoso (``make test-virtuoso``).
The fixtures and helpers that make stores (``small_settings``, ``api_settings``,
``shipped_store``, the live servers' environment) ask :func:`store_settings`.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path

from tests.oxigraph_server import OxigraphServer
from tests.virtuoso_server import VirtuosoServer

KINDS = ("embedded", "oxigraph-server", "virtuoso")
KIND = os.environ.get("PARTNERGRAPH_TEST_STORE", "embedded")
if KIND not in KINDS:
    raise RuntimeError(f"PARTNERGRAPH_TEST_STORE must be one of {KINDS}, got {KIND!r}")

REMOTE = KIND != "embedded"

# The suite's stores build the explorer's views as the product does (eager: at start and
# after each change), so a test that opens the explorer or an analysis finds its build
# already under way. Servers that only take writes ask for PARTNERGRAPH_VIEWS=on-demand
# (tests/api/test_writes_api.py, tests/api/write_server.py).

#: Seconds a GET waits for the new read model after a write (PARTNERGRAPH_MODEL_WAIT): the
#: suite reads its own writes, so it waits for as long as a build may take on a busy
#: machine; tests/api/test_previous_model.py covers answers from the previous model.
MODEL_WAIT = 600.0


class _Servers:
    """One server per store folder, started on first use, stopped with its test or at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Path, OxigraphServer | VirtuosoServer] = {}

    def over(self, path: Path) -> OxigraphServer | VirtuosoServer:
        with self._lock:
            server = self._running.get(path)
            if server is None:
                path.mkdir(parents=True, exist_ok=True)
                if KIND == "virtuoso":
                    server = VirtuosoServer(path / "virtuoso").start()
                else:
                    server = OxigraphServer(path / "oxigraph").start()
                self._running[path] = server
            return server

    def stop_under(self, root: Path) -> None:
        """Stop the servers of stores inside ``root`` (a test's own folder, when it ends)."""
        with self._lock:
            for path in [p for p in self._running if p.is_relative_to(root)]:
                self._running.pop(path).stop()

    def stop_all(self) -> None:
        with self._lock:
            for server in self._running.values():
                server.stop()
            self._running.clear()


_SERVERS = _Servers()
atexit.register(_SERVERS.stop_all)


def stop_servers_under(root: Path) -> None:
    """Stop the servers started for stores inside ``root``: a Virtuoso holds about 260 MB, so
    each test's servers end with the test instead of at exit (72 of them held 19 GB)."""
    if REMOTE:
        _SERVERS.stop_under(Path(root))


def store_settings(path: Path) -> dict[str, object]:
    """Settings fields for a test store at ``path`` on the chosen kind of store."""
    if not REMOTE:
        return {"store_path": path, "model_wait": MODEL_WAIT}
    server = _SERVERS.over(Path(path))
    if isinstance(server, VirtuosoServer):
        return {"store_path": path, "model_wait": MODEL_WAIT, **server.settings()}
    return {"store_path": path, "model_wait": MODEL_WAIT, "store_url": server.url}


def store_env(path: Path) -> dict[str, str]:
    """The ``PARTNERGRAPH_STORE*`` variables for a server process whose store is at ``path``."""
    fields = store_settings(path)
    if not REMOTE:
        return {"PARTNERGRAPH_STORE": str(path), "PARTNERGRAPH_MODEL_WAIT": str(MODEL_WAIT)}
    env = {f"PARTNERGRAPH_{k.upper()}": str(v) for k, v in fields.items() if k != "store_path"}
    if "PARTNERGRAPH_STORE_URL" in env:
        env["PARTNERGRAPH_STORE"] = env.pop("PARTNERGRAPH_STORE_URL")
    return env
