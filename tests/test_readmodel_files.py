"""Read models saved beside the store: loaded by the next process, never for other content."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from partnergraph import readmodel, readmodel_files
from partnergraph.analysis import measures
from partnergraph.readmodel import ReadModel, read_model
from partnergraph.readmodel_files import ReadModelFiles
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from tests.conftest import GRAPH_DIR


def _settings(tmp_path: Path) -> Settings:
    return Settings(store_path=tmp_path / "store", graph_dir=GRAPH_DIR)


def _tables(model: ReadModel) -> dict[str, object]:
    """Every table of ``model``, comparable (the directory by its organizations)."""
    tables = {f.name: getattr(model, f.name) for f in dataclasses.fields(model) if f.name != "memo"}
    tables["directory"] = model.directory.organizations
    return tables


def _no_build(store: GraphStore) -> ReadModel:
    raise AssertionError("the model was built, not loaded")


#: Another process: open the store, load its read model with building made impossible.
NEXT_PROCESS = """
import sys
from pathlib import Path
from partnergraph import readmodel
from partnergraph.settings import Settings
from partnergraph.store import GraphStore

def no_build(store):
    raise SystemExit("the model was built, not loaded")

readmodel.build = no_build
store = GraphStore.open(Settings(store_path=Path(sys.argv[1]), graph_dir=Path(sys.argv[2])))
model = readmodel.read_model(store)
print(model.revision, model.directory.resolve("せたがや").code, len(model.citations))
"""


def _write(store: GraphStore, text: str, subject: str = "lg/131121", prop: str = "comment") -> None:
    """One written quad: ``text`` as the rdfs ``prop`` of ``subject`` (under the base)."""
    base = store.settings.base_iri
    store.apply(
        add=[
            ox.Quad(
                ox.NamedNode(base + subject),
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#" + prop),
                ox.Literal(text),
                ox.NamedNode(base + "graph/test"),
            )
        ]
    )


def test_the_next_process_loads_the_model_instead_of_building_it(tmp_path: Path) -> None:
    first = GraphStore.open(_settings(tmp_path))
    built = read_model(first)
    files = ReadModelFiles(tmp_path / "store.readmodel")
    assert len(files.saved()) == 1
    loaded = files.load(first)
    assert loaded is not None and loaded is not built
    assert _tables(loaded) == _tables(built)
    assert loaded.cached("k", lambda: 1) == 1  # a fresh memo of its own
    first.close()
    del first  # pyoxigraph lets the folder go when the handle is collected

    args = [str(tmp_path / "store"), str(GRAPH_DIR)]
    done = subprocess.run(
        [sys.executable, "-c", NEXT_PROCESS, *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [built.revision, "131121", str(len(built.citations))]


def test_a_write_saves_the_new_revision_and_only_the_newest_files_stay(tmp_path: Path) -> None:
    store = GraphStore.open(_settings(tmp_path))
    files = ReadModelFiles(tmp_path / "store.readmodel")
    names = []
    for n in range(3):
        read_model(store)
        names.append(files.name(store, store.revision()))
        _write(store, f"note {n}")
    read_model(store)
    assert len(set(names)) == 3
    assert [p.name for p in files.saved()] == [
        files.name(store, store.revision()),
        names[-1],
    ]


def test_a_save_removes_partial_files_long_abandoned_and_leaves_recent_ones(
    tmp_path: Path,
) -> None:
    """A process stopped while writing leaves its partial file; the next save removes it once
    it is old enough that no one can still be writing it."""
    store = GraphStore.open(_settings(tmp_path))
    files = ReadModelFiles(tmp_path / "store.readmodel")
    files.folder.mkdir(parents=True)
    abandoned = files.folder / ("abandoned" + readmodel_files.PARTIAL_SUFFIX)
    recent = files.folder / ("recent" + readmodel_files.PARTIAL_SUFFIX)
    for partial in (abandoned, recent):
        partial.write_bytes(b"half a pickle")
    old = time.time() - readmodel_files.PARTIAL_AGE - 60
    os.utime(abandoned, (old, old))
    files.save(store, read_model(store))
    assert not abandoned.exists()
    assert recent.exists()
    assert files.has(store)
    store.close()


def test_the_analysis_saved_beside_a_model_is_loaded_with_it_and_pruned_with_it(
    tmp_path: Path,
) -> None:
    first = GraphStore.open(_settings(tmp_path))
    model = read_model(first)
    measures.prepare(first)  # the default projection and measures, in the memo
    files = ReadModelFiles(tmp_path / "store.readmodel")
    files.save_analysis(first, model.revision, model.memo.entries())
    kept = set(model.memo.entries())
    first.close()
    del first, model

    again = GraphStore.open(_settings(tmp_path))
    loaded = read_model(again)
    assert set(loaded.memo.entries()) == kept
    measures.prepare(again)
    assert loaded.memo.builds == 0  # the measures came from the file, not built again
    analysis = files.folder / files.name(again, loaded.revision)  # type: ignore[operator]
    analysis = analysis.with_suffix(readmodel_files.ANALYSIS_SUFFIX)
    assert analysis.is_file()
    for n in range(2):  # two newer models: the first one's files go, its analysis too
        _write(again, f"note {n}")
        read_model(again)
    assert not analysis.exists()
    again.close()


def test_a_restarted_process_adopts_the_saved_model_and_analysis_once(tmp_path: Path) -> None:
    first = GraphStore.open(_settings(tmp_path))
    model = read_model(first)
    measures.prepare(first)
    files = ReadModelFiles(tmp_path / "store.readmodel")
    files.save_analysis(first, model.revision, model.memo.entries())
    first.close()
    del first, model

    again = GraphStore.open(_settings(tmp_path))
    revision = again.revision()
    assert again.values.peek(readmodel.KEY) is None  # nothing read yet
    assert readmodel.adopt(again, "model", revision)  # loaded from the file, not built
    assert readmodel.adopt(again, "analysis", revision)
    held = read_model(again)
    assert held.memo.entries() and held.memo.builds == 0
    held.cached("asked since", lambda: 1)
    # Taken again (a child that says so later): the model held, and what it learnt, stay.
    assert not readmodel.adopt(again, "model", revision)
    assert read_model(again) is held and held.memo.peek("asked since") == 1
    again.close()


def test_a_rebuild_keeps_the_write_count_so_a_revision_names_one_content(
    tmp_path: Path,
) -> None:
    store = GraphStore.open(_settings(tmp_path))
    _write(store, "a note the rebuild keeps")
    old = read_model(store)
    store.rebuild()
    assert store.revision() == old.revision  # the same content: files and the one write
    _write(store, "a second note")
    assert store.revision() != old.revision
    assert read_model(store) is not old
    assert read_model(store).revision == store.revision()


#: Another process: build a store, label a body, save the read model, go.
FIRST_STORE = """
import sys
from pathlib import Path
import pyoxigraph as ox
from partnergraph.readmodel import read_model
from partnergraph.settings import Settings
from partnergraph.store import GraphStore

store = GraphStore.open(Settings(store_path=Path(sys.argv[1]), graph_dir=Path(sys.argv[2])))
base = store.settings.base_iri
label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
store.apply(add=[ox.Quad(ox.NamedNode(base + "org/note"), label, ox.Literal("first store"),
                         ox.NamedNode(base + "graph/test"))])
print(read_model(store).revision)
"""


def test_a_store_built_again_never_reads_the_models_of_the_one_deleted(tmp_path: Path) -> None:
    args = [str(tmp_path / "store"), str(GRAPH_DIR)]
    done = subprocess.run(
        [sys.executable, "-c", FIRST_STORE, *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    first_revision = done.stdout.strip()
    shutil.rmtree(tmp_path / "store")  # the saved models beside it stay

    store = GraphStore.open(_settings(tmp_path))
    base = store.settings.base_iri
    _write(store, "second store", subject="org/note", prop="label")
    assert store.revision() == first_revision  # the same name for other content
    assert read_model(store).labels[base + "org/note"] == {"": "second store"}


def test_a_model_from_other_code_or_a_damaged_file_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = GraphStore.open(_settings(tmp_path))
    read_model(store)
    files = ReadModelFiles(tmp_path / "store.readmodel")
    (saved,) = files.saved()

    monkeypatch.setattr(readmodel_files, "code_fingerprint", lambda: "other code")
    assert files.load(store) is None
    monkeypatch.undo()
    assert files.load(store) is not None

    saved.write_bytes(b"not a pickle")
    assert files.load(store) is None
    store.close()
    del store  # pyoxigraph lets the folder go when the handle is collected
    again = GraphStore.open(_settings(tmp_path))  # a new process, as far as caches go
    assert read_model(again).directory.resolve("131121").name_ja == "世田谷区"
    assert files.load(again) is not None  # rebuilt and saved again


def test_stores_in_memory_save_nothing() -> None:
    store = GraphStore.in_memory(Settings(graph_dir=GRAPH_DIR))
    assert ReadModelFiles.beside(store) is None
    assert read_model(store).directory.resolve("131121").name_ja == "世田谷区"


def test_a_model_is_saved_as_its_partner_share_and_the_rest_and_pruned_whole(
    tmp_path: Path,
) -> None:
    store = GraphStore.open(_settings(tmp_path))
    model = read_model(store)
    files = ReadModelFiles(tmp_path / "store.readmodel")
    (saved,) = files.saved()
    share_file = saved.with_suffix(readmodel_files.SHARE_SUFFIX)
    assert share_file.is_file()
    share = files.load_share(store)
    assert share is not None and share.revision == model.revision
    assert share.directory.organizations == model.directory.organizations
    assert (share.titles, share.citations) == (model.titles, model.citations)
    assert (share.party_counts, share.relation_types) == (model.party_counts, model.relation_types)
    loaded = files.load(store, share=share)
    assert loaded is not None and _tables(loaded) == _tables(model)
    assert loaded.directory is share.directory  # one set of tables, not two
    share_file.unlink()  # a model without its share is not loaded (built again instead)
    assert files.load(store) is None
    for n in range(2):  # two newer models: the first one's files go, all of them
        _write(store, f"note {n}")
        read_model(store)
    assert not saved.exists()
    assert [p.name for p in files.folder.iterdir() if p.stem == saved.stem] == []
    store.close()


#: Another process: partner lists from the share of the saved model, which it never loads.
SHARE_ONLY = """
import sys
from pathlib import Path
from partnergraph import readmodel
from partnergraph.readmodel_files import ReadModelFiles
from partnergraph.records.organizations import partner_listing
from partnergraph.settings import Settings
from partnergraph.store import GraphStore

store = GraphStore.open(Settings(store_path=Path(sys.argv[1]), graph_dir=Path(sys.argv[2])))
share = ReadModelFiles.beside(store).load_share(store)
store.values.fill(readmodel.SHARE, share.revision, share)  # as adopt() does before the rest

def no_model(store):
    raise SystemExit("a partner list waited for the whole read model")

readmodel.read_model = no_model
readmodel._saved_or_built = no_model
import json
listing = partner_listing(store, "131121", sort="code")
filtered = partner_listing(store, "せたがや", types=["disaster-mutual-aid"])
print(json.dumps([listing, filtered], ensure_ascii=False, sort_keys=True))
"""


def test_a_restarted_process_answers_partner_lists_from_the_share_before_the_model(
    tmp_path: Path,
) -> None:
    """A restart loads the partner share first (0.4 s at 1 M triples) and the rest after
    (1.2 s): lists are answered from the share, the same as from the model."""
    import json

    from partnergraph.records.organizations import partner_listing

    first = GraphStore.open(_settings(tmp_path))
    read_model(first)
    expected = [
        partner_listing(first, "131121", sort="code"),
        partner_listing(first, "せたがや", types=["disaster-mutual-aid"]),
    ]
    assert expected[0]["partners"] and expected[1]["partners"]
    first.close()
    del first

    args = [str(tmp_path / "store"), str(GRAPH_DIR)]
    done = subprocess.run(
        [sys.executable, "-c", SHARE_ONLY, *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(expected, sort_keys=True))


def test_the_share_is_loaded_once_by_the_first_reader_or_adopt_and_a_damaged_one_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = GraphStore.open(_settings(tmp_path))
    read_model(first)
    first.close()
    del first

    again = GraphStore.open(_settings(tmp_path))
    revision = again.revision()
    loads: list[str | None] = []
    real = ReadModelFiles.load_share

    def counted(self: ReadModelFiles, store: GraphStore, at: str | None = None) -> object:
        loads.append(at)
        return real(self, store, at)

    monkeypatch.setattr(ReadModelFiles, "load_share", counted)
    assert again.values.peek(readmodel.SHARE) is None
    share = readmodel.partner_tables(again)  # a list asked before the view builder adopts
    assert isinstance(share, readmodel.PartnerShare) and share.revision == revision
    assert again.values.peek(readmodel.KEY) is None  # the rest is not loaded by the list
    assert readmodel.adopt(again, "model", revision)
    assert loads == [revision]  # adopt took the share the list loaded
    assert again.values.peek(readmodel.SHARE) == (revision, share)
    held = read_model(again)
    assert held.directory is share.directory and readmodel.partner_tables(again) is held
    again.close()
    del again, held, share

    files = ReadModelFiles(tmp_path / "store.readmodel")
    (saved,) = files.saved()
    saved.with_suffix(readmodel_files.SHARE_SUFFIX).write_bytes(b"not a pickle")
    third = GraphStore.open(_settings(tmp_path))
    assert not readmodel.adopt(third, "model", third.revision())
    assert isinstance(readmodel.partner_tables(third), ReadModel)  # built and saved again
    assert files.load_share(third) is not None
    third.close()
