"""Browser tests: the ASGI application (HTTP and WebSocket) served by uvicorn in a thread, driven
by Playwright in Debian's Chromium. Skipped with the reason when no browser can be had."""

import asyncio
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self):
        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from totara_messaging.asgi import application

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            ASGIStaticFilesHandler(application),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws="websockets-sansio",
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.server.install_signal_handlers = lambda: None
        self.loop = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve())

    def start(self):
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the test server stopped")
            threading.Event().wait(0.05)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def run_as_request(self, function, *args, **kwargs):
        """Runs `function` the way a view runs: in a worker thread of the server's event loop,
        so its after-commit pushes reach the sockets the server holds (any channel layer)."""
        future = asyncio.run_coroutine_threadsafe(
            sync_to_async(function, thread_sensitive=False)(*args, **kwargs), self.loop
        )
        return future.result(timeout=30)


@pytest.fixture
def asgi_server(transactional_db, settings):
    from django.db import connections

    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    # The server's threads close their connections after each request or socket call, as
    # without persistent connections: else they outlive the test and hold the test database.
    database = connections.settings["default"]
    max_age = database.get("CONN_MAX_AGE", 0)
    database["CONN_MAX_AGE"] = 0
    server = LiveServer()
    server.start()
    yield server
    server.stop()
    database["CONN_MAX_AGE"] = max_age


@pytest.fixture
def browser(monkeypatch):
    if not CHROMIUM:
        pytest.skip("no Chromium: install Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    # Playwright runs an event loop in this thread; the test's own ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, asgi_server):
    context = browser.new_context(base_url=asgi_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page, username, password="password"):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def log_out(page):
    """Leave the page, then forget the session.

    The page goes first: a live page still fetching (a block refreshed by a push) would
    otherwise get a fresh CSRF cookie after the cookies were cleared, and the next login
    form, rendered with the cookie before it, would be refused.
    """
    page.goto("about:blank")
    page.context.clear_cookies()


AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# What a page may not have: axe's two worst impacts (every rule runs; none is turned off).
BLOCKING_IMPACTS = ("critical", "serious")


def accessibility_violations(page, exclude=()):
    """axe-core's critical and serious violations on the page as it is now. `exclude`: CSS
    selectors left out of the run (each caller says why)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async (exclude) => {
            const context = exclude.length ? {include: [document], exclude: exclude.map(s => [s])}
                                           : document;
            return await axe.run(context, {resultTypes: ["violations"]});
        }""",
        list(exclude),
    )
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def assert_accessible(page, label, exclude=()):
    """Fails, listing each one, when axe finds a critical or serious violation on the page."""
    violations = accessibility_violations(page, exclude)
    if violations:
        lines = [f"{label} ({page.url}): {len(violations)} critical or serious violations"]
        for v in violations:
            targets = [", ".join(node["target"]) for node in v["nodes"][:3]]
            more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']}: {'; '.join(targets)}{more}")
        pytest.fail("\n".join(lines), pytrace=False)
