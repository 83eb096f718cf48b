"""/docs: Swagger UI from /vendor runs under the page's Content-Security-Policy (issue 10)."""

from __future__ import annotations

from tests.browser.conftest import BrowserPage


def test_swagger_ui_renders_under_its_csp(browser_page: BrowserPage, live_server: str) -> None:
    page = browser_page.page
    response = page.goto(live_server + "docs")
    assert response is not None and "content-security-policy" in response.headers
    page.wait_for_selector(".swagger-ui .info .title")
    assert "partnergraph" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector('.opblock-summary-path[data-path="/api/v1/organizations"]')
    # Chromium logs each CSP violation as a console error, which the fixture collects.
    assert browser_page.errors == []
    assert browser_page.blocked == []
