"""The background view builder: single-flight, stale views labelled,
bounded waits, writes that never wait for a build.

The store is a real (empty, in-memory) pyoxigraph store whose revision moves with real
writes; the builds are gated by events so that "a build is running" is a state the test
holds, not a race it hopes to win. No duration is compared to a limit.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from partnergraph.errors import SettingsError, ViewNotReadyError
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.view_files import ViewFiles
from partnergraph.views import Shown, ViewBuilder

#: A deadline against a hang, never a measure of speed.
DEADLINE = 60.0


class GatedBuild:
    """A build that counts its calls and, while ``gate`` is closed, waits for it."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.started = threading.Event()
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, store: GraphStore, key: str) -> str:
        with self._lock:
            self.calls += 1
        self.started.set()
        assert self.gate.wait(DEADLINE), "the test never opened the gate"
        return f"{key}@{store.revision()}"


def until(condition: Callable[[], bool]) -> bool:
    """Whether ``condition`` holds within the deadline (polled: a state reached in the
    background, never a measure of speed)."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def write(store: GraphStore, n: int) -> str:
    quad = ox.Quad(
        ox.NamedNode(f"https://example.org/s{n}"),
        ox.NamedNode("https://example.org/p"),
        ox.Literal(str(n)),
        ox.NamedNode("https://example.org/g"),
    )
    return store.apply(add=[quad])


@pytest.fixture
def store() -> Iterator[GraphStore]:
    yield GraphStore.in_memory(Settings(), build=False)


def built(store: GraphStore, build: GatedBuild, *, listen: bool = True) -> ViewBuilder[str, str]:
    """A builder whose first revision is built (the gate open), listening to writes or not."""
    views = ViewBuilder(store, ["a"], build, wait=DEADLINE)
    if listen:
        store.on_change(views.on_change)
    assert views.ready(wait=DEADLINE)
    return views


def test_ten_concurrent_requests_after_a_write_start_one_build(store: GraphStore) -> None:
    build = GatedBuild()
    views = built(store, build, listen=False)
    assert views.builds == 1
    before = views.get("a")
    build.gate.clear()
    build.started.clear()
    write(store, 1)
    with ThreadPoolExecutor(10) as pool:
        shown = list(pool.map(lambda _: views.get("a"), range(10)))
    assert build.started.wait(DEADLINE)
    assert all(s.stale and s.revision == before.revision for s in shown)
    build.gate.set()
    assert views.ready(wait=DEADLINE)
    assert views.builds == 2 and build.calls == 2
    fresh = views.get("a")
    assert not fresh.stale and fresh.revision == store.revision()
    views.close()


def test_a_write_starts_the_build_and_does_not_wait_for_it(store: GraphStore) -> None:
    build = GatedBuild()
    views = built(store, build)
    build.gate.clear()
    build.started.clear()
    done = threading.Event()
    writer = threading.Thread(target=lambda: (write(store, 1), done.set()))
    writer.start()
    writer.join(DEADLINE)
    assert done.is_set()  # the write returned while its build is held at the gate
    assert build.started.wait(DEADLINE)
    shown = views.get("a")
    assert shown.stale  # still the previous revision: the build has not finished
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda _: views.get("a"), range(10)))
    build.gate.set()
    assert views.ready(wait=DEADLINE)
    assert views.builds == 2  # the write's build; the ten readers started none
    views.close()


def test_writes_during_a_build_are_built_once_more_for_the_newest_revision(
    store: GraphStore,
) -> None:
    build = GatedBuild()
    views = built(store, build)
    build.gate.clear()
    build.started.clear()
    write(store, 1)
    assert build.started.wait(DEADLINE)
    for n in range(2, 6):
        write(store, n)
    build.gate.set()
    assert views.ready(wait=DEADLINE)
    assert views.get("a").value == f"a@{store.revision()}"
    assert views.builds == 3  # the first revision, the first write's, then the newest only
    views.close()


def test_with_no_view_yet_a_reader_waits_at_most_the_bound_then_gets_retry_after(
    store: GraphStore,
) -> None:
    build = GatedBuild()
    build.gate.clear()
    views = ViewBuilder(store, ["a"], build, wait=0.2)
    outcome: list[object] = []

    def read() -> None:
        try:
            outcome.append(views.get("a"))
        except ViewNotReadyError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(DEADLINE)
    assert not build.gate.is_set()  # the build is still held: the reader did not wait for it
    assert len(outcome) == 1 and isinstance(outcome[0], ViewNotReadyError)
    assert outcome[0].retry_after >= 1
    assert views.builds == 1
    build.gate.set()
    assert views.ready(wait=DEADLINE)
    assert views.get("a", wait=0).value == f"a@{store.revision()}"
    views.close()


def test_a_failed_build_keeps_the_previous_view(store: GraphStore) -> None:
    fail = threading.Event()

    def build(s: GraphStore, key: str) -> str:
        if fail.is_set():
            raise RuntimeError("broken")
        return s.revision()

    views = ViewBuilder(store, ["a"], build, wait=DEADLINE)
    assert views.ready(wait=DEADLINE)
    first = views.get("a")
    fail.set()
    write(store, 1)
    shown = views.get("a")
    assert shown.value == first.value
    views.close()


def test_unknown_keys_are_refused(store: GraphStore) -> None:
    views = ViewBuilder(store, ["a"], lambda s, k: k, wait=DEADLINE)
    with pytest.raises(KeyError):
        views.get("b")
    views.close()


def test_wait_prepared_waits_for_this_revisions_prepare_not_only_its_views(
    store: GraphStore,
) -> None:
    build = GatedBuild()
    held = threading.Event()
    held.set()
    prepared: list[str] = []

    def prepare(s: GraphStore) -> None:
        assert held.wait(DEADLINE), "the test never released prepare"
        prepared.append(s.revision())

    views = ViewBuilder(store, ["a"], build, prepare=prepare, wait=DEADLINE)
    store.on_change(views.on_change)
    views.wait_prepared(wait=DEADLINE)
    assert prepared == [store.revision()]
    held.clear()
    write(store, 1)
    with pytest.raises(ViewNotReadyError):
        views.wait_prepared(wait=0.2)  # prepare of the new revision is held
    held.set()
    views.wait_prepared(wait=DEADLINE)
    assert prepared[-1] == store.revision() and views.builds == 2
    views.close()


def saved_by_a_first_process(store: GraphStore, build: GatedBuild, files: ViewFiles) -> None:
    """Keys ``a`` and ``b`` built and saved for the current revision by a builder since closed."""
    first = ViewBuilder(store, ["a", "b"], build, wait=DEADLINE, files=files)
    assert first.ready(wait=DEADLINE)
    first.close()


def test_after_a_restart_the_views_saved_for_an_earlier_revision_stand_in_labelled(
    store: GraphStore, tmp_path: Path
) -> None:
    files = ViewFiles(tmp_path / "views")
    build = GatedBuild()
    saved_by_a_first_process(store, build, files)
    older = store.revision()
    assert files.saved_revision() == older
    write(store, 1)  # the process stopped before it built this revision's views
    build.gate.clear()
    build.started.clear()
    again = ViewBuilder(store, ["a", "b"], build, wait=DEADLINE, files=files)
    again.start()
    assert build.started.wait(DEADLINE)  # building the current revision, held at the gate
    shown = again.get("a", wait=DEADLINE)  # answered while the build is held, not a 503
    assert shown.stale and shown.revision == older and shown.value == f"a@{older}"
    build.gate.set()
    assert again.ready(wait=DEADLINE)
    current = again.get("b")
    assert not current.stale and current.value == f"b@{store.revision()}"
    assert files.saved_revision() == store.revision()
    again.close()


def test_saved_views_are_served_after_a_restart_without_building(
    store: GraphStore, tmp_path: Path
) -> None:
    files = ViewFiles(tmp_path / "views")
    build = GatedBuild()
    saved_by_a_first_process(store, build, files)
    assert build.calls == 2
    build.gate.clear()  # a build now would hang until the deadline: none must run
    again = ViewBuilder(store, ["a", "b"], build, wait=DEADLINE, files=files)
    assert again.ready(wait=DEADLINE)
    assert again.get("a").value == f"a@{store.revision()}" and not again.get("a").stale
    assert build.calls == 2
    build.gate.set()
    old = {p.name for p in (tmp_path / "views").iterdir()}
    store.on_change(again.on_change)
    write(store, 1)
    assert again.ready(wait=DEADLINE)
    again.close()  # the folder is pruned once the views are published: wait for that
    assert until(lambda: len(list((tmp_path / "views").iterdir())) == 1)
    new = {p.name for p in (tmp_path / "views").iterdir()}
    assert not new & old  # only the newest revision is kept


class CountedFiles(ViewFiles):
    """Real view files with one rendition (``upper``), counting the views read back."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, lambda value: {"upper": str(value).upper().encode()})
        self.loads = 0
        self._lock = threading.Lock()

    def load(self, revision: str, key: Hashable) -> Any | None:
        with self._lock:
            self.loads += 1
        return super().load(revision, key)


def test_a_saved_view_is_published_unread_and_read_once_for_many_readers(
    store: GraphStore, tmp_path: Path
) -> None:
    files = CountedFiles(tmp_path / "views")
    build = GatedBuild()
    saved_by_a_first_process(store, build, files)
    revision = store.revision()
    build.gate.clear()  # a build now would hang until the deadline: none must run
    again = ViewBuilder(store, ["a", "b"], build, wait=DEADLINE, files=files)
    assert again.ready(wait=DEADLINE)
    assert again.saved("a", "upper") == Shown(f"A@{revision}".upper().encode(), revision, False)
    assert again.saved("a", "no such rendition") is None
    assert files.loads == 0  # published and answered without reading the view
    with ThreadPoolExecutor(10) as pool:
        values = list(pool.map(lambda _: again.get("a").value, range(10)))
    assert values == [f"a@{revision}"] * 10
    assert files.loads == 1  # the first reader read it, the nine others waited for that
    assert build.calls == 2  # the first process's two builds only
    build.gate.set()
    again.close()


def test_after_a_build_stopped_midway_each_key_stands_in_with_its_newest_saved_revision(
    store: GraphStore, tmp_path: Path
) -> None:
    files = ViewFiles(tmp_path / "views")
    build = GatedBuild()
    saved_by_a_first_process(store, build, files)
    first = store.revision()
    write(store, 1)
    midway = store.revision()
    files.save(midway, "a", f"a@{midway}")  # a build stopped after its first key
    for folder in (tmp_path / "views").iterdir():  # older on disk, whatever the clock's grain
        if (folder / "revision").read_text("utf-8") == first:
            os.utime(folder, ns=(0, 0))
    write(store, 2)
    build.gate.clear()
    build.started.clear()
    again = ViewBuilder(store, ["a", "b"], build, wait=DEADLINE, files=files)
    again.start()
    assert build.started.wait(DEADLINE)  # building the current revision, held at the gate
    a, b = again.get("a"), again.get("b")
    assert (a.value, a.revision, a.stale) == (f"a@{midway}", midway, True)
    assert (b.value, b.revision, b.stale) == (f"b@{first}", first, True)
    build.gate.set()
    assert again.ready(wait=DEADLINE)
    again.close()
    assert until(lambda: files.saved_revisions() == [store.revision()])  # the rest pruned


class HeldElsewhere:
    """A build elsewhere that saves key ``a`` of the current revision, then waits at
    ``gate`` before saving ``b``: a build half done, as the server sees it."""

    def __init__(self, store: GraphStore, files: ViewFiles) -> None:
        self.store, self.files = store, files
        self.gate, self.halfway = threading.Event(), threading.Event()

    def __call__(self, on_saved: Callable[[str, str], None] | None = None) -> str:
        revision = self.store.revision()
        self.files.save(revision, "a", f"a@{revision}")
        self.halfway.set()
        assert self.gate.wait(DEADLINE), "the test never opened the gate"
        self.files.save(revision, "b", f"b@{revision}")
        return revision

    def close(self) -> None:
        self.gate.set()


def test_a_stale_view_stays_readable_while_the_next_revisions_views_are_saved(
    store: GraphStore, tmp_path: Path
) -> None:
    files = ViewFiles(tmp_path / "views")
    build = GatedBuild()
    saved_by_a_first_process(store, build, files)
    older = store.revision()
    write(store, 1)
    elsewhere = HeldElsewhere(store, files)
    views = ViewBuilder(store, ["a", "b"], build, wait=DEADLINE, files=files, elsewhere=elsewhere)
    views.start()
    assert elsewhere.halfway.wait(DEADLINE)
    for key in ("a", "b"):  # read only now, from the older revision's files
        shown = views.get(key)
        assert (shown.value, shown.revision, shown.stale) == (f"{key}@{older}", older, True)
    elsewhere.gate.set()
    assert views.ready(wait=DEADLINE)
    assert views.get("b").value == f"b@{store.revision()}" and build.calls == 2
    views.close()
    assert until(lambda: files.saved_revisions() == [store.revision()])


class WaitingElsewhere:
    """A build elsewhere that says its read model and analysis are saved, then saves its
    views only once this process has run ``prepare``: it finishes only if the builder
    takes what it was handed and prepares while the views are still being built."""

    def __init__(self, store: GraphStore, files: ViewFiles, prepared: threading.Event) -> None:
        self.store, self.files, self.prepared = store, files, prepared

    def __call__(self, on_saved: Callable[[str, str], None] | None = None) -> str:
        revision = self.store.revision()
        assert on_saved is not None
        on_saved("model", revision)
        on_saved("analysis", revision)
        assert self.prepared.wait(DEADLINE), "prepare did not run before the views were saved"
        self.files.save(revision, "a", f"a@{revision}")
        return revision

    def close(self) -> None:
        pass


def test_prepare_runs_on_the_model_taken_from_a_build_elsewhere(
    store: GraphStore, tmp_path: Path
) -> None:
    files = ViewFiles(tmp_path / "views")
    began = threading.Event()
    adopted: list[tuple[str, str]] = []

    def adopt(s: GraphStore, what: str, revision: str) -> bool:
        adopted.append((what, revision))
        return True

    views = ViewBuilder(
        store,
        ["a"],
        GatedBuild(),
        prepare=lambda s: began.set(),
        wait=DEADLINE,
        files=files,
        elsewhere=WaitingElsewhere(store, files, began),
        adopt=adopt,
    )
    views.wait_prepared(wait=DEADLINE)
    assert adopted == [("model", store.revision()), ("analysis", store.revision())]
    assert views.get("a").value == f"a@{store.revision()}"
    views.close()


class RecordingElsewhere:
    """A build elsewhere that notes what was adopted before it was called, then saves ``a``."""

    def __init__(self, store: GraphStore, files: ViewFiles, adopted: list[tuple[str, str]]):
        self.store, self.files, self.adopted = store, files, adopted
        self.before: list[tuple[str, str]] | None = None

    def __call__(self, on_saved: Callable[[str, str], None] | None = None) -> str:
        self.before = list(self.adopted)
        revision = self.store.revision()
        self.files.save(revision, "a", f"a@{revision}")
        return revision

    def close(self) -> None:
        pass


def taking_first(
    store: GraphStore,
    files: ViewFiles,
    adopted: list[tuple[str, str]],
    adopt: Callable[[GraphStore, str, str], bool],
) -> tuple[ViewBuilder[str, str], RecordingElsewhere]:
    """A builder that takes the model and analysis an earlier process saved, if ``adopt``
    says so, before it builds elsewhere (recorded)."""
    elsewhere = RecordingElsewhere(store, files, adopted)
    views = ViewBuilder(
        store,
        ["a"],
        GatedBuild(),
        wait=DEADLINE,
        files=files,
        elsewhere=elsewhere,
        adopt=adopt,
        saved_first=("model", "analysis"),
    )
    return views, elsewhere


def test_what_an_earlier_process_saved_is_taken_before_the_build_elsewhere_starts(
    store: GraphStore, tmp_path: Path
) -> None:
    files = ViewFiles(tmp_path / "views")
    adopted: list[tuple[str, str]] = []

    def adopt(s: GraphStore, what: str, revision: str) -> bool:
        adopted.append((what, revision))
        return False  # nothing saved

    views, elsewhere = taking_first(store, files, adopted, adopt)
    assert views.ready(wait=DEADLINE)
    assert elsewhere.before == [("model", store.revision()), ("analysis", store.revision())]
    views.close()


@pytest.mark.parametrize("analysis_saved", [True, False])
def test_with_every_view_saved_the_build_elsewhere_runs_only_for_what_is_not_saved(
    store: GraphStore, tmp_path: Path, analysis_saved: bool
) -> None:
    """A restart whose views are saved but whose analysis is not (stopped soon after a
    write, or under other code) has the child build it, not the server's own thread."""
    files = ViewFiles(tmp_path / "views")
    files.save(store.revision(), "a", f"a@{store.revision()}")
    adopted: list[tuple[str, str]] = []

    def adopt(s: GraphStore, what: str, revision: str) -> bool:
        adopted.append((what, revision))
        return what == "model" or analysis_saved

    views, elsewhere = taking_first(store, files, adopted, adopt)
    views.start()
    assert until(lambda: views.status()["prepared"] and not views.busy())
    assert adopted[:2] == [("model", store.revision()), ("analysis", store.revision())]
    assert (elsewhere.before is None) == analysis_saved
    assert views.get("a").value == f"a@{store.revision()}"
    views.close()


def test_a_build_goes_again_for_a_change_signalled_not_for_a_revision_seen_moving(
    store: GraphStore,
) -> None:
    build = GatedBuild()
    build.gate.clear()
    views = ViewBuilder(store, ["a"], build, wait=DEADLINE)  # no listener: signals by hand
    views.start()
    assert build.started.wait(DEADLINE)
    write(store, 1)  # committed, its listeners not run yet (the checkpoint is taken there)
    build.gate.set()
    assert until(lambda: not views.busy())
    assert views.builds == 1  # it stopped: a build now would read the previous checkpoint
    assert not views.status()["views_current"]
    views.on_change(store.revision())  # the last listener: now it builds
    assert until(lambda: views.status()["views_current"] and not views.busy())
    assert views.builds == 2
    build.gate.clear()
    build.started.clear()
    write(store, 2)
    views.on_change(store.revision())
    assert build.started.wait(DEADLINE)
    write(store, 3)
    views.on_change(store.revision())  # during the build: it goes again once that ends
    build.gate.set()
    assert until(lambda: views.status()["views_current"] and not views.busy())
    assert views.builds == 4 and views.get("a").value == f"a@{store.revision()}"
    views.close()


def test_on_demand_builds_nothing_until_a_request_asks(store: GraphStore) -> None:
    build = GatedBuild()
    views = ViewBuilder(store, ["a"], build, wait=DEADLINE, eager=False)
    store.on_change(views.on_change)
    views.start()
    write(store, 1)
    assert views.builds == 0 and build.calls == 0  # neither the start nor the write built
    status = views.status()  # asking how far it is starts nothing either
    assert status["revision"] == store.revision() and not status["views_current"]
    assert views.builds == 0 and build.calls == 0
    first = views.get("a")  # the first request starts the build and waits for it
    assert not first.stale and first.revision == store.revision()
    assert views.builds == 1
    write(store, 2)
    assert views.builds == 1  # a change alone starts nothing
    views.get("a")  # the previous revision's view (stale), and a build of the new one
    assert views.ready(wait=DEADLINE)
    assert views.builds == 2 and build.calls == 2
    assert views.status()["views_current"]
    views.close()


def test_the_views_setting_is_checked() -> None:
    assert Settings.from_env({"PARTNERGRAPH_VIEWS": "on-demand"}).views == "on-demand"
    with pytest.raises(SettingsError, match="PARTNERGRAPH_VIEWS"):
        Settings(views="lazy").check()
