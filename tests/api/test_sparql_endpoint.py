"""``/sparql`` over the real app: protocol forms, formats, refusals, limits, the description."""

from __future__ import annotations

import csv
import io
import socket
import threading
import time

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from tests.api.conftest import GENEROUS_TIMEOUT
from tests.conftest import BASE
from tests.stores import KIND, REMOTE

SETAGAYA = f"{BASE}lg/131121"
PREFECTURES = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pg:Prefecture }"
LABEL = f"SELECT ?l WHERE {{ <{SETAGAYA}> rdfs:label ?l FILTER(lang(?l) = 'ja') }}"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def media_type(response) -> str:
    return response.headers["content-type"].split(";")[0]


def first_value(response) -> str:
    """The first value of the first row of a SELECT answer, in whichever format it came."""
    mt = media_type(response)
    if mt == "text/csv":
        return list(csv.reader(io.StringIO(response.text, newline="")))[1][0]
    solutions = ox.parse_query_results(response.content, RESULT_FORMATS[mt])
    return next(iter(solutions))[0].value


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert media_type(response) == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


# --- protocol forms -----------------------------------------------------------


def test_get(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": PREFECTURES})
    assert response.status_code == 200
    assert media_type(response) == "application/sparql-results+json"
    assert first_value(response) == "47"
    assert response.headers["Partnergraph-Truncated"] == "false"
    assert response.headers["Partnergraph-Row-Limit"] == "10000"
    assert "accept" in response.headers["vary"].lower()


def test_post_form(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": LABEL}, headers=FORM)
    assert response.status_code == 200 and first_value(response) == "世田谷区"


def test_post_direct(client: TestClient) -> None:
    response = client.post("/sparql", content=LABEL.encode(), headers=DIRECT)
    assert response.status_code == 200 and first_value(response) == "世田谷区"
    latin = {"Content-Type": "application/sparql-query; charset=utf-8"}
    assert client.post("/sparql", content=LABEL.encode(), headers=latin).status_code == 200
    bad = client.post("/sparql", content=b"SELECT \xff", headers=DIRECT)
    assert "utf-8" in problem(bad, 400)["detail"]


def test_post_needs_a_known_body_type(client: TestClient) -> None:
    response = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert "application/sparql-query" in problem(response, 415)["detail"]
    missing = client.post("/sparql", data={"nothing": "x"}, headers=FORM)
    assert "no query" in problem(missing, 400)["detail"]
    twice = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert "exactly one" in problem(twice, 400)["detail"]


GRAPH_QUERY = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"
NAMED_QUERY = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
LG_CODES = f"{BASE}source/lg-codes"
ONTOLOGY = "https://w3id.org/partnergraph/ns"


def count(response) -> int:
    assert response.status_code == 200, response.text
    return int(first_value(response))


def test_dataset_parameters_in_every_form(client: TestClient) -> None:
    union = count(client.get("/sparql", params={"query": GRAPH_QUERY}))
    lg_only = count(
        client.get("/sparql", params={"query": GRAPH_QUERY, "default-graph-uri": LG_CODES})
    )
    both = {"query": GRAPH_QUERY, "default-graph-uri": [LG_CODES, ONTOLOGY]}
    assert union > count(client.get("/sparql", params=both)) > lg_only > 1788
    # POST form: graphs in the body, or in the URL.
    form = count(client.post("/sparql", data={"query": GRAPH_QUERY, "default-graph-uri": LG_CODES}))
    url = count(
        client.post("/sparql", params={"default-graph-uri": LG_CODES}, data={"query": GRAPH_QUERY})
    )
    # POST direct: graphs in the URL.
    direct = count(
        client.post(
            "/sparql",
            params={"default-graph-uri": LG_CODES},
            content=GRAPH_QUERY.encode(),
            headers=DIRECT,
        )
    )
    assert form == url == direct == lg_only
    named = {"query": NAMED_QUERY, "named-graph-uri": [LG_CODES, ONTOLOGY]}
    assert count(client.get("/sparql", params=named)) == 2
    assert count(client.get("/sparql", params={"query": NAMED_QUERY})) > 2


def test_project_prefixes_need_no_prefix_lines(client: TestClient) -> None:
    declared = "PREFIX pg: <https://w3id.org/partnergraph/ns#>\n" + PREFECTURES
    assert first_value(client.get("/sparql", params={"query": declared})) == "47"


# --- formats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        (
            "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1",
            "application/sparql-results+xml",
        ),
        ("text/*", "text/csv"),
        ("text/csv;q=0, text/*", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_formats_by_accept(client: TestClient, accept: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": LABEL}, headers={"Accept": accept})
    assert response.status_code == 200 and media_type(response) == expected
    assert first_value(response) == "世田谷区"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_formats_by_parameter(client: TestClient, fmt: str) -> None:
    response = client.get(
        "/sparql", params={"query": LABEL, "format": fmt}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 200 and first_value(response) == "世田谷区"


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_ask_formats(client: TestClient, fmt: str) -> None:
    query = f"ASK {{ <{SETAGAYA}> pg:prefecture/rdfs:label '東京都'@ja }}"
    response = client.post("/sparql", data={"query": query, "format": fmt})
    fmt_enum = RESULT_FORMATS[media_type(response)]
    assert bool(ox.parse_query_results(response.content, fmt_enum)) is True
    assert client.get("/sparql", params={"query": query, "format": "csv"}).text == "true\r\n"


CONSTRUCT = f"CONSTRUCT {{ <{SETAGAYA}> rdfs:label ?l }} WHERE {{ <{SETAGAYA}> rdfs:label ?l }}"


@pytest.mark.parametrize("accept", sorted(RDF_FORMATS))
def test_construct_formats(client: TestClient, accept: str) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200 and media_type(response) == accept
    labels = {q.object for q in ox.parse(response.content, RDF_FORMATS[accept])}
    assert labels == {
        ox.Literal("世田谷区", language="ja"),
        ox.Literal("Setagaya City", language="en"),
    }


def test_describe_defaults_to_turtle(client: TestClient) -> None:
    response = client.post("/sparql", content=f"DESCRIBE <{SETAGAYA}>".encode(), headers=DIRECT)
    assert media_type(response) == "text/turtle"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    setagaya = rdflib.URIRef(SETAGAYA)
    assert (setagaya, None, None) in graph or (None, None, setagaya) in graph
    if KIND != "virtuoso":  # what DESCRIBE holds is the server's choice (SPARQL 1.1, 16.4):
        # Oxigraph gives the resource's own triples; Virtuoso 7 those that point at it.
        assert (setagaya, None, rdflib.Literal("131121")) in graph


def test_not_acceptable(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": LABEL}, headers={"Accept": "text/turtle"})
    body = problem(response, 406)
    assert "application/sparql-results+json" in body["detail"]
    response = client.get("/sparql", params={"query": CONSTRUCT, "format": "csv"})
    assert "text/turtle" in problem(response, 406)["detail"]


# --- refusals and errors ------------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}),
        lambda c: c.post(
            "/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
        ),
        lambda c: c.get("/sparql", params={"update": "CLEAR ALL"}),
        lambda c: c.get("/sparql", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
        lambda c: c.post("/sparql", content=b"DROP ALL", headers=DIRECT),
        lambda c: c.post("/sparql", data={"query": "LOAD <http://example.org/x>"}),
    ],
)
def test_updates_are_refused(client: TestClient, send) -> None:
    body = problem(send(client), 403)
    assert body["detail"] == "updates are not accepted: this endpoint is read-only"
    assert first_value(client.get("/sparql", params={"query": PREFECTURES})) == "47"


@pytest.mark.parametrize("keyword", ["SERVICE", "service", "\\u0053ERVICE", "# x\r SERVICE"])
def test_service_is_refused_and_nothing_connects(client: TestClient, keyword: str) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        port = server.getsockname()[1]
        query = f"SELECT * WHERE {{ {keyword} <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        assert "SERVICE" in problem(client.get("/sparql", params={"query": query}), 403)["detail"]
        direct = client.post("/sparql", content=query.encode(), headers=DIRECT)
        problem(direct, 403)
        time.sleep(0.2)
        with pytest.raises(BlockingIOError):
            server.accept()


def test_syntax_error_with_position(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE {\n  ?s ?p\n}"})
    body = problem(response, 400)
    assert body["title"] == "Bad query"
    assert "line 3" in body["detail"] and "column" in body["detail"]
    assert body["line"] == 3


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM <not an iri> WHERE { ?s ?p ?o }",
        'SELECT * WHERE { ?s ?p "\\uD800" }',
        "SELECT * WHERE { ?s ?p ?o } LIMIT -1",
        "SELECT (?x AS ?x) WHERE { ?s ?p ?x }",
        "ASK { ?s ?p ?o",
    ],
)
def test_what_the_engine_rejects_is_a_400_with_its_message(client: TestClient, query: str) -> None:
    body = problem(client.get("/sparql", params={"query": query}), 400)
    assert body["detail"].startswith("SPARQL syntax error")


def test_valid_escapes_are_answered(client: TestClient) -> None:
    """rdflib, the former checker, failed on this valid query with a 500."""
    query = 'SELECT * WHERE { ?s ?p "\\u0023abcd" }'
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"] == []


def test_oversized_body(client: TestClient) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_000_001
    response = client.post("/sparql", content=big.encode(), headers=DIRECT)
    problem(response, 413)


def test_row_cap_headers(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10005", "format": "tsv"},
    )
    assert response.status_code == 200
    assert response.headers["Partnergraph-Truncated"] == "true"
    assert response.headers["Partnergraph-Row-Limit"] == "10000"
    assert response.headers["Partnergraph-Result-Count"] == "10000"
    assert "10000" in response.headers["Warning"]
    assert response.text.count("\n") == 10001  # header + 10,000 rows


# --- the time limit ---------------------------------------------------------------------


def test_timeout_is_503_while_others_are_served(short_limit_server: str) -> None:
    """Over a live server, from two client addresses: the server schedules by address, and the
    in-process test client has one address for every request."""
    light: list[tuple[int, str]] = []

    def send_light() -> None:
        time.sleep(0.5)
        transport = httpx.HTTPTransport(local_address="127.0.0.3")
        with httpx.Client(base_url=short_limit_server, timeout=60, transport=transport) as other:
            by_code = "SELECT ?l { ?lg pg:lgCode '131121' ; rdfs:label ?l FILTER(lang(?l) = 'ja') }"
            response = other.get("/sparql", params={"query": by_code, "format": "csv"})
            light.append((response.status_code, first_value(response)))

    helper = threading.Thread(target=send_light)
    helper.start()
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=short_limit_server, timeout=60, transport=transport) as heavy:
        response = heavy.get("/sparql", params={"query": HEAVY})
    helper.join()
    body = problem(response, 503)
    assert "time limit" in body["detail"]
    assert light == [(200, "世田谷区")]


def test_healthz_says_whether_the_workers_left_the_network(client: TestClient) -> None:
    if REMOTE:
        pytest.skip("on a remote store the server runs public queries, not isolated workers")
    assert client.app.state.pool.wait_started(GENEROUS_TIMEOUT)  # type: ignore[attr-defined]
    sparql = client.get("/healthz").json()["sparql"]
    assert sparql["starting"] is False and sparql["start_problem"] is None
    assert sparql["network_isolation"] is True, sparql
    assert sparql["public_queries"] is True
    assert sparql["memory_limit_mb"] == client.app.state.settings.query_memory_mb


# --- service description and docs -------------------------------------------------------

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [(None, "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
)
def test_service_description(client: TestClient, accept: str | None, rdflib_format: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    service = rdflib.URIRef(f"{BASE}sparql")
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert len(formats) == 8
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert {LG_CODES, ONTOLOGY} <= names


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_without_a_query_are_400(client: TestClient, param: str) -> None:
    body = problem(client.get("/sparql", params={param: LG_CODES}), 400)
    assert param in body["detail"] and body["field"] == "query"


def test_openapi_describes_the_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    get, post = spec["paths"]["/sparql"]["get"], spec["paths"]["/sparql"]["post"]
    assert "read-only" in get["description"] or "query only" in get["description"]
    names = {p["name"] for p in get["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "format"} <= names
    assert set(post["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded",
        "application/sparql-query",
    }
    assert {"400", "403", "406", "503"} <= set(get["responses"])
    assert "text/csv" in get["responses"]["200"]["content"]
