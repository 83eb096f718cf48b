"""Answers kept by key and computed once, even when asked for concurrently.

Each read model keeps its parametrised answers (a projection under filters, one
body's partners, the explorer's base view) in a :class:`Memo`: concurrent
requests for the same key wait for one computation instead of each starting
their own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

#: Parametrised answers kept per revision, least recently used dropped first.
MEMO_SIZE = 256


class Memo:
    """Answers of one revision by key, computed once even when asked concurrently.

    Keeps the :data:`MEMO_SIZE` most recently used, so callers varying a date
    or an area cannot grow it without bound. A failing computation is not
    kept: the next caller tries again.
    """

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.builds = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value kept under ``key``, else ``build()``'s (one build for concurrent callers)."""
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]  # type: ignore[return-value]
                running = self._building.get(key)
                if running is None:
                    running = self._building[key] = threading.Lock()
                    running.acquire()
                    break
            with running:  # another thread builds it: wait, then look again
                pass
        try:
            value = build()
            with self._lock:
                self.builds += 1
                self._keep(key, value)
            return value
        finally:
            with self._lock:
                del self._building[key]
            running.release()

    def entries(self) -> dict[Hashable, object]:
        """A copy of what is kept (to hand over to another process)."""
        with self._lock:
            return dict(self._values)

    def offer(self, key: Hashable, value: object) -> bool:
        """Keep ``value`` under ``key`` unless something is kept or being built for it."""
        with self._lock:
            if key in self._values or key in self._building:
                return False
            self._keep(key, value)
            return True

    def _keep(self, key: Hashable, value: object) -> None:
        """Keep ``value`` as the most recent, dropping the least recent past ``size`` (locked)."""
        self._values[key] = value
        while len(self._values) > self.size:
            self._values.popitem(last=False)

    def peek(self, key: Hashable) -> object | None:
        """The value kept under ``key`` without building it (None if there is none)."""
        with self._lock:
            return self._values.get(key)
