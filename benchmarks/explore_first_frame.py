"""First-frame time of the network explorer in headless Chromium, curated and nationwide.

Run from the repository root:

    .venv/bin/python benchmarks/explore_first_frame.py [--runs 5]

It builds the shipped graph into a temporary store, serves it with uvicorn on
127.0.0.1, and opens ``/explore`` and ``/explore?scope=nation`` in Debian's
``/usr/bin/chromium`` through Playwright (every request not to 127.0.0.1 is
aborted). The time measured is the page's ``window.__firstFrameMs``:
navigation start → vis-network's first ``afterDrawing`` event. One warm-up
load per view (which also fills the server's view cache), then ``--runs``
loads each, each in a fresh browser context; the median is printed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from live_server import free_port, serve, stop
from playwright.sync_api import Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
VIEWS = {"curated": "explore", "nation": "explore?scope=nation"}


def offline(route: Route) -> None:
    if urlsplit(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.abort()


def first_frame(browser, url: str, timeout_s: float = 60) -> float:  # type: ignore[no-untyped-def]
    """Milliseconds from navigation start to the first drawn frame, in a fresh context."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        context.route("**/*", offline)
        page = context.new_page()
        page.goto(url, timeout=timeout_s * 1000)
        page.wait_for_function(
            "() => window.__firstFrameMs !== undefined", timeout=timeout_s * 1000
        )
        return float(page.evaluate("() => window.__firstFrameMs"))
    finally:
        context.close()


def view_sizes(base: str, scope: str) -> tuple[int, int]:
    """Bytes of a scope's ``/explore/view.json`` as sent plain and as sent gzipped."""
    url = f"{base}explore/view.json?scope={scope}&lang=ja"
    plain = httpx.get(url, timeout=60, headers={"Accept-Encoding": "identity"})
    with httpx.stream("GET", url, timeout=60, headers={"Accept-Encoding": "gzip"}) as sent:
        gzipped = sum(len(chunk) for chunk in sent.iter_raw())
    return len(plain.content), gzipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        proc = serve(Path(tmp) / "store", port, timeout=120)
        base = f"http://127.0.0.1:{port}/"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                try:
                    for name, path in VIEWS.items():
                        first_frame(browser, base + path)  # warm-up: server cache, disk cache
                        times = [first_frame(browser, base + path) for _ in range(args.runs)]
                        size = len(httpx.get(base + path, timeout=60).content)
                        data = view_sizes(base, name)
                        runs = ", ".join(f"{t:.0f}" for t in times)
                        print(
                            f"{name:8s} first frame median {statistics.median(times):7.1f} ms "
                            f"(runs: {runs}; page {size / 1e6:.2f} MB, view.json "
                            f"{data[0] / 1e6:.2f} MB, {data[1] / 1e6:.2f} MB gzipped)"
                        )
                finally:
                    browser.close()
        finally:
            stop(proc)


if __name__ == "__main__":
    main()
