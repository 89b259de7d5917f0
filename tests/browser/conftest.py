"""Fixtures of the browser tests: Chromium (Debian's, through Playwright) against the real app.

The app is served by werkzeug on a free loopback port in a background thread, once per test
(on PostgreSQL, through the `app` fixture; its rows are committed). Chromium starts once per
test process (each test gets its own browser context: no cookie or storage is shared).
`open_page` gives a watched page, so that each test can check that it logged no
console error and that no request left 127.0.0.1. Screenshots land in
test-artifacts/screenshots/ (git-ignored), named after the backend, the test and the step.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.support import ConsoleError, Watched, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator:
    """Playwright, once per test process (xdist worker). Missing Chromium: skip, or fail under
    CI."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        reason = f"Chromium not found at {CHROMIUM} (install it with `make chromium`)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; it is required under CI")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver) -> Iterator:
    """One headless Chromium per test process. A test that needs other flags (a fake camera)
    launches its own from `playwright_driver`."""
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The real app on a free loopback port; yields its base URL."""
    with serving(app) as url:
        yield url


@pytest.fixture
def backend(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def open_page(browser, live_server) -> Iterator[Callable[..., Watched]]:
    """Factory: a fresh browser context (French, isolated cookies) and a watched page."""
    contexts = []

    def factory(**context_options) -> Watched:
        context_options.setdefault("locale", "fr-FR")
        context_options.setdefault("timezone_id", "Africa/Casablanca")
        context = browser.new_context(base_url=live_server, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watched = Watched(page, live_server)

        def on_console(msg) -> None:
            if msg.type == "error":
                watched.console_errors.append(ConsoleError(msg.text, msg.location.get("url", "")))

        page.on("console", on_console)
        page.on("pageerror", lambda exc: watched.console_errors.append(ConsoleError(str(exc), "")))
        page.on("request", lambda req: watched.requests.append(req.url))
        return watched

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request, backend) -> Callable[..., Path]:
    """take(page) or take(page, "step"): a screenshot named {backend}-{test}[-{step}].png."""

    def take(page, label: str | None = None, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.originalname
        if label is not None:
            name = f"{name}-{label}"
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
        path = SCREENSHOTS / f"{backend}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 0
        return path

    return take
