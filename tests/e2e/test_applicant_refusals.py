"""An applicant who submits after the call closed reads that the call is closed, on a phone, in English and Korean.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.models import Edition
from tests.factories import PASSWORD_FOR_TESTS, MembershipFactory
from tests.factories.submissions import ApplicationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en-GB", "ko-KR"])
def test_a_submit_after_the_close_says_the_call_is_closed(live_server, browser, language):
    membership = MembershipFactory(user__email="owner@alpha.example")
    application = ApplicationFactory(organisation=membership.organisation, title="Alpha project")
    edit = f"/applications/{application.pk}/edit/"
    korean = language.startswith("ko")
    context = browser.new_context(locale=language, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/?next={edit}")
        page.locator("input[name=login]").fill("owner@alpha.example")
        page.locator("input[name=password]").fill(PASSWORD_FOR_TESTS)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{live_server.url}{edit}")
        page.locator("#id_title").fill("Alpha project, final")
        # The call closes while the page is open.
        Edition.objects.filter(pk=application.edition_id).update(
            opens_at=datetime(2026, 3, 1, tzinfo=UTC), closes_at=datetime(2026, 5, 31, 14, 59, tzinfo=UTC))
        page.locator("button[data-submit-once]").click()
        page.wait_for_load_state("load")
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("heading")).to_have_text("공모가 마감되었습니다" if korean else "The call is closed")
        expect(summary).to_contain_text("(Asia/Seoul)")
        expect(summary).not_to_contain_text("Correct the fields")
        expect(page.locator("#id_title")).to_have_value("Alpha project, final")
        assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
        if shots := os.environ.get("SCREENSHOT_DIR"):
            page.screenshot(path=str(Path(shots) / f"applicant-closed-{language}-390.png"), full_page=False)
    finally:
        context.close()
