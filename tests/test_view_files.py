"""Saved views are named by the store build and code that made them, besides the revision.

A store deleted and built again counts its writes from 0 again, so its ``+1`` can name
other content than the deleted store's ``+1``; a view built by other code may hold
other fields. Real on-disk stores; no duration is compared to a limit.
"""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from partnergraph import readmodel_files
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.view_files import ViewFiles, namespace
from partnergraph.views import ViewBuilder
from tests.conftest import GRAPH_DIR

#: A deadline against a hang, never a measure of speed.
DEADLINE = 120.0


def _open(tmp_path: Path) -> GraphStore:
    return GraphStore.open(Settings(store_path=tmp_path / "store", graph_dir=GRAPH_DIR))


def _write(store: GraphStore, text: str) -> str:
    base = store.settings.base_iri
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    note = ox.Quad(
        ox.NamedNode(base + "org/note"), label, ox.Literal(text), ox.NamedNode(base + "graph/test")
    )
    return store.apply(add=[note])


def _label(store: GraphStore, key: str) -> str:
    """A view of the note's label as the store holds it now."""
    rows = store.select(
        "SELECT ?l WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } "
        "FILTER(STRENDS(STR(?s), 'org/note')) }"
    )
    return f"{key}: {rows[0]['l'].value}"


def _views(store: GraphStore, folder: Path, built: list[str]) -> ViewBuilder[str, str]:
    def build(s: GraphStore, key: str) -> str:
        built.append(key)
        return _label(s, key)

    files = ViewFiles(folder, namespace=namespace(store))
    return ViewBuilder(store, ["a"], build, wait=DEADLINE, files=files)


def test_a_store_built_again_never_serves_the_views_of_the_one_deleted(tmp_path: Path) -> None:
    folder, built = tmp_path / "views", []
    first = _open(tmp_path)
    revision = _write(first, "first store")
    views = _views(first, folder, built)
    assert views.get("a", wait=DEADLINE).value == "a: first store"
    views.close()
    first.close()
    del views, first
    gc.collect()  # pyoxigraph lets go of the store's lock when the store is collected
    shutil.rmtree(tmp_path / "store")  # the views folder beside it stays

    second = _open(tmp_path)
    assert _write(second, "second store") == revision  # the same name for other content
    again = _views(second, folder, built)
    shown = again.get("a", wait=DEADLINE)
    assert (shown.value, shown.stale, built) == ("a: second store", False, ["a", "a"])
    again.close()
    # the first store's folder was pruned; the second's is served after a restart
    third = _views(second, folder, built)
    assert third.get("a", wait=DEADLINE).value == "a: second store" and built == ["a", "a"]
    assert ViewFiles(folder, namespace=namespace(second)).saved_revisions() == [revision]
    assert len([p for p in folder.iterdir() if p.is_dir()]) == 1
    third.close()
    second.close()


def test_views_saved_by_other_code_are_neither_read_nor_listed_and_are_pruned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _open(tmp_path)
    old = ViewFiles(tmp_path / "views", namespace=namespace(store))
    old.save(store.revision(), "a", "built by the old code")
    monkeypatch.setattr(readmodel_files, "code_fingerprint", lambda: "other code")
    new = ViewFiles(tmp_path / "views", namespace=namespace(store))
    assert new.namespace != old.namespace
    assert not new.has(store.revision(), "a") and new.load(store.revision(), "a") is None
    assert new.saved_revisions() == [] and old.saved_revisions() == [store.revision()]
    new.save(store.revision(), "a", "built by the new code")
    new.prune({store.revision()})
    assert new.load(store.revision(), "a") == "built by the new code"
    assert old.saved_revisions() == []  # deleted: no code reads it again
    store.close()
