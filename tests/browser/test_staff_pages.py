"""What policy staff do: read a body's page, download its briefing, and an accessibility check.

axe-core comes from the test's own node_modules (frontend devDependencies); the
app never serves it. It is injected into a context that bypasses the page's CSP
for that one script, the request guard still blocking every other host.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from tests.browser.conftest import DEADLINE, BrowserPage, _guard
from tests.browser.test_explorer import assert_clean, open_explorer

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def test_organization_page_leads_with_partners_and_downloads_xlsx(
    browser_page: BrowserPage, live_server: str, tmp_path: Path
) -> None:
    page = browser_page.page
    page.goto(
        live_server + "lg/104442", timeout=DEADLINE * 1000
    )  # the first page builds its tables
    sections = page.eval_on_selector_all("article > section h2", "hs => hs.map(h => h.id)")
    assert sections[0] == "summary-heading"
    first = page.locator(".summary__partners table.partners tbody tr").first
    assert "世田谷区" in first.inner_text() and "1981年11月" in first.inner_text()
    assert page.locator(".summary__partners h3").first.inner_text().startswith("縁組協定")
    with page.expect_download() as info:
        page.click("#download-xlsx")
    target = tmp_path / "kawaba.xlsx"
    info.value.save_as(target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["表紙", "連携先", "出典"]
    assert book["連携先"]["A2"].value == "世田谷区"
    assert_clean(browser_page)


def test_panel_lists_setagaya_first_and_links_the_briefing(
    browser_page: BrowserPage, live_server: str
) -> None:
    page = browser_page.page
    open_explorer(browser_page, live_server + "explore")
    page.evaluate("() => window.explorer.focus('104442')")
    page.wait_for_function(
        "() => document.querySelector('#panel-partners .partner__name') !== null"
    )
    assert page.locator("#panel-partners .partner__name").first.inner_text() == "世田谷区"
    assert "1981-11" in page.locator("#panel-partners .relation").first.inner_text()
    with page.expect_download() as info:
        page.click("#panel-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert book["連携先"]["A2"].value == "世田谷区"
    assert_clean(browser_page)


@pytest.fixture
def axe_page(browser) -> Iterator:  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.skip("needs axe-core in frontend/node_modules (make assets)")
    context = browser.new_context(
        locale="ja-JP", bypass_csp=True, viewport={"width": 1400, "height": 900}
    )
    context.set_default_timeout(DEADLINE * 1000)  # against a hang, on a machine maybe busy
    blocked: list[str] = []
    context.route("**/*", _guard(blocked))
    try:
        yield context.new_page()
    finally:
        context.close()
    assert blocked == []


@pytest.mark.parametrize("path", ["query", "explore", "lg/131121", "lg/104442?lang=en"])
def test_no_serious_accessibility_violations(axe_page, live_server: str, path: str) -> None:  # type: ignore[no-untyped-def]
    axe_page.goto(live_server + path, timeout=DEADLINE * 1000)
    if path.startswith("explore"):
        axe_page.wait_for_function("() => window.__firstFrameMs !== undefined")
    axe_page.add_script_tag(path=str(AXE))
    result = axe_page.evaluate(
        "async () => await axe.run(document, { resultTypes: ['violations'] })"
    )
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad
