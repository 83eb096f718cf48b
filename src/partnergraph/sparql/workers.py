"""The live worker processes of a query pool: started, stopped, and replaced in the background.

Split from :mod:`partnergraph.sparql.pool`, which decides who runs what
(lanes, the waiters, deadlines): this module only knows which processes exist
and how they come and go. It shares the pool's lock, so that a worker is
never both handed out and stopped; :meth:`WorkerSet.close` waits until every
owner has let its worker go, so no child process outlives the pool.

A killed worker is reaped and replaced on a thread of its own (three
attempts), since starting an interpreter takes a moment on a busy machine
and the request that caused it is answered meanwhile; the fresh worker goes
to ``place`` (the pool puts it where it is needed).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from partnergraph.errors import PartnergraphError
from partnergraph.snapshots import Snapshots
from partnergraph.sparql import worker

log = logging.getLogger(__name__)

#: How long a new worker may take to import and say it is ready: a deadline against a hang,
#: generous because a busy machine (CI shares its cores) can take a minute to start one.
START_TIMEOUT = 300.0
#: Attempts to replace a dead worker before giving up (logged at ERROR).
REPLACE_ATTEMPTS = 3


class WorkerSet:
    """Every worker process not yet killed, and the threads starting replacements.

    Methods say whether the caller holds ``lock`` (the pool's). ``closed`` is
    set, under the lock, once the pool is closing: nothing new is started.
    """

    def __init__(
        self,
        ctx: Any,
        lock: threading.Lock,
        snapshots: Snapshots,
        *,
        row_limit: int,
        memory_bytes: int,
        place: Callable[[worker.Handle], None],
    ) -> None:
        self._ctx = ctx
        self._lock = lock
        self._snapshots = snapshots
        self._row_limit = row_limit
        self._memory_bytes = memory_bytes
        self._place = place
        self._gone = threading.Condition(lock)
        self.all: set[worker.Handle] = set()
        self.starting: set[threading.Thread] = set()
        self.closed = False
        #: Set once the first workers are up, or failed to start (:meth:`start`).
        self.settled = threading.Event()
        self.start_error: PartnergraphError | None = None
        #: None when every first worker left the network, else why one could not.
        self.isolation: str | None = None

    def start(self, count: int, *, wait: bool, require_isolation: bool) -> None:
        """Start the first ``count`` workers and place each once all are ready, on a thread
        of its own unless ``wait`` (lock not held). Then :attr:`settled` is set, with
        :attr:`start_error` or :attr:`isolation` said (and logged: with
        ``require_isolation``, public queries are refused without it)."""
        with self._lock:
            fresh = [self.spawn() for _ in range(count)]
        if wait:
            self._settle(fresh, require_isolation)
            return
        thread = threading.Thread(
            target=self._settle,
            args=(fresh, require_isolation),
            name="sparql-workers-start",
            daemon=True,
        )
        with self._lock:
            self.starting.add(thread)  # close() waits for it
        thread.start()

    def _settle(self, fresh: list[worker.Handle], require_isolation: bool) -> None:
        try:
            self._bring_up(fresh, require_isolation)
        finally:
            with self._lock:
                self.starting.discard(threading.current_thread())
            self.settled.set()

    def _bring_up(self, fresh: list[worker.Handle], require_isolation: bool) -> None:
        """Wait for the first workers, say their isolation, and place them (lock not held)."""
        try:
            for w in fresh:
                w.wait_ready(START_TIMEOUT)
        except PartnergraphError as exc:
            for w in fresh:
                self.forget(w)
            self.start_error = exc
            if not self.closed:  # else stopped by close() while starting
                log.error("the SPARQL query workers did not start: %s", exc)
            return
        failures = [w.isolation for w in fresh if w.isolation]
        self.isolation = failures[0] if failures else None
        if self.isolation:
            log.warning(
                "SPARQL query workers could not leave the network (%s); %s",
                self.isolation,
                "public SPARQL queries are refused"
                if require_isolation
                else "public SPARQL queries run with network access",
            )
        with self._lock:
            closed = self.closed
            if not closed:
                for w in fresh:
                    self._place(w)
        if closed:
            for w in fresh:
                self.forget(w)

    def spawn(self) -> worker.Handle:
        """Start a worker process and count it (lock held); it says when it is ready."""
        w = worker.Handle(self._ctx, self._row_limit, self._memory_bytes)
        self.all.add(w)
        return w

    def pids(self) -> list[int]:
        """Process ids of the workers (lock not held)."""
        with self._lock:
            return sorted(w.pid for w in self.all if w.pid is not None)

    def drop(self, w: worker.Handle) -> None:
        """``w`` is dead or dying and no longer counts (lock held)."""
        self.all.discard(w)
        self._gone.notify_all()

    def forget(self, w: worker.Handle) -> None:
        """Stop an idle ``w`` for good and drop it (lock not held)."""
        w.stop()
        self._snapshots.release(w.snapshot)
        w.snapshot = None
        with self._lock:
            self.drop(w)

    def replace_later(self, dead: worker.Handle) -> threading.Thread:
        """A thread, not yet started, that reaps ``dead`` and places a fresh worker (lock held)."""
        thread = threading.Thread(
            target=self._replace, args=(dead,), name="sparql-worker-start", daemon=True
        )
        self.starting.add(thread)
        return thread

    def close(self, idle: list[worker.Handle]) -> None:
        """Stop ``idle`` workers, interrupt the busy ones and wait until all are gone.

        The owners of busy and starting workers see them die and drop them; the
        caller has set :attr:`closed` (lock not held now).
        """
        with self._lock:
            others = [w for w in self.all if w not in idle]
            starting = list(self.starting)
        for w in idle:
            self.forget(w)
        for w in others:
            w.interrupt()
        with self._lock:
            self._gone.wait_for(lambda: not self.all, timeout=10)
            leftovers = list(self.all)
        for w in leftovers:  # pragma: no cover - an owner that did not clean up in time
            w.kill()
        for thread in starting:
            thread.join(timeout=START_TIMEOUT)

    def _replace(self, dead: worker.Handle) -> None:
        dead.kill()
        try:
            for attempt in range(REPLACE_ATTEMPTS):
                with self._lock:
                    if self.closed:
                        return
                    fresh = self.spawn()
                try:
                    fresh.wait_ready(START_TIMEOUT)
                except PartnergraphError as exc:
                    self.forget(fresh)
                    if self.closed:
                        return
                    log.error("could not replace a query worker (attempt %d): %s", attempt + 1, exc)
                    time.sleep(1.0)
                    continue
                with self._lock:
                    closed = self.closed
                    if not closed:
                        self._place(fresh)
                if closed:
                    self.forget(fresh)
                return
        finally:
            with self._lock:
                self.starting.discard(threading.current_thread())
