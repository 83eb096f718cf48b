"""Reading large saved values with Python's cyclic garbage collector paused.

Unpickling a read model or parsing a view's JSON creates millions of
containers, and each few hundred of them start a collection that walks the
young objects again. Paused, the same reads took a third of the time here at
1 M triples (idle, 2 cores): the read model's pickle (74 MB) 1.1-1.3 s vs
0.36 s, its analysis (49 MB) 0.66-0.81 s vs 0.22 s, the curated view's JSON
(84 MB) 0.73-0.80 s vs 0.42 s. In the server those reads hold the GIL that
every request needs. Nothing is freed late: the values are kept, not garbage,
and collection resumes (if it was on) as the read ends.

What was read then goes straight to the oldest generation (``gc.freeze()`` and
``gc.unfreeze()`` move every tracked object there, in constant time). Left
young, the million objects of a read model were scanned again by the next
collections of each generation, wherever a request happened to allocate:
after a restart at 1 M triples, 0.14-0.17 s (young), 0.44 s (middle) and
0.63 s (full) in the server, and a write took 1.3 s against 0.13 s. In the
oldest generation they are still collected if they become garbage, and they
do not count towards the next full collection.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pauses:
    """The blocks now pausing the collector, counted: it is one per process, and a
    server thread loading a saved model overlaps request threads reading a body's partners.
    Each block restoring the state it found instead, the first to end turned the collector
    back on under the other (seen at 1 M triples: full collections of 0.3-0.4 s every
    second while a saved model loaded, 2.2 s, beside partner lists of 1.7-3.7 s)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.was_on = False

    def enter(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.was_on = gc.isenabled()
                gc.disable()
            self.depth += 1

    def leave(self, *, settle: bool) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth:
                return
            if settle:
                gc.freeze()
                gc.unfreeze()
            if self.was_on:
                gc.enable()


_PAUSES = _Pauses()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block, whose objects then move to the oldest
    generation; once no other thread's block is open either, the collector's state is
    restored."""
    _PAUSES.enter()
    settle = False
    try:
        yield
        settle = True
    finally:
        _PAUSES.leave(settle=settle)
