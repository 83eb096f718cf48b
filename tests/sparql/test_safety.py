"""The refusals: SERVICE anywhere in any reading of the text, updates worded as such."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from partnergraph.errors import QueryError, QueryRefusedError, QuerySyntaxError
from partnergraph.sparql.safety import (
    SERVICE_REFUSED,
    DatasetMemo,
    check_text,
    is_update,
    may_name_dataset,
    names_dataset,
    readings,
    refuse_service,
    syntax_error,
)

SERVICE_QUERIES = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\U00000053\\u0045RVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u005Cu0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { # hidden\r SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o }\n}",
    "SELECT * WHERE { # hidden\\u000D SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o }\n}",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE ?endpoint { ?s ?q ?r } } }",
    "ASK { GRAPH ?g { ſervice <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p 1SERVICE<http://127.0.0.1:9/>{ ?s ?p ?o } }",
]


@pytest.mark.parametrize("text", SERVICE_QUERIES)
def test_service_is_refused_in_any_spelling(text: str) -> None:
    with pytest.raises(QueryRefusedError) as info:
        check_text(text)
    assert str(info.value) == SERVICE_REFUSED


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?s WHERE { ?s ?p "a service to residents" }',
        "SELECT ?service WHERE { ?service a <http://example.org/Thing> }",
        "SELECT * WHERE { ?s <http://example.org/services> ?o }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <x> { }",
    ],
)
def test_the_word_anywhere_is_refused_too(text: str) -> None:
    """The price of checking text no parser can read differently: the word itself is refused."""
    with pytest.raises(QueryRefusedError, match="anywhere"):
        refuse_service(text)


def test_the_letters_split_by_the_query_are_fine() -> None:
    check_text('SELECT ?s WHERE { ?s ?p ?o FILTER(?o = CONCAT("serv", "ice")) }')
    check_text("select * where { ?s ?p ?o }")


def test_readings_expand_escapes_round_after_round() -> None:
    assert readings("\\u005Cu0041") == ["\\u005Cu0041", "\\u0041", "A"]
    assert readings('"\\u0023abcd"')[-1] == '"#abcd"'
    # Not characters: left as they are (the engine refuses them as syntax errors).
    assert readings("\\uD800 \\U00110000") == ["\\uD800 \\U00110000"]


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
        "PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ex:p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://example.org/g>",
        "\\u0049NSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
    ],
)
def test_updates_are_recognised(text: str) -> None:
    assert is_update(text)


@pytest.mark.parametrize("text", ["SELECT * {", "SELEC * {}", "ASK {}"])
def test_queries_and_garbage_are_not_updates(text: str) -> None:
    assert not is_update(text)


def test_dataset_clauses() -> None:
    assert names_dataset("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }")
    assert names_dataset("ASK FROM NAMED <urn:g> { GRAPH ?g { ?s ?p ?o } }")
    assert not names_dataset("SELECT * WHERE { ?s ?p 'from here' }")
    assert not names_dataset("SELECT * WHERE { ?s ?p ?o }")


@pytest.mark.parametrize(
    "text",
    [
        "select * from<urn:g>{?s ?p ?o}",
        "PREFIX :<urn:> SELECT((?a<?b)AS?c)FROM:g{?s ?p ?o}",
        "SELECT * # a comment to rdflib, not to pyoxigraph\rFROM <urn:g> { ?s ?p ?o }",
        "SELECT (<http://www.w3.org/2001/XMLSchema#string>(?o) AS ?b) FROM <urn:g> { ?s ?p ?o }",
        'SELECT * FROM <urn:g> { ?s ?p "# from" }',
    ],
)
def test_the_keyword_from_is_left_to_the_parse(text: str) -> None:
    ox.Store().query(text)  # a query the engine runs
    assert may_name_dataset(text)


@pytest.mark.parametrize(
    "text",
    [
        "# agreements from 1981 on\nSELECT * { ?s ?p ?o }",
        "SELECT ?from ?to { ?s ?p ?from . ?s ?p $from }",
        'SELECT * { ?s ?p \'from\', "from", \'\'\'it\'s from\'\'\', """a "from" b""" }',
        "SELECT * { <urn:from#from> ?p ?o }",
    ],
)
def test_from_in_comments_iris_strings_and_variables_names_no_dataset(text: str) -> None:
    ox.Store().query(text)
    assert not may_name_dataset(text) and not names_dataset(text)


def test_engine_syntax_errors_keep_line_and_column() -> None:
    text = "SELECT ?s WHERE {\n  ?s ?p\n}"
    with pytest.raises(SyntaxError) as raw:
        ox.Store().query(text)
    error = syntax_error(raw.value, text)
    assert isinstance(error, QuerySyntaxError) and isinstance(error, QueryError)
    assert error.line == 3 and error.column is not None
    assert str(error).startswith(f"SPARQL syntax error at line 3, column {error.column}:")
    # The line itself follows, with a caret under the engine's column.
    assert str(error).splitlines()[1:] == ["  3 | }", "    | " + " " * (error.column - 1) + "^"]


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_is_a_query_error(text: str) -> None:
    with pytest.raises(QueryError, match="empty"):
        check_text(text)


def test_a_worker_parses_each_text_once_for_its_dataset() -> None:
    memo = DatasetMemo(size=2)
    named = "SELECT * FROM <urn:g> WHERE { ?s ?p ?o }"
    union = "# from a saved query's description\nSELECT * WHERE { ?s ?p ?from }"
    for _ in range(3):
        assert memo.names_dataset(named) and not memo.names_dataset(union)
    assert memo.parsed == 2  # each text once, whatever the number of runs
    memo.names_dataset("SELECT * FROM NAMED <urn:h> { GRAPH ?g { ?s ?p ?o } }")
    assert memo.parsed == 3
    assert memo.names_dataset(named)  # the oldest text was let go: parsed again
    assert memo.parsed == 4
