"""Host check, ``nosniff``, the CSP of /docs, the vendor allow-list and ``Allow`` on 405 (issue 10).

The host tests run against a real uvicorn server with the default host list
(derived from the base IRI, 127.0.0.1 here), since that is what a deployment
gets without configuration; the rest use the in-process app.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from partnergraph.settings import Settings
from partnergraph.web.app import VENDOR_FILES, create_app
from partnergraph.web.routes.meta import DOCS_INIT
from tests.api.conftest import api_settings

#: Paths that answered a made-up Host with ``307 Location: http://evil.example/...`` before.
REDIRECTING = ["/static", "/query/", "/api/v1/organizations/"]


@pytest.mark.parametrize("path", REDIRECTING)
def test_a_made_up_host_is_refused_not_redirected_to(live_server: str, path: str) -> None:
    response = httpx.get(live_server.rstrip("/") + path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "evil.example" not in response.text


@pytest.mark.parametrize("path", REDIRECTING)
def test_trailing_slash_redirects_stay_on_the_servers_own_host(live_server: str, path: str) -> None:
    response = httpx.get(live_server.rstrip("/") + path)
    assert response.status_code == 307
    toggled = path[:-1] if path.endswith("/") else path + "/"
    assert response.headers["location"] == live_server.rstrip("/") + toggled


def test_default_hosts_come_from_the_base_iri() -> None:
    assert Settings(base_iri="https://kg.example.jp/").trusted_hosts() == [
        "kg.example.jp",
        "127.0.0.1",
        "localhost",
    ]
    env = {"PARTNERGRAPH_ALLOWED_HOSTS": " kg.example.jp, *.kg.example.jp "}
    assert Settings.from_env(env).trusted_hosts() == ["kg.example.jp", "*.kg.example.jp"]


def test_a_configured_host_list_is_what_redirects_may_name(tmp_path: Path) -> None:
    settings = api_settings(tmp_path / "store", allowed_hosts="kg.example.jp")
    with TestClient(create_app(settings), base_url="http://kg.example.jp") as c:
        redirect = c.get("/api/v1/organizations/", follow_redirects=False)
        assert redirect.status_code == 307
        assert redirect.headers["location"] == "http://kg.example.jp/api/v1/organizations"
        refused = c.get("/api/v1/organizations/", headers={"Host": "127.0.0.1"})
        assert refused.status_code == 400 and "location" not in refused.headers


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = tmp_path_factory.mktemp("headers") / "store"
    settings = api_settings(store, max_body_bytes=1000, query_workers=1)
    with TestClient(create_app(settings)) as c:
        yield c


SPARQL = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/api/v1/organizations?limit=1", {}, 200),
        ("GET", "/api/v1/organizations?limit=1&format=csv", {}, 200),
        ("GET", "/api/v1/organizations/131121", {}, 200),
        ("GET", "/api/v1/organizations/no-such-body-here", {}, 404),
        ("GET", "/api/v1/organizations?limit=0", {}, 400),
        ("GET", "/sparql", {"params": {"query": SPARQL}}, 200),
        ("GET", "/sparql", {"params": {"query": "SELECT"}}, 400),
        ("GET", "/static/app.css", {}, 200),
        ("GET", "/vendor/" + VENDOR_FILES[0], {}, 200),
        ("GET", "/vendor/codemirror/package.json", {}, 404),
        ("GET", "/query", {}, 200),
        ("GET", "/docs", {}, 200),
        ("GET", "/openapi.json", {}, 200),
        ("GET", "/no/such/page", {}, 404),
        ("DELETE", "/healthz", {}, 405),
        ("POST", "/api/v1/import", {"content": b"x" * 2000}, 413),
        ("GET", "/healthz", {"headers": {"Host": "evil.example"}}, 400),
    ],
)
def test_every_answer_says_nosniff(
    app_client: TestClient, method: str, path: str, kwargs: dict[str, object], status: int
) -> None:
    response = app_client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/static/app.css", "/vendor/" + VENDOR_FILES[0]])
def test_not_modified_answers_say_nosniff_too(app_client: TestClient, path: str) -> None:
    etag = app_client.get(path).headers["etag"]
    again = app_client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["x-content-type-options"] == "nosniff"


def test_docs_has_a_csp_that_allows_only_its_own_init_script(app_client: TestClient) -> None:
    response = app_client.get("/docs")
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    digest = base64.b64encode(hashlib.sha256(DOCS_INIT.encode()).digest()).decode()
    assert directives["script-src"] == f"'self' 'sha256-{digest}'"
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.S)
    assert inline == [DOCS_INIT]
    assert "unsafe-inline" not in directives["script-src"]


def test_vendor_serves_exactly_the_listed_files(app_client: TestClient) -> None:
    for name in VENDOR_FILES:
        assert app_client.get("/vendor/" + name).status_code == 200, name
    for name in [
        "codemirror/package.json",
        "swagger-ui-dist/package.json",
        "swagger-ui-dist/swagger-ui-bundle.js.map",
        "vis-network/package.json",
        "codemirror/lib/../package.json",
        "codemirror/",
        "",
    ]:
        assert app_client.get("/vendor/" + name).status_code == 404, name


@pytest.mark.parametrize("page", ["/query", "/docs", "/explore", "/explore/131121"])
def test_every_vendor_file_a_page_loads_is_served(app_client: TestClient, page: str) -> None:
    html = app_client.get(page)
    assert html.status_code == 200
    used = re.findall(r'(?:src|href)="/vendor/([^"]+)"', html.text)
    assert used
    for name in used:
        assert name in VENDOR_FILES
        assert app_client.get("/vendor/" + name).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/healthz", "GET"),
        ("PATCH", "/api/v1/agreements", "GET, POST"),
        ("POST", "/api/v1/agreements/some-id", "GET, PUT, DELETE"),
        ("PUT", "/sparql", "GET, POST"),
        ("POST", "/static/app.css", "GET, HEAD"),
        ("DELETE", "/vendor/" + VENDOR_FILES[0], "GET, HEAD"),
    ],
)
def test_405_names_every_method_of_the_path(
    app_client: TestClient, method: str, path: str, allow: str
) -> None:
    response = app_client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.headers["content-type"] == "application/problem+json"
