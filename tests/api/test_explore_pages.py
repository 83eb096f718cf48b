"""The explorer's pages, data and standalone export over HTTP (in-process client)."""

from __future__ import annotations

import json
import re
from html import unescape

from fastapi.testclient import TestClient

from partnergraph import explore

CDN_HOSTS = (
    "cdn", "unpkg", "jsdelivr", "cdnjs", "googleapis", "gstatic", "bootstrapcdn",
    "cloudflare", "jquery", "visjs.org/dist", "unpkg.com",
)  # fmt: skip


def page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert found, "no page data"
    return json.loads(found.group(1))


def page_view(client: TestClient, html: str) -> dict:
    """The view a page draws: embedded (an ego network, the export) or fetched (a scope)."""
    data = page_data(html)
    if "view" in data:
        return explore.unpack(data["view"])
    response = client.get(data["view_url"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    first = response.json()
    details = client.get(data["details_url"], params={"revision": first["revision"]})
    assert details.status_code == 200 and details.headers["content-type"] == "application/json"
    return explore.unpack(explore.join(first, details.json()))


def test_page_has_strict_csp_and_no_external_url(client: TestClient) -> None:
    response = client.get("/explore")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    html = response.text
    for attr in re.findall(r'(?:src|href|action)="([^"]*)"', html):
        assert not attr.startswith(("http:", "https:", "//")), attr
    assert "<script>" not in html  # no inline code: only src= and JSON blocks
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag
    data = page_data(html)
    assert data["lang"] == "ja" and data["max_drawn"] > 0
    assert f'<link rel="preload" href="{data["view_url"]}" as="fetch"' in unescape(html)
    view = page_view(client, html)
    assert view["scope"] == "curated" and view["lang"] == "ja" and view["nodes"]


def test_vis_network_is_served_by_the_app(client: TestClient) -> None:
    html = client.get("/explore").text
    for path in re.findall(r'(?:src|href)="(/vendor/vis-network/[^"]+)"', html):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "/vendor/vis-network/" in html


def test_data_endpoint_matches_the_page(client: TestClient) -> None:
    embedded = page_view(client, client.get("/explore").text)
    data = client.get("/explore/data.json").json()
    assert [n["id"] for n in data["nodes"]] == [n["id"] for n in embedded["nodes"]]
    assert len(data["edges"]) == len(embedded["edges"])
    old = client.get("/explore/data.json", params={"year": 1990}).json()
    assert old["edges"] and all(e["year"] <= 1990 for e in old["edges"])
    assert old["filters"]["year"] == 1990
    accords = client.get("/explore/data.json", params={"type": "engagement-accord"}).json()
    assert {e["type"] for e in accords["edges"]} == {"engagement-accord"}
    path = client.get("/explore/data.json", params={"path": "104442,winnipeg"}).json()
    assert path["path"] == ["104442", "131121", "winnipeg"]
    assert client.get("/explore/data.json", params={"layout": "circle"}).status_code == 400


def test_nation_scope_and_english(client: TestClient) -> None:
    nation = client.get("/explore/data.json", params={"scope": "nation"}).json()
    assert len(nation["nodes"]) >= 1788 and nation["default_layout"] == "geo"
    page = client.get("/explore", params={"scope": "nation", "lang": "en"})
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert "Partnership network" in page.text
    assert client.get("/explore", params={"scope": "world"}).status_code == 400


def test_ego_page(client: TestClient) -> None:
    response = client.get("/explore/104442", params={"hops": 1})
    assert response.status_code == 200
    view = page_view(client, response.text)
    assert "view_url" not in page_data(response.text)
    assert view["center"] == "104442" and view["hops"] == 1
    assert "川場村" in response.text
    assert client.get("/explore/104442", params={"hops": 9}).status_code in (400, 422)
    assert client.get("/explore/no-such-body").status_code == 404
    data = client.get("/explore/data.json", params={"ego": "川場村", "hops": 1}).json()
    assert data["center"] == "104442"


def test_standalone_export(client: TestClient) -> None:
    response = client.get("/explore/export.html", params={"year": "1990", "layout": "geo"})
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    html = response.text
    assert not re.search(r'<(?:script|link|img)[^>]*(?:src|href)="', html)
    for url in re.findall(r"https?://[^\s\"'<>)]+", html):
        assert not any(host in url for host in CDN_HOSTS), url
    data = page_data(html)
    assert data["standalone"] and data["state"] == {"year": "1990", "layout": "geo"}
    assert any(e["start"] == "1981-11" for e in page_view(client, html)["edges"])
    assert "vis.Network" in html or "Network" in html  # vis-network inlined
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    csp = unescape(found.group(1))
    assert "default-src 'none'" in csp and "sha256-" in csp and "unsafe-inline" not in csp


def test_labels_are_escaped_in_the_html(client: TestClient) -> None:
    html = client.get("/explore").text
    body = html.split('id="page-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body  # tojson escapes markup inside the JSON block
