"""What a reader sees on opening the explorer, at a desktop and a phone size, in real Chromium.

The figures come from the page as drawn: the canvas's box, vis-network's own
label boxes (``labelModule.size``, where it drew each label) and the legend's
computed colours, never from the page's own label planning.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

from tests.browser.conftest import BrowserPage
from tests.browser.test_explorer import assert_clean, open_explorer

SIZES = [(1400, 900), (390, 844)]

#: Every drawn label as a screen box, with its font size on screen.
LABEL_BOXES = """() => {
  const net = window.explorer.network;
  const scale = net.getScale();
  const out = [];
  for (const item of window.explorer.nodes.get()) {
    if (!item.label || item.hidden) continue;
    const node = net.body.nodes[item.id];
    const s = node.labelModule.size;
    const a = net.canvasToDOM({ x: s.left, y: s.top });
    const b = net.canvasToDOM({ x: s.left + s.width, y: s.top + s.height });
    out.push({ id: item.id, px: node.labelModule.fontOptions.size * scale,
               left: a.x, top: a.y, right: b.x, bottom: b.y });
  }
  return out;
}"""


def lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of ``rgb(r, g, b)`` or ``#rrggbb``."""
    if colour.startswith("#"):
        rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    else:
        rgb = [int(p) / 255 for p in colour[colour.index("(") + 1 : -1].split(",")[:3]]

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = map(linear, rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(v: float) -> float:
        return v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(first: str, second: str) -> float:
    """CIEDE2000 colour difference of two CSS colours."""
    return delta_e_lab(lab(first), lab(second))


def delta_e_lab(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    """CIEDE2000 difference of two L*a*b* colours (Sharma, Wu & Dalal's formulation)."""
    L1, a1, b1 = first
    L2, a2, b2 = second
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    cm = (c1 + c2) / 2
    g = 0.5 * (1 - math.sqrt(cm**7 / (cm**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dl, dc = L2 - L1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p - h1p > 180 else h2p - h1p + 360
    dH = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lm, cpm = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hm = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hm = (h1p + h2p) / 2
    else:
        hm = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hm - 30))
        + 0.24 * math.cos(math.radians(2 * hm))
        + 0.32 * math.cos(math.radians(3 * hm + 6))
        - 0.20 * math.cos(math.radians(4 * hm - 63))
    )
    rc = 2 * math.sqrt(cpm**7 / (cpm**7 + 25**7))
    rt = -math.sin(math.radians(60 * math.exp(-(((hm - 275) / 25) ** 2)))) * rc
    sl = 1 + 0.015 * (lm - 50) ** 2 / math.sqrt(20 + (lm - 50) ** 2)
    sc, sh = 1 + 0.045 * cpm, 1 + 0.015 * cpm * t
    return math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dH / sh) ** 2 + rt * (dc / sc) * (dH / sh))


def test_delta_e_tells_the_old_pairs_apart_from_the_new() -> None:
    # Sharma et al.'s test pair 1 (ΔE00 2.0425), then the old legend's pairs that readers could
    # not tell apart (red, green, grey), then the new engagement/disaster pair.
    assert abs(delta_e_lab((50, 2.6772, -79.7751), (50, 0, -82.7485)) - 2.0425) < 1e-3
    assert delta_e("#d35400", "#c0392b") < 20
    assert delta_e("#27ae60", "#16a085") < 20
    assert delta_e("#7f8c8d", "#95a5a6") < 20
    assert delta_e("#D55E00", "#0072B2") >= 20


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["desktop", "phone"])
def test_first_frame_is_readable(
    browser_page: BrowserPage, live_server: str, width: int, height: int, tmp_path: Path
) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": width, "height": height})
    open_explorer(browser_page, live_server + "explore")
    page.wait_for_timeout(200)
    page.screenshot(path=str(tmp_path / f"explore-{width}.png"))

    # The canvas takes the content's width and most of the viewport's height.
    canvas = page.locator("#network").bounding_box()
    content = page.evaluate(
        """() => { const m = document.querySelector('main'); const s = getComputedStyle(m);
                   return m.clientWidth - parseFloat(s.paddingLeft)
                          - parseFloat(s.paddingRight); }"""
    )
    assert canvas is not None
    assert canvas["width"] >= 0.8 * content, (canvas, content)
    assert canvas["height"] >= 0.6 * height, (canvas, height)

    # At least 15 labels, each at least 12 px on screen, inside the canvas, none overlapping.
    boxes = page.evaluate(LABEL_BOXES)
    inside = [
        b
        for b in boxes
        if b["left"] >= 0 and b["top"] >= 0 and b["right"] <= canvas["width"]
        and b["bottom"] <= canvas["height"]
    ]  # fmt: skip
    assert len(inside) >= 15, len(inside)
    assert all(b["px"] >= 12 for b in boxes), [b for b in boxes if b["px"] < 12]
    for a, b in itertools.combinations(boxes, 2):
        apart = (
            a["right"] <= b["left"]
            or b["right"] <= a["left"]
            or a["bottom"] <= b["top"]
            or b["bottom"] <= a["top"]
        )
        assert apart, (a, b)

    # Legend colours: pairwise distinct within each legend (ΔE ≥ 20), as drawn.
    types = page.eval_on_selector_all(
        "#legend-types line", "ls => ls.map(l => getComputedStyle(l).stroke)"
    )
    kinds = page.eval_on_selector_all(
        "#legend-kinds .swatch", "ss => ss.map(s => getComputedStyle(s).backgroundColor)"
    )
    assert len(types) >= 8 and len(kinds) >= 5
    for group in (types, kinds):
        for a, b in itertools.combinations(group, 2):
            assert delta_e(a, b) >= 20, (a, b, delta_e(a, b))
    assert_clean(browser_page)


def test_labels_appear_as_you_zoom_in(browser_page: BrowserPage, live_server: str) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": 1400, "height": 900})
    open_explorer(browser_page, live_server + "explore")
    labelled = set(page.evaluate("() => window.explorer.labelled()"))
    everyone = page.evaluate("() => window.explorer.nodes.getIds()")
    hidden = [n for n in everyone if n not in labelled]
    assert hidden  # not every body is labelled at the first frame
    target = hidden[0]
    page.evaluate(
        """(id) => { const n = window.explorer.network;
                     n.moveTo({ position: n.getPositions([id])[id], scale: n.getScale() * 4 });
                     n.emit('zoom', {}); }""",
        target,
    )
    page.wait_for_function("(id) => window.explorer.labelled().includes(id)", arg=target)
    boxes = page.evaluate(LABEL_BOXES)
    assert target in {b["id"] for b in boxes}
    assert all(b["px"] >= 12 for b in boxes)
    assert_clean(browser_page)
