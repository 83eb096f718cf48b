"""Values kept per revision, and values another task makes (the server's read model).

The revision is a plain counter here; builds and makers are gated by events, so
"a build is running" is a state, not a timing. No duration is compared to a limit.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, wait

from partnergraph.revision_values import RevisionValues

DEADLINE = 60.0


class Revisions:
    """The current revision as ``g+<writes>``; ``write()`` moves it on."""

    def __init__(self) -> None:
        self.writes = 0

    def __call__(self) -> str:
        return f"g+{self.writes}"

    def write(self) -> None:
        self.writes += 1


class Builds:
    """A build that counts its calls and returns the revision it saw."""

    def __init__(self, revision: Revisions) -> None:
        self.revision = revision
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self) -> str:
        with self.lock:
            self.calls += 1
        return f"built@{self.revision()}"


def test_readers_of_a_name_made_elsewhere_wait_for_it_and_build_nothing() -> None:
    revision = Revisions()
    values = RevisionValues(revision)
    build = Builds(revision)
    busy = threading.Event()
    busy.set()
    values.expect("model", busy.is_set)
    with ThreadPoolExecutor(10) as pool:  # a cold start: nothing kept, the maker at work
        waiting = [pool.submit(values.cached_or_previous, "model", build, 0) for _ in range(10)]
        done, _ = wait(waiting, timeout=0.2)
        assert not done  # still waiting for the maker
        assert values.fill("model", "g+0", "made@g+0")
        answers = [f.result(DEADLINE) for f in waiting]
    assert answers == [("made@g+0", False)] * 10
    assert build.calls == 0


def test_after_a_write_readers_take_the_earlier_value_then_the_made_one() -> None:
    revision = Revisions()
    values = RevisionValues(revision)
    build = Builds(revision)
    values.expect("model", lambda: True)
    values.fill("model", "g+0", "made@g+0")
    revision.write()
    assert values.cached_or_previous("model", build, 0.05) == ("made@g+0", True)  # stale
    assert values.fill("model", "g+1", "made@g+1")
    assert values.cached_or_previous("model", build, 0.05) == ("made@g+1", False)
    assert build.calls == 0


def test_a_first_value_of_an_earlier_revision_is_taken_labelled_stale() -> None:
    revision = Revisions()
    values = RevisionValues(revision)
    values.expect("model", lambda: True)
    revision.write()  # the maker read a checkpoint before this write
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(values.cached_or_previous, "model", Builds(revision), 0)
        values.fill("model", "g+0", "made@g+0")
        assert waiting.result(DEADLINE) == ("made@g+0", True)


def test_an_idle_maker_leaves_the_build_to_the_reader() -> None:
    revision = Revisions()
    values = RevisionValues(revision)
    build = Builds(revision)
    values.expect("model", lambda: False)  # it failed, or has nothing to do
    assert values.cached_or_previous("model", build, 0) == ("built@g+0", False)
    assert build.calls == 1


def test_an_older_value_made_elsewhere_does_not_replace_a_newer_one() -> None:
    revision = Revisions()
    values = RevisionValues(revision)
    revision.write()
    revision.write()
    assert values.fill("model", "g+1", "made@g+1")
    assert not values.fill("model", "g+0", "made@g+0")  # older than what is kept
    assert values.fill("model", "g+2", "made@g+2")
    assert not values.fill("model", "g+1", "made@g+1")  # the current one is kept
    assert values.cached("model", Builds(revision)) == "made@g+2"


def test_cached_builds_once_a_revision_for_concurrent_callers() -> None:
    revision = Revisions()
    values = RevisionValues(revision)
    build = Builds(revision)
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: values.cached("model", build), range(10)))
    assert answers == ["built@g+0"] * 10 and build.calls == 1
    revision.write()
    assert values.cached("model", build) == "built@g+1" and build.calls == 2
