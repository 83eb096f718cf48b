"""The on-disk store: built on first use, persistent, rebuilt when graph/ changes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest

from partnergraph.errors import GraphSourceError, QueryError, StoreBusyError
from partnergraph.inventory import inventory
from partnergraph.namespaces import PG, RDFS
from partnergraph.snapshots import Snapshots
from partnergraph.store import GraphStore
from partnergraph.writes.rdf import A
from tests.conftest import BASE, embedded, small_settings
from tests.stores import REMOTE, store_env

KAWABA = """
src:doc { src:doc a pg:SourceDocument ; rdfs:label "doc"@en .
  lg:104442 a pg:Village ; rdfs:label "川場村"@ja ; pg:lgCode "104442" . }
"""
COUNT_VILLAGES = (
    "SELECT (COUNT(?v) AS ?n) WHERE { ?v a <https://w3id.org/partnergraph/ns#Village> }"
)


def villages(store: GraphStore) -> int:
    return int(store.select(COUNT_VILLAGES)[0]["n"].value)


def test_first_open_builds_and_records_the_version(tmp_path: Path, graph_dir) -> None:
    settings = small_settings(tmp_path, graph_dir(kawaba=KAWABA))
    store = GraphStore.open(settings)
    assert villages(store) == 1
    assert store.stored_version() == store.current_version()
    assert f"{BASE}source/doc" in store.loaded_graphs()
    assert store.is_loaded_graph(f"{BASE}source/doc")
    assert not store.is_loaded_graph(f"{BASE}source/other")
    assert not store.is_loaded_graph("not an IRI")


def test_store_persists_across_processes(tmp_path: Path, graph_dir) -> None:
    root = graph_dir(kawaba=KAWABA)
    settings = small_settings(tmp_path, root)
    version = GraphStore.open(settings).stored_version()
    del settings
    code = textwrap.dedent("""
        from pathlib import Path
        from partnergraph.settings import Settings
        from partnergraph.store import GraphStore
        s = GraphStore.open(Settings.from_env(), build=False)
        print(s.stored_version(), len(list(s.quads())))
    """)
    import gc

    gc.collect()
    env = {**os.environ, **store_env(tmp_path / "store")}
    env["PARTNERGRAPH_GRAPH_DIR"] = str(root)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    stored, count = out.stdout.split()
    assert stored == version
    assert int(count) > 600


def test_changed_file_triggers_rebuild(tmp_path: Path, graph_dir) -> None:
    root = graph_dir(kawaba=KAWABA)
    settings = small_settings(tmp_path, root)
    store = GraphStore.open(settings)
    before = store.stored_version()
    (root / "data" / "kawaba.trig").write_text(
        (root / "data" / "kawaba.trig").read_text().replace("川場村", "川場村 (changed)")
    )
    report = store.ensure_current()
    assert report is not None and report.version != before
    labels = [
        r["l"].value
        for r in store.select(
            "SELECT ?l WHERE { ?v <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
        )
    ]
    assert "川場村 (changed)" in labels and "川場村" not in labels
    assert store.ensure_current() is None


def test_bad_turtle_names_file_and_line_and_keeps_previous_graph(tmp_path: Path, graph_dir) -> None:
    root = graph_dir(kawaba=KAWABA)
    store = GraphStore.open(small_settings(tmp_path, root))
    bad = root / "data" / "broken.trig"
    bad.write_text("@prefix pg: <https://w3id.org/partnergraph/ns#> .\n<g> {\n  <a> pg:x ;; .\n}\n")
    with pytest.raises(GraphSourceError) as err:
        store.ensure_current()
    assert "broken.trig" in str(err.value) and err.value.line == 3
    assert villages(store) == 1


def test_triples_outside_a_named_graph_are_refused(tmp_path: Path, graph_dir) -> None:
    root = graph_dir(loose='lg:104442 rdfs:label "川場村"@ja .')
    with pytest.raises(GraphSourceError, match="outside a named graph"):
        GraphStore.open(small_settings(tmp_path, root))


def test_a_later_file_outside_a_named_graph_keeps_the_previous_graph(
    tmp_path: Path, graph_dir
) -> None:
    root = graph_dir(kawaba=KAWABA)
    store = GraphStore.open(small_settings(tmp_path, root))
    version, graphs = store.stored_version(), store.loaded_graphs()
    (root / "data" / "zz-loose.trig").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<urn:x:v> rdfs:label "loose"@ja .\n'
    )
    with pytest.raises(GraphSourceError, match="outside a named graph"):
        store.ensure_current()
    assert villages(store) == 1
    assert (store.stored_version(), store.loaded_graphs()) == (version, graphs)
    assert not store.select('SELECT ?s WHERE { ?s ?p "loose"@ja }')


def test_base_iri_is_a_load_time_setting(tmp_path: Path, graph_dir) -> None:
    root = graph_dir(kawaba=KAWABA)
    store = GraphStore.open(small_settings(tmp_path, root, base_iri="https://example.org/pg/"))
    rows = store.select("SELECT ?v WHERE { ?v a <https://w3id.org/partnergraph/ns#Village> }")
    assert rows[0]["v"] == ox.NamedNode("https://example.org/pg/lg/104442")


def test_second_process_opens_read_only_while_first_holds_the_store(
    tmp_path: Path, graph_dir
) -> None:
    root = graph_dir(kawaba=KAWABA)
    holder = GraphStore.open(small_settings(tmp_path, root))
    checkpointed = embedded(holder)  # a remote store has no second-process rule
    with pytest.raises(StoreBusyError, match="publishes no checkpoint"):
        GraphStore.open(small_settings(tmp_path, root))
    # The reader opens the holder's newest checkpoint, never the live store beside its writer.
    Snapshots.beside(holder.settings.store_path).take(checkpointed)
    reader = GraphStore.open(small_settings(tmp_path, root))
    assert reader.read_only and not holder.read_only
    assert villages(reader) == 1


def test_bindings_are_terms_not_text(tmp_path: Path, graph_dir) -> None:
    store = GraphStore.open(small_settings(tmp_path, graph_dir(kawaba=KAWABA)))
    query = "SELECT ?v ?code WHERE { ?v <https://w3id.org/partnergraph/ns#lgCode> ?code }"
    assert len(store.select(query, code=ox.Literal("104442"))) == 1
    assert store.select(query, code=ox.Literal('104442" } ; DROP ALL ; #')) == []
    with pytest.raises(QueryError, match="syntax"):
        store.select("SELECT ?x WHERE {")


def test_properties_read_in_one_scan_are_the_objects_of_each(tmp_path: Path, graph_dir) -> None:
    store = GraphStore.open(small_settings(tmp_path, graph_dir(kawaba=KAWABA)))
    kawaba = ox.NamedNode(BASE + "lg/104442")
    found = store.properties(kawaba)
    assert set(found) == {A.value, RDFS + "label", PG + "lgCode"}
    for predicate, objects in found.items():
        assert objects == store.objects(kawaba, predicate)
    # Like the queries, only the named graphs: a quad in the default graph is not read.
    embedded(store).add(ox.Quad(kawaba, ox.NamedNode(PG + "lgCode"), ox.Literal("999999")))
    assert store.properties(kawaba)[PG + "lgCode"] == [ox.Literal("104442")]
    assert store.properties(ox.NamedNode(BASE + "lg/none")) == {}


def test_dump_round_trips_named_graphs(tmp_path: Path, graph_dir) -> None:
    store = GraphStore.open(small_settings(tmp_path, graph_dir(kawaba=KAWABA)))
    quads = list(ox.parse(store.dump(ox.RdfFormat.TRIG), format=ox.RdfFormat.TRIG))
    assert len(quads) == len(list(store.quads()))
    assert {q.graph_name.value for q in quads} == set(store.loaded_graphs())


def test_an_export_holds_the_written_graphs_and_no_other_applications(
    tmp_path: Path, graph_dir
) -> None:
    store = GraphStore.open(small_settings(tmp_path, graph_dir(kawaba=KAWABA)))
    written = BASE + "source/w"
    quad = ox.Quad(
        ox.NamedNode(BASE + "org/x"), A, ox.NamedNode(BASE + "Thing"), ox.NamedNode(written)
    )
    store.apply(add=[quad])
    store.rebuild()  # what was written, and the record of it, outlive a rebuild
    if REMOTE:  # a server holds other applications' graphs (and Virtuoso its own)
        store.backend.update(
            "INSERT DATA { GRAPH <urn:x-other:app> { <urn:x-other:s> a <urn:x-other:Thing> } }"
        )
    exported = ox.parse(store.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    assert {q.graph_name.value for q in exported} == {*store.loaded_graphs(), written}
    counted = inventory(store)
    assert written in counted.by_source and "urn:x-other:app" not in counted.by_source
    assert not [c for c in counted.by_class if "x-other" in c]
    assert counted.triples == sum(n for _, n in counted.by_source.values())


def test_blank_node_citations_keep_their_document_when_loaded_in_small_batches(
    tmp_path: Path, graph_dir
) -> None:
    cited = "".join(
        f'lg:10{i} pg:lgCode "10{i}" ; '
        f'dct:source [ a pg:Citation ; pg:document src:doc ; pg:section "s{i}" ] .\n'
        for i in range(7)
    )
    root = graph_dir(cited=f"src:doc {{ src:doc a pg:SourceDocument .\n{cited} }}")
    # 3 triples a request cut every citation's 4 apart, were they cut by count
    store = GraphStore.open(small_settings(tmp_path, root, store_batch=3))
    rows = store.select(
        "SELECT ?code WHERE { ?body <https://w3id.org/partnergraph/ns#lgCode> ?code ; "
        "<http://purl.org/dc/terms/source>/<https://w3id.org/partnergraph/ns#document> ?doc }"
    )
    assert sorted(r["code"].value for r in rows) == [f"10{i}" for i in range(7)]


def test_apply_is_atomic_and_bumps_the_revision(tmp_path: Path, graph_dir) -> None:
    store = GraphStore.open(small_settings(tmp_path, graph_dir(kawaba=KAWABA)))
    before, count = store.revision(), len(list(store.quads()))
    label = ox.Literal('"} ; DROP ALL ; #\n<script>', language="ja")
    quad = ox.Quad(
        ox.NamedNode(BASE + "org/x"),
        ox.NamedNode(BASE + "p"),
        label,
        ox.NamedNode(BASE + "source/w"),
    )
    after = store.apply(add=[quad])
    assert after != before and len(list(store.quads())) == count + 1
    assert next(store.quads_for_pattern(quad.subject, None, None)).object == label
    with pytest.raises(ValueError, match="blank nodes"):
        store.apply(
            remove=[quad], add=[ox.Quad(ox.BlankNode(), quad.predicate, label, quad.graph_name)]
        )
    assert len(list(store.quads())) == count + 1 and store.revision() == after
