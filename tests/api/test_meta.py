"""Health and API docs: the docs page works offline, from the app's own assets."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.conftest import assert_healthz_says_views_are_done


def test_healthz_reports_the_graph_version(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and len(body["graph_version"]) == 16


def test_healthz_says_when_the_views_asked_for_and_analysis_are_done(client: TestClient) -> None:
    """The suite's apps build views on demand: the explorer's first page starts the build."""
    assert client.get("/explore").status_code == 200
    assert_healthz_says_views_are_done(client)


def test_docs_use_only_local_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/") for a in assets)
    assert "cdn" not in page.text.lower()
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404
