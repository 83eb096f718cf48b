"""Worker processes that run SPARQL queries under limits that really end the work, fairly.

pyoxigraph's Python API has no query timeout, and a Python thread cannot be
stopped, so queries run in worker processes (``spawn``: no inherited locks
or store handles); a worker that runs past the limit is killed with SIGKILL
and replaced. Workers read store checkpoints (:mod:`partnergraph.snapshots`),
never the live store; each request names the newest one.

This module decides who runs what and sends the queries; the processes'
coming and going (start, stop, replacement in the background) is
:mod:`partnergraph.sparql.workers`, the choice of the next waiter
:mod:`partnergraph.sparql.schedule`, a worker's own body
:mod:`partnergraph.sparql.worker`.

Scheduling (why a request is answered, and by whom):

* **Deadline.** A request's time limit starts when it arrives: waiting for a
  worker counts against it, and a request never waits or runs past it
  (:class:`QueryTimeoutError`, 503).
* **One worker per client while others wait.** A free worker goes to the
  earliest waiter whose client (the caller's key, the client address on
  the web) holds no worker; a client gets a second one only when nobody else
  waits.
* **A fast lane.** With two or more workers, one is kept for queries that
  finish quickly: it serves only clients whose last query did not run past
  the *slice* (a short time, at most a quarter of the limit). A query that
  is still running there at the end of its slice is stopped (the worker is
  killed), its client counts as heavy until one of its queries finishes
  within a slice, and the request goes on waiting for an ordinary worker
  with what is left of its deadline. A warm spare process takes the fast
  lane's place at once, so light queries are not held up by the restart.
* **CPU.** With lanes, the ordinary workers, where heavy queries end up,
  run at a lower OS priority (``slow_nice``): on a machine with few cores
  two cross products would otherwise take as much CPU as the fast lane and
  the server's own thread, and every light query would wait its turn for
  a core. A worker keeps its role once niced (raising a priority again
  needs privilege), so the fast lane and its spare are never niced ones.
* **Memory.** Each worker's address space is capped (``RLIMIT_AS``); a query
  that hits the cap gets :class:`QueryMemoryError` (503) and the worker is
  replaced.
* **No network.** Workers leave the network (:func:`worker.isolate_network`);
  :attr:`QueryPool.isolation` says whether that worked, and with
  ``require_isolation`` public queries are refused when it did not.

>>> pool = QueryPool(Snapshots.beside(Path("var/store")), workers=2, timeout=10,
...                  row_limit=10_000)                                       # doctest: +SKIP
>>> pool.start()                                                              # doctest: +SKIP
>>> pool.run(QueryRequest("ASK { ?s ?p ?o }", "json")).body                   # doctest: +SKIP
b'{"head":{},"boolean":true}'
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Hashable
from pathlib import Path

from partnergraph.errors import (
    QueryMemoryError,
    QueryTimeoutError,
    QueryWorkerError,
    SparqlUnavailableError,
)
from partnergraph.snapshots import Snapshots
from partnergraph.sparql import worker
from partnergraph.sparql.execute import QueryRequest, QueryResult
from partnergraph.sparql.schedule import Schedule, take_turn
from partnergraph.sparql.workers import WorkerSet

__all__ = ["QueryPool", "QueryRequest", "QueryResult"]

log = logging.getLogger(__name__)

#: The fast lane's slice: this long at most, and at most this share of the time limit.
FAST_SLICE = 1.0
FAST_SLICE_SHARE = 0.25


class QueryPool:
    """Pre-started worker processes; :meth:`run` is blocking and thread-safe.

    ``workers`` ordinary workers run queries (one of them is the fast lane
    when there are two or more, plus a warm spare process); ``timeout`` is
    each request's limit from arrival; ``memory_mb`` caps each worker's
    address space (0: no cap); ``slow_nice`` is the niceness of the workers
    that are not the fast lane or its spare (0: the server's).
    """

    def __init__(
        self,
        snapshots: Snapshots,
        *,
        workers: int,
        timeout: float,
        row_limit: int,
        memory_mb: int = 0,
        require_isolation: bool = False,
        slow_nice: int = 0,
    ) -> None:
        if workers < 1 or timeout <= 0 or row_limit < 1 or memory_mb < 0:
            raise ValueError("workers, timeout and row_limit must be positive")
        self.snapshots = snapshots
        self.size = workers
        self.timeout = timeout
        self.row_limit = row_limit
        self.memory_mb = memory_mb
        self.require_isolation = require_isolation
        self.slow_nice = slow_nice
        self.slice = min(FAST_SLICE, timeout * FAST_SLICE_SHARE)
        self.lanes = workers >= 2
        self._lock = threading.Lock()
        self.workers = WorkerSet(
            multiprocessing.get_context("spawn"),
            self._lock,
            snapshots,
            row_limit=row_limit,
            memory_bytes=memory_mb * 2**20,
            place=self._place,
        )
        self._idle: list[worker.Handle] = []  # ordinary workers, free
        self._fast: worker.Handle | None = None  # the fast lane's worker (free or busy)
        self._fast_free = False
        self._spare: worker.Handle | None = None
        self.schedule = Schedule()
        self._started = False
        #: Counts for monitoring and tests: fast-lane slices that ran out, memory stops.
        self.stats: Counter[str] = Counter()

    # --- life cycle -------------------------------------------------------------------

    def start(self, *, wait: bool = True) -> None:
        """Start every worker; with ``wait``, return once each is ready (raising if one did
        not), else at once: the server's start does not wait the ~0.3 s they take (its
        start was 0.97 s against 0.49 s for a bare app at 1 M triples). Meanwhile :meth:`run`
        waits for them within its deadline, so no public query runs before their network
        isolation is known, and :meth:`status` says ``starting``."""
        with self._lock:
            if self._started:
                return
            self._started = True
        count = self.size + (1 if self.lanes else 0)
        self.workers.start(count, wait=wait, require_isolation=self.require_isolation)
        if wait and self.workers.start_error is not None:
            self.close()
            raise self.workers.start_error

    @property
    def isolation(self) -> str | None:
        """None when every worker left the network, else why one could not."""
        return self.workers.isolation

    def wait_started(self, timeout: float) -> bool:
        """Whether the workers are up (or failed to start) within ``timeout`` seconds."""
        return self.workers.settled.wait(timeout)

    def _wait_started(self, deadline: float) -> None:
        """Return once the workers are up; raise if they are not by ``deadline`` or failed."""
        if not self.workers.settled.wait(max(0.0, deadline - time.monotonic())):
            raise QueryTimeoutError(
                f"the query workers were still starting at the {self.timeout:g} s time limit"
            )
        if self.workers.start_error is not None:
            raise SparqlUnavailableError(
                f"the SPARQL query workers did not start ({self.workers.start_error}); "
                "see the server's log"
            )

    def close(self) -> None:
        """Stop every worker, idle, busy or starting; no child process is left behind."""
        with self._lock:
            self.workers.closed = True
            idle = list(self._idle)
            if self._fast is not None and self._fast_free:
                idle.append(self._fast)
            if self._spare is not None:
                idle.append(self._spare)
            self._idle.clear()
            self._fast, self._spare = None, None
            for waiter in self.schedule.waiters:
                waiter.ready.set()
        self.workers.close(idle)

    def __enter__(self) -> QueryPool:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _closed(self) -> bool:
        return self.workers.closed

    def pids(self) -> list[int]:
        """Process ids of the current workers, spare included (for monitoring and tests)."""
        return self.workers.pids()

    def status(self) -> dict[str, object]:
        """What a health check shows: isolation, workers, the memory cap; while the workers
        start, ``starting`` and None for what they have not told yet."""
        starting = not self.workers.settled.is_set()
        failed = self.workers.start_error
        return {
            "workers": self.size,
            "starting": starting,
            "start_problem": None if failed is None else str(failed),
            "network_isolation": None if starting else self.isolation is None,
            "isolation_problem": self.isolation,
            "public_queries": None
            if starting
            else failed is None and (self.isolation is None or not self.require_isolation),
            "memory_limit_mb": self.memory_mb or None,
        }

    # --- running queries ----------------------------------------------------------------

    def run(
        self,
        request: QueryRequest,
        *,
        client: Hashable | None = None,
        deadline: float | None = None,
        public: bool = True,
    ) -> QueryResult:
        """Run ``request`` in a worker by ``deadline`` (monotonic; default: now + timeout).

        ``client`` identifies who asks (an address) for fair scheduling; None
        counts as a client of its own. ``public`` marks text from outside the
        project, refused when isolation is required and missing. Raises
        :class:`QueryTimeoutError` when the deadline passed (waiting or
        running), :class:`QueryMemoryError`, :class:`QueryError` for a bad or
        refused query, :class:`QueryWorkerError` if the worker died and
        :class:`SparqlUnavailableError`.
        """
        if deadline is None:
            deadline = time.monotonic() + self.timeout
        self._wait_started(deadline)
        if public and self.require_isolation and self.isolation:
            raise SparqlUnavailableError(
                "public SPARQL is off on this server: its query workers could not leave the "
                f"network ({self.isolation}); see /healthz"
            )
        key: Hashable = object() if client is None else client
        while True:
            w = self._acquire(key, deadline)
            outcome = self._send(w, key, request, deadline)
            if outcome is not None:
                return outcome
            # The worker had died, or the fast lane's slice ran out: wait again, same deadline.

    def _acquire(self, client: Hashable, deadline: float) -> worker.Handle:
        if self._closed:
            raise QueryWorkerError("the query pool is closed")
        worker_handle: worker.Handle = take_turn(
            self.schedule,
            self._lock,
            self._dispatch,
            client,
            deadline,
            busy=f"no query worker was free within the {self.timeout:g} s time limit "
            "(the endpoint is busy); try again later",
            closed="the query pool was closed",
        )
        return worker_handle

    def _send(
        self, w: worker.Handle, client: Hashable, request: QueryRequest, deadline: float
    ) -> QueryResult | None:
        """Run on ``w``; None when it had died or the fast lane's slice ran out (it is gone)."""
        started = time.monotonic()
        if not w.process.is_alive():
            log.warning("query worker %s had died while idle; replacing it", w.pid)
            self._discard(w, client)
            return None
        try:
            snapshot = self.snapshots.checkout()
        except FileNotFoundError as exc:
            self._release(w, client, started)
            raise QueryWorkerError(f"the store has no checkpoint to read: {exc}") from None
        previous, w.snapshot = w.snapshot, snapshot
        try:
            return self._exchange(w, client, request, deadline, started, snapshot)
        finally:  # the worker has moved on from (or died with) its previous checkpoint
            self.snapshots.release(previous)

    def _exchange(
        self,
        w: worker.Handle,
        client: Hashable,
        request: QueryRequest,
        deadline: float,
        started: float,
        snapshot: Path,
    ) -> QueryResult | None:
        on_fast_lane = w.fast
        try:
            w.conn.send((str(snapshot), request))
            sliced = on_fast_lane and self.slice < deadline - started
            if sliced and not w.conn.poll(self.slice):
                log.info("query from %s ran past the fast lane's slice; moving it", client)
                self.stats["slices_run_out"] += 1
                with self._lock:
                    self.schedule.ran(client, quick=False)
                self._discard(w, client)
                return None
            if not w.conn.poll(max(0.0, deadline - time.monotonic())):
                log.warning("query worker %s ran past its deadline; killing it", w.pid)
                with self._lock:
                    self.schedule.ran(client, quick=False)
                self._discard(w, client)
                raise QueryTimeoutError(
                    f"the query ran past the {self.timeout:g} s time limit and was stopped"
                )
            status, value = w.conn.recv()
        except (EOFError, OSError) as exc:
            memory = w.died_of_memory()
            self._discard(w, client)
            if self._closed:
                raise QueryWorkerError("the query pool was closed during the query") from exc
            if memory:
                self.stats["memory_stops"] += 1
                raise QueryMemoryError(worker.memory_message(self.memory_mb * 2**20)) from None
            raise QueryWorkerError(
                "the query worker stopped while running the query (it may have run out of "
                "stack); try a simpler query"
            ) from exc
        if status == "fatal":
            self.stats["memory_stops"] += 1
            self._discard(w, client)
            raise value
        self._release(w, client, started)
        if status == "error":
            raise value
        return value

    # --- scheduling (every method below with the lock held unless it says otherwise) -------

    def _dispatch(self) -> None:
        """Hand free workers to waiters: ordinary ones first, the fast lane to light clients."""
        self.schedule.expire(time.monotonic())
        while self._idle:
            waiter = self.schedule.pick(light_only=False)
            if waiter is None:
                break
            self.schedule.grant(waiter, self._idle.pop())
        if self._fast is not None and self._fast_free:
            waiter = self.schedule.pick(light_only=True)
            if waiter is not None:
                self._fast_free = False
                self.schedule.grant(waiter, self._fast)

    def _place(self, w: worker.Handle) -> None:
        """Put a new or freed worker where it belongs and serve the waiters."""
        if self._closed:
            return
        if self.lanes and self._fast is None and not w.nice:
            w.fast, self._fast, self._fast_free = True, w, True
        elif w is self._fast:
            self._fast_free = True
        elif self.lanes and self._spare is None and not w.nice:
            self._spare = w
        else:  # an ordinary worker: heavy queries run here, below the fast lane's priority
            if self.lanes:
                w.lower_priority(self.slow_nice)
            self._idle.append(w)
        self._dispatch()

    def _release(self, w: worker.Handle, client: Hashable, started: float) -> None:
        """A query ended normally on ``w`` (not under the lock)."""
        with self._lock:
            self.schedule.unhold(client)
            self.schedule.ran(client, quick=time.monotonic() - started <= self.slice)
            closing = self._closed
            if not closing:
                self._place(w)
        if closing:
            self.workers.forget(w)

    def _discard(self, w: worker.Handle, client: Hashable) -> None:
        """Kill ``w`` now; reap it and start a replacement in the background (unless closing).

        Reaping waits for the process to go, which takes a moment on a busy
        machine: the caller answers its client meanwhile.
        """
        w.interrupt()
        self.snapshots.release(w.snapshot)
        w.snapshot = None
        with self._lock:
            self.schedule.unhold(client)
            closed = self._closed
            if not closed:
                self.workers.drop(w)
                if w is self._fast:
                    self._fast = None
                    if self._spare is not None:
                        spare, self._spare = self._spare, None
                        self._place(spare)
                self._dispatch()
                thread = self.workers.replace_later(w)
        if closed:
            w.kill()
            with self._lock:
                self.workers.drop(w)
            return
        thread.start()
