"""Reading with the cyclic collector paused: off inside, as it was after (an error too)."""

from __future__ import annotations

import gc
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
