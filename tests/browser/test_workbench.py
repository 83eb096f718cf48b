"""The workbench in a real headless Chromium against the real server (``live_server``).

What a planner does: pick a saved query and run it, write SPARQL with completion
and the PREFIX button, sort, download CSV for Excel, share a link. Every test
also checks that the page asked nothing of any host but 127.0.0.1 and logged no
errors.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.browser.conftest import DEADLINE, BrowserPage

if TYPE_CHECKING:
    from playwright.sync_api import Page

PG = "https://w3id.org/partnergraph/ns#"
COUNT_PREFECTURES = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pg:Prefecture }"
#: Kana names sort in gojūon order under the 'ja' collation; numbers must sort as numbers.
SORT_QUERY = """SELECT ?name ?n WHERE {
  VALUES (?name ?n) {
    ("とうきょう" 10) ("おおさか" 9) ("あいち" 100) ("ほっかいどう" 2) ("きょうと, \\"府\\"" 26)
  }
}"""

#: Cell values as shown, with IRIs in full (their title) rather than shortened.
ROWS_JS = """() => [...document.querySelectorAll('#results-table tbody tr')].map(tr =>
  [...tr.cells].map(td => {
    const iri = td.querySelector('.iri');
    return iri ? iri.title : td.textContent;
  }))"""
HEADER_JS = """() => [...document.querySelectorAll('#results-table thead th')]
  .map(th => th.dataset.column)"""
EDITOR_JS = "() => document.querySelector('.CodeMirror').CodeMirror.getValue()"
#: The completion list is open and was made for the text up to the cursor.
HINT_AT_CURSOR_JS = """() => {
  const cm = document.querySelector('.CodeMirror').CodeMirror;
  const active = cm.state.completionActive, cursor = cm.getCursor();
  return !!(active && active.widget && active.data && active.data.to.line === cursor.line
    && active.data.to.ch === cursor.ch);
}"""
#: Columns that say where a fact comes from (query.js merges rows differing only in these).
SOURCE_COLUMNS = {"document", "document_title", "url", "section", "page", "quote"}


# ---------------------------------------------------------------- helpers


def api_rows(body: Any) -> tuple[list[str], list[list[str]]]:
    """Column names and cell values (IRIs in full) of a JSON answer of the saved-query API."""
    if isinstance(body, dict) and "head" in body:
        names = body["head"]["vars"]
        return names, [
            [b[n]["value"] if n in b else "" for n in names] for b in body["results"]["bindings"]
        ]
    records = body if isinstance(body, list) else body.get("rows", body.get("results", []))
    names = body.get("columns") if isinstance(body, dict) else None
    names = names or (list(records[0]) if records else [])

    def text(value: Any) -> str:
        if isinstance(value, dict):
            return str(value.get("value", ""))
        return "" if value is None else str(value)

    return names, [
        [text(r[i] if isinstance(r, list) else r.get(n)) for i, n in enumerate(names)]
        for r in records
    ]


def saved_queries(base: str) -> list[dict[str, Any]]:
    body = httpx.get(base + "api/v1/queries", timeout=DEADLINE).json()
    return body if isinstance(body, list) else body.get("queries", body.get("items", []))


def pick_saved_query(base: str) -> tuple[dict[str, Any], list[str], list[list[str]]]:
    """A saved query that runs on its defaults and answers a handful of rows.

    One with parameters is preferred, so the form is exercised too.
    """
    candidates = []
    for item in saved_queries(base):
        if any(p.get("required") and p.get("default") is None for p in item.get("params", [])):
            continue
        response = httpx.get(
            base + f"api/v1/queries/{item['name']}", params={"format": "json"}, timeout=DEADLINE
        )
        if response.status_code != 200:
            continue
        names, rows = api_rows(response.json())
        if SOURCE_COLUMNS & set(names):
            continue  # its rows are merged per fact on the page (see test_facts_show_once)
        if 1 <= len(rows) <= 300:
            candidates.append((not item.get("params"), item["name"], (item, names, rows)))
    if not candidates:
        pytest.fail("no saved query answers rows on its defaults")
    return min(candidates, key=lambda c: c[:2])[2]


def open_workbench(bp: BrowserPage, base: str, **params: str) -> Page:
    page = bp.page
    page.goto(base + "query" + (f"?{urlencode(params)}" if params else ""))
    page.wait_for_selector(".CodeMirror")
    # The script has started (and the saved-query list arrived, or failed) once this is set.
    page.wait_for_selector("#saved-status[data-state]", state="attached")
    return page


def wait_done(page: Page, state: str = "done") -> None:
    page.wait_for_selector(f'#results[data-state="{state}"]')


def assert_clean(bp: BrowserPage, expected_status: int | None = None) -> None:
    """No request left 127.0.0.1 and nothing was logged as an error.

    Chromium logs every 4xx answer as "Failed to load resource"; a test that
    provokes one on purpose names its status.
    """
    assert bp.blocked == [], f"requests to other hosts: {bp.blocked}"
    allowed = f"status of {expected_status} " if expected_status else None
    errors = [e for e in bp.errors if not (allowed and allowed in e)]
    assert errors == [], f"console errors: {errors}"


# ---------------------------------------------------------------- tests


def test_saved_query_runs_and_shows_the_apis_rows(
    browser_page: BrowserPage, live_server: str, tmp_path: Path
) -> None:
    item, names, rows = pick_saved_query(live_server)
    page = open_workbench(browser_page, live_server)
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("#saved-select option").count() == len(saved_queries(live_server)) + 1

    page.select_option("#saved-select", item["name"])
    assert page.locator("#saved-description").text_content() == item["description"]["ja"]
    assert page.locator("#editor-panel").is_hidden()
    for param in item.get("params", []):
        field = page.locator(f'[data-param="{param["name"]}"]')
        assert field.input_value() == (param.get("default") or "")
        assert (
            page.locator(f'label[for="param-{param["name"]}"]')
            .text_content()
            .startswith(param["label"]["ja"])
        )

    page.click("#run")
    wait_done(page)
    assert page.evaluate(HEADER_JS) == names
    assert page.evaluate(ROWS_JS) == rows
    assert page.locator("#row-count").text_content() == f"{len(rows):,} 件"

    screenshot = tmp_path / "workbench-saved.png"
    page.screenshot(path=str(screenshot), full_page=True)
    print(f"screenshot: {screenshot}")

    # The share link (also in the address bar now) reopens the saved query and runs it.
    link = page.input_value("#share-link")
    assert f"saved={item['name']}" in link and page.url == link
    again = browser_page.page.context.new_page()
    again.goto(link)
    wait_done(again)
    assert again.input_value("#saved-select") == item["name"]
    assert again.evaluate(ROWS_JS) == rows
    assert_clean(browser_page)


def test_free_query_with_completion_prefix_button_and_share_link(
    browser_page: BrowserPage, live_server: str
) -> None:
    page = open_workbench(browser_page, live_server)
    page.click(".CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.click("#insert-prefixes")
    assert f"PREFIX pg: <{PG}>" in page.evaluate(EDITOR_JS)

    page.click(".CodeMirror")
    page.keyboard.press("Control+End")
    page.keyboard.type("SELECT (COUNT(?p) AS ?n) WHERE { ?p a pg:Prefe")
    # The list follows the typing a frame behind: wait until it is the list for the whole word
    # (on a busy machine an Enter sent to the list of "pg:Pref" was lost while it updated).
    page.wait_for_function(HINT_AT_CURSOR_JS)
    hint = page.locator(".CodeMirror-hints .CodeMirror-hint-active")
    assert hint.locator(".hint-name").text_content() == "pg:Prefecture"
    page.keyboard.press("Enter")  # picks the completion
    page.wait_for_function(
        "() => !document.querySelector('.CodeMirror').CodeMirror.state.completionActive"
    )
    page.keyboard.type(" }")
    query = page.evaluate(EDITOR_JS)
    assert query.endswith(COUNT_PREFECTURES)

    page.keyboard.press("Control+Enter")
    wait_done(page)
    assert page.evaluate(HEADER_JS) == ["n"]
    assert page.evaluate(ROWS_JS) == [["47"]]
    assert page.locator("#row-count").text_content() == "1 件"

    link = page.input_value("#share-link")
    again = browser_page.page.context.new_page()
    again.goto(link)
    wait_done(again)
    assert again.evaluate(EDITOR_JS) == query
    assert again.evaluate(ROWS_JS) == [["47"]]
    assert_clean(browser_page)


def test_sorting_and_csv_download_for_excel(browser_page: BrowserPage, live_server: str) -> None:
    page = open_workbench(browser_page, live_server, q=SORT_QUERY)
    wait_done(page)  # a shared query runs on opening

    page.click('th[data-column="n"] button')
    assert [r[1] for r in page.evaluate(ROWS_JS)] == ["2", "9", "10", "26", "100"]
    assert page.get_attribute('th[data-column="n"]', "aria-sort") == "ascending"
    page.click('th[data-column="n"] button')
    assert [r[1] for r in page.evaluate(ROWS_JS)] == ["100", "26", "10", "9", "2"]

    page.click('th[data-column="name"] button')
    shown = page.evaluate(ROWS_JS)
    gojuon = ["あいち", "おおさか", 'きょうと, "府"', "とうきょう", "ほっかいどう"]
    assert [r[0] for r in shown] == gojuon

    with page.expect_download() as download_info:
        page.click("#download-csv")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, so Excel reads Japanese"
    text = data.decode("utf-8-sig")
    assert '"きょうと, ""府"""' in text and "\r\n" in text  # RFC 4180 quoting, CRLF
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["name", "n"], *shown]

    with page.expect_download() as download_info:
        page.click("#download-json")
    doc = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert doc["head"]["vars"] == ["name", "n"]
    assert [b["name"]["value"] for b in doc["results"]["bindings"]] == [r[0] for r in shown]
    assert_clean(browser_page)


def test_iris_link_home_and_errors_show_the_problem_detail(
    browser_page: BrowserPage, live_server: str
) -> None:
    query = f"""PREFIX pg: <{PG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?lg ?class WHERE {{ ?lg a ?class ; rdfs:label "川場村"@ja }}"""
    page = open_workbench(browser_page, live_server, q=query)
    wait_done(page)
    own = page.locator("#results-table a.iri", has_text="lg:104442").first
    assert own.get_attribute("href") == live_server + "lg/104442"
    assert own.get_attribute("target") is None  # this server's IRIs open in place
    other = page.locator("#results-table a.iri", has_text="pg:Village").first
    assert other.get_attribute("href") == PG + "Village"
    assert other.get_attribute("target") == "_blank"
    assert "noopener" in (other.get_attribute("rel") or "")

    bad = "SELECT ?x WHERE { ?x ?y"
    expected = httpx.get(
        live_server + "sparql",
        params={"query": bad},
        headers={"Accept": "application/sparql-results+json"},
        timeout=DEADLINE,
    ).json()["detail"]
    page.click(".CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.type(bad)
    page.click("#run")
    wait_done(page, "error")
    assert page.locator("#error-detail").text_content() == expected
    assert page.locator("#results-table").is_hidden()
    assert_clean(browser_page, expected_status=400)


def test_truncated_answers_say_so(browser_page: BrowserPage, live_server: str) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    response = httpx.get(
        live_server + "sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=DEADLINE,
    )
    assert response.headers.get("partnergraph-truncated") == "true", "expected a capped answer"
    shown = len(response.json()["results"]["bindings"])
    page = open_workbench(browser_page, live_server, q=query)
    wait_done(page)
    assert page.locator("#truncated").is_visible()
    assert page.locator("#row-count").text_content() == f"{shown:,} 件"
    assert_clean(browser_page)


def test_saved_query_text_from_the_api_is_never_markup(
    browser_page: BrowserPage, live_server: str
) -> None:
    """Titles, descriptions and labels go in as text: a `<script>` or `onerror` stays inert."""
    evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    listing = [
        {
            "name": "evil",
            "title": {"ja": evil, "en": evil},
            "description": {"ja": evil, "en": evil},
            "params": [
                {
                    "name": "p",
                    "type": "string",
                    "label": {"ja": evil, "en": evil},
                    "required": False,
                    "default": evil,
                }
            ],
        }
    ]
    page = browser_page.page
    page.route(
        "**/api/v1/queries",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(listing)
        ),
    )
    open_workbench(browser_page, live_server)
    page.select_option("#saved-select", "evil")
    assert page.locator('#saved-select option[value="evil"]').text_content() == evil
    assert page.locator("#saved-description").text_content() == evil
    assert page.locator('label[for="param-p"]').text_content() == evil
    assert page.input_value('[data-param="p"]') == evil
    assert page.locator("main img, main script").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert_clean(browser_page)


def test_english_page(browser_page: BrowserPage, live_server: str) -> None:
    page = open_workbench(browser_page, live_server, lang="en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").text_content() == "Query workbench"
    assert page.locator("#run").text_content() == "Run"
    page.click('.lang-switch a[data-lang="ja"]')
    page.wait_for_selector('html[lang="ja"]')
    assert page.locator("h1").text_content() == "クエリ・ワークベンチ"
    assert_clean(browser_page)


def test_facts_show_once_with_headings_and_all_their_sources(
    browser_page: BrowserPage, live_server: str
) -> None:
    page = open_workbench(browser_page, live_server)
    page.select_option("#saved-select", "agreements")
    page.click("#run")
    wait_done(page)
    headings = page.eval_on_selector_all(
        "#results-table thead th .sort-button span:first-child", "s => s.map(x => x.textContent)"
    )
    assert headings[:4] == ["種別", "種別名", "協定", "協定名"]
    assert "type_label" not in headings
    response = httpx.get(
        live_server + "api/v1/queries/agreements", params={"format": "json"}, timeout=DEADLINE
    )
    names, rows = api_rows(response.json())
    title = "世田谷区・川場村 縁組協定"
    per_source = [r for r in rows if title in r[names.index("agreement_name")]]
    assert len(per_source) >= 2  # the API keeps one row per source
    shown = [r for r in page.evaluate(ROWS_JS) if title in r[headings.index("協定名")]]
    assert len(shown) == 1  # the page shows the fact once...
    documents = page.locator("#results-table tbody tr", has_text=title).locator(
        f"td:nth-child({names.index('document') + 1}) .source-line"
    )
    quotes = {r[names.index("quote")] for r in per_source if r[names.index("quote")]}
    quote_lines = page.locator("#results-table tbody tr", has_text=title).locator(
        f"td:nth-child({names.index('quote') + 1}) .source-line"
    )
    assert documents.count() >= 1 and quote_lines.count() == len(quotes)  # ...with every source
    assert_clean(browser_page)
