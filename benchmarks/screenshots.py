"""Screenshots of the staff-facing pages in headless Chromium, for docs/screenshots/.

Run from the repository root:

    .venv/bin/python benchmarks/screenshots.py --label after

It builds the shipped graph into a temporary store, serves it with uvicorn on
127.0.0.1, and saves ``/explore``, ``/lg/131121`` (Setagaya), ``/lg/104442``
(Kawaba) and ``/query`` at 1400×900 and 390×844 as
``docs/screenshots/<label>-<page>-<width>.png`` (the first viewport only, what a
reader sees on opening the page). Every request not to 127.0.0.1 is aborted.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from live_server import REPO, free_port, serve, stop
from playwright.sync_api import Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
PAGES = {"explore": "explore", "setagaya": "lg/131121", "kawaba": "lg/104442", "query": "query"}
SIZES = ((1400, 900), (390, 844))


def offline(route: Route) -> None:
    if urlsplit(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.abort()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", required=True, help="before or after")
    args = parser.parse_args()
    out = REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
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
                    for width, height in SIZES:
                        context = browser.new_context(
                            viewport={"width": width, "height": height}, locale="ja-JP"
                        )
                        context.route("**/*", offline)
                        page = context.new_page()
                        for name, path in PAGES.items():
                            page.goto(base + path, timeout=120_000)
                            if name == "explore":
                                page.wait_for_function(
                                    "() => window.__firstFrameMs !== undefined", timeout=60_000
                                )
                            page.wait_for_timeout(300)
                            target = out / f"{args.label}-{name}-{width}.png"
                            page.screenshot(path=str(target))
                            print(target.relative_to(REPO))
                        context.close()
                finally:
                    browser.close()
        finally:
            stop(proc)


if __name__ == "__main__":
    main()
