"""The outbox page in Chromium on a 390 px phone, in English and Korean: no axe-core violation, no sideways
scroll, and the secretariat's "Try again" sends the failed e-mail. Set SCREENSHOT_DIR to keep the screenshots."""

import os
from pathlib import Path

import pytest
from django.core import mail

from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.signin import sign_in
from tests.factories import EditionFactory, EditionRoleFactory
from worker.models import OutboxMessage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _eager_tasks():
    """The live server sends in-process (the embedded default), even after an integration test started a worker."""
    from config.celery_app import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.mark.parametrize("language", ["en-GB", "ko-KR"])
def test_the_secretariat_sees_and_retries_a_failed_email_on_a_phone(live_server, browser, language):
    edition = EditionFactory(name="Seoul Prize 2027")
    secretariat = EditionRoleFactory(edition=edition, role="secretariat").user
    failed = OutboxMessage.objects.create(
        kind="email", task_name="worker.send_email", recipient="a.very.long.judge.address@example.org",
        subject="Your entries to judge in Round 1", body="…", edition=edition, state="failed", attempts=6,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed " + "x" * 120)
    OutboxMessage.objects.create(task_name="judging.assign_round", kwargs={"run_id": 1}, edition=edition,
                                 attempts=3, last_error="OperationalError: Error 111 connecting to 127.0.0.1:6379.")
    context = browser.new_context(locale=language, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, secretariat)
    page.goto(f"{live_server.url}/e/{edition.slug}/")
    page.locator(f"a[href='/e/{edition.slug}/outbox/']").click()
    page.wait_for_url(f"{live_server.url}/e/{edition.slug}/outbox/")
    korean = language.startswith("ko")
    assert page.locator("h1").inner_text() == ("발송함" if korean else "Outbox")
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    assert_no_axe_violations(page)
    _shot(page, f"outbox-390-{language}")
    page.locator("form button[type=submit]", has_text="다시 시도" if korean else "Try again").click()
    page.wait_for_load_state("load")
    assert page.locator(".message-success").count() == 1
    assert_no_axe_violations(page)
    failed.refresh_from_db()
    assert failed.state == "done"
    assert [m.to for m in mail.outbox] == [["a.very.long.judge.address@example.org"]]
    context.close()


def _shot(page, name: str) -> None:
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
