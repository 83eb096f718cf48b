"""Who gets a free query worker next: the pool's scheduling policy, apart from its processes.

A free worker goes to the earliest waiter whose client holds no worker; a
client gets a second one only when nobody else waits. The fast lane serves
only clients not marked heavy (a client whose last query ran past the slice).
Not thread-safe: :class:`partnergraph.sparql.pool.QueryPool` calls it under
its lock.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from partnergraph.errors import QueryTimeoutError, QueryWorkerError


@dataclass(eq=False)
class Waiter:
    """A request waiting for a worker until ``deadline``; ``granted`` is set once it has one."""

    client: Hashable
    deadline: float
    seq: int
    granted: Any = None
    ready: threading.Event = field(default_factory=threading.Event)


class Schedule:
    """The waiters in arrival order, the workers each client holds, the heavy clients."""

    def __init__(self) -> None:
        self.waiters: list[Waiter] = []
        self.held: Counter[Hashable] = Counter()
        self.heavy: set[Hashable] = set()
        self._seq = itertools.count()

    def wait(self, client: Hashable, deadline: float) -> Waiter:
        """Queue a request of ``client``."""
        waiter = Waiter(client, deadline, next(self._seq))
        self.waiters.append(waiter)
        return waiter

    def withdraw(self, waiter: Waiter) -> None:
        """Forget a waiter that gave up (its deadline passed)."""
        if waiter in self.waiters:
            self.waiters.remove(waiter)

    def expire(self, now: float) -> None:
        """Drop waiters already served or past their deadline."""
        self.waiters = [x for x in self.waiters if x.granted is None and x.deadline > now]

    def pick(self, *, light_only: bool) -> Waiter | None:
        """The waiter a free worker goes to (the fast lane's: ``light_only``), or None."""
        eligible = [x for x in self.waiters if not (light_only and x.client in self.heavy)]
        for waiter in eligible:
            if self.held[waiter.client] == 0:
                return waiter
        clients = {x.client for x in self.waiters}
        if eligible and len(clients) == 1:
            return eligible[0]
        return None

    def grant(self, waiter: Waiter, worker: object) -> None:
        """Give ``worker`` to ``waiter`` and wake it."""
        self.waiters.remove(waiter)
        self.held[waiter.client] += 1
        waiter.granted = worker
        waiter.ready.set()

    def unhold(self, client: Hashable) -> None:
        """``client`` gave back a worker (its query ended, or the worker was killed)."""
        self.held[client] -= 1
        if self.held[client] <= 0:
            del self.held[client]

    def ran(self, client: Hashable, *, quick: bool) -> None:
        """A query of ``client`` finished within the slice (``quick``), or ran past it."""
        if quick:
            self.heavy.discard(client)
        else:
            self.heavy.add(client)


def take_turn(
    schedule: Schedule,
    lock: threading.Lock,
    dispatch: Callable[[], None],
    client: Hashable,
    deadline: float,
    *,
    busy: str,
    closed: str,
) -> Any:
    """Queue ``client``, wait for its turn and return what it was granted.

    Raises :class:`QueryTimeoutError` (``busy``) once ``deadline`` passes (the
    waiter is withdrawn) and :class:`QueryWorkerError` (``closed``) when a
    close released it ungranted. ``dispatch`` hands free workers to waiters;
    it is called with ``lock`` held. Shared by the pool (worker processes)
    and the forwarder (slots on a remote server).
    """
    with lock:
        waiter = schedule.wait(client, deadline)
        dispatch()
    while not waiter.ready.wait(timeout=max(0.0, deadline - time.monotonic())):
        with lock:
            if waiter.granted is not None:
                break
            schedule.withdraw(waiter)
            dispatch()
        raise QueryTimeoutError(busy)
    if waiter.granted is None:
        raise QueryWorkerError(closed)
    return waiter.granted
