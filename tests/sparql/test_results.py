"""Serialising answers: every format parsed back, escaping, the row cap, bindings and datasets."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib

from partnergraph.errors import QueryError, QueryRefusedError
from partnergraph.sparql.execute import QueryRequest, execute, parse_term
from partnergraph.sparql.results import nt_term, write_boolean

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
G1, G2 = ox.NamedNode(EX + "g1"), ox.NamedNode(EX + "g2")

#: Values that break naive writers: separators, quotes, line breaks, markup, non-ASCII.
TRICKY = [
    ox.Literal('comma, "quote" and \\ backslash'),
    ox.Literal("line\nbreak\r\nand\ttab"),
    ox.Literal("<tag attr='x'> & ]]>", language="en"),
    ox.Literal("世田谷区", language="ja"),
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("1981-11", datatype=ox.NamedNode(XSD + "gYearMonth")),
    ox.Literal(""),
    ox.BlankNode("b0"),
    ox.NamedNode(EX + "a?b=c&d=<e>".replace("<", "%3C").replace(">", "%3E")),
]
RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "tsv": ox.QueryResultsFormat.TSV,
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for i, value in enumerate(TRICKY):
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "v"), value, G1))
    s.add(ox.Quad(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "in"), ox.Literal("two"), G2))
    return s


def run(store: ox.Store, query: str, key: str, limit: int = 1000, **kw: object):
    return execute(store, QueryRequest(query, key, **kw), limit)  # type: ignore[arg-type]


SELECT_ALL = f"SELECT ?s ?o ?missing WHERE {{ ?s <{EX}v> ?o }} ORDER BY ?s"


def expected_rows(store: ox.Store) -> list[tuple]:
    solutions = store.query(SELECT_ALL, use_default_graph_as_union=True)
    return [(s["s"], s["o"], s["missing"]) for s in solutions]


@pytest.mark.parametrize("key", sorted(RESULT_FORMATS))
def test_select_round_trips_through_pyoxigraph(store: ox.Store, key: str) -> None:
    result = run(store, SELECT_ALL, key)
    parsed = ox.parse_query_results(result.body, RESULT_FORMATS[key])
    assert [v.value for v in parsed.variables] == ["s", "o", "missing"]
    assert [(s["s"], s["o"], s["missing"]) for s in parsed] == expected_rows(store)
    assert (result.truncated, result.count) == (False, len(TRICKY))


@pytest.mark.parametrize("key", ["json", "xml"])
def test_select_round_trips_through_rdflib(store: ox.Store, key: str) -> None:
    result = run(store, SELECT_ALL, key)
    parsed = rdflib.query.Result.parse(io.BytesIO(result.body), format=key)
    values = sorted(str(row[1]) for row in parsed)
    assert values == sorted(t.value for t in TRICKY)
    langs = {row[1].language for row in parsed if isinstance(row[1], rdflib.Literal)}
    assert {"en", "ja"} <= langs


def test_json_follows_the_spec(store: ox.Store) -> None:
    body = json.loads(run(store, SELECT_ALL, "json").body)
    assert body["head"]["vars"] == ["s", "o", "missing"]
    terms = [b["o"] for b in body["results"]["bindings"]]
    assert {"type": "literal", "value": "世田谷区", "xml:lang": "ja"} in terms
    assert {"type": "literal", "value": "42", "datatype": XSD + "integer"} in terms
    assert {"type": "literal", "value": ""} in terms  # xsd:string has no datatype member
    assert {"type": "bnode", "value": "b0"} in terms
    assert all("missing" not in b for b in body["results"]["bindings"])


def test_xml_is_well_formed_and_escaped(store: ox.Store) -> None:
    root = ET.fromstring(run(store, SELECT_ALL, "xml").body)
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["s", "o", "missing"]
    literals = root.findall(".//r:literal", ns)
    assert "<tag attr='x'> & ]]>" in [lit.text for lit in literals]
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert any(lit.get(lang) == "ja" for lit in literals)


def test_csv_carries_plain_values(store: ox.Store) -> None:
    body = run(store, SELECT_ALL, "csv").body
    assert body.startswith(b"s,o,missing\r\n")
    rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
    assert rows[0] == ["s", "o", "missing"]
    by_subject = {r[0]: r[1:] for r in rows[1:]}
    assert by_subject[f"{EX}s1"] == ["line\nbreak\r\nand\ttab", ""]
    assert by_subject[f"{EX}s0"] == ['comma, "quote" and \\ backslash', ""]
    assert by_subject[f"{EX}s3"] == ["世田谷区", ""]  # plain value: no quotes, no @ja
    assert by_subject[f"{EX}s4"] == ["42", ""]
    assert by_subject[f"{EX}s7"] == ["_:b0", ""]


def test_tsv_carries_ntriples_terms(store: ox.Store) -> None:
    lines = run(store, SELECT_ALL, "tsv").body.decode().split("\n")
    assert lines[0] == "?s\t?o\t?missing"
    assert lines[-1] == ""  # every line ends with a newline
    assert len(lines) == len(TRICKY) + 2  # no value spills over a line or a column
    assert all(line.count("\t") == 2 for line in lines[:-1])
    assert f'<{EX}s3>\t"世田谷区"@ja\t' in lines
    assert f'<{EX}s1>\t"line\\nbreak\\r\\nand\\ttab"\t' in lines


def test_nt_term_escapes() -> None:
    assert nt_term(ox.Literal('a"b\\c\nd\te\x01')) == '"a\\"b\\\\c\\nd\\te\\u0001"'
    assert nt_term(ox.Literal("x", language="en")) == '"x"@en'
    assert nt_term(ox.NamedNode(EX)) == f"<{EX}>"


@pytest.mark.parametrize("key", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("value", [True, False])
def test_ask(store: ox.Store, key: str, value: bool) -> None:
    query = f"ASK {{ ?s <{EX}v> {'?o' if value else '<urn:nothing>'} }}"
    result = run(store, query, key)
    assert result.count is None and not result.truncated
    if key in RESULT_FORMATS:
        assert bool(ox.parse_query_results(result.body, RESULT_FORMATS[key])) is value
    else:
        assert result.body == (b"true\r\n" if value else b"false\r\n")
    assert write_boolean(value, key).body == result.body


@pytest.mark.parametrize(
    ("key", "rdf_format", "rdflib_format"),
    [
        ("ttl", ox.RdfFormat.TURTLE, "turtle"),
        ("nt", ox.RdfFormat.N_TRIPLES, "nt"),
        ("jsonld", ox.RdfFormat.JSON_LD, "json-ld"),
        ("rdfxml", ox.RdfFormat.RDF_XML, "xml"),
    ],
)
def test_construct_round_trips(
    store: ox.Store, key: str, rdf_format: ox.RdfFormat, rdflib_format: str
) -> None:
    query = f"CONSTRUCT {{ ?s <{EX}v> ?o }} WHERE {{ ?s <{EX}v> ?o FILTER(!isBlank(?o)) }}"
    result = run(store, query, key)
    triples = {
        (str(q.subject), str(q.predicate), str(q.object)) for q in ox.parse(result.body, rdf_format)
    }
    expected = {
        (str(t.subject), str(t.predicate), str(t.object))
        for t in store.query(query, use_default_graph_as_union=True)
    }
    assert triples == expected and result.count == len(expected) == len(TRICKY) - 1
    graph = rdflib.Graph().parse(data=result.body, format=rdflib_format)
    assert len(graph) == len(expected)


def test_row_cap(store: ox.Store) -> None:
    result = run(store, SELECT_ALL, "json", limit=3)
    assert result.truncated and result.count == 3
    assert len(json.loads(result.body)["results"]["bindings"]) == 3
    exact = run(store, SELECT_ALL, "json", limit=len(TRICKY))
    assert not exact.truncated and exact.count == len(TRICKY)
    triples = run(store, "CONSTRUCT WHERE { ?s ?p ?o }", "nt", limit=2)
    assert triples.truncated and triples.count == 2 and triples.body.count(b"\n") == 2


def test_default_graph_is_the_union_unless_a_dataset_is_named(store: ox.Store) -> None:
    def subjects(query: str, **kw: object) -> set[str]:
        body = json.loads(run(store, query, "json", **kw).body)
        return {b["s"]["value"] for b in body["results"]["bindings"]}

    everything = subjects("SELECT ?s WHERE { ?s ?p ?o }")
    assert f"{EX}x" in everything and f"{EX}s0" in everything
    assert subjects("SELECT ?s WHERE { ?s ?p ?o }", default_graphs=(G2.value,)) == {f"{EX}x"}
    assert subjects(f"SELECT ?s FROM <{G2.value}> WHERE {{ ?s ?p ?o }}") == {f"{EX}x"}
    # The protocol's dataset wins over the query's.
    query = f"SELECT ?s FROM <{G1.value}> WHERE {{ ?s ?p ?o }}"
    assert subjects(query, default_graphs=(G2.value,)) == {f"{EX}x"}
    # Only named graphs given: the default graph is empty, GRAPH sees just those.
    assert subjects("SELECT ?s WHERE { ?s ?p ?o }", named_graphs=(G2.value,)) == set()
    graph_query = "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert subjects(graph_query, named_graphs=(G2.value,)) == {f"{EX}x"}
    with pytest.raises(QueryError, match="not a valid"):
        run(store, graph_query, "json", named_graphs=("not an iri",))


def test_bindings_are_substituted_not_pasted(store: ox.Store) -> None:
    query = f"SELECT ?s ?o WHERE {{ ?s <{EX}v> ?o }}"
    result = run(store, query, "json", bindings={"o": '"世田谷区"@ja'})
    rows = json.loads(result.body)["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == [f"{EX}s3"]
    # An injection attempt is one odd literal, or not a term at all.
    hostile = '"x" } UNION { ?s ?p ?o'
    with pytest.raises(QueryError, match="not an RDF term"):
        run(store, query, "json", bindings={"o": hostile})
    assert (
        json.loads(run(store, query, "json", bindings={"$o": '"} ?s ?p ?o {"'}).body)["results"][
            "bindings"
        ]
        == []
    )


def test_binding_errors_are_clear(store: ox.Store) -> None:
    query = f"SELECT ?s WHERE {{ ?s <{EX}v> ?o }}"
    with pytest.raises(QueryError, match=r"\?nope: the query has no variable"):
        run(store, query, "json", bindings={"nope": "<urn:x>"})
    with pytest.raises(QueryError, match=r"\?o: .* in its SELECT projection \(\?s\)"):
        run(store, query, "json", bindings={"o": "<urn:x>"})
    with pytest.raises(QueryError, match="not a SPARQL variable"):
        run(store, query, "json", bindings={"a b": "<urn:x>"})
    assert parse_term(" <urn:x> ") == ox.NamedNode("urn:x")
    with pytest.raises(QueryError):
        parse_term("<urn:x> <urn:y> <urn:z> . <urn:a>")


def test_the_check_runs_before_evaluation(store: ox.Store) -> None:
    with pytest.raises(QueryRefusedError):
        run(store, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "json")
    with pytest.raises(QueryRefusedError):
        run(store, "CLEAR ALL", "json")
    assert len(store) == len(TRICKY) + 1
    with pytest.raises(QueryError, match="cannot be answered"):
        run(store, "ASK { ?s ?p ?o }", "ttl")
