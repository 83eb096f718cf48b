"""Which store the store-dependent tests run on: ``PARTNERGRAPH_TEST_STORE``.

``embedded`` (the default) puts each test store in its folder; ``oxigraph-server``
starts Oxigraph's own server over that folder instead (one server per store, so
tests stay as isolated as folders keep them) and points the settings at its URL.
The fixtures and helpers that make stores (``small_settings``, ``api_settings``,
``shipped_store``, the live servers' environment) ask :func:`store_settings`.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path

from tests.oxigraph_server import OxigraphServer

KINDS = ("embedded", "oxigraph-server")
KIND = os.environ.get("PARTNERGRAPH_TEST_STORE", "embedded")
if KIND not in KINDS:
    raise RuntimeError(f"PARTNERGRAPH_TEST_STORE must be one of {KINDS}, got {KIND!r}")

REMOTE = KIND != "embedded"


class _Servers:
    """One Oxigraph server per store folder, started on first use, stopped at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Path, OxigraphServer] = {}

    def over(self, path: Path) -> OxigraphServer:
        with self._lock:
            server = self._running.get(path)
            if server is None:
                path.mkdir(parents=True, exist_ok=True)
                server = self._running[path] = OxigraphServer(path / "oxigraph").start()
            return server

    def stop_all(self) -> None:
        with self._lock:
            for server in self._running.values():
                server.stop()
            self._running.clear()


_SERVERS = _Servers()
atexit.register(_SERVERS.stop_all)


def store_settings(path: Path) -> dict[str, object]:
    """Settings fields for a test store at ``path`` on the chosen kind of store."""
    if not REMOTE:
        return {"store_path": path}
    return {"store_path": path, "store_url": _SERVERS.over(Path(path)).url}


def store_env(path: Path) -> str:
    """``PARTNERGRAPH_STORE`` for a server process whose store is at ``path``."""
    return _SERVERS.over(Path(path)).url if REMOTE else str(path)
