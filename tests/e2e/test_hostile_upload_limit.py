"""A file over the limit: refused in the browser before the form is sent (the text is kept and can be saved); sent
anyway (no JavaScript check), the server's 413 page in the layout, English and Korean, at 390 px, no axe violation,
and Back returns to the form as it was.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from submissions.models import Application
from tests.e2e.axe import assert_no_axe_violations
from tests.factories import PASSWORD_FOR_TESTS, MembershipFactory
from tests.factories.submissions import ApplicationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in_and_edit(browser, live_server, language: str):
    membership = MembershipFactory(user__email="owner@alpha.example")
    application = ApplicationFactory(organisation=membership.organisation, title="Alpha project")
    edit = f"/applications/{application.pk}/edit/"
    context = browser.new_context(locale=language, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/?next={edit}")
    page.locator("input[name=login]").fill("owner@alpha.example")
    page.locator("input[name=password]").fill(PASSWORD_FOR_TESTS)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}{edit}")
    return application, context, page


def test_a_file_over_the_limit_is_refused_in_the_browser_and_the_text_still_saves(live_server, browser,
                                                                                    monkeypatch):
    monkeypatch.setattr("submissions.attachments.MAX_ATTACHMENT_BYTES", 4096)
    application, context, page = _log_in_and_edit(browser, live_server, "en-GB")
    try:
        page.locator("#id_title").fill("Alpha project, with a plan")
        page.locator("#id_file").set_input_files(
            {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * 10_000})
        note = page.locator("#id_file-too-large")
        expect(note).to_have_text("“plan.pdf” is larger than 4.0\u00a0KB and was not added. Choose a smaller file; "
                                  "the rest of the form is kept.")
        assert page.locator("#id_file").evaluate("input => input.files.length") == 0
        expect(page.locator("#id_file")).to_have_attribute("aria-invalid", "true")
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_load_state("load")
        assert Application.objects.get(pk=application.pk).title == "Alpha project, with a plan"
    finally:
        context.close()


@pytest.mark.parametrize(("language", "heading"), [("en-GB", "What you sent is too large"),
                                                    ("ko-KR", "보내신 내용이 너무 큽니다")])
def test_a_request_over_the_cap_gets_the_413_page_and_back_keeps_the_form(live_server, browser, settings,
                                                                           language, heading):
    settings.PORTAL_UPLOAD_MAX_BYTES = 2048
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    application, context, page = _log_in_and_edit(browser, live_server, language)
    try:
        page.locator("#id_title").fill("Typed before the upload")
        # As a browser without the script's check would send it.
        page.locator("#id_file").evaluate("input => input.removeAttribute('data-max-bytes')")
        page.locator("#id_file").set_input_files(
            {"name": "big.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * 20_000})
        with page.expect_navigation():
            page.locator("#attachments button[type=submit]").last.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
        assert_no_axe_violations(page)
        if shots := os.environ.get("SCREENSHOT_DIR"):
            page.screenshot(path=str(Path(shots) / f"request-too-large-{language}-390.png"), full_page=True)
        assert Application.objects.get(pk=application.pk).title == "Alpha project"  # nothing was read
        page.go_back()
        expect(page.locator("#id_title")).to_have_value("Typed before the upload")
    finally:
        context.close()
