"""The workbench page: languages, security headers, no third-party assets, escaping."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from partnergraph.web.i18n import LANGUAGES, MESSAGES
from partnergraph.web.routes.pages import EXAMPLE_QUERY, templates

HOSTILE = '</textarea></script><script>alert("x")</script><img src=x onerror=alert(1)>'


class AssetCollector(HTMLParser):
    """Every URL the page makes the browser load, and every <script> element's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts.append(found)
        for name in ("src", "srcset", "data", "poster"):
            if found.get(name):
                self.assets.append(found[name] or "")
        if tag == "link" and found.get("href"):
            self.assets.append(found["href"] or "")


def collect(html: str) -> AssetCollector:
    parser = AssetCollector()
    parser.feed(html)
    return parser


def page_data(html: str) -> dict[str, object]:
    """The JSON block the script reads."""
    match = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert match, "page-data block missing"
    return json.loads(match.group(1))


def test_catalogue_has_the_same_keys_in_every_language() -> None:
    keys = {lang: set(MESSAGES[lang]) for lang in LANGUAGES}
    assert keys["ja"] == keys["en"]
    assert all(v.strip() for lang in LANGUAGES for v in MESSAGES[lang].values())


def test_query_page_is_japanese_by_default(client: TestClient) -> None:
    response = client.get("/query", headers={"Accept-Language": ""})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="ja">' in response.text
    assert MESSAGES["ja"]["page_title"] in response.text
    assert MESSAGES["ja"]["run"] in response.text
    assert page_data(response.text)["lang"] == "ja"


@pytest.mark.parametrize(
    ("params", "accept", "expected"),
    [
        ({"lang": "en"}, "ja", "en"),
        ({"lang": "ja"}, "en-US,en;q=0.9", "ja"),
        ({}, "en-US,en;q=0.9,ja;q=0.8", "en"),
        ({}, "ja-JP,ja;q=0.9,en;q=0.8", "ja"),
        ({}, "fr-FR,de;q=0.8", "ja"),
        ({"lang": "xx"}, "", "ja"),
    ],
)
def test_language_from_parameter_then_header(
    client: TestClient, params: dict[str, str], accept: str, expected: str
) -> None:
    response = client.get("/query", params=params, headers={"Accept-Language": accept})
    assert f'<html lang="{expected}">' in response.text
    assert MESSAGES[expected]["page_title"] in response.text
    assert page_data(response.text)["messages"] == MESSAGES[expected]


def test_english_page_switches_back_to_japanese(client: TestClient) -> None:
    html = client.get("/query", params={"lang": "en", "q": "SELECT * {}"}).text
    assert "Query workbench" in html
    # The switch keeps the shared query and names each language in its own script.
    assert 'href="/query?q=SELECT+%2A+%7B%7D&amp;lang=ja"' in html
    assert ">日本語</a>" in html


def test_root_redirects_to_the_workbench_keeping_the_query_string(client: TestClient) -> None:
    response = client.get("/", params={"lang": "en"}, follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/query?lang=en"
    assert client.get("/").url.path == "/query"


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/query").headers
    csp = headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"


def test_no_third_party_assets_and_no_inline_scripts(client: TestClient) -> None:
    html = client.get("/query").text
    page = collect(html)
    assert page.assets, "expected stylesheets and scripts"
    for url in page.assets:
        # Root-relative only: nothing from a CDN, nothing protocol-relative.
        assert url.startswith("/") and not url.startswith("//"), url
        assert not re.match(r"https?:", url), url
    # Besides the JSON data block, every script is an external file of this app.
    inline = [s for s in page.scripts if not s.get("src")]
    assert inline == [{"type": "application/json", "id": "page-data"}]
    assert not re.search(r"<[^>]*\son[a-z]+=", html), "no inline event handlers"


def test_every_asset_the_page_loads_is_served(client: TestClient) -> None:
    for url in collect(client.get("/query").text).assets:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content, url


def test_injected_query_text_is_escaped(client: TestClient) -> None:
    response = client.get("/query", params={"q": HOSTILE})
    html = response.text
    assert HOSTILE not in html
    assert "<script>alert" not in html and "<img src=x" not in html
    # The editor starts with the text, escaped, so it reads back unchanged.
    assert "&lt;/textarea&gt;&lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)" in html
    assert len(collect(html).scripts) == 5  # data block + CodeMirror, sparql mode, hints, workbench


def test_example_query_when_none_is_shared(client: TestClient) -> None:
    html = client.get("/query").text
    assert page_data(html)["exampleQuery"] == EXAMPLE_QUERY
    assert "pg:Village" in html


def test_page_data_offers_prefixes_terms_and_agreement_types(client: TestClient) -> None:
    data = page_data(client.get("/query").text)
    assert data["prefixes"]["pg"] == "https://w3id.org/partnergraph/ns#"  # type: ignore[index]
    curies = {t["curie"] for t in data["terms"]}  # type: ignore[union-attr,index]
    assert {"pg:Prefecture", "pg:Village", "rdfs:label"} <= curies
    types = {t["value"]: t["ja"] for t in data["agreementTypes"]}  # type: ignore[union-attr,index]
    assert types["engagement-accord"] == "縁組協定"


def test_template_escapes_catalogue_text_and_page_data() -> None:
    """Whatever reaches the template (a saved-query title, a label) cannot open a tag."""
    hostile_messages = dict.fromkeys(MESSAGES["ja"], HOSTILE)
    html = templates.get_template("query.html").render(
        lang="ja",
        t=hostile_messages,
        languages=[("ja", HOSTILE)],
        language_links={"ja": HOSTILE},
        active="query",
        version="0",
        page_data={"title": HOSTILE, "saved": [{"name": "x", "title": HOSTILE}]},
        initial_query=HOSTILE,
    )
    assert "<script>alert" not in html and "<img src=x" not in html
    assert page_data(html)["title"] == HOSTILE  # JSON survives the round trip intact
    assert len(collect(html).scripts) == 5


def test_head_request(client: TestClient) -> None:
    assert client.head("/query").status_code == 200
