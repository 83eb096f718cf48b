"""Health and API docs: the docs page works offline, from the app's own assets."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.conftest import VIEW_WAIT
from tests.conftest import wait_for


def test_healthz_reports_the_graph_version(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and len(body["graph_version"]) == 16


def test_healthz_says_when_the_views_asked_for_and_analysis_are_done(client: TestClient) -> None:
    """The suite's apps build views on demand: the explorer's first page starts the build."""
    assert client.get("/explore").status_code == 200

    def done() -> bool:
        views = client.get("/healthz").json()["views"]
        return bool(views["prepared"] and views["views_current"])

    assert wait_for(done, VIEW_WAIT)
    body = client.get("/healthz").json()
    assert body["views"]["revision"].startswith(body["graph_version"] + "+")


def test_docs_use_only_local_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/") for a in assets)
    assert "cdn" not in page.text.lower()
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404
