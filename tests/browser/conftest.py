"""A real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, kept offline.

Playwright's own browser download is never used: ``executable_path`` points at
the system Chromium, and every request to anything but 127.0.0.1 is aborted and
recorded, so a test fails if the page tries to reach a CDN or any other host.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.api.conftest import (
    VIEW_WAIT,
    live_server,  # noqa: F401  (the server the browser talks to)
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Route

CHROMIUM = Path("/usr/bin/chromium")
#: Seconds a browser test waits for a page or an HTTP answer before calling it hung: more than
#: the server itself waits for a view (VIEW_WAIT), since the machine may be busy.
DEADLINE = VIEW_WAIT + 60
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1"}


@dataclass
class BrowserPage:
    """A page plus what it tried to fetch elsewhere and what it logged as errors."""

    page: Page
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip(
            "needs Debian's Chromium at /usr/bin/chromium "
            "(apt-get update && apt-get install -y chromium)"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _guard(blocked: list[str]) -> Callable[[Route], None]:
    """A route handler letting through only this machine's server (and in-page blob/data URLs)."""

    def handle(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("blob", "data") or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    return handle


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[BrowserPage]:
    """A fresh Japanese-locale context and page, offline except for 127.0.0.1.

    Console errors and uncaught exceptions of every page in the context (also
    pages a test opens later, such as a share link) are collected for the test
    to assert on; the request guard covers them all too.
    """
    context = browser.new_context(
        locale="ja-JP",
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
    )
    # Deadlines against a hang, never measures of speed: the machine may be busy (a stressed
    # run waited more than 60 s for /explore, whose server waits up to VIEW_WAIT for its view).
    context.set_default_timeout(300_000)
    context.set_default_navigation_timeout(DEADLINE * 1000)
    blocked: list[str] = []
    errors: list[str] = []
    context.route("**/*", _guard(blocked))

    def watch(page: Page) -> None:
        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors.append(f"console: {message.text} ({page.url})")

        page.on("console", console)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e} ({page.url})"))

    context.on("page", watch)
    result = BrowserPage(page=context.new_page(), blocked=blocked, errors=errors)
    try:
        yield result
    finally:
        context.close()
