"""The safety check: query forms, refusals of updates and SERVICE, syntax errors with positions."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import rdflib.plugins.sparql

from partnergraph.errors import QueryError, QueryRefusedError, QuerySyntaxError
from partnergraph.namespaces import PREFIXES
from partnergraph.sparql.safety import (
    SERVICE_REFUSED,
    UPDATE_REFUSED,
    QueryForm,
    analyse,
    check_query,
)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", QueryForm.SELECT),
        ("select ?s { ?s ?p ?o } limit 1", QueryForm.SELECT),
        ("ASK { ?s ?p ?o }", QueryForm.ASK),
        ("CONSTRUCT WHERE { ?s ?p ?o }", QueryForm.CONSTRUCT),
        ("CONSTRUCT { ?s <urn:x> ?o } WHERE { ?s ?p ?o }", QueryForm.CONSTRUCT),
        ("DESCRIBE <http://example.org/a>", QueryForm.DESCRIBE),
        ("PREFIX ex: <http://example.org/>\ndescribe ?x WHERE { ?x ex:p 1 }", QueryForm.DESCRIBE),
    ],
)
def test_forms(text: str, form: QueryForm) -> None:
    assert check_query(text) is form
    assert form.is_graph == (form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE))


SERVICE_QUERIES = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE SILENT <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\U00000053\\u0045RVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE ?endpoint { ?s ?q ?r } } }",
    "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } } }",
    "ASK { GRAPH ?g { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "DESCRIBE ?s WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP socket listening on 127.0.0.1 that nothing should ever connect to."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        yield server


def assert_no_connection(server: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        server.accept()


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_is_refused_without_connecting(template: str, listener: socket.socket) -> None:
    text = template.replace("{port}", str(listener.getsockname()[1]))
    with pytest.raises(QueryRefusedError) as info:
        check_query(text)
    assert str(info.value) == SERVICE_REFUSED
    assert_no_connection(listener)


def test_from_clauses_are_never_loaded(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    text = (
        f"SELECT * FROM <http://127.0.0.1:{port}/g> FROM <file:///etc/passwd> WHERE {{ ?s ?p ?o }}"
    )
    info = analyse(text)
    assert info.has_dataset
    assert_no_connection(listener)
    assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?s WHERE { ?s ?p "SERVICE <http://example.org/> { ?a ?b ?c }" }',
        "SELECT ?service WHERE { ?service a <http://example.org/service> }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o } # SERVICE <x> { }",
    ],
)
def test_the_word_service_alone_is_fine(text: str) -> None:
    assert check_query(text) is QueryForm.SELECT


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
        "insert data { <http://example.org/a> <http://example.org/b> 1 }",
        "PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ex:p ?o }",
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 2 } WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "LOAD <file:///etc/passwd> INTO GRAPH <urn:g>",
        "CLEAR ALL",
        "DROP GRAPH <http://example.org/g>",
        "CREATE GRAPH <http://example.org/g>",
        "COPY DEFAULT TO <http://example.org/g>",
        "\\u0049NSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
    ],
)
def test_updates_are_refused(text: str) -> None:
    with pytest.raises(QueryRefusedError) as info:
        check_query(text)
    assert (
        str(info.value) == UPDATE_REFUSED == "updates are not accepted: this endpoint is read-only"
    )


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        check_query("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER( }")
    assert (info.value.line, info.value.column) == (3, 3)
    assert "line 3, column 3" in str(info.value)
    assert isinstance(info.value, QueryError) and not isinstance(info.value, QueryRefusedError)


@pytest.mark.parametrize("text", ["", "   \n", "PREFIX ex: <http://example.org/>", "SELEC * {}"])
def test_empty_and_malformed_are_query_errors_not_refusals(text: str) -> None:
    with pytest.raises(QueryError) as info:
        check_query(text)
    assert not isinstance(info.value, QueryRefusedError)


def test_project_prefixes_only_when_asked() -> None:
    text = "SELECT ?v WHERE { ?v a pg:Village ; rdfs:label ?l }"
    with pytest.raises(QueryError, match="pg"):
        check_query(text)
    assert check_query(text, PREFIXES) is QueryForm.SELECT


def test_analyse_reports_variables_projection_and_dataset() -> None:
    info = analyse("SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o FILTER(?o != ?x) } GROUP BY ?s")
    assert info.form is QueryForm.SELECT
    assert info.projected == ("s", "n")
    assert {"s", "p", "o", "x", "n"} <= info.variables
    assert not info.has_dataset
    assert analyse("ASK FROM NAMED <urn:g> { GRAPH ?g { ?s ?p ?o } }").has_dataset
    assert analyse("CONSTRUCT WHERE { ?s ?p ?o }").projected is None


def test_too_long_for_the_recursion_limit_is_a_query_error() -> None:
    # The grammar recurses once per triple pattern; the test process keeps Python's default limit.
    text = "SELECT * WHERE { " + " ".join(f"?s <urn:p{i}> ?o{i} ." for i in range(2000)) + " }"
    with pytest.raises(QueryError, match=r"too long|nested"):
        check_query(text)
