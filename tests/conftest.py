import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.test import Client

from tests.factories import PASSWORD_FOR_TESTS as PASSWORD

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
_skipped_for_services: list[str] = []
_skipped_for_browser: list[str] = []


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def integration_services_missing() -> str | None:
    """Why the integration tests cannot run here, or None when PostgreSQL and Redis are configured and up."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return "DATABASE_URL does not point at PostgreSQL"
    if not redis_url.startswith("redis://"):
        return "REDIS_URL is not set"
    if not _reachable(database_url, 5432):
        return f"PostgreSQL at {urlparse(database_url).netloc} is not reachable"
    if not _reachable(redis_url, 6379):
        return f"Redis at {urlparse(redis_url).netloc} is not reachable"
    return None


@pytest.hookimpl(trylast=True)  # after `-m` has deselected: only the tests that would run are said to be skipped
def pytest_collection_modifyitems(config, items):
    services_missing = integration_services_missing()
    if services_missing and os.environ.get("PORTAL_REQUIRE_INTEGRATION") == "1":
        # CI must run the integration tests for real; refusing beats a green run that skipped them.
        raise pytest.UsageError(f"PORTAL_REQUIRE_INTEGRATION=1 but {services_missing}")
    browser_missing = None if Path(CHROMIUM).exists() else f"no Chromium at {CHROMIUM}"
    for item in items:
        if services_missing and "integration" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=f"integration test skipped: {services_missing}"))
            _skipped_for_services.append(item.nodeid)
        if browser_missing and "e2e" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {browser_missing}"))
            _skipped_for_browser.append(item.nodeid)


def pytest_terminal_summary(terminalreporter):
    # Said loudly: a green run that skipped the integration tests is not a full run.
    for skipped, what, how in (
        (_skipped_for_services, "INTEGRATION TESTS (PostgreSQL + Redis + Celery worker)",
         "set DATABASE_URL=postgres://... and REDIS_URL=redis://... with both services up (see .ci/run)"),
        (_skipped_for_browser, "BROWSER TESTS (Playwright + Debian chromium)", "apt-get install chromium"),
    ):
        if skipped:
            terminalreporter.write_sep("!", f"SKIPPED {len(skipped)} {what}", red=True, bold=True)
            terminalreporter.write_line(f"To run them: {how}.")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Every test writes files into its own temporary private folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    storages = dict(settings.STORAGES)
    storages["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
    }
    settings.STORAGES = storages


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a page read in Korean leaves Korean active in its thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def repo_root() -> Path:
    """The project's folder, for tests that start a process in it."""
    return REPO_ROOT


@pytest.fixture
def login(client):
    """Log a user in through the real allauth login form, and return the client."""

    def _login(user, *, client: Client = client) -> Client:
        response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.content[:2000]
        return client

    return _login


@pytest.fixture
def at_once():
    """Run the callables in threads lined up by a barrier, so their requests reach the database together.

    Each thread has its own database connection (Django's are per thread) and closes it at the end. Returns the
    callables' results in order; re-raises the first exception a thread met.
    """
    from django.db import connections

    def run(*calls, timeout: float = 60):
        barrier = threading.Barrier(len(calls))
        results: list = [None] * len(calls)
        errors: list = [None] * len(calls)

        def work(index, call):
            try:
                barrier.wait(timeout=timeout)
                results[index] = call()
            except BaseException as error:  # noqa: BLE001 - handed back to the test's thread
                errors[index] = error
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(i, call), daemon=True) for i, call in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
        assert not any(thread.is_alive() for thread in threads), "a thread is still waiting (a deadlock?)"
        for error in errors:
            if error is not None:
                raise error
        return results

    return run


@contextmanager
def _tasks_to_worker(queue: str):
    """Send tasks to the real worker's queue (not in-process) until the block ends, then as before."""
    from config.celery_app import app

    previous = (app.conf.task_always_eager, app.conf.task_default_queue, app.conf.broker_url, app.conf.result_backend)
    app.conf.update(
        task_always_eager=False, task_default_queue=queue,
        broker_url=os.environ["REDIS_URL"], result_backend=os.environ["REDIS_URL"],
    )
    try:
        yield
    finally:
        app.conf.update(
            task_always_eager=previous[0], task_default_queue=previous[1],
            broker_url=previous[2], result_backend=previous[3],
        )


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker process on a queue of its own, reading the test database through Redis.

    Session-scoped: starting a worker takes a few seconds. Only integration tests ask for it (through
    `celery_worker_queue`, which sends tasks to it for one test only).
    """
    from django.conf import settings as django_settings

    from config.celery_app import app

    missing = integration_services_missing()
    if missing:
        pytest.skip(missing)
    queue = f"portal-test-{uuid.uuid4().hex[:8]}"
    database = django_settings.DATABASES["default"]
    database_url = (
        f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
    }
    log = open(REPO_ROOT / "var" / "test-celery-worker.log", "w")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "tests.celery_worker_app", "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "--loglevel=INFO", "-n", f"{queue}@%h", "--without-gossip", "--without-mingle"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        with _tasks_to_worker(queue):
            deadline = time.monotonic() + 60
            while not app.control.ping(destination=[f"{queue}@{socket.gethostname()}"], timeout=1):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"The Celery worker did not start; see {log.name}")
        yield {"queue": queue, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def celery_worker_queue(_celery_worker_process):
    """The real worker, with this test's tasks sent to it. Only for the test: a later test in the same process
    runs its tasks in-process again (a session-long switch once sent other tests' e-mails to the worker, so
    their mail outbox stayed empty, depending on the order xdist gave them)."""
    with _tasks_to_worker(_celery_worker_process["queue"]):
        yield _celery_worker_process


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    return CHROMIUM
