"""The explorer's base views built in a child process from a store checkpoint.

Real on-disk stores, real checkpoints, a real child process. No duration is compared
to a limit.
"""

from __future__ import annotations

import gzip
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from partnergraph import readmodel
from partnergraph.explore import base_view, explore_views, renditions
from partnergraph.explore.process import ProcessBuild
from partnergraph.settings import Settings
from partnergraph.snapshots import Snapshots
from partnergraph.store import GraphStore
from partnergraph.view_files import ViewFiles, views_folder
from partnergraph.views import ViewBuilder
from tests.conftest import GRAPH_DIR, embedded

DEADLINE = 300.0
KEY = ("curated", "ja")
#: A write unrelated to the views: a new revision with the same picture.
QUAD = ox.Quad(
    ox.NamedNode("https://example.org/s"),
    ox.NamedNode("https://example.org/p"),
    ox.Literal("1"),
    ox.NamedNode("https://example.org/g"),
)


def never(store: GraphStore, key: tuple[str, str]) -> Any:
    raise AssertionError("with a build elsewhere nothing is built in this process")


def test_the_child_builds_from_the_checkpoint_the_view_this_process_would(
    shipped_store: GraphStore, tmp_path: Path
) -> None:
    snapshots = Snapshots(tmp_path / "snapshots")
    checkpoint = snapshots.take(embedded(shipped_store))
    files = ViewFiles(tmp_path / "views")
    build = ProcessBuild(shipped_store.settings, snapshots, files.folder, [KEY])
    revision = build()
    assert revision == shipped_store.revision()
    saved = files.load(revision, KEY)
    expected = json.loads(json.dumps(base_view(shipped_store, *KEY), ensure_ascii=False))
    assert saved is not None and saved["nodes"] and saved == expected
    # with the renditions the server answers from, made from that same view
    packed = files.rendition(revision, KEY, renditions.PACKED_GZIP)
    assert packed is not None and gzip.decompress(packed) == renditions.packed_parts(expected)[0]
    head = files.rendition(revision, KEY, renditions.HEAD)
    assert head is not None and json.loads(head) == renditions.head(expected)
    assert "nodes" not in json.loads(head) and json.loads(head)["legend"] == expected["legend"]
    assert snapshots.on_disk() == [checkpoint]  # released, still the newest: kept


def test_the_child_keeps_a_view_saved_already(shipped_store: GraphStore, tmp_path: Path) -> None:
    """Run for a model or analysis that is missing, the child builds no view saved before."""
    snapshots = Snapshots(tmp_path / "snapshots")
    snapshots.take(embedded(shipped_store))
    files = ViewFiles(tmp_path / "views")
    files.save(shipped_store.revision(), KEY, {"saved": "before"})
    revision = ProcessBuild(shipped_store.settings, snapshots, files.folder, [KEY])()
    assert revision == shipped_store.revision()
    assert files.load(revision, KEY) == {"saved": "before"}


def test_a_builder_publishes_the_childs_views_once_per_revision_stale_in_between(
    tmp_path: Path,
) -> None:
    store = GraphStore.open(Settings(store_path=tmp_path / "store", graph_dir=GRAPH_DIR))
    snapshots = Snapshots.beside(store.settings.store_path)
    snapshots.take(embedded(store))
    store.on_change(lambda revision: snapshots.take(embedded(store)))
    files = ViewFiles(views_folder(store.settings.store_path))
    build = ProcessBuild(store.settings, snapshots, files.folder, [KEY])
    views = ViewBuilder(store, [KEY], never, wait=DEADLINE, files=files, elsewhere=build)
    store.on_change(views.on_change)
    try:
        first = views.get(KEY)
        assert not first.stale and first.revision == store.revision()
        store.apply(add=[QUAD])  # returns at once; the child builds the new revision
        with ThreadPoolExecutor(10) as pool:
            shown = list(pool.map(lambda _: views.get(KEY, wait=0), range(10)))
        assert all(s.revision in (first.revision, store.revision()) for s in shown)
        assert all(s.stale == (s.revision != store.revision()) for s in shown)
        assert views.ready(wait=DEADLINE)
        assert views.builds == 2  # the first revision and the write's; ten readers started none
        current = views.get(KEY)
        assert not current.stale and current.revision == store.revision()
        assert current.value["nodes"] == first.value["nodes"]  # an unrelated triple
    finally:
        views.close()
        store.close()


def test_the_server_takes_the_childs_read_model_and_analysis_and_builds_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = GraphStore.open(Settings(store_path=tmp_path / "store", graph_dir=GRAPH_DIR))
    snapshots = Snapshots.beside(store.settings.store_path)
    snapshots.take(embedded(store))
    store.on_change(lambda revision: snapshots.take(embedded(store)))
    built_here: list[str] = []
    real_build = readmodel.build

    def counted(s: GraphStore) -> readmodel.ReadModel:
        built_here.append(s.revision())
        return real_build(s)

    monkeypatch.setattr(readmodel, "build", counted)  # the real build, counted
    views = explore_views(
        store,
        wait=DEADLINE,
        folder=views_folder(store.settings.store_path),
        snapshots=snapshots,
    )
    store.on_change(views.on_change)

    def read(wait: float) -> tuple[str, str | None]:
        with readmodel.allow_previous(wait) as allowed:
            return readmodel.read_model(store).revision, allowed.shown

    try:
        views.start()
        first, shown = read(DEADLINE)  # a cold start: waits for the child's model
        assert first == store.revision() and shown is None
        store.apply(add=[QUAD])
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(lambda _: read(0), range(10)))
        assert all(r in (first, store.revision()) for r, _ in answers)
        assert all((shown == r) == (r != store.revision()) for r, shown in answers)
        views.wait_prepared(wait=DEADLINE)  # the analysis measures, on the taken model
        assert read(0) == (store.revision(), None)
        assert built_here == []  # every model came from the child
        memo = readmodel.read_model(store).memo
        assert memo.entries() and memo.builds == 0  # and its analysis: nothing built here
    finally:
        views.close()
        store.close()
