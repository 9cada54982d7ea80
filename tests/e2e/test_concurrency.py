"""Two tabs of one judge in Chromium at 390 px: the older tab's save is refused on a page that keeps its text, says
when the other tab saved, shows the saved review beside it, and has no axe-core violation.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
from pathlib import Path

import pytest

from judging.models import Review
from tests.e2e.axe import assert_no_axe_violations
from tests.factories import PASSWORD_FOR_TESTS
from tests.factories.scoring import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("locale", ["en-GB", "ko-KR"])
def test_the_older_tabs_save_is_refused_with_its_text_kept_on_a_phone(live_server, browser, locale):
    world = make_world(judges=1, entries=1)
    judge = world.judges[0].user
    url = f"{live_server.url}/scoring/assignments/{world.assignment(0, 0).pk}/"
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 900})
    first, second = context.new_page(), context.new_page()  # one session, two tabs
    first.set_default_timeout(15_000)
    second.set_default_timeout(15_000)
    first.goto(f"{live_server.url}/accounts/login/")
    first.locator("#id_login").fill(judge.email)
    first.locator("#id_password").fill(PASSWORD_FOR_TESTS)
    first.locator("main button[type=submit]").click()
    first.wait_for_url(f"{live_server.url}/dashboard/")
    for tab in (first, second):
        tab.goto(url)
    first.locator("#id_committee_comment").fill("Written in the first tab")
    first.locator("button[name=action][value=save]").click()
    first.wait_for_load_state()
    second.locator("#id_committee_comment").fill("Written in the second tab")
    second.locator("button[name=action][value=save]").click()
    second.wait_for_selector("#error-summary")
    summary = second.locator("#error-summary").inner_text()
    assert ("saved in another tab or window" if locale == "en-GB" else "다른 탭이나 창에서 저장되었습니다") in summary
    assert "Written in the first tab" in summary  # the saved review, to compare
    assert second.locator("#id_committee_comment").input_value() == "Written in the second tab"
    assert second.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    assert_no_axe_violations(second)
    if os.environ.get("SCREENSHOT_DIR"):
        second.screenshot(path=str(Path(os.environ["SCREENSHOT_DIR"]) / f"review-stale-{locale}.png"), full_page=True)
    assert Review.objects.get().committee_comment == "Written in the first tab"
    context.close()
