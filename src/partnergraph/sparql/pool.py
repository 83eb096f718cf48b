"""Worker processes that run SPARQL queries under a time limit that really ends the work.

pyoxigraph's Python API has no query timeout, and a Python thread cannot be
stopped, so a runaway query on a thread would keep a CPU busy for as long as
it likes. Queries therefore run in worker processes (``spawn`` start method:
no inherited locks or store handles), and a worker that runs past the limit
is killed with SIGKILL and replaced by a fresh one.

Each worker opens the on-disk store with :meth:`pyoxigraph.Store.read_only`
beside the server's read-write handle. A read-only handle sees the store as
it was when opened, so :meth:`QueryPool.refresh` bumps a generation number
and each worker reopens the store before its next query.

The safety check (:mod:`partnergraph.sparql.safety`) runs in the worker too,
under the same limit: parsing is pure Python, can take seconds on a large
query, and would otherwise hold the server's GIL. :meth:`QueryPool.check`
runs it alone so that the caller can negotiate a format from the query form;
the worker remembers the result, and :meth:`QueryPool.run` checks again
before evaluating. As defence in depth behind the refusal of SERVICE, a
worker moves itself into a new, empty network namespace at start
(``unshare(CLONE_NEWNET)``, which needs root; without it the worker carries
on), and it exits on its own if the server process dies.

>>> pool = QueryPool(Path("var/store"), workers=2, timeout=10, row_limit=10_000)  # doctest: +SKIP
>>> pool.start()                                                              # doctest: +SKIP
>>> pool.run(QueryRequest("ASK { ?s ?p ?o }", "json")).body                   # doctest: +SKIP
b'{"head":{},"boolean":true}'
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
from pathlib import Path
from typing import Any

from partnergraph.errors import PartnergraphError, QueryTimeoutError, QueryWorkerError
from partnergraph.sparql import worker
from partnergraph.sparql.execute import QueryRequest, QueryResult
from partnergraph.sparql.safety import QueryForm

__all__ = ["QueryPool", "QueryRequest", "QueryResult"]

log = logging.getLogger(__name__)

#: How long a new worker may take to import, open the store and say it is ready.
START_TIMEOUT = 60.0


class QueryPool:
    """A fixed number of pre-started worker processes; :meth:`run` is blocking and thread-safe.

    ``timeout`` bounds the work on each request (it is killed after that
    long); waiting for a free worker is bounded by the same amount.
    """

    def __init__(self, store_path: Path, *, workers: int, timeout: float, row_limit: int) -> None:
        if workers < 1 or timeout <= 0 or row_limit < 1:
            raise ValueError("workers, timeout and row_limit must be positive")
        self.store_path = Path(store_path)
        self.size = workers
        self.timeout = timeout
        self.row_limit = row_limit
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.LifoQueue[worker.Handle] = queue.LifoQueue()
        self._all: set[worker.Handle] = set()  # every worker not yet killed: idle, busy or starting
        self._starting: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._gone = threading.Condition(self._lock)
        self._generation = 0
        self._closed = False
        self._started = False

    def start(self) -> None:
        """Start every worker and wait until each has opened the store."""
        with self._lock:
            if self._started:
                return
            self._started = True
            fresh = [self._spawn() for _ in range(self.size)]
        try:
            for w in fresh:
                w.wait_ready(START_TIMEOUT)
        except PartnergraphError:
            for w in fresh:
                self._forget(w)
            self.close()
            raise
        with self._lock:
            for w in fresh:
                self._idle.put(w)

    def close(self) -> None:
        """Stop every worker, idle, busy or starting; no child process is left behind."""
        with self._lock:
            self._closed = True
            idle = []
            while not self._idle.empty():
                idle.append(self._idle.get_nowait())
            others = [w for w in self._all if w not in idle]
            starting = list(self._starting)
        for w in idle:
            self._forget(w)
        for w in others:
            w.interrupt()
        with self._lock:  # the owners of busy and starting workers see them die and clean up
            self._gone.wait_for(lambda: not self._all, timeout=10)
            leftovers = list(self._all)
        for w in leftovers:  # pragma: no cover - an owner that did not clean up in time
            w.kill()
        for thread in starting:
            thread.join(timeout=START_TIMEOUT)

    def __enter__(self) -> QueryPool:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refresh(self) -> None:
        """Make every worker reopen the store before its next query (after a rebuild or write)."""
        with self._lock:
            self._generation += 1

    def pids(self) -> list[int]:
        """Process ids of the current workers (for monitoring and tests)."""
        with self._lock:
            return sorted(w.pid for w in self._all if w.pid is not None)

    def check(
        self, query: str, *, prefixes: bool = False, timeout: float | None = None
    ) -> QueryForm:
        """Run the safety check in a worker and return the query form (to negotiate a format).

        Raises what :func:`partnergraph.sparql.safety.check_query` raises, or
        :class:`QueryTimeoutError`.
        """
        return QueryForm(self._call("check", (query, prefixes), timeout))

    def run(self, request: QueryRequest, *, timeout: float | None = None) -> QueryResult:
        """Check and evaluate ``request`` in a worker; kill the worker if it runs past the limit.

        Raises :class:`QueryTimeoutError` when it took too long (or no worker
        was free in that time), :class:`QueryError` for a bad or refused
        query and :class:`QueryWorkerError` if the worker died.
        """
        return self._call("run", request, timeout)

    def _call(self, kind: str, payload: object, timeout: float | None) -> Any:
        limit = self.timeout if timeout is None else timeout
        w = self._acquire(limit)
        try:
            w.conn.send((kind, self._generation, payload))
            if not w.conn.poll(max(limit, 0.0)):
                log.warning("query worker %s ran past %.3g s; killing it", w.pid, limit)
                self._discard(w)
                raise QueryTimeoutError(
                    f"the query ran past the {self.timeout:g} s time limit and was stopped"
                )
            status, value = w.conn.recv()
        except (EOFError, OSError) as exc:
            self._discard(w)
            if self._closed:
                raise QueryWorkerError("the query pool was closed during the query") from exc
            raise QueryWorkerError(
                "the query worker stopped while running the query (it may have run out of "
                "memory or stack); try a simpler query"
            ) from exc
        self._release(w)
        if status == "error":
            raise value
        return value

    def _acquire(self, limit: float) -> worker.Handle:
        deadline = time.monotonic() + limit
        while True:
            if self._closed:
                raise QueryWorkerError("the query pool is closed")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QueryTimeoutError(
                    f"all {self.size} query workers stayed busy for {limit:g} s; try again later"
                )
            try:  # short waits, so that close() is noticed
                w = self._idle.get(timeout=min(remaining, 0.25))
            except queue.Empty:
                continue
            if w.process.is_alive():
                return w
            log.warning("query worker %s had died while idle; replacing it", w.pid)
            self._discard(w)

    def _release(self, w: worker.Handle) -> None:
        with self._lock:
            if not self._closed:
                self._idle.put(w)
                return
        self._forget(w)

    def _forget(self, w: worker.Handle) -> None:
        """Stop ``w`` for good and let close() know it is gone."""
        w.stop()
        with self._lock:
            self._all.discard(w)
            self._gone.notify_all()

    def _discard(self, w: worker.Handle) -> None:
        """Kill ``w`` now and, unless the pool is closing, start a replacement in the background."""
        w.kill()
        with self._lock:
            self._all.discard(w)
            self._gone.notify_all()
            if self._closed:
                return
            thread = threading.Thread(target=self._replace, name="sparql-worker-start", daemon=True)
            self._starting.add(thread)
        thread.start()

    def _replace(self) -> None:
        try:
            for attempt in range(3):
                with self._lock:
                    if self._closed:
                        return
                    fresh = self._spawn()
                try:
                    fresh.wait_ready(START_TIMEOUT)
                except PartnergraphError as exc:
                    self._forget(fresh)
                    if self._closed:
                        return
                    log.error("could not replace a query worker (attempt %d): %s", attempt + 1, exc)
                    time.sleep(1.0)
                    continue
                self._release(fresh)
                return
        finally:
            with self._lock:
                self._starting.discard(threading.current_thread())

    def _spawn(self) -> worker.Handle:
        """Start a worker process and register it; the caller holds the lock."""
        w = worker.Handle(self._ctx, self.store_path, self.row_limit, self._generation)
        self._all.add(w)
        return w
