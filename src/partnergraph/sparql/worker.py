"""A query worker: its body (:func:`main`) and the server's handle on it (:class:`Handle`).

Kept apart from :mod:`partnergraph.sparql.pool` because ``spawn`` starts a
fresh interpreter that imports the target function's module: this one
imports only what a worker needs. A worker:

* leaves the network (a new, empty network namespace: no interface but a
  down loopback, so even a SERVICE that slipped past the check cannot
  connect anywhere); this needs root, and a worker without it carries on;
* ignores Ctrl-C (the server stops its workers itself) and exits when the
  server process disappears, even in the middle of a query;
* serves requests from its pipe one at a time on a thread with a large stack
  and a high recursion limit, because rdflib's SPARQL grammar recurses once
  per triple pattern.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
import time
from collections import OrderedDict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from partnergraph.errors import PartnergraphError, QueryWorkerError
from partnergraph.namespaces import PREFIXES
from partnergraph.sparql.execute import QueryRequest, execute
from partnergraph.sparql.safety import QueryInfo, analyse
from partnergraph.store import open_read_only

log = logging.getLogger(__name__)

CLONE_NEWNET = 0x40000000
RECURSION_LIMIT = 100_000
STACK_BYTES = 512 * 1024 * 1024
#: Checked queries remembered per worker (the endpoint checks, then runs, the same text).
CACHE_SIZE = 64
CACHE_MAX_CHARS = 20_000


def isolate_network() -> bool:
    """Move this process into a new network namespace; True if that worked."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWNET) == 0:
            return True
        log.debug("unshare(CLONE_NEWNET) failed: %s", os.strerror(ctypes.get_errno()))
    except (OSError, AttributeError) as exc:
        log.debug("unshare(CLONE_NEWNET) unavailable: %s", exc)
    return False


def main(conn: Connection, store_path: str, row_limit: int, generation: int) -> None:
    """Entry point of the worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    isolate_network()
    _watch_parent()
    sys.setrecursionlimit(RECURSION_LIMIT)
    threading.stack_size(STACK_BYTES)
    server = _Server(conn, store_path, row_limit)
    thread = threading.Thread(target=server.serve, args=(generation,), name="sparql-worker")
    thread.start()
    thread.join()


def _watch_parent() -> None:
    """Exit at once if the parent process goes away (its pipe closing is not seen mid-query)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class _Server:
    def __init__(self, conn: Connection, store_path: str, row_limit: int) -> None:
        self.conn = conn
        self.store_path = store_path
        self.row_limit = row_limit
        self.store: ox.Store | None = None
        self.generation = -1
        self.cache: OrderedDict[tuple[str, bool], QueryInfo] = OrderedDict()

    def serve(self, generation: int) -> None:
        try:
            self._open(generation)
        except OSError as exc:
            self.conn.send(("failed", f"cannot open the store at {self.store_path}: {exc}"))
            return
        self.conn.send(("ready", os.getpid()))
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            kind, generation, payload = message
            try:
                reply = ("ok", self._handle(kind, generation, payload))
            except PartnergraphError as exc:
                reply = ("error", exc)
            except Exception as exc:
                log.exception("query worker failed")
                reply = ("error", QueryWorkerError(f"internal error in the query worker: {exc}"))
            try:
                self.conn.send(reply)
            except (EOFError, OSError):
                return

    def _handle(self, kind: str, generation: int, payload: object) -> object:
        if kind == "check":
            query, prefixes = cast(tuple[str, bool], payload)
            return self._info(query, prefixes).form.value
        if kind == "run":
            assert isinstance(payload, QueryRequest)
            if generation != self.generation:
                self._open(generation)
            assert self.store is not None
            info = self._info(payload.query, payload.prefixes)
            try:
                return execute(self.store, payload, self.row_limit, info=info)
            except (OSError, RuntimeError):
                # The server wrote meanwhile and compacted away files this read-only
                # handle still expected; a fresh handle sees the current store.
                log.info("store read failed; reopening it and retrying once", exc_info=True)
                self._open(generation)
                return execute(self.store, payload, self.row_limit, info=info)
        raise QueryWorkerError(f"unknown request kind {kind!r}")

    def _open(self, generation: int) -> None:
        self.store = None
        self.store = open_read_only(self.store_path)
        self.generation = generation

    def _info(self, query: str, prefixes: bool) -> QueryInfo:
        key = (query, prefixes)
        info = self.cache.get(key)
        if info is not None:
            self.cache.move_to_end(key)
            return info
        info = analyse(query, PREFIXES if prefixes else None)
        if len(query) <= CACHE_MAX_CHARS:
            self.cache[key] = info
            if len(self.cache) > CACHE_SIZE:
                self.cache.popitem(last=False)
        return info


class Handle:
    """The server's side of one worker: the child process and the parent's end of its pipe.

    At any moment one party owns a worker and is the only one to use its
    pipe: the idle queue, the thread running a query on it, or the thread
    starting it. :meth:`QueryPool.close` stops idle workers itself but only
    signals the others (:meth:`interrupt`); their owners see the pipe close
    and clean up. Closing a pipe another thread is reading could close a
    reused file descriptor, so this rule matters.
    """

    def __init__(self, ctx: Any, store_path: Path, row_limit: int, generation: int) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=main,
            args=(child, str(store_path), row_limit, generation),
            name="partnergraph-sparql-worker",
            daemon=True,
        )
        self.process.start()
        child.close()
        self._lock = threading.Lock()
        self._finished = False

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has opened the store; raise if it failed or took too long."""
        try:
            if not self.conn.poll(timeout):
                self.kill()
                raise QueryWorkerError(f"a query worker did not start within {timeout:g} s")
            status, detail = self.conn.recv()
        except (EOFError, OSError):
            status, detail = "failed", "it exited during start-up"
        if status != "ready":
            self.kill()
            raise QueryWorkerError(f"a query worker could not start: {detail}")

    def interrupt(self) -> None:
        """SIGKILL the process without touching the pipe (its owner may be reading it)."""
        with self._lock:
            if not self._finished and self.process.exitcode is None:
                self.process.kill()

    def kill(self) -> None:
        """SIGKILL the process, reap it (so the pid is really gone), close the pipe; idempotent."""
        with self._lock:
            if self._finished:
                return
            self._finished = True
            if self.process.exitcode is None:
                self.process.kill()
            self.process.join(timeout=5)
            self.conn.close()

    def stop(self) -> None:
        """Ask an idle worker to exit; kill it if it does not within a second."""
        with self._lock:
            if self._finished:
                return
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
        self.process.join(timeout=1)
        self.kill()
