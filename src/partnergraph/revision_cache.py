"""Answers kept as bytes for one graph revision: serialise once, replay until the next write.

An answer (a partner list as JSON, a page, a query result) is a function of the
graph revision and of the representation asked for (path, parameters, format,
language). :class:`RevisionCache` keeps such answers under a key the caller
makes from the representation; the first ``put`` for a newer revision drops
everything kept for older ones, so nothing stale is ever handed out and memory
holds one revision's answers at most, bounded in bytes.

One cache belongs to one app (or store): it is an object, not module state.

>>> cache = RevisionCache(max_bytes=1000, max_entry_bytes=100)
>>> cache.put("v+1", "GET /a", b"hello")
True
>>> cache.get("v+1", "GET /a")
b'hello'
>>> cache.get("v+2", "GET /a") is None
True
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Generic, TypeVar

V = TypeVar("V")


def entity_tag(revision: str, representation: Iterable[str]) -> str:
    """A strong ETag (quoted) for ``representation`` at ``revision``: a hash of both.

    >>> entity_tag("abc+3", ["GET", "/api/v1/x", "application/json"])[:1]
    '"'
    """
    digest = hashlib.sha256(revision.encode())
    for part in representation:
        digest.update(b"\0" + part.encode("utf-8", "surrogateescape"))
    return f'"{digest.hexdigest()[:32]}"'


class RevisionCache(Generic[V]):
    """Values of one revision by key, least recently used dropped first past ``max_bytes``.

    ``put`` with a value larger than ``max_entry_bytes`` keeps nothing (and
    says so), as does a ``put`` for an older revision than the one kept.
    ``size`` tells the cache what a value weighs; bytes weigh their length.
    """

    def __init__(self, *, max_bytes: int = 64 << 20, max_entry_bytes: int = 8 << 20) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.revision: str | None = None
        self._entries: OrderedDict[str, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0
        self._lock = threading.RLock()  # re-entered: get_or_make calls get, put calls clear
        self._making: dict[tuple[str, str], Future[V]] = {}
        #: Callers of :meth:`get_or_make` that waited for another's ``make()``.
        self.waits = 0

    def get_or_make(
        self,
        revision: str,
        key: str,
        make: Callable[[], V],
        weigh: Callable[[V], int] | None = None,
    ) -> V:
        """The value kept for ``key`` at ``revision``, else ``make()``'s, kept if it may be.

        Concurrent callers for one key run one ``make()`` and share its value (or
        its exception), even a value too large to keep: ten readers of a page that
        takes seconds to render do not render it ten times over one another.
        ``weigh(value)`` is its ``size`` for :meth:`put`.
        """
        with self._lock:
            found = self.get(revision, key)
            if found is not None:
                return found
            running = self._making.get((revision, key))
            if running is None:
                mine: Future[V] = Future()
                self._making[(revision, key)] = mine
            else:
                self.waits += 1
        if running is not None:
            return running.result()
        try:
            value = make()
        except BaseException as exc:
            mine.set_exception(exc)
            raise
        else:
            self.put(revision, key, value, weigh(value) if weigh else None)
            mine.set_result(value)
            return value
        finally:
            with self._lock:
                del self._making[(revision, key)]

    def get(self, revision: str, key: str) -> V | None:
        """The value kept for ``key`` at ``revision``, or None."""
        with self._lock:
            if revision != self.revision:
                self.misses += 1
                return None
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, revision: str, key: str, value: V, size: int | None = None) -> bool:
        """Keep ``value`` for ``key`` at ``revision``; True if it was kept."""
        with self._lock:
            weight = size if size is not None else len(value)  # type: ignore[arg-type]
            if weight > self.max_entry_bytes:
                return False
            if revision != self.revision:
                if self.revision is not None and _older(revision, self.revision):
                    return False
                self.clear()
                self.revision = revision
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, weight)
            self._bytes += weight
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
            return True

    def clear(self) -> None:
        """Forget everything (the revision too)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.revision = None

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """What the kept values weigh together."""
        return self._bytes


def _older(revision: str, than: str) -> bool:
    """``v+3`` is older than ``v+5``; revisions of different graph versions are not ordered,
    so neither is older (the newer put wins)."""
    version, _, count = revision.rpartition("+")
    other, _, other_count = than.rpartition("+")
    if version != other or not (count.isdigit() and other_count.isdigit()):
        return False
    return int(count) < int(other_count)
