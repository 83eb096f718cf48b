"""Writes: checks against the store, SHACL on a small graph, one atomic commit with
its history record, idempotent replays, the curated-edit policy, rebuilds that keep writes."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from partnergraph.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    UnprocessableError,
)
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.validation import format_violation, validate
from partnergraph.writes import agreements, history, organizations
from partnergraph.writes.models import AgreementIn, OrganizationIn
from partnergraph.writes.plan import WriteOutcome
from tests.conftest import GRAPH_DIR
from tests.writes.support import UNKNOWN_CODE, agreement, ask, fingerprint, organization


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The shipped graph in a store of this module's own, which the tests write to."""
    path = tmp_path_factory.mktemp("writes") / "store"
    return GraphStore.open(Settings(store_path=path, graph_dir=GRAPH_DIR))


def create(store: GraphStore, key: str | None = None, **changes: object) -> WriteOutcome:
    return agreements.create_agreement(
        store, AgreementIn.model_validate(agreement(**changes)), "editor", key
    )


def unchanged(store: GraphStore, action: Callable[[], object], error: type[Exception]) -> Exception:
    """Run ``action``, expect ``error``, and the store exactly as before."""
    before = fingerprint(store)
    with pytest.raises(error) as info:
        action()
    assert fingerprint(store) == before
    return info.value


def test_a_new_agreement_is_stored_in_its_source_graph_with_a_history_record(
    store: GraphStore,
) -> None:
    outcome = create(store, title_ja="記録される協定")
    body = outcome.body
    assert outcome.status == 201 and outcome.location == f"/api/v1/agreements/{body['id']}"
    iri, graph = body["iri"], body["graph"]
    assert graph not in store.loaded_graphs() and not store.is_loaded_graph(graph)
    kawaba = f"{store.settings.base_iri}lg/104442"
    assert ask(
        store, f"ASK {{ GRAPH <{graph}> {{ <{iri}> a pg:Agreement ; pg:party <{kawaba}> }} }}"
    )
    assert ask(
        store, f"ASK {{ <{iri}> dct:source/pg:document <{graph}> . <{graph}> a pg:SourceDocument }}"
    )
    history = store.settings.base_iri + "history"
    assert ask(
        store,
        f"""ASK {{ GRAPH <{history}> {{
            <{body["change"]}> a prov:Activity ; prov:generated <{iri}> ;
                prov:wasAssociatedWith [ a prov:Agent ; dct:identifier "editor" ] ;
                prov:startedAtTime ?t ; pg:operation "create" ;
                pg:triplesAdded {body["added"]} ; pg:triplesRemoved 0 }} }}""",
    )
    assert body["added"] >= 12 and body["warnings"] == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"parties": ["131121", UNKNOWN_CODE]}, "parties", "no local government has the code"),
        ({"parties": ["131121", "seijo-universty"]}, "parties", "no organization has the slug"),
        ({"type": "friendship"}, "type", "unknown agreement type 'friendship'"),
    ],
)
def test_unknown_parties_and_types_are_refused_and_nothing_changes(
    store: GraphStore, changes: dict[str, object], field: str, words: str
) -> None:
    exc = unchanged(store, lambda: create(store, **changes), UnprocessableError)
    assert exc.field == field and words in str(exc)  # type: ignore[attr-defined]


def test_a_misspelt_slug_gets_suggestions(store: GraphStore) -> None:
    with pytest.raises(UnprocessableError) as info:
        create(store, parties=["131121", "seijo-universty"])
    assert "seijo-university" in info.value.suggestions


def test_the_same_agreement_twice_is_a_conflict(store: GraphStore) -> None:
    create(store, title_ja="二度目は断られる協定")
    exc = unchanged(store, lambda: create(store, title_ja="二度目は断られる協定"), ConflictError)
    assert "already in the graph" in str(exc)


def test_a_taken_slug_is_a_conflict_curated_or_not(store: GraphStore) -> None:
    create(store, slug="taken-slug", title_ja="スラッグを使う協定")
    unchanged(store, lambda: create(store, slug="taken-slug"), ConflictError)
    exc = unchanged(
        store, lambda: create(store, slug="setagaya-kawaba-renewable-energy"), ConflictError
    )
    assert "curated in graph/" in str(exc)


def test_an_idempotent_retry_is_answered_again_and_not_applied(store: GraphStore) -> None:
    first = create(store, "key-1", title_ja="一度だけ書かれる協定")
    before = fingerprint(store)
    again = create(store, "key-1", title_ja="一度だけ書かれる協定")
    assert again.replayed and again.body == first.body and again.status == 201
    assert again.location == first.location
    assert fingerprint(store) == before
    exc = unchanged(store, lambda: create(store, "key-1", title_ja="別の協定"), UnprocessableError)
    assert exc.field == "Idempotency-Key"  # type: ignore[attr-defined]


def test_a_key_belongs_to_its_token(store: GraphStore) -> None:
    payload = AgreementIn.model_validate(agreement(title_ja="トークンごとの鍵"))
    agreements.create_agreement(store, payload, "editor", "shared-key")
    other = AgreementIn.model_validate(agreement(title_ja="別トークンの協定"))
    outcome = agreements.create_agreement(store, other, "importer", "shared-key")
    assert not outcome.replayed


def test_bad_idempotency_keys_are_refused(store: GraphStore) -> None:
    for key in ("", "with space", "ключ", "k" * 256):
        unchanged(store, lambda key=key: create(store, key), InvalidInputError)


def test_update_replaces_the_description_and_cleans_up(store: GraphStore) -> None:
    body = create(store, title_ja="改定される協定").body
    slug, iri, old_graph = body["id"], body["iri"], body["graph"]
    payload = AgreementIn.model_validate(
        agreement(
            title_ja="改定された協定",
            parties=["131121", "022021", "seijo-university"],
            revised="2022-03",
            source={"title": "改定の資料だけに出てくる文書"},
        )
    )
    outcome = agreements.update_agreement(store, slug, payload, "editor")
    assert outcome.status == 200 and outcome.body["removed"] > 0
    new_graph = outcome.body["graph"]
    assert new_graph != old_graph
    rows = store.select(
        f"SELECT ?l WHERE {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    )
    assert {r["l"].value for r in rows} == {"改定された協定", "Test disaster mutual-aid agreement"}
    assert ask(store, f"ASK {{ <{iri}> pg:party <{store.settings.base_iri}org/seijo-university> }}")
    assert not ask(store, f"ASK {{ GRAPH <{old_graph}> {{ <{iri}> ?p ?o }} }}")
    citations = store.select(f"SELECT ?c WHERE {{ <{iri}> <http://purl.org/dc/terms/source> ?c }}")
    assert len(citations) == 1


def test_delete_removes_the_agreement_its_citation_and_an_orphaned_document(
    store: GraphStore,
) -> None:
    body = create(store, title_ja="削除される協定", source={"title": "この協定だけの資料"}).body
    iri, graph = body["iri"], body["graph"]
    outcome = agreements.delete_agreement(store, body["id"], "editor")
    assert outcome.body["removed"] == body["added"]
    assert not ask(store, f"ASK {{ <{iri}> ?p ?o }}")
    assert not ask(store, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert ask(
        store,
        f"ASK {{ GRAPH <{store.settings.base_iri}history> {{ ?c prov:invalidated <{iri}> }} }}",
    )
    unchanged(
        store, lambda: agreements.delete_agreement(store, body["id"], "editor"), NotFoundError
    )


def test_curated_agreements_are_refused_with_a_pointer_to_the_file(store: GraphStore) -> None:
    payload = AgreementIn.model_validate(agreement())
    slug = "setagaya-kawaba-renewable-energy"
    exc = unchanged(
        store, lambda: agreements.update_agreement(store, slug, payload, "editor"), ConflictError
    )
    assert "edit the file" in str(exc)
    unchanged(store, lambda: agreements.delete_agreement(store, slug, "editor"), ConflictError)


def test_organizations_are_created_changed_and_deleted_once_unreferenced(
    store: GraphStore,
) -> None:
    org = OrganizationIn.model_validate(organization(slug="written-university"))
    made = organizations.create_organization(store, org, "editor")
    assert made.status == 201 and made.location == "/api/v1/organizations/written-university"
    pact = create(store, title_ja="書いた大学との協定", parties=["131121", "written-university"])
    exc = unchanged(
        store,
        lambda: organizations.delete_organization(store, "written-university", "editor"),
        ConflictError,
    )
    assert "pg:party" in str(exc)
    changed = OrganizationIn.model_validate(
        organization(slug="written-university", kind="council", name_en="Written Council")
    )
    assert (
        organizations.update_organization(store, "written-university", changed, "editor").status
        == 200
    )
    iri = made.body["iri"]
    assert ask(store, f"ASK {{ <{iri}> a pg:Council ; rdfs:label 'Written Council'@en }}")
    assert not ask(store, f"ASK {{ <{iri}> a pg:University }}")
    agreements.delete_agreement(store, pact.body["id"], "editor")
    organizations.delete_organization(store, "written-university", "editor")
    assert not ask(store, f"ASK {{ <{iri}> ?p ?o }}")


def test_a_curated_body_cannot_be_changed_or_deleted(store: GraphStore) -> None:
    payload = OrganizationIn.model_validate(organization(slug="seijo-university"))
    unchanged(
        store,
        lambda: organizations.update_organization(store, "seijo-university", payload, "editor"),
        ConflictError,
    )
    unchanged(
        store,
        lambda: organizations.delete_organization(store, "seijo-university", "editor"),
        ConflictError,
    )
    unchanged(
        store, lambda: organizations.create_organization(store, payload, "editor"), ConflictError
    )


@pytest.mark.parametrize("label", ['"} ; DROP ALL ; #', "<script>alert(1)</script>"])
def test_labels_are_stored_verbatim(store: GraphStore, label: str) -> None:
    count = fingerprint(store)[0]
    body = create(store, title_ja=label).body
    rows = store.select(
        f"SELECT ?l WHERE {{ <{body['iri']}> <http://purl.org/dc/terms/title> ?l }}"
    )
    assert [r["l"].value for r in rows] == [label]
    assert fingerprint(store)[0] > count


def test_changes_are_listed_newest_first(store: GraphStore) -> None:
    create(store, title_ja="最新の変更")
    page = history.list_changes(store, limit=2)
    numbers = [c["number"] for c in page["changes"]]  # type: ignore[index]
    assert numbers == [page["total"], page["total"] - 1]  # type: ignore[operator]
    latest = page["changes"][0]  # type: ignore[index]
    assert latest["operation"] == "create" and latest["agent"] == "editor"
    assert latest["generated"] and latest["graphs"] and latest["added"] > 0
    later = history.list_changes(store, limit=2, offset=1)
    assert later["changes"][0]["number"] == numbers[1]  # type: ignore[index]


def test_concurrent_writes_are_serialised_and_all_kept(store: GraphStore) -> None:
    results: list[WriteOutcome] = []
    errors: list[Exception] = []

    def write(i: int) -> None:
        try:
            results.append(create(store, title_ja=f"同時に書かれる協定{i}"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(r.body["change_number"] for r in results)  # type: ignore[type-var]
    assert numbers == list(range(numbers[0], numbers[0] + 8))
    for r in results:
        assert ask(store, f"ASK {{ <{r.body['iri']}> a pg:Agreement }}")


def test_the_whole_store_still_conforms_after_all_these_writes(store: GraphStore) -> None:
    """The small graph each write is validated in misses nothing the full graph would catch."""
    graph = Graph().parse(data=store.dump(ox.RdfFormat.N_TRIPLES), format="nt")
    settings = store.settings
    report = validate(graph, settings.graph_dir / "shapes.ttl", settings.graph_dir / "ontology.ttl")
    assert report.conforms, [format_violation(v) for v in report.errors][:5]


# ---------------------------------------------------------------------------
# A small graph: SHACL as the last line, and a rebuild from files
# ---------------------------------------------------------------------------

SMALL = """
src:small-list {
    src:small-list a pg:SourceDocument ; rdfs:label "小さな一覧"@ja .
    body:small-university a pg:University ; rdfs:label "小さな大学"@ja ;
        dct:source [ a pg:Citation ; pg:document src:small-list ] .
    body:not-a-body a pg:Facility ; rdfs:label "施設"@ja ;
        dct:source [ a pg:Citation ; pg:document src:small-list ] .
    body:other-university a pg:University ; rdfs:label "別の大学"@ja ;
        dct:source [ a pg:Citation ; pg:document src:small-list ] .
}
"""


@pytest.fixture
def small_store(tmp_path: Path, graph_dir: Callable[..., Path]) -> GraphStore:
    root = graph_dir(small=SMALL)
    shutil.copy(GRAPH_DIR / "shapes.ttl", root / "shapes.ttl")
    return GraphStore.open(Settings(store_path=tmp_path / "store", graph_dir=root))


def test_shacl_catches_what_the_store_checks_let_through(small_store: GraphStore) -> None:
    payload = AgreementIn.model_validate(
        agreement(parties=["small-university", "not-a-body"], title_ja="施設との協定")
    )
    exc = unchanged(
        small_store,
        lambda: agreements.create_agreement(small_store, payload, "editor"),
        UnprocessableError,
    )
    assert any("not-a-body" in p and "not a known organization" in p for p in exc.problems)  # type: ignore[attr-defined]
    assert "1 violation" in str(exc)


def test_a_rebuild_from_changed_files_keeps_the_writes(small_store: GraphStore) -> None:
    payload = AgreementIn.model_validate(
        agreement(parties=["small-university", "other-university"], title_ja="残る協定")
    )
    body = agreements.create_agreement(small_store, payload, "editor", "rebuild-key").body
    data = small_store.settings.graph_dir / "data" / "small.trig"
    data.write_text(data.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert small_store.ensure_current() is not None
    assert ask(small_store, f"ASK {{ <{body['iri']}> a pg:Agreement }}")
    assert history.list_changes(small_store)["total"] == 1
    again = agreements.create_agreement(small_store, payload, "editor", "rebuild-key")
    assert again.replayed
    follow = agreements.create_agreement(
        small_store, payload.model_copy(update={"title_ja": "次の協定"}), "editor"
    )
    assert follow.body["change_number"] == 2
