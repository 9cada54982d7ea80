import os
import threading

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    """On SQLite the live server's threads share the test thread's one in-memory connection, which is not safe
    for concurrent requests (a page's images load in parallel: "bad parameter or other API misuse"). There the
    live server answers one request at a time; on PostgreSQL each thread has its own connection and stays threaded."""
    from django.conf import settings
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class OneRequestAtATime(ThreadedWSGIServer):
        """Threads per connection (keep-alive stays), but the application runs for one request at a time."""

        lock = threading.Lock()

        def set_app(self, application):
            def serialised(environ, start_response):
                with self.lock:
                    response = application(environ, start_response)
                    try:
                        return list(response)  # read the whole body while the connection is ours
                    finally:
                        getattr(response, "close", lambda: None)()

            super().set_app(serialised)

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        LiveServerThread.server_class = OneRequestAtATime

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
