"""Real SPARQL clients (rdflib's SPARQLStore, SPARQLWrapper) against a live uvicorn server.

Questions are asked of the reference data, which does not change as curated
facts arrive: 47 prefectures, 1,741 municipalities, Setagaya's labels.
"""

from __future__ import annotations

import csv
import io
import urllib.error

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.Wrapper import POSTDIRECTLY, URLENCODED

PG = "https://w3id.org/partnergraph/ns#"
PREFIXES = f"PREFIX pg: <{PG}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
PREFECTURES = PREFIXES + "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pg:Prefecture }"
MUNICIPALITIES = (
    PREFIXES
    + "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { VALUES ?c { pg:City pg:SpecialWard pg:Town"
    " pg:Village } ?m a ?c }"
)


def setagaya(base: str) -> str:
    return f"{base}lg/131121"


def label_query(base: str) -> str:
    return PREFIXES + f"SELECT ?l WHERE {{ <{setagaya(base)}> rdfs:label ?l }} ORDER BY ?l"


def construct_query(base: str) -> str:
    iri = setagaya(base)
    return PREFIXES + f"CONSTRUCT {{ <{iri}> rdfs:label ?l }} WHERE {{ <{iri}> rdfs:label ?l }}"


# --- rdflib SPARQLStore ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("return_format", ["xml", "json"])
def test_rdflib_sparqlstore_select(live_server: str, method: str, return_format: str) -> None:
    store = SPARQLStore(live_server + "sparql", method=method, returnFormat=return_format)
    graph = rdflib.Graph(store=store)
    assert [int(row[0]) for row in graph.query(PREFECTURES)] == [47]
    assert [int(row[0]) for row in graph.query(MUNICIPALITIES)] == [1741]
    labels = {row[0] for row in graph.query(label_query(live_server))}
    assert labels == {
        rdflib.Literal("世田谷区", lang="ja"),
        rdflib.Literal("Setagaya City", lang="en"),
    }


def test_rdflib_sparqlstore_ask_and_construct(live_server: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(live_server + "sparql"))
    tokyo = f"ASK {{ <{setagaya(live_server)}> pg:prefecture/rdfs:label '東京都'@ja }}"
    assert graph.query(PREFIXES + tokyo).askAnswer is True
    constructed = graph.query(construct_query(live_server)).graph
    assert set(constructed.objects(rdflib.URIRef(setagaya(live_server)), rdflib.RDFS.label)) == {
        rdflib.Literal("世田谷区", lang="ja"),
        rdflib.Literal("Setagaya City", lang="en"),
    }


# --- SPARQLWrapper ---------------------------------------------------------------------------


def wrapper(base: str, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(base + "sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method is not None:
        client.setMethod(POST)
        client.setRequestMethod(method)
    return client


@pytest.mark.parametrize("method", [None, URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_json(live_server: str, method: str | None) -> None:
    result = wrapper(live_server, PREFECTURES, JSON, method).queryAndConvert()
    assert result["results"]["bindings"][0]["n"]["value"] == "47"
    labels = wrapper(live_server, label_query(live_server), JSON, method).queryAndConvert()
    values = {(b["l"]["value"], b["l"]["xml:lang"]) for b in labels["results"]["bindings"]}
    assert values == {("世田谷区", "ja"), ("Setagaya City", "en")}


def test_sparqlwrapper_xml(live_server: str) -> None:
    document = wrapper(live_server, MUNICIPALITIES, XML).queryAndConvert()
    literal = document.getElementsByTagName("literal")[0]
    assert literal.firstChild.data == "1741"


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_csv_tsv(live_server: str, fmt: str, delimiter: str) -> None:
    body = wrapper(live_server, PREFECTURES, fmt).queryAndConvert()
    rows = list(csv.reader(io.StringIO(body.decode()), delimiter=delimiter))
    assert rows[1][0].split("^^")[0].strip('"') == "47"


def test_sparqlwrapper_ask(live_server: str) -> None:
    query = PREFIXES + "ASK { ?p a pg:Prefecture ; rdfs:label '北海道'@ja }"
    assert wrapper(live_server, query, JSON).queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD, XML])
def test_sparqlwrapper_construct(live_server: str, fmt: str) -> None:
    graph = wrapper(live_server, construct_query(live_server), fmt).queryAndConvert()
    if isinstance(graph, bytes):  # Turtle and N3 come back as bytes
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    labels = set(graph.objects(rdflib.URIRef(setagaya(live_server)), rdflib.RDFS.label))
    assert rdflib.Literal("世田谷区", lang="ja") in labels


def test_sparqlwrapper_update_is_refused(live_server: str) -> None:
    client = SPARQLWrapper(live_server + "sparql")
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(urllib.error.HTTPError) as info:
        client.query()
    assert info.value.code == 403
    assert b"read-only" in info.value.read()
