"""The per-revision cache of serialised answers."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from partnergraph.revision_cache import RevisionCache, entity_tag


def test_a_value_lives_until_the_revision_changes() -> None:
    cache: RevisionCache[bytes] = RevisionCache()
    assert cache.put("v+1", "a", b"one")
    assert cache.get("v+1", "a") == b"one"
    assert cache.get("v+2", "a") is None  # a newer revision never sees an older answer
    assert cache.put("v+2", "b", b"two")
    assert cache.get("v+1", "a") is None and len(cache) == 1
    assert cache.hits == 1 and cache.misses == 2


def test_an_older_revision_does_not_replace_a_newer_one() -> None:
    cache: RevisionCache[bytes] = RevisionCache()
    cache.put("v+5", "a", b"new")
    assert not cache.put("v+4", "a", b"old")
    assert cache.get("v+5", "a") == b"new"
    assert cache.put("w+0", "a", b"rebuilt")  # another graph version: the newer put wins
    assert cache.get("w+0", "a") == b"rebuilt"


def test_bytes_are_bounded_least_recently_used_first() -> None:
    cache: RevisionCache[bytes] = RevisionCache(max_bytes=10, max_entry_bytes=6)
    assert not cache.put("v+1", "big", b"x" * 7)
    cache.put("v+1", "a", b"aaaa")
    cache.put("v+1", "b", b"bbbb")
    cache.get("v+1", "a")
    cache.put("v+1", "c", b"cccc")
    assert cache.get("v+1", "b") is None
    assert cache.get("v+1", "a") == b"aaaa" and cache.get("v+1", "c") == b"cccc"
    assert cache.bytes == 8


def test_entity_tags_differ_by_revision_and_representation() -> None:
    tag = entity_tag("v+1", ["GET", "/x", "accept=application/json"])
    assert tag == entity_tag("v+1", ["GET", "/x", "accept=application/json"])
    assert tag != entity_tag("v+2", ["GET", "/x", "accept=application/json"])
    assert tag != entity_tag("v+1", ["GET", "/x", "accept=text/csv"])
    assert tag != entity_tag("v+1", ["GET", "/x", "accept=", "application/json"])
    assert tag.startswith('"') and tag.endswith('"')


def test_concurrent_callers_share_one_make_even_of_a_value_too_large_to_keep() -> None:
    cache: RevisionCache[bytes] = RevisionCache(max_entry_bytes=4)
    release = threading.Event()
    made: list[int] = []

    def make() -> bytes:
        made.append(1)
        assert release.wait(60), "the test never released the make"
        return b"too large"

    with ThreadPoolExecutor(5) as pool:
        first = pool.submit(cache.get_or_make, "v+1", "page", make)
        others = [pool.submit(cache.get_or_make, "v+1", "page", make) for _ in range(4)]
        deadline = time.monotonic() + 60  # against a hang, not a measure of speed
        while cache.waits < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        release.set()
        assert {f.result() for f in [first, *others]} == {b"too large"}
    assert made == [1] and cache.waits == 4
    assert cache.get("v+1", "page") is None  # shared, but too large to keep
    assert cache.get_or_make("v+1", "small", lambda: b"ok") == b"ok"
    assert cache.get("v+1", "small") == b"ok"


def test_a_failed_make_is_not_kept_and_the_next_caller_makes_again() -> None:
    cache: RevisionCache[bytes] = RevisionCache()

    def fail() -> bytes:
        raise RuntimeError("the view is gone")

    with pytest.raises(RuntimeError, match="gone"):
        cache.get_or_make("v+1", "page", fail)
    assert cache.get_or_make("v+1", "page", lambda: b"page") == b"page"
