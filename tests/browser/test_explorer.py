"""The network explorer in a real headless Chromium against the real server, offline.

Every test checks that the page asked nothing of any host but 127.0.0.1 and
logged no errors (CSP violations included).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import VIEW_WAIT
from tests.browser.conftest import DEADLINE, BrowserPage
from tests.conftest import GRAPH_DIR, PREFIXES
from tests.live import base_url, free_port, uvicorn_server

XSS = "<img src=x onerror=alert(1)>"


def open_explorer(bp: BrowserPage, url: str) -> None:
    bp.page.goto(url)
    bp.page.wait_for_function("() => document.body.dataset.ready === 'true'")
    bp.page.wait_for_function("() => window.__firstFrameMs !== undefined")
    bp.page.wait_for_function("() => document.body.dataset.details === 'loaded'")


def assert_clean(bp: BrowserPage) -> None:
    assert bp.blocked == [], bp.blocked
    assert bp.errors == [], bp.errors


def drawn_edges(bp: BrowserPage) -> list[dict]:
    return bp.page.evaluate(
        "() => window.explorer.visibleEdges().map(e => ({type: e.type, year: e.year}))"
    )


def test_page_draws_every_node_of_the_data(browser_page: BrowserPage, live_server: str) -> None:
    open_explorer(browser_page, live_server + "explore")
    data = httpx.get(live_server + "explore/data.json", timeout=DEADLINE).json()
    page = browser_page.page
    assert page.evaluate("() => window.explorer.nodeCount()") == len(data["nodes"])
    assert int(page.evaluate("() => document.body.dataset.nodes")) == len(data["nodes"])
    assert page.evaluate("() => window.explorer.edgeCount()") == len(data["edges"])
    # vis-network itself holds them all, none hidden.
    shown = page.evaluate(
        "() => window.explorer.network.body.data.nodes.get().filter(n => !n.hidden).length"
    )
    assert shown == len(data["nodes"])
    assert_clean(browser_page)


def test_the_page_reads_each_edge_as_the_server_packed_it(
    browser_page: BrowserPage, live_server: str
) -> None:
    """The page's edges (read through their style and relation rows) are, field for field,
    those :func:`partnergraph.explore.unpack` rebuilds from the same view.json and its
    details.json, which the page fetched after drawing."""
    from partnergraph import explore

    open_explorer(browser_page, live_server + "explore")
    lang = browser_page.page.evaluate("() => document.documentElement.lang")
    view = httpx.get(
        live_server + f"explore/view.json?scope=curated&lang={lang}", timeout=DEADLINE
    ).json()
    assert "packed" in view
    details = httpx.get(
        live_server + f"explore/details.json?scope=curated&lang={lang}", timeout=DEADLINE
    ).json()
    expected = {e["id"]: e for e in explore.unpack(explore.join(view, details))["edges"]}
    fields = sorted({k for e in expected.values() for k in e})
    got = browser_page.page.evaluate(
        "(fields) => window.explorer.visibleEdges().map("
        "e => Object.fromEntries(fields.map(f => [f, e[f] === undefined ? null : e[f]])))",
        fields,
    )
    assert got and len(got) == len(expected)
    for edge in got:
        want = expected[edge["id"]]
        assert edge == {f: want.get(f) for f in fields}
    assert_clean(browser_page)


def test_the_page_reads_each_node_as_the_server_packed_it(
    browser_page: BrowserPage, live_server: str
) -> None:
    """The page's nodes (some fields read through ``node_tables``, some rows lacking a field)
    are those :func:`partnergraph.explore.unpack` rebuilds from the same view.json."""
    from partnergraph import explore

    open_explorer(browser_page, live_server + "explore?scope=nation")
    lang = browser_page.page.evaluate("() => document.documentElement.lang")
    view = httpx.get(
        live_server + f"explore/view.json?scope=nation&lang={lang}", timeout=DEADLINE
    ).json()
    packed = view["packed"]
    assert packed["node_tables"] and packed["node_absent"]  # both ways of packing are read
    details = httpx.get(
        live_server + f"explore/details.json?scope=nation&lang={lang}", timeout=DEADLINE
    ).json()
    expected = explore.unpack(explore.join(view, details))["nodes"]
    got = browser_page.page.evaluate("() => window.explorer.viewNodes()")
    assert got == expected
    assert_clean(browser_page)


def test_relation_filter_and_year_slider(browser_page: BrowserPage, live_server: str) -> None:
    open_explorer(browser_page, live_server + "explore")
    page = browser_page.page
    total = page.evaluate("() => window.explorer.edgeCount()")
    page.uncheck("input[name=type][value=forum]")
    edges = drawn_edges(browser_page)
    assert edges and all(e["type"] != "forum" for e in edges)
    assert len(edges) < total
    assert "types=" in page.url and "forum" not in page.url.split("types=")[1].split("&")[0]
    page.check("input[name=type][value=forum]")
    assert page.evaluate("() => window.explorer.edgeCount()") == total
    page.locator("#year").fill("1990")
    edges = drawn_edges(browser_page)
    assert edges and all(e["year"] is not None and e["year"] <= 1990 for e in edges)
    expected = httpx.get(live_server + "explore/data.json?year=1990", timeout=DEADLINE).json()
    assert len(edges) == len(expected["edges"])
    assert page.evaluate("() => window.explorer.nodeCount()") == len(expected["nodes"])
    assert "year=1990" in page.url
    # The state survives a reload from the URL.
    open_explorer(browser_page, page.url)
    assert page.evaluate("() => window.explorer.edgeCount()") == len(expected["edges"])
    assert page.input_value("#year") == "1990"
    assert_clean(browser_page)


def test_clicking_kawaba_opens_its_panel(
    browser_page: BrowserPage, live_server: str, tmp_path: Path
) -> None:
    open_explorer(browser_page, live_server + "explore")
    page = browser_page.page
    page.evaluate("() => window.explorer.network.moveTo({position: {x: 0, y: 0}, scale: 1})")
    page.evaluate("() => window.explorer.focus('104442')")  # bring Kawaba into view
    box = page.locator("#network canvas").bounding_box()
    point = page.evaluate(
        "() => window.explorer.network.canvasToDOM(window.explorer.positions(['104442'])['104442'])"
    )
    page.evaluate("() => document.getElementById('panel-close').click()")
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    panel = page.locator("#panel")
    panel.wait_for(state="visible")
    assert page.locator("#panel-title").text_content() == "川場村"
    accord = panel.locator(".relation[data-type=engagement-accord]")
    accord.first.wait_for()
    text = accord.first.text_content()
    assert "区民健康村相互協力に関する協定" in text and "1981-11" in text
    assert "setagaya" in text.lower() or "世田谷" in text or "協定" in text  # its source
    sources = accord.first.locator(".relation__sources li")
    assert sources.count() >= 1 and sources.first.text_content().strip()
    assert panel.locator("a[href='/lg/104442']").count() == 1
    assert "focus=104442" in page.url
    page.screenshot(path=str(tmp_path / "explorer-kawaba.png"))
    assert (tmp_path / "explorer-kawaba.png").stat().st_size > 0
    assert_clean(browser_page)


def test_search_focuses_a_node(browser_page: BrowserPage, live_server: str) -> None:
    open_explorer(browser_page, live_server + "explore")
    page = browser_page.page
    page.fill("#search", "かわば")
    page.click("#search-go")
    page.locator("#panel").wait_for(state="visible")
    assert page.locator("#panel-title").text_content() == "川場村"
    assert page.evaluate("() => window.explorer.network.getSelectedNodes()") == ["104442"]
    assert_clean(browser_page)


def test_geo_layout_puts_hokkaido_north_of_okinawa(
    browser_page: BrowserPage, live_server: str
) -> None:
    open_explorer(browser_page, live_server + "explore?scope=nation")
    page = browser_page.page
    pos = page.evaluate("() => window.explorer.positions(['010006', '011002', '470007', '472018'])")
    for north in ("010006", "011002"):
        for south in ("470007", "472018"):
            assert pos[north]["y"] < pos[south]["y"]
    assert page.evaluate("() => window.explorer.nodeCount()") >= 1788
    assert_clean(browser_page)


def test_path_highlight(browser_page: BrowserPage, live_server: str) -> None:
    open_explorer(browser_page, live_server + "explore?path=104442,winnipeg")
    path = browser_page.page.evaluate("() => document.body.dataset.path")
    assert path == "104442,131121,winnipeg"
    assert_clean(browser_page)


# ---------------------------------------------------------------- XSS, own server


@contextmanager
def explorer_server(root: Path, graph: Path, **settings: str) -> Iterator[str]:
    """A server of its own over ``graph``, its store under ``root``, with more ``settings``."""
    port = free_port()
    env = {
        "PARTNERGRAPH_STORE": str(root / "store"),
        "PARTNERGRAPH_GRAPH_DIR": str(graph),
        "PARTNERGRAPH_BASE_IRI": base_url(port),
        # The first view is built at start; on a busy machine the first page waits for it.
        "PARTNERGRAPH_VIEW_WAIT": str(VIEW_WAIT),
        **settings,
    }
    with uvicorn_server(env, port=port) as (base, _proc):
        yield base


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over a copy of graph/ with one more body whose name is markup."""
    root = tmp_path_factory.mktemp("xss")
    graph = root / "graph"
    shutil.copytree(GRAPH_DIR, graph)
    (graph / "data" / "zz-xss.trig").write_text(
        PREFIXES
        + f"""
<source/xss> {{
  body:xss a pg:University ; rdfs:label "{XSS}"@ja , "{XSS}"@en .
  agr:xss a pg:Agreement ; pg:agreementType pgat:comprehensive-partnership ;
    rdfs:label "<b>{XSS}</b>"@ja ; pg:party body:xss, lg:131121 .
}}
""",
        encoding="utf-8",
    )
    with explorer_server(root, graph) as base:
        yield base


def test_markup_in_a_label_stays_text(browser_page: BrowserPage, xss_server: str) -> None:
    dialogs: list[str] = []
    page = browser_page.page
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_explorer(browser_page, xss_server + "explore?focus=xss")
    page.locator("#panel").wait_for(state="visible")
    assert page.locator("#panel-title").text_content() == XSS
    page.locator("#panel-partners .partner").first.wait_for()
    # Point at the node: its tooltip shows the label as text.
    point = page.evaluate(
        "() => window.explorer.network.canvasToDOM(window.explorer.positions(['xss']).xss)"
    )
    box = page.locator("#network canvas").bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tip = page.locator("#network .explore-tip")
    tip.wait_for(state="visible")
    assert XSS in tip.text_content()
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("#main img").count() == 0
    assert dialogs == []
    # The standalone export carries it as text too.
    html = httpx.get(xss_server + "explore/export.html", timeout=DEADLINE).text
    assert XSS not in html
    assert_clean(browser_page)


def test_a_line_pointed_at_shows_its_relation_and_leaving_it_hides_it(
    browser_page: BrowserPage, live_server: str
) -> None:
    """The tooltip of a tie is its relation's title, read once the details arrived; it goes
    when the pointer leaves the line."""
    open_explorer(browser_page, live_server + "explore")
    page = browser_page.page
    # The middle of a drawn line with no body on it (as vis-network itself finds them).
    found = page.evaluate(
        """() => {
          const x = window.explorer, net = x.network;
          for (const e of x.visibleEdges()) {
            const p = x.positions([e.from, e.to]);
            const at = net.canvasToDOM({x: (p[e.from].x + p[e.to].x) / 2,
                                        y: (p[e.from].y + p[e.to].y) / 2});
            if (net.getNodeAt(at) === undefined && net.getEdgeAt(at) === e.id) {
              return {x: at.x, y: at.y, title: e.title};
            }
          }
          return null;
        }"""
    )
    assert found is not None and found["title"]
    box = page.locator("#network canvas").bounding_box()
    tip = page.locator("#network .explore-tip")
    assert tip.is_hidden()
    page.mouse.move(box["x"] + found["x"], box["y"] + found["y"])
    tip.wait_for(state="visible")
    assert tip.text_content() == found["title"]
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    tip.wait_for(state="hidden")
    assert_clean(browser_page)


# ---------------------------------------------------------------- drawing budget, own server

BUDGET = 100


@pytest.fixture(scope="module")
def budget_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over the shipped graph that draws at most BUDGET lines (it has 763 ties)."""
    root = tmp_path_factory.mktemp("budget")
    with explorer_server(root, GRAPH_DIR, PARTNERGRAPH_EXPLORE_MAX_DRAWN=str(BUDGET)) as base:
        yield base


def drawn_ids(bp: BrowserPage) -> set[str]:
    return set(bp.page.evaluate("() => window.explorer.network.body.data.edges.getIds()"))


def test_over_the_budget_the_best_tied_lines_are_drawn_and_said(
    browser_page: BrowserPage, budget_server: str
) -> None:
    open_explorer(browser_page, budget_server + "explore")
    page = browser_page.page
    total = page.evaluate("() => window.explorer.edgeCount()")
    assert total > BUDGET
    assert page.evaluate("() => window.explorer.drawnCount()") == BUDGET
    assert len(drawn_ids(browser_page)) == BUDGET  # vis-network holds only the drawn lines
    assert page.evaluate("() => document.body.dataset.drawn") == str(BUDGET)
    note = page.locator("#drawn-note")
    assert note.is_visible() and f"{BUDGET}" in note.text_content()
    assert f"{total}" in note.text_content()
    # The drawn lines are those whose less connected end is best connected.
    data = httpx.get(budget_server + "explore/data.json", timeout=DEADLINE).json()
    degree = {n["id"]: n["measures"]["degree"] for n in data["nodes"]}
    drawn = drawn_ids(browser_page)
    low = {e["id"]: min(degree[e["from"]], degree[e["to"]]) for e in data["edges"]}
    ranked = {
        "drawnMin": min(v for k, v in low.items() if k in drawn),
        "leftMax": max(v for k, v in low.items() if k not in drawn),
    }
    assert ranked["drawnMin"] >= ranked["leftMax"]
    assert_clean(browser_page)


def test_a_selected_body_and_a_narrow_filter_draw_all_their_ties(
    browser_page: BrowserPage, budget_server: str
) -> None:
    open_explorer(browser_page, budget_server + "explore")
    page = browser_page.page
    setagaya = page.evaluate(
        "() => window.explorer.visibleEdges()"
        ".filter(e => e.from === '131121' || e.to === '131121').map(e => e.id)"
    )
    assert setagaya and not set(setagaya) <= drawn_ids(browser_page)
    page.evaluate("() => window.explorer.focus('131121')")
    page.wait_for_function("() => window.explorer.state().focus === '131121'")
    assert set(setagaya) <= drawn_ids(browser_page)
    assert page.evaluate("() => window.explorer.drawnCount()") <= BUDGET + len(setagaya)
    page.evaluate("() => document.getElementById('panel-close').click()")
    page.locator("#year").fill("1990")
    shown = page.evaluate("() => window.explorer.edgeCount()")
    assert 0 < shown <= BUDGET
    assert page.evaluate("() => window.explorer.drawnCount()") == shown
    assert len(drawn_ids(browser_page)) == shown
    assert page.locator("#drawn-note").is_hidden()
    assert_clean(browser_page)


def test_a_path_is_drawn_whatever_the_budget(browser_page: BrowserPage, budget_server: str) -> None:
    pairs = """(e) => [e.from, e.to].sort().join() === '104442,131121'
                  || [e.from, e.to].sort().join() === '131121,winnipeg'"""
    open_explorer(browser_page, budget_server + "explore")
    page = browser_page.page
    on_path = page.evaluate(f"() => window.explorer.visibleEdges().filter({pairs}).map(e => e.id)")
    assert on_path and not set(on_path) <= drawn_ids(browser_page)  # not among the best tied
    open_explorer(browser_page, budget_server + "explore?path=104442,winnipeg")
    assert page.evaluate("() => document.body.dataset.path") == "104442,131121,winnipeg"
    assert set(on_path) <= drawn_ids(browser_page)
    assert_clean(browser_page)


def test_a_view_that_cannot_be_had_is_said_on_the_page(
    browser_page: BrowserPage, budget_server: str
) -> None:
    page = browser_page.page
    page.route("**/explore/view.json*", lambda route: route.fulfill(status=503, body="{}"))
    page.goto(budget_server + "explore?lang=en")
    page.wait_for_function("() => document.body.dataset.failed === 'true'")
    counts = page.locator("#counts")
    assert counts.get_attribute("role") == "alert"
    assert "could not be loaded (503)" in counts.text_content()
    assert browser_page.blocked == []
    assert any("503" in e for e in browser_page.errors)  # the script stops, and says why


def test_relation_details_that_cannot_be_had_are_said_and_the_lines_stay_drawn(
    browser_page: BrowserPage, budget_server: str
) -> None:
    page = browser_page.page
    page.route("**/explore/details.json*", lambda route: route.fulfill(status=409, body="{}"))
    page.goto(budget_server + "explore?lang=en")
    page.wait_for_function("() => document.body.dataset.details === 'failed'")
    note = page.locator("p.notice[role=alert]")
    assert "names and sources of the ties could not be loaded (409)" in note.text_content()
    assert page.evaluate("() => window.explorer.drawnCount()") > 0
    assert browser_page.blocked == []


def test_a_pact_is_drawn_with_its_lines(browser_page: BrowserPage, budget_server: str) -> None:
    """A multi-party pact's diamond is in the canvas exactly while one of its lines is drawn
    (or it is selected): over the budget, a pact none of whose lines is drawn is left out,
    and comes in, selected, with all its lines when it is looked up."""
    open_explorer(browser_page, budget_server + "explore")
    page = browser_page.page
    data = httpx.get(budget_server + "explore/data.json", timeout=DEADLINE).json()
    pacts = {n["id"] for n in data["nodes"] if n["kind"] == "pact"}
    bodies = {n["id"] for n in data["nodes"]} - pacts
    ends = {e["id"]: (e["from"], e["to"]) for e in data["edges"]}

    def in_canvas() -> set[str]:
        held = set(page.evaluate("() => window.explorer.nodes.getIds()"))
        assert held == set(page.evaluate("() => window.explorer.canvasIds()"))
        return held

    def pacts_with_drawn_lines() -> set[str]:
        return {end for e in drawn_ids(browser_page) for end in ends[e] if end in pacts}

    held = in_canvas()
    assert bodies <= held
    assert held & pacts == pacts_with_drawn_lines()
    left_out = sorted(pacts - held)
    assert left_out, "the budget should leave some pact without a drawn line"
    pact = left_out[0]
    page.evaluate("(id) => window.explorer.focus(id)", pact)
    page.wait_for_function("(id) => window.explorer.state().focus === id", arg=pact)
    assert pact in in_canvas()
    assert page.evaluate("() => window.explorer.network.getSelectedNodes()") == [pact]
    its_lines = {e for e, (a, b) in ends.items() if pact in (a, b)}
    shown = {e["id"] for e in page.evaluate("() => window.explorer.visibleEdges()")}
    assert its_lines & shown <= drawn_ids(browser_page)
    page.evaluate("() => document.getElementById('panel-close').click()")
    held = in_canvas()
    assert held & pacts == pacts_with_drawn_lines()
    assert pact not in held
    # A pact's panel lists its parties from the view, and offers no organization links.
    page.evaluate("(id) => window.explorer.focus(id)", pact)
    page.wait_for_function("() => !document.getElementById('panel').hidden")
    assert page.locator("#panel-links a").count() == 1
    assert page.locator("#panel-partners li").count() >= 3
    assert page.locator("#panel-notice").is_hidden()
    assert_clean(browser_page)
