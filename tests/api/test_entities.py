"""Entity pages: HTML with facts and sources, RDF by negotiation, 404s, escaping."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from partnergraph.web.app import create_app
from tests.api.conftest import api_settings

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
REPORT = "「令和4年度 自治体間連携フォーラム」の実施報告について"
BASE = "http://127.0.0.1:8000/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSS = "<script>alert(1)</script>"
SPARQL_ISH = '"} ; DROP ALL ; #'
FORMULA = '=HYPERLINK("http://attacker.example/","click")'


class Page(HTMLParser):
    """The visible text of a page, and every link's attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.links: list[dict[str, str | None]] = []
        self.scripts = 0
        self.feed(html)
        self.text = " ".join(" ".join(self.chunks).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))
        if tag == "script":
            self.scripts += 1

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def page(client: TestClient, path: str, **params: str) -> Page:
    response = client.get(path, params=params, headers=HTML)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


def test_engagement_accord_page_shows_facts_and_their_sources(client: TestClient) -> None:
    found = page(client, "/agreement/setagaya-kawaba-engagement-accord")
    assert "世田谷区・川場村 縁組協定" in found.text
    assert "区民健康村相互協力に関する協定" in found.text
    assert "1981-11" in found.text
    assert REPORT in found.text
    assert "p. 12" in found.text
    assert "姉妹都市提携ではなく縁組協定（1981年）" in found.text  # the quote
    # Property labels come from the ontology, in the page's language.
    assert "締結" in found.text and "当事者" in found.text
    english = page(client, "/agreement/setagaya-kawaba-engagement-accord", lang="en")
    assert "signed" in english.text and "party" in english.text
    hrefs = {link.get("href") for link in found.links}
    assert {"/lg/131121", "/lg/104442", "/programme/kawaba-kumin-kenkomura"} <= hrefs
    assert "/source/setagaya-forum-report-2022" in hrefs
    assert "https://www.city.setagaya.lg.jp/02237/30970.html" in hrefs


def test_setagaya_page_groups_partners_by_relation(client: TestClient) -> None:
    response = client.get("/lg/131121", params={"lang": "en"}, headers=HTML)
    found = Page(response.text)
    assert "Setagaya City" in found.text and "世田谷区" in found.text
    assert "131121" in found.text
    for heading in (
        "engagement accord",
        "disaster mutual aid",
        "sister city",
        "Attending the same forum",
    ):
        assert heading in found.text
    assert "全国地方公共団体コード" in found.text  # the reference source
    # Each partner link leads to its own page.
    assert {"/lg/104442", "/org/winnipeg", "/agreement/setagaya-winnipeg-sister-city"} <= {
        link.get("href") for link in found.links
    }


def test_a_body_without_partners_says_so(client: TestClient) -> None:
    found = page(client, "/lg/155811", lang="en")  # Sapporo has pacts since issue 13
    assert "Sekikawa Village" in found.text and "No partners are recorded." in found.text


@pytest.mark.parametrize(
    "path",
    [
        "/lg/104442",
        "/org/seijo-university",
        "/agreement/setagaya-hirosaki-renewable-energy",
        "/forum/setagaya-inter-municipal-forum-7",
        "/energy-supply/kawaba-setagaya-wood-biomass",
        "/programme/kawaba-kumin-kenkomura",
        "/facility/fujiyama-village",
        "/document/setagaya-comprehensive-strategy",
        "/membership/seijo-university-setagaya-platform",
        "/source/setagaya-forum-report-2022",
    ],
)
def test_every_kind_of_iri_dereferences(client: TestClient, path: str) -> None:
    found = page(client, path)
    assert BASE + path[1:] in found.text
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
    assert any(t.subject == ox.NamedNode(BASE + path[1:]) for t in triples)


def test_security_headers_on_pages(client: TestClient) -> None:
    response = client.get("/lg/131121", headers=HTML)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "Accept" in response.headers["vary"]
    assert Page(response.text).scripts == 0


def test_rdf_by_accept_and_by_format(client: TestClient) -> None:
    path = "/agreement/setagaya-kawaba-engagement-accord"
    iri = ox.NamedNode(BASE + path[1:])
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    by_param = client.get(path, params={"format": "ttl"}, headers=HTML)
    assert turtle.content == by_param.content
    triples = list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
    signed = [
        t.object for t in triples if t.subject == iri and t.predicate.value.endswith("signedOn")
    ]
    assert signed == [
        ox.Literal("1981-11", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth"))
    ]
    pages = [t.object for t in triples if t.predicate.value.endswith("#page")]
    assert (
        ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")) in pages
    )
    jsonld = client.get(path, headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"] == "application/ld+json"
    assert "@context" not in jsonld.text  # expanded: nothing to fetch
    graph = rdflib.Graph().parse(data=jsonld.text, format="json-ld")
    assert len(graph) == len(triples)
    nt = client.get(path, params={"format": "nt"})
    assert len(list(ox.parse(nt.content, format=ox.RdfFormat.N_TRIPLES))) == len(triples)


def test_iris_resolve_whatever_host_the_request_came_to(client: TestClient) -> None:
    response = client.get("/lg/131121", headers={**HTML, "Host": "partners.example.jp"})
    assert response.status_code == 200
    assert f"{BASE}lg/131121" in Page(response.text).text


def test_unknown_iri_is_404_with_close_matches(client: TestClient) -> None:
    path = "/agreement/setagaya-kawaba-engagment-accord"
    browser = client.get(path, headers=HTML)
    assert browser.status_code == 404
    assert browser.headers["content-type"].startswith("text/html")
    assert "/agreement/setagaya-kawaba-engagement-accord" in {
        link.get("href") for link in Page(browser.text).links
    }
    program = client.get(path, headers={"Accept": "text/turtle"})
    assert program.status_code == 404
    assert program.headers["content-type"] == "application/problem+json"
    assert program.json()["suggestions"][0] == BASE + "agreement/setagaya-kawaba-engagement-accord"
    assert client.get(path).headers["content-type"] == "application/problem+json"


def test_bad_format_and_unacceptable_accept(client: TestClient) -> None:
    assert client.get("/lg/131121", params={"format": "pdf"}).json()["field"] == "format"
    assert client.get("/lg/131121", headers={"Accept": "image/png"}).status_code == 406


def test_head(client: TestClient) -> None:
    assert client.head("/lg/131121", headers=HTML).status_code == 200


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app over a store of its own, with hostile text written into the graph."""
    store_path: Path = tmp_path_factory.mktemp("entities-xss") / "store"
    with TestClient(create_app(api_settings(store_path))) as c:
        store = c.app.state.store
        graph = ox.NamedNode(BASE + "source/test-hostile")
        evil = ox.NamedNode(BASE + "org/evil")
        rdfs = "http://www.w3.org/2000/01/rdf-schema#"
        quads = [
            (
                evil,
                RDF_TYPE,
                ox.NamedNode("https://w3id.org/partnergraph/ns#University"),
            ),
            (evil, rdfs + "label", ox.Literal(XSS, language="ja")),
            (evil, rdfs + "label", ox.Literal(SPARQL_ISH, language="en")),
            (evil, rdfs + "comment", ox.Literal('"><img src=x onerror=alert(2)>')),
            (evil, "https://schema.org/url", ox.NamedNode("javascript:alert(3)")),
            (evil, "https://schema.org/sameAs", ox.NamedNode("https://example.org/evil?a=1&b=2")),
            (evil, "https://w3id.org/partnergraph/ns#unitOf", ox.NamedNode(BASE + "lg/131121")),
        ]
        formula = ox.NamedNode(BASE + "org/formula")
        quads += [
            (formula, RDF_TYPE, ox.NamedNode("https://w3id.org/partnergraph/ns#University")),
            (formula, rdfs + "label", ox.Literal(FORMULA, language="ja")),
            (formula, rdfs + "label", ox.Literal("@SUM(1+1)", language="en")),
        ]
        store.apply(add=[ox.Quad(s, ox.NamedNode(p), o, graph) for s, p, o in quads])
        yield c


def test_hostile_labels_are_shown_as_text(writable: TestClient) -> None:
    for lang in ("ja", "en"):
        response = writable.get("/org/evil", params={"lang": lang}, headers=HTML)
        assert response.status_code == 200
        html = response.text
        assert XSS not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        found = Page(html)
        assert XSS in found.text and SPARQL_ISH in found.text
        assert found.scripts == 0
        hrefs = [link.get("href") or "" for link in found.links]
        assert not any(h.lower().startswith("javascript:") for h in hrefs)
        assert "javascript:alert(3)" in found.text  # shown, not linked
        external = [
            link for link in found.links if link.get("href", "").startswith("https://example.org")
        ]
        assert external and all(link.get("rel") == "noopener noreferrer" for link in external)
    # Where the hostile body is referred to, it is escaped too.
    setagaya = writable.get("/lg/131121", headers=HTML).text
    assert XSS not in setagaya and "&lt;script&gt;alert(1)&lt;/script&gt;" in setagaya


def test_hostile_text_in_the_api_is_plain_json(writable: TestClient) -> None:
    body = writable.get("/api/v1/organizations/evil").json()
    assert body["name_ja"] == XSS and body["name_en"] == SPARQL_ISH
    response = writable.get("/api/v1/organizations", params={"kind": "university", "format": "csv"})
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows[BASE + "org/evil"]["name_ja"] == XSS
    # Formula-like cells are defused for spreadsheets; JSON keeps the text as it is.
    assert rows[BASE + "org/formula"]["name_ja"] == "'" + FORMULA
    assert rows[BASE + "org/formula"]["name_en"] == "'@SUM(1+1)"
    assert writable.get("/api/v1/organizations/formula").json()["name_ja"] == FORMULA
    turtle = writable.get("/org/evil", headers={"Accept": "text/turtle"})
    labels = [
        t.object
        for t in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)
        if t.predicate.value.endswith("#label")
    ]
    assert ox.Literal(XSS, language="ja") in labels


@pytest.mark.parametrize("slug", ["%3Cscript%3Ealert(1)%3C%2Fscript%3E", "a%20b%22%3E", "x/y/z"])
def test_odd_paths_are_404_and_escaped(client: TestClient, slug: str) -> None:
    browser = client.get(f"/lg/{slug}", headers=HTML)
    assert browser.status_code == 404
    assert "<script>alert" not in browser.text
    assert client.get(f"/lg/{slug}", headers={"Accept": "text/turtle"}).status_code == 404
