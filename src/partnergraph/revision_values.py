"""Values derived from one graph revision (the read model), kept by the store until it changes.

A value is built on first use and kept under its name with the revision it was
built from. Two ways to get one:

* :meth:`RevisionValues.cached` always answers for the current revision,
  building it if need be (writes and the CLI);
* :meth:`RevisionValues.cached_or_previous` lets a reader take the value of an
  earlier revision, labelled stale, after waiting a bounded time (GET requests).

In the server a background task makes the value of each new revision in
another process (the explorer's view builder, whose child saves the read
model) and hands it over with :meth:`RevisionValues.fill`. While that task is
busy, readers must not start the same build here as well: at a million
triples it held the server's GIL for about twenty seconds beside the child's
identical build, and writes and imports slowed while it ran. So a name
announced with :meth:`RevisionValues.expect` is waited for (or its earlier
value taken), never built, while its task is busy; when the task is idle (it
failed, or no build elsewhere runs) a reader builds it here as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar, cast

T = TypeVar("T")

#: How often a reader waiting on a value made elsewhere checks that its maker is still busy.
POLL = 1.0


def _write_count(revision: str | None) -> tuple[str, int]:
    """A revision (``<graph version>+<writes>``) as its graph version and write count."""
    version, _, count = (revision or "").rpartition("+")
    return version, int(count) if count.isdigit() else -1


class RevisionValues:
    """Named values of a revision; ``revision()`` tells the current one (the store's)."""

    def __init__(self, revision: Callable[[], str]) -> None:
        self.revision = revision
        self._values: dict[str, tuple[str | None, object]] = {}
        self._lock = threading.Lock()
        self._filled = threading.Condition(self._lock)
        self._name_locks: dict[str, threading.Lock] = {}
        self._building: dict[str, Future[object]] = {}
        self._makers: dict[str, Callable[[], bool]] = {}

    def cached(self, name: str, build: Callable[[], T]) -> T:
        """``build()``'s result for the current revision, kept until the graph changes.

        Single-flight per name: callers arriving while one builds wait for that
        build instead of starting theirs.
        """
        with self._lock:
            lock = self._name_locks.setdefault(name, threading.Lock())
        with lock:
            version = self.revision()
            hit = self._values.get(name)
            if hit is not None and hit[0] == version:
                return hit[1]  # type: ignore[return-value]
            value = build()
            with self._filled:
                self._values[name] = (version, value)
                self._filled.notify_all()
            return value

    def cached_or_previous(self, name: str, build: Callable[[], T], wait: float) -> tuple[T, bool]:
        """:meth:`cached`, waiting ``wait`` seconds at most when an earlier value can stand in.

        Returns the value and whether it is of an earlier revision (stale). The
        build runs on a thread of its own (one per name at a time), so it goes on
        for the next caller when this one stops waiting; with nothing earlier kept,
        this waits for it. A name another task makes (:meth:`expect`) is waited
        for instead while that task is busy; with nothing kept, the first value it
        hands over is taken, of whatever revision.
        """
        current = self.revision()
        hit = self._values.get(name)
        if hit is not None and hit[0] == current:
            return hit[1], False  # type: ignore[return-value]
        if name in self._makers:
            made = self._await_maker(name, current, None if hit is None else wait)
            if made is not None:
                return cast(T, made[1]), made[0] != current
            hit = self._values.get(name)  # the maker is idle: build here, as below
        with self._lock:
            running = self._building.get(name)
            if running is None or running.done():
                running = self._building[name] = Future()
                threading.Thread(
                    target=self._build_into, args=(running, name, build), daemon=True
                ).start()
        try:
            value = cast(T, running.result(timeout=None if hit is None else wait))
            built = self._values.get(name)  # a build begun before a later write is stale too
            return value, built is not None and built[0] != current
        except FutureTimeout:
            assert hit is not None  # only with an earlier value is there a timeout
            return cast(T, hit[1]), True

    def expect(self, name: str, busy: Callable[[], bool]) -> None:
        """Say that another task makes ``name`` for each new revision and hands it over with
        :meth:`fill`; ``busy()`` tells whether it is at work (else readers build it here)."""
        with self._lock:
            self._makers[name] = busy

    def peek(self, name: str) -> tuple[str | None, object] | None:
        """What is kept under ``name`` and its revision, current or not; builds nothing."""
        with self._lock:
            return self._values.get(name)

    def fill(self, name: str, revision: str, value: object) -> bool:
        """Keep ``value``, made elsewhere for ``revision``, unless what is kept is newer.

        A value of an earlier revision is kept too (it stands in, labelled stale,
        for readers allowed to take one). Returns whether it was kept.
        """
        with self._filled:
            held = self._values.get(name)
            if held is not None and held[0] != revision:
                old, new = _write_count(held[0]), _write_count(revision)
                current = self.revision()
                if held[0] == current or (old[0] == new[0] and old[1] > new[1]):
                    return False
            self._values[name] = (revision, value)
            self._filled.notify_all()
            return True

    def _await_maker(
        self, name: str, current: str, wait: float | None
    ) -> tuple[str | None, object] | None:
        """What the maker of ``name`` hands over: the current revision's value, or after
        ``wait`` seconds what is kept (None: wait for the first value, of any revision).
        None when the maker is idle with nothing of use kept."""
        deadline = None if wait is None else time.monotonic() + wait
        with self._filled:
            while True:
                kept = self._values.get(name)
                if kept is not None and (kept[0] == current or deadline is None):
                    return kept
                left = POLL if deadline is None else min(POLL, deadline - time.monotonic())
                if left <= 0:
                    return kept
                if not self._makers[name]():
                    return None
                self._filled.wait(left)

    def _build_into(self, future: Future[T], name: str, build: Callable[[], T]) -> None:
        try:
            future.set_result(self.cached(name, build))
        except BaseException as exc:  # handed to every waiter
            future.set_exception(exc)
