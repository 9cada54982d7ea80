"""Each role logs in and lands on its own dashboard; the secretariat's cockpit, the judge's queue and the screening
list's select-all work on a phone, in English and Korean, with the basic accessibility checks of test_public.py.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.mailbox import wait_for_mail
from tests.factories import PASSWORD_FOR_TESTS, ApplicationFactory, MembershipFactory
from tests.factories.scoring import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# As tests/e2e/test_public.py: landmarks, one h1, no skipped heading level, no horizontal overflow, no inline code.
CHECKS = """() => {
  const levels = [...document.querySelectorAll('main h1, main h2, main h3, main h4')].map(h => +h.tagName[1]);
  return {
    main: document.querySelectorAll('main').length, h1: document.querySelectorAll('h1').length,
    skips: levels.filter((level, i) => i > 0 && level > levels[i - 1] + 1).length,
    overflow: document.documentElement.scrollWidth > window.innerWidth,
    inline: document.querySelectorAll('script:not([src]), style, [style]').length,
    unlabelled: [...document.querySelectorAll('main input:not([type=hidden]), main select')]
      .filter(field => !field.labels?.length && !field.getAttribute('aria-label')).length,
  };
}"""
GOOD = {"main": 1, "h1": 1, "skips": 0, "overflow": False, "inline": 0, "unlabelled": 0}


def _log_in(page, base: str, user) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD_FOR_TESTS)
    page.locator("main form button[type=submit]:not(.link-button)").click()
    page.wait_for_url(f"{base}/dashboard/")


def _shot(page, name: str) -> None:
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en-GB", "ko-KR"])
def test_every_role_lands_on_its_own_dashboard_and_the_cockpit_reads_on_a_phone(live_server, browser, language):
    world = make_world(judges=2, entries=3)
    applicant = MembershipFactory(organisation=world.entries[0].organisation).user
    ApplicationFactory(organisation=world.entries[0].organisation, title="A draft of ours")
    users = {"applicant": applicant, "judge": world.judges[0].user, "secretariat": world.role("secretariat"),
             "chair": world.role("chair")}
    korean = language.startswith("ko")
    base = live_server.url
    for role, user in users.items():
        context = browser.new_context(locale=language, viewport={"width": 390, "height": 900})
        page = context.new_page()
        try:
            _log_in(page, base, user)
            assert page.evaluate(CHECKS) == GOOD, role
            queue = f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/queue/"
            assert (page.locator(f'main a[href="{queue}"]').count() == 1) is (role == "judge")
            assert (page.locator("main").get_by_text("A draft of ours").count() == 1) is (role == "applicant")
            _shot(page, f"dashboard-{role}-{language}")
            if role in ("secretariat", "chair"):
                page.goto(f"{base}/e/{world.edition.slug}/")
                assert page.evaluate(CHECKS) == GOOD, role
                remind = page.get_by_role("button", name="미제출 심사위원에게 지금 알림 보내기" if korean
                                          else "Remind judges with open reviews now")
                assert remind.count() == (1 if role == "secretariat" else 0)
                _shot(page, f"cockpit-{role}-{language}")
                if role == "secretariat":
                    remind.click()
                    expect(page.locator(".messages")).to_contain_text("2")
                    wait_for_mail(len(world.judges))
                    assert sorted(m.to[0] for m in mail.outbox) == sorted(j.user.email for j in world.judges)
            if role == "judge":
                page.locator(f'main a[href="{queue}"]').click()
                page.locator("#id_q").fill("Entry 2")
                page.locator(".queue-filters button").click()
                expect(page.locator("table.queue tbody tr")).to_have_count(1)
                assert page.evaluate(CHECKS) == GOOD
                _shot(page, f"queue-{language}")
        finally:
            context.close()


def test_select_all_ticks_every_application_of_the_page(live_server, browser):
    world = make_world(judges=1, entries=4)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        _log_in(page, live_server.url, world.role("secretariat"))
        page.goto(f"{live_server.url}/e/{world.edition.slug}/screening/")
        boxes = page.locator("input[name=applications]")
        expect(boxes).to_have_count(4)
        page.locator("#select-all").check()
        assert [boxes.nth(i).is_checked() for i in range(4)] == [True] * 4
        boxes.nth(2).uncheck()
        assert page.locator("#select-all").evaluate("box => box.indeterminate") is True
        page.locator("#select-all").click()  # from "some": every box, as a browser's tri-state box does
        assert [boxes.nth(i).is_checked() for i in range(4)] == [True] * 4
        page.locator("#select-all").click()
        assert [boxes.nth(i).is_checked() for i in range(4)] == [False] * 4
    finally:
        context.close()
