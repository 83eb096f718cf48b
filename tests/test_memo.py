"""The read model's memo: one computation for concurrent callers, failures not kept, bounded.

Real threads, gated by an event so that "a computation is running" is a state the test
holds. No duration is compared to a limit.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from partnergraph.memo import Memo

#: A deadline against a hang, never a measure of speed.
DEADLINE = 60.0


def test_the_memo_computes_a_key_once_for_concurrent_callers() -> None:
    memo = Memo()
    gate = threading.Event()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        assert gate.wait(DEADLINE)
        return 42

    with ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(memo.get, "k", slow) for _ in range(10)]
        gate.set()
        assert [f.result(DEADLINE) for f in futures] == [42] * 10
    assert len(calls) == 1 and memo.builds == 1


def test_the_memo_forgets_a_failed_computation() -> None:
    memo = Memo()

    def broken() -> int:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        memo.get("k", broken)
    assert memo.get("k", lambda: 7) == 7


def test_the_memo_keeps_at_most_its_size() -> None:
    memo = Memo(size=3)
    for i in range(10):
        memo.get(i, lambda i=i: i)  # type: ignore[misc]
    assert memo.peek(9) == 9 and memo.peek(0) is None
