"""Reading with the cyclic collector paused: off inside, as it was after (an error too)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from partnergraph.gc_pause import collector_paused


@pytest.fixture(autouse=True)
def collector_on_after() -> Iterator[None]:
    yield
    gc.enable()


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a damaged file")
    assert gc.isenabled()


def test_a_collector_someone_turned_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_what_the_block_read_goes_to_the_oldest_generation() -> None:
    """Not scanned again by the young collections; still collectable (not left frozen)."""
    with collector_paused():
        kept = [[i] for i in range(1000)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(o) in oldest for o in kept)
    assert gc.get_freeze_count() == 0


def test_the_collector_stays_off_until_the_last_of_overlapping_blocks_ends() -> None:
    """A model loading in one thread while a request reads in another: the request ending
    first does not turn the collector back on under the load."""
    gc.enable()
    entered, ended = threading.Event(), threading.Event()
    seen: list[bool] = []

    def load() -> None:
        with collector_paused():
            entered.set()
            ended.wait(10)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=load)
    with collector_paused():
        thread.start()
        assert entered.wait(10)
    assert not gc.isenabled()  # the other block is still open
    ended.set()
    thread.join(10)
    assert seen == [False]
    assert gc.isenabled()
