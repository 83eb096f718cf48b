"""Bulk import: agreement lists (CSV, UTF-8 or Shift_JIS) and RDF files, all or nothing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from partnergraph.dates import parse_date
from partnergraph.errors import (
    ConflictError,
    InvalidInputError,
    UnprocessableError,
    UnsupportedMediaTypeError,
)
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.writes import history, imports
from partnergraph.writes.csv_table import decode_text, read_table
from partnergraph.writes.plan import WriteOutcome
from tests.conftest import GRAPH_DIR
from tests.writes.support import ask, fingerprint


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    path = tmp_path_factory.mktemp("imports") / "store"
    return GraphStore.open(Settings(store_path=path, graph_dir=GRAPH_DIR))


LIST = """協定名,協定先,種別,初度締結日,最新締結日,出典,出典ＵＲＬ,頁,備考
テスト相互応援協定,川場村,災害時相互応援協定,H8.2.16,平成26年3月1日,協定一覧（テスト）,https://example.org/list.pdf,12,メモ
テスト包括協定,成城大学・駒澤大学,comprehensive-partnership,2016/2/15,,協定一覧（テスト）,,p.3,
テスト姉妹都市提携,ウィニペグ市,姉妹都市,1970,1970,協定一覧（テスト）,,,
"""


def import_csv(store: GraphStore, text: str | bytes, **options: object) -> WriteOutcome:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return imports.import_file(store, data, "text/csv", "importer", **options)  # type: ignore[arg-type]


def refused(store: GraphStore, error: type[Exception], action) -> Exception:  # type: ignore[no-untyped-def]
    before = fingerprint(store)
    with pytest.raises(error) as info:
        action()
    assert fingerprint(store) == before
    return info.value


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def test_utf8_with_or_without_bom_and_shift_jis_are_detected() -> None:
    assert decode_text("協定名".encode()) == ("協定名", "UTF-8")
    assert decode_text(b"\xef\xbb\xbf" + "協定名".encode()) == ("協定名", "UTF-8 with BOM")
    assert decode_text("協定名".encode("cp932")) == ("協定名", "Shift_JIS (CP932)")
    assert decode_text("協定名".encode("cp932"), "Shift_JIS")[0] == "協定名"
    with pytest.raises(InvalidInputError, match="neither UTF-8 nor Shift_JIS"):
        decode_text(b"\x80\xff\xfe")
    with pytest.raises(UnsupportedMediaTypeError):
        decode_text(b"x", "latin-1")


def test_headers_are_normalised_and_unknown_columns_reported() -> None:
    table = read_table(LIST)
    assert "出典URL" in table.columns and table.ignored == ["備考"]
    assert [n for n, _ in table.rows] == [2, 3, 4]
    with pytest.raises(UnprocessableError, match="missing column"):
        read_table("協定名,協定先\nx,y\n")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("H8.2.16", "1996-02-16"),
        ("平成26年3月1日", "2014-03-01"),
        ("令和元年5月1日", "2019-05-01"),
        ("S56.11", "1981-11"),
        ("2016/2/15", "2016-02-15"),
        ("２０１６年２月", "2016-02"),
        ("2016/02/15 0:00", "2016-02-15"),
        ("1970", "1970"),
    ],
)
def test_dates_as_municipal_lists_write_them(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["平成32年", "H8.2.30", "19811", "昔"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_date(text)


# ---------------------------------------------------------------------------
# CSV imports
# ---------------------------------------------------------------------------


def test_a_municipal_list_is_imported_in_one_change(store: GraphStore) -> None:
    changes_before = history.list_changes(store)["total"]
    outcome = import_csv(store, LIST, owner="世田谷区")
    body = outcome.body
    assert outcome.status == 201
    assert body["rows"] == 3 and body["encoding"] == "UTF-8"
    assert body["ignored_columns"] == ["備考"]
    assert history.list_changes(store)["total"] == changes_before + 1
    created = {c["row"]: c["iri"] for c in body["created"]}  # type: ignore[union-attr]
    base = store.settings.base_iri
    assert ask(
        store,
        f"""ASK {{ <{created[2]}> pg:party <{base}lg/131121>, <{base}lg/104442> ;
            pg:agreementType pgat:disaster-mutual-aid ;
            pg:signedOn "1996-02-16"^^xsd:date ; pg:revisedOn "2014-03-01"^^xsd:date ;
            dct:source [ pg:page 12 ;
                pg:document [ schema:url <https://example.org/list.pdf> ] ] }}""",
    )
    assert ask(
        store,
        f"ASK {{ <{created[3]}> pg:party <{base}org/seijo-university>, "
        f"<{base}org/komazawa-university>, <{base}lg/131121> }}",
    )
    # Row 4 is Setagaya's Winnipeg tie (1970-10 in the graph): it extends that agreement rather
    # than adding a copy; its "1970" is kept as the list's claim (issue 13, writes/reconcile.py).
    assert created[4] == f"{base}agreement/setagaya-winnipeg-sister-city"
    extended = [c["extended"] for c in body["created"]]  # type: ignore[union-attr]
    assert extended == [False, False, True]
    assert ask(
        store,
        f"""ASK {{ <{created[4]}> dct:source [ pg:claimedSignedOn "1970"^^xsd:gYear ;
            pg:claimedTitle "テスト姉妹都市提携"@ja ] ; pg:signedOn "1970-10"^^xsd:gYearMonth }}""",
    )
    # 最新締結日 equal to 初度締結日 says nothing new.
    assert not ask(store, f"ASK {{ <{created[4]}> dct:source/pg:claimedRevisedOn ?d }}")


def test_errors_are_listed_by_row_and_column_and_nothing_is_imported(store: GraphStore) -> None:
    text = """協定名,協定先,種別,初度締結日,出典
良い協定,川場村,縁組協定,1981-11,一覧
悪い協定,世田谷町,災害時相互応援協定,2020-01,一覧
悪い日付,川場村,災害時相互応援協定,平成40年,一覧
悪い種別,川場村,友好協定,2020,一覧
,川場村,災害時相互応援協定,2020,一覧
"""
    exc = refused(store, UnprocessableError, lambda: import_csv(store, text, owner="131121"))
    problems = exc.problems  # type: ignore[attr-defined]
    assert (
        "row 3, 協定先: no organization matches '世田谷町' (did you mean 東京都世田谷区 (131121)?)"
        in problems
    )
    assert any(p.startswith("row 4, 初度締結日: '平成40年'") for p in problems)
    assert any(p.startswith("row 5, 種別: unknown agreement type '友好協定'") for p in problems)
    assert "row 6, 協定名: is empty" in problems
    assert not any(p.startswith("row 2") for p in problems)
    assert "nothing was imported" in str(exc)


def test_one_party_an_ambiguous_name_and_a_repeated_row_are_refused(store: GraphStore) -> None:
    text = """協定名,協定先,種別,初度締結日,出典
一者だけの協定,川場村,縁組協定,1981-11,一覧
曖昧な協定,府中市;川場村,縁組協定,1981-11,一覧
重複,131121;104442,縁組協定,1981-11,一覧
重複,131121;104442,縁組協定,1981-11,一覧
"""
    problems = refused(store, UnprocessableError, lambda: import_csv(store, text)).problems  # type: ignore[attr-defined]
    assert any(p.startswith("row 2, 協定先: List should have at least 2 items") for p in problems)
    assert any(p.startswith("row 3, 協定先: '府中市' matches 2 bodies") for p in problems)
    assert any(p.startswith("row 5") and "the same agreement as row 4" in p for p in problems)


def test_importing_the_same_list_again_is_refused(store: GraphStore) -> None:
    text = "協定名,協定先,種別,初度締結日,出典\n再取込の協定,131121・104442,employment,2001,一覧\n"
    import_csv(store, text)
    exc = refused(store, UnprocessableError, lambda: import_csv(store, text))
    assert "already in the graph" in str(exc)


def test_an_excel_shift_jis_file_is_accepted_and_said_so(store: GraphStore) -> None:
    text = (
        "協定名,協定先,種別,初度締結日,出典\n"
        "シフトJISの協定,世田谷区・川場村,雇用対策協定,2003,一覧\n"
    )
    outcome = import_csv(store, text.encode("cp932"))
    assert outcome.body["encoding"] == "Shift_JIS (CP932)"
    iri = outcome.body["created"][0]["iri"]  # type: ignore[index]
    assert ask(store, f"ASK {{ <{iri}> rdfs:label 'シフトJISの協定'@ja }}")


def test_an_idempotent_import_is_not_applied_twice(store: GraphStore) -> None:
    text = "協定名,協定先,種別,初度締結日,出典\n冪等な取込,131121・104442,sister-city,1999,一覧\n"
    first = import_csv(store, text, idempotency_key="import-1")
    before = fingerprint(store)
    again = import_csv(store, text, idempotency_key="import-1")
    assert again.replayed and again.body == first.body and fingerprint(store) == before


def test_a_hundred_rows_import_in_one_go(store: GraphStore) -> None:
    codes = [
        r["c"].value
        for r in store.select(
            "SELECT ?c WHERE { ?s <https://w3id.org/partnergraph/ns#lgCode> ?c } "
            "ORDER BY ?c LIMIT 101"
        )
    ]
    rows = [
        f"大量取込の協定{i},{codes[0]}・{codes[i]},disaster-mutual-aid,2020-01,一覧"
        for i in range(1, 101)
    ]
    text = "協定名,協定先,種別,初度締結日,出典\n" + "\n".join(rows) + "\n"
    outcome = import_csv(store, text)
    assert outcome.body["rows"] == 100 and len(outcome.body["created"]) == 100


# ---------------------------------------------------------------------------
# RDF uploads
# ---------------------------------------------------------------------------

TURTLE = """@prefix src: <source/> . @prefix agr: <agreement/> . @prefix lg: <lg/> .
@prefix pg: <https://w3id.org/partnergraph/ns#> .
@prefix pgat: <https://w3id.org/partnergraph/agreement-type/> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
src:uploaded-list a pg:SourceDocument ; dct:title "アップロードした一覧" .
agr:uploaded-pact a pg:Agreement ; rdfs:label "アップロードした協定"@ja ;
    pg:agreementType pgat:employment ; pg:party lg:131121 PARTY ;
    pg:signedOn "2019"^^xsd:gYear ;
    dct:source [ a pg:Citation ; pg:document src:uploaded-list ; pg:page 2 ] .
"""


def upload(store: GraphStore, text: str, media_type: str = "text/turtle") -> WriteOutcome:
    return imports.import_file(store, text.encode(), media_type, "importer")


def test_a_turtle_file_goes_into_the_graph_of_its_source_document(store: GraphStore) -> None:
    body = upload(store, TURTLE.replace("PARTY", ", lg:104442")).body
    base = store.settings.base_iri
    assert body["graph"] == base + "source/uploaded-list"
    assert body["entities"] == [base + "agreement/uploaded-pact"]
    assert ask(
        store,
        f"""ASK {{ GRAPH <{base}source/uploaded-list> {{
            <{base}agreement/uploaded-pact> dct:source ?c . ?c a pg:Citation }}
            FILTER(STRSTARTS(STR(?c), "{base}citation/")) }}""",
    )


def test_an_upload_is_validated_by_shacl(store: GraphStore) -> None:
    text = TURTLE.replace("PARTY", "").replace("uploaded-", "lonely-")
    exc = refused(store, UnprocessableError, lambda: upload(store, text))
    assert any("at least two parties" in p for p in exc.problems)  # type: ignore[attr-defined]


def test_an_upload_adds_new_entities_only(store: GraphStore) -> None:
    base = (
        "@prefix pg: <https://w3id.org/partnergraph/ns#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    doc = '<source/x-doc> a pg:SourceDocument ; rdfs:label "x"@ja .\n'
    exc = refused(
        store,
        ConflictError,
        lambda: upload(store, base + doc + '<lg/131121> rdfs:label "乗っ取り"@ja .'),
    )
    assert "lg/131121" in str(exc)
    refused(
        store,
        UnprocessableError,
        lambda: upload(store, base + doc + '<http://evil.example/x> rdfs:label "x"@ja .'),
    )
    refused(store, UnprocessableError, lambda: upload(store, base + '<org/x> rdfs:label "x"@ja .'))
    refused(
        store,
        UnprocessableError,
        lambda: upload(store, base + doc + '<history> rdfs:label "x"@ja .'),
    )


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="source/bomb"><rdfs:label>&lol3;</rdfs:label></rdf:Description>
</rdf:RDF>
"""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.usefixtures("no_network")
def test_rdf_xml_with_a_doctype_is_refused_before_parsing(store: GraphStore) -> None:
    for text in (
        BOMB,
        BOMB.replace("DOCTYPE", "doctype"),
        '<!ENTITY x SYSTEM "file:///etc/passwd">',
    ):
        exc = refused(
            store, InvalidInputError, lambda text=text: upload(store, text, "application/rdf+xml")
        )
        assert "DOCTYPE" in str(exc)


def test_plain_rdf_xml_is_taken(store: GraphStore) -> None:
    text = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:pg="https://w3id.org/partnergraph/ns#" xmlns:dct="http://purl.org/dc/terms/">
  <pg:SourceDocument rdf:about="source/xml-list">
    <dct:title>XMLの一覧</dct:title>
  </pg:SourceDocument>
</rdf:RDF>"""
    assert upload(store, text, "application/rdf+xml").body["format"] == "RDF/XML"


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    "context",
    [
        '"https://schema.org/"',
        '["https://schema.org/", {"pg": "https://w3id.org/partnergraph/ns#"}]',
        '{"@import": "https://example.org/ctx.jsonld"}',
        '{"pg": {"@id": "https://w3id.org/partnergraph/ns#", "@context": "https://x.example/c"}}',
    ],
)
def test_json_ld_with_a_remote_context_is_refused_without_fetching(
    store: GraphStore, context: str
) -> None:
    text = f'{{"@context": {context}, "@id": "source/remote", "@type": "https://w3id.org/partnergraph/ns#SourceDocument"}}'
    exc = refused(store, InvalidInputError, lambda: upload(store, text, "application/ld+json"))
    assert "refused" in str(exc)


@pytest.mark.usefixtures("no_network")
def test_json_ld_with_an_inline_context_is_taken(store: GraphStore) -> None:
    text = """{"@context": {"pg": "https://w3id.org/partnergraph/ns#",
                            "title": "http://purl.org/dc/terms/title"},
               "@id": "source/jsonld-list", "@type": "pg:SourceDocument",
               "title": "JSON-LDの一覧"}"""
    body = upload(store, text, "application/ld+json").body
    assert body["graph"] == store.settings.base_iri + "source/jsonld-list"


def test_other_media_types_are_refused(store: GraphStore) -> None:
    refused(store, UnsupportedMediaTypeError, lambda: upload(store, "x", "text/plain"))
    with pytest.raises(InvalidInputError, match="owner"):
        imports.import_file(store, b"x", "text/turtle", "importer", owner="世田谷区")


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------


def test_partnergraph_import_from_the_command_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PARTNERGRAPH_STORE": str(tmp_path / "store"),
        "PARTNERGRAPH_GRAPH_DIR": str(GRAPH_DIR),
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "partnergraph", "import", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    good = tmp_path / "list.csv"
    good.write_bytes(LIST.encode("cp932"))
    out = run(str(good), "--owner", "131121", "--agent", "clerk")
    assert out.returncode == 0, out.stderr
    assert "imported 3 agreement(s)" in out.stdout and "Shift_JIS (CP932)" in out.stdout
    assert "ignored columns: 備考" in out.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("協定名,協定先,種別,初度締結日,出典\nx,世田谷町・川場村,縁組協定,1981,一覧\n")
    out = run(str(bad))
    assert out.returncode == 2
    assert "row 2, 協定先: no organization matches '世田谷町'" in out.stderr
    other = tmp_path / "list.xlsx"
    other.write_bytes(b"PK")
    assert run(str(other)).returncode == 2
