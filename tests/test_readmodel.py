"""The read model: one object per revision, built once, the tables every reader uses."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest

from partnergraph import agreement_types, citations, claims, entity, readmodel, titles
from partnergraph.analysis.projection import projection
from partnergraph.analysis.relations import relations
from partnergraph.directory import Directory
from partnergraph.partners import party_counts, relation_types
from partnergraph.readmodel import ReadModel, read_model
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from tests.conftest import GRAPH_DIR


def _note(store: GraphStore, text: str = "test") -> ox.Quad:
    base = store.settings.base_iri
    return ox.Quad(
        ox.NamedNode(base + "lg/131121"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
        ox.Literal(text),
        ox.NamedNode(base + "graph/test"),
    )


def test_every_reader_gets_its_table_from_the_one_model(shipped_store: GraphStore) -> None:
    model = read_model(shipped_store)
    assert isinstance(model, ReadModel) and model.revision == shipped_store.revision()
    assert read_model(shipped_store) is model
    assert Directory.load(shipped_store) is model.directory
    assert titles.relation_titles(shipped_store) is model.titles
    assert citations.all_citations(shipped_store) is model.citations
    assert agreement_types.agreement_types(shipped_store) is model.agreement_types
    assert claims.all_claims(shipped_store) is model.claims
    assert entity.labels(shipped_store) is model.labels
    assert relations(shipped_store) is model.relations
    assert party_counts(shipped_store) is model.party_counts
    assert relation_types(shipped_store) == list(model.relation_types)
    # The relation records are made from the tables built a step before.
    setagaya = shipped_store.settings.base_iri + "lg/131121"
    assert model.relations.nodes[setagaya]["name_ja"] == model.directory.by_id[setagaya].name_ja


def test_a_write_gives_a_new_model_built_once_for_concurrent_readers(tmp_path: Path) -> None:
    store = GraphStore.open(Settings(store_path=tmp_path / "store", graph_dir=GRAPH_DIR))
    old = read_model(store)
    graph = projection(store)
    store.apply(add=[_note(store)])
    with ThreadPoolExecutor(10) as pool:
        models = list(pool.map(lambda _: read_model(store), range(10)))
    assert all(m is models[0] for m in models)  # one build, shared
    assert models[0] is not old and models[0].revision == store.revision() != old.revision
    assert projection(store) is not graph  # the memo belongs to the revision's model


def test_leave_to_show_the_previous_model_hands_it_out_only_while_the_new_one_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = GraphStore.open(Settings(store_path=tmp_path / "store", graph_dir=GRAPH_DIR))
    with readmodel.allow_previous(0.0) as allowed:
        first = read_model(store)  # nothing earlier: waits for the build
    assert allowed.shown is None and first.revision == store.revision()

    release = threading.Event()
    real_build = readmodel.build
    monkeypatch.setattr(readmodel, "build", lambda s: release.wait(600) and real_build(s))
    store.apply(add=[_note(store)])
    with readmodel.allow_previous(0.1) as allowed:
        shown = read_model(store)
    assert shown is first and allowed.shown == first.revision
    release.set()
    current = read_model(store)  # outside the leave: the current one, waited for
    assert current.revision == store.revision() != first.revision
    with readmodel.allow_previous(0.0) as allowed:
        assert read_model(store) is current and allowed.shown is None
