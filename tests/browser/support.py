"""Plain helpers for the browser tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from werkzeug.serving import make_server

LOOPBACK = "127.0.0.1"


@dataclass
class ConsoleError:
    text: str
    url: str

    def is_http_status(self, base_url: str, status: int, path: str) -> bool:
        prefix = f"Failed to load resource: the server responded with a status of {status} "
        return self.text.startswith(prefix) and self.url == base_url + path


@dataclass
class Watched:
    """A page plus what it said on the console and where it sent requests."""

    page: object
    base_url: str
    console_errors: list[ConsoleError] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != LOOPBACK
        ]

    def assert_clean(self, expected_statuses: tuple[tuple[int, str], ...] = ()) -> None:
        """No console error but the listed (status, path) responses; no request off loopback.

        A listed status must have been logged: it is part of what the test checks. Chromium
        logs every 4xx/5xx response, the document's included, as a console error. The app
        declares its favicon (base.html), so Chromium asks for no /favicon.ico: a 404 there
        is an error like any other.
        """
        left = list(self.console_errors)
        for status, path in expected_statuses:
            hits = [e for e in left if e.is_http_status(self.base_url, status, path)]
            assert hits, f"expected a {status} on {path} in the console, got {left}"
            left = [e for e in left if e not in hits]
        assert left == [], f"console errors: {left}"
        assert self.requests, "no request was recorded at all"
        assert self.foreign_requests() == [], f"requests off loopback: {self.foreign_requests()}"


def open_menu(page) -> None:
    """On a phone the header's links are behind « Menu » (base.html): open it when it shows.
    Waits for the page's load first: before the stylesheet applies, the desktop header shows
    the button too, and a click decided then waits for a button the CSS has since hidden."""
    page.wait_for_load_state("load")
    button = page.locator("summary.site-menu__button")
    if button.is_visible() and page.locator("details.site-menu[open]").count() == 0:
        button.click()


def assert_no_horizontal_overflow(page) -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page is {scroll_width}px wide on a {width}px screen"


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve `app` on a free loopback port in a background thread; yields its base URL."""
    server = make_server(LOOPBACK, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="talento-live", daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def wait_for_images(page, selector: str) -> int:
    """Every <img> matching `selector` is scrolled into view (lazy ones load) and has loaded
    a real picture (complete, with a width: not a broken image). Returns how many there are."""
    from playwright.sync_api import expect

    images = page.locator(selector)
    count = images.count()
    for index in range(count):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        width = image.evaluate("img => img.naturalWidth")
        assert width > 0, f"{selector} #{index + 1} did not load ({image.get_attribute('src')})"
    page.evaluate("window.scrollTo(0, 0)")
    return count
