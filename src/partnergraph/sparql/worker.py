"""A query worker: its body (:func:`main`) and the server's handle on it (:class:`Handle`).

Kept apart from :mod:`partnergraph.sparql.pool` because ``spawn`` starts a
fresh interpreter that imports the target function's module: this one
imports only what a worker needs. A worker:

* leaves the network before anything else: ``unshare(CLONE_NEWUSER |
  CLONE_NEWNET)`` puts it in a new user namespace, where it may create a new,
  empty network namespace (no interface but a down loopback) without being
  root. It says whether that worked; the pool decides what follows;
* caps its address space (``RLIMIT_AS``), so a query that needs more memory
  fails in the worker instead of taking the machine's;
* reads only store checkpoints (:mod:`partnergraph.snapshots`), never the
  live store: each request names the checkpoint to read, and the worker
  reopens when it changes;
* ignores Ctrl-C (the server stops its workers itself) and exits when the
  server process disappears, even in the middle of a query;
* serves requests from its pipe one at a time on a thread with a large stack
  (the engine's parser and rdflib's, used to word some errors, recurse).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import resource
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from partnergraph.errors import (
    PartnergraphError,
    QueryError,
    QueryMemoryError,
    QueryWorkerError,
)
from partnergraph.sparql.execute import QueryRequest, execute
from partnergraph.sparql.safety import DatasetMemo

log = logging.getLogger(__name__)

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
M_ARENA_MAX = -8
RECURSION_LIMIT = 20_000
STACK_BYTES = 128 * 1024 * 1024
#: Exit status of a worker that stopped itself after running out of memory.
EXIT_MEMORY = 77


def isolate_network() -> str | None:
    """Move this (single-threaded) process into new user and network namespaces.

    Returns None on success, else why it failed. A new user namespace needs
    no privilege where the kernel allows unprivileged user namespaces; inside
    it the process may create a network namespace. Inside, the process keeps
    its files (the kernel checks them against its real user id), and its
    user id is mapped onto itself so that file ownership reads the same.
    """
    uid, gid = os.getuid(), os.getgid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
            return (
                f"unshare(CLONE_NEWUSER | CLONE_NEWNET) failed: {os.strerror(ctypes.get_errno())}"
            )
    except (OSError, AttributeError) as exc:
        return f"unshare is not available: {exc}"
    for name, text in (
        ("setgroups", "deny"),
        ("uid_map", f"{uid} {uid} 1"),
        ("gid_map", f"{gid} {gid} 1"),
    ):
        with contextlib.suppress(OSError):
            Path(f"/proc/self/{name}").write_text(text)
    return None


def limit_memory(max_bytes: int) -> None:
    """Cap this process's address space; few malloc arenas, so the cap measures real use."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 2)
    if max_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def main(conn: Connection, row_limit: int, memory_bytes: int) -> None:
    """Entry point of the worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    isolation_failure = isolate_network()  # before any thread exists: unshare needs that
    _watch_parent()
    sys.setrecursionlimit(RECURSION_LIMIT)
    threading.stack_size(STACK_BYTES)
    limit_memory(memory_bytes)
    server = _Server(conn, row_limit, memory_bytes)
    thread = threading.Thread(target=server.serve, args=(isolation_failure,), name="sparql-worker")
    thread.start()
    thread.join()
    # No interpreter shutdown: its garbage collection would drop the engine's result objects
    # on this thread, which pyoxigraph refuses (they belong to the query thread).
    os._exit(EXIT_MEMORY if server.out_of_memory else 0)


def _watch_parent() -> None:
    """Exit at once if the parent process goes away (its pipe closing is not seen mid-query)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def memory_message(memory_bytes: int) -> str:
    return (
        f"the query needed more than the {memory_bytes // 2**20} MB memory limit of a query "
        "worker and was stopped; narrow it (LIMIT, fewer cross products, no ORDER BY over "
        "everything)"
    )


class _Server:
    def __init__(self, conn: Connection, row_limit: int, memory_bytes: int) -> None:
        self.conn = conn
        self.row_limit = row_limit
        self.memory_bytes = memory_bytes
        self.store: ox.Store | None = None
        self.snapshot: str | None = None
        self.out_of_memory = False
        self.datasets = DatasetMemo()

    def serve(self, isolation_failure: str | None) -> None:
        self.conn.send(("ready", os.getpid(), isolation_failure))
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            snapshot, request = message
            try:
                reply = ("ok", self._run(snapshot, request))
            except PartnergraphError as exc:
                reply = ("error", exc)
            except MemoryError:
                self.out_of_memory = True
                self.store = None
                reply = ("fatal", QueryMemoryError(memory_message(self.memory_bytes)))
            except BaseException as exc:
                if isinstance(exc, (SystemExit, KeyboardInterrupt)):
                    raise
                log.exception("query worker failed")
                reply = ("error", QueryError(f"the SPARQL engine failed on this query: {exc}"))
            try:
                self.conn.send(reply)
            except (EOFError, OSError):
                return
            if self.out_of_memory:
                return

    def _run(self, snapshot: str, request: QueryRequest) -> object:
        if snapshot != self.snapshot:
            self.store = None  # close the old checkpoint before the pool may delete it
            self.snapshot = None
            try:
                self.store = ox.Store.read_only(snapshot)
            except OSError as exc:
                raise QueryWorkerError(
                    f"cannot open the store checkpoint {snapshot}: {exc}"
                ) from None
            self.snapshot = snapshot
        assert self.store is not None
        return execute(self.store, request, self.row_limit, self.datasets)


class Handle:
    """The server's side of one worker: the child process and the parent's end of its pipe.

    At any moment one party owns a worker and is the only one to use its
    pipe: the pool's idle list, the thread running a query on it, or the
    thread starting it. :meth:`QueryPool.close` stops idle workers itself but
    only signals the others (:meth:`interrupt`); their owners see the pipe
    close and clean up. Closing a pipe another thread is reading could close a
    reused file descriptor, so this rule matters.

    ``snapshot`` is the checkpoint the worker has open (as the pool last told
    it), ``isolation`` None when it left the network, else why not.
    """

    def __init__(self, ctx: Any, row_limit: int, memory_bytes: int) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=main,
            args=(child, row_limit, memory_bytes),
            name="partnergraph-sparql-worker",
            daemon=True,
        )
        self.process.start()
        child.close()
        self._lock = threading.Lock()
        self._finished = False
        self.snapshot: Path | None = None
        self.isolation: str | None = None
        self.fast = False
        #: The niceness the pool gave the process (0: the server's own).
        self.nice = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has started; raise if it failed or took too long."""
        try:
            if not self.conn.poll(timeout):
                self.kill()
                raise QueryWorkerError(f"a query worker did not start within {timeout:g} s")
            status, _pid, isolation = self.conn.recv()
        except (EOFError, OSError, ValueError):
            status, isolation = "failed", None
        if status != "ready":
            self.kill()
            raise QueryWorkerError("a query worker could not start: it exited during start-up")
        self.isolation = isolation

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

    def lower_priority(self, nice: int) -> None:
        """Give every thread of the process niceness ``nice`` (higher only; no privilege needed).

        Linux keeps a nice value per thread, and the query thread exists before
        this is called, so each thread of ``/proc/PID/task`` is set; threads the
        engine starts later inherit the query thread's value.
        """
        if nice <= self.nice or self.pid is None:
            return
        try:
            threads = [int(t) for t in os.listdir(f"/proc/{self.pid}/task")]
        except OSError:
            threads = [self.pid]
        for tid in threads:
            try:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
            except OSError as exc:  # the thread ended, or the system refuses: run as is
                log.debug("could not renice thread %s of worker %s: %s", tid, self.pid, exc)
        self.nice = nice

    def died_of_memory(self) -> bool:
        """True when the process ended for lack of memory (its own exit, or an allocator abort)."""
        self.process.join(timeout=2)
        return self.process.exitcode in (EXIT_MEMORY, -signal.SIGABRT)
