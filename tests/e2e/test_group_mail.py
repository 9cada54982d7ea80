"""Mail to a group in Chromium, in English and Korean, at 390 px and 1280 px: from the cockpit to the compose page,
a preview stepped through, sent, and the mail's page with each recipient sent; no axe-core violation, no sideways
scroll. Set SCREENSHOT_DIR to keep the screenshots."""

import os
from pathlib import Path

import pytest
from django.core import mail

from judging.models import GroupMail
from tests.e2e.axe import assert_no_axe_violations
from tests.factories import PASSWORD_FOR_TESTS
from tests.factories.group_mail import mail_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _eager_tasks():
    """The live server sends in-process (the embedded default), even after an integration test started a worker."""
    from config.celery_app import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


def _shot(page, name: str) -> None:
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(("language", "width"), [("en-GB", 390), ("ko-KR", 390), ("en-GB", 1280)])
def test_the_secretariat_writes_to_a_group_previews_and_sends(live_server, browser, language, width):
    world = mail_world()
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", world.secretariat.email)
    page.fill("input[name=password]", PASSWORD_FOR_TESTS)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/dashboard/")
    slug = world.edition.slug
    korean = language.startswith("ko")
    tag = f"{width}-{language}"

    page.goto(f"{live_server.url}/e/{slug}/")
    page.locator(f"a[href='/e/{slug}/mail/']").click()
    page.wait_for_url(f"{live_server.url}/e/{slug}/mail/")
    page.locator(f"a[href='/e/{slug}/mail/new/']").first.click()
    assert page.locator("h1").inner_text() == ("그룹에 메일 쓰기" if korean else "Write to a group")
    page.check("input[name=statuses][value=submitted]")
    page.check("input[name=statuses][value=eligible]")
    page.select_option("select[name=template]", str(world.template.pk))
    page.locator("form.mail-filter button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#recipients-heading").inner_text() == ("수신자 3명" if korean else "3 recipients")
    assert page.locator("form.mail-filter input[name=statuses][value=eligible]").is_checked()  # the filter kept
    assert _fits(page)
    assert_no_axe_violations(page)
    _shot(page, f"group-mail-compose-{tag}")
    page.locator(".mail-steps a").last.click()
    page.wait_for_load_state("load")
    assert "님께 소식" in page.locator(".mail-preview").inner_text()  # the second recipient reads Korean
    page.locator("form.confirm-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/e/{slug}/mail/*/")
    page.reload()
    assert page.locator(".mail-state-sent").count() == 3
    assert _fits(page)
    assert_no_axe_violations(page)
    _shot(page, f"group-mail-detail-{tag}")
    assert GroupMail.objects.count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["eligible0@applicant.example", "submitted0@applicant.example",
                                                    "submitted1@applicant.example"]

    page.goto(f"{live_server.url}/e/{slug}/mail/")
    assert _fits(page)
    assert_no_axe_violations(page)
    _shot(page, f"group-mail-log-{tag}")
    page.goto(f"{live_server.url}/e/{slug}/mail/templates/")
    assert _fits(page)
    assert_no_axe_violations(page)
    _shot(page, f"group-mail-templates-{tag}")
    page.goto(f"{live_server.url}/e/{slug}/mail/templates/{world.template.pk}/")
    page.fill("input[name=subject_en]", "Hello {nmae}")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    assert page.locator("input[name=subject_en]").input_value() == "Hello {nmae}"
    assert "{nmae}" in page.locator(".errorlist").first.inner_text()
    assert _fits(page)
    assert_no_axe_violations(page)
    _shot(page, f"group-mail-template-{tag}")
    context.close()
