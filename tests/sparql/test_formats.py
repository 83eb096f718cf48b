"""Content negotiation: Accept headers with q-values and wildcards, the format parameter, 406."""

from __future__ import annotations

import pytest

from partnergraph.errors import NotAcceptableError
from partnergraph.sparql.formats import FORMATS, GRAPH_FORMATS, TABLE_FORMATS, negotiate
from partnergraph.sparql.safety import QueryForm

SELECT, ASK, CONSTRUCT, DESCRIBE = (
    QueryForm.SELECT,
    QueryForm.ASK,
    QueryForm.CONSTRUCT,
    QueryForm.DESCRIBE,
)


def test_the_formats_and_their_media_types() -> None:
    assert {f.key: f.media_type for f in TABLE_FORMATS} == {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    }
    assert {f.key: f.media_type for f in GRAPH_FORMATS} == {
        "ttl": "text/turtle",
        "nt": "application/n-triples",
        "jsonld": "application/ld+json",
        "rdfxml": "application/rdf+xml",
    }
    assert set(FORMATS) == {f.key for f in (*TABLE_FORMATS, *GRAPH_FORMATS)}


@pytest.mark.parametrize("accept", [None, "", "  ", "*/*"])
def test_defaults(accept: str | None) -> None:
    assert negotiate(SELECT, accept, None).key == "json"
    assert negotiate(ASK, accept, None).key == "json"
    assert negotiate(CONSTRUCT, accept, None).key == "ttl"
    assert negotiate(DESCRIBE, accept, None).key == "ttl"


@pytest.mark.parametrize(
    ("form", "accept", "key"),
    [
        (SELECT, "application/sparql-results+xml", "xml"),
        (SELECT, "text/csv", "csv"),
        (ASK, "text/tab-separated-values", "tsv"),
        (SELECT, "application/json", "json"),
        (SELECT, "text/*", "csv"),
        (SELECT, "text/*;q=0.5, text/csv;q=0.1", "tsv"),
        (SELECT, "text/csv;q=0.5, application/sparql-results+xml", "xml"),
        (SELECT, "text/csv;q=0.9, text/tab-separated-values", "tsv"),
        (SELECT, "application/sparql-results+json;q=0, */*;q=0.1", "xml"),
        (SELECT, "text/csv;q=0, text/*", "tsv"),
        (SELECT, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "json"),
        (SELECT, "application/sparql-results+xml, application/rdf+xml", "xml"),
        (SELECT, "TEXT/CSV; charset=utf-8", "csv"),
        (SELECT, "text/csv;q=bogus, application/sparql-results+xml;q=0.2", "xml"),
        (SELECT, "nonsense, text/tab-separated-values", "tsv"),
        (CONSTRUCT, "application/n-triples", "nt"),
        (CONSTRUCT, "application/ld+json;q=0.9, text/turtle;q=0.8", "jsonld"),
        (CONSTRUCT, "application/json", "jsonld"),
        (CONSTRUCT, "application/sparql-results+xml, application/rdf+xml", "rdfxml"),
        (DESCRIBE, "application/*", "nt"),
        (DESCRIBE, "text/turtle;q=0, */*", "nt"),
        (CONSTRUCT, "application/turtle, text/turtle", "ttl"),
    ],
)
def test_weighted_accept(form: QueryForm, accept: str, key: str) -> None:
    assert negotiate(form, accept, None).key == key


@pytest.mark.parametrize(
    ("form", "param", "key"),
    [
        (SELECT, "json", "json"),
        (SELECT, "XML", "xml"),
        (SELECT, "csv", "csv"),
        (ASK, "tsv", "tsv"),
        (SELECT, "text/csv", "csv"),
        (CONSTRUCT, "ttl", "ttl"),
        (CONSTRUCT, "turtle", "ttl"),
        (CONSTRUCT, "nt", "nt"),
        (CONSTRUCT, "jsonld", "jsonld"),
        (CONSTRUCT, "json-ld", "jsonld"),
        (CONSTRUCT, "rdfxml", "rdfxml"),
        # What SPARQLWrapper sends for a CONSTRUCT with its XML and JSON return formats:
        (CONSTRUCT, "xml", "rdfxml"),
        (DESCRIBE, "json", "jsonld"),
        (CONSTRUCT, "application/rdf+xml", "rdfxml"),
    ],
)
def test_format_parameter(form: QueryForm, param: str, key: str) -> None:
    assert negotiate(form, None, param).key == key


def test_format_parameter_overrides_accept() -> None:
    assert negotiate(SELECT, "application/sparql-results+json", "csv").key == "csv"
    assert negotiate(SELECT, "text/html", "tsv").key == "tsv"
    # Repeated: the first value naming an offered format wins.
    assert negotiate(SELECT, None, ["tsv", "text/tab-separated-values"]).key == "tsv"
    assert negotiate(CONSTRUCT, None, ["bogus", "nt"]).key == "nt"


@pytest.mark.parametrize(
    ("form", "accept", "param"),
    [
        (SELECT, "text/html", None),
        (SELECT, "text/turtle", None),
        (SELECT, "text/csv;q=0", None),
        (CONSTRUCT, "application/sparql-results+json", None),
        (CONSTRUCT, "text/csv, text/tab-separated-values", None),
        (SELECT, None, "ttl"),
        (CONSTRUCT, None, "csv"),
        (SELECT, "*/*", "yaml"),
    ],
)
def test_nothing_acceptable_lists_what_is_offered(
    form: QueryForm, accept: str | None, param: str | None
) -> None:
    with pytest.raises(NotAcceptableError) as info:
        negotiate(form, accept, param)
    offered = [f.media_type for f in (GRAPH_FORMATS if form.is_graph else TABLE_FORMATS)]
    assert info.value.offered == offered
    for media_type in offered:
        assert media_type in str(info.value)
