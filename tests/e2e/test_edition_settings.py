"""The secretariat edits an edition's settings in the browser: details and three new categories in one go, a
warning before leaving unsaved edits, and the confirmation step of closing the call, on a phone in English and Korean.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Edition
from submissions.models import Category
from tests.factories import PASSWORD_FOR_TESTS, CategoryFactory, EditionFactory, EditionRoleFactory
from tests.factories.submissions import ApplicationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGE_CHECKS = """() => ({
  h1: document.querySelectorAll('h1').length,
  skips: [...document.querySelectorAll('main h1, main h2, main h3, main h4')].map(h => +h.tagName[1])
    .filter((level, i, levels) => i > 0 && level > levels[i - 1] + 1).length,
  overflow: document.documentElement.scrollWidth > window.innerWidth,
  inline: document.querySelectorAll('script:not([src]), style, [style]').length,
  unlabelled: [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')]
    .filter(field => !field.labels || field.labels.length === 0).length,
})"""
CLEAN = {"h1": 1, "skips": 0, "overflow": False, "inline": 0, "unlabelled": 0}


def _sign_in(page, base: str, user, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD_FOR_TESTS)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}{next_url}")


def test_details_and_three_categories_in_one_visit_with_a_warning_before_leaving(live_server, page):
    edition = EditionFactory(name="Seoul Prize 2026", state=Edition.State.DRAFT)
    CategoryFactory(edition=edition, name="Human-centric", slug="human-centric", position=0)
    secretariat = EditionRoleFactory(edition=edition, role="secretariat").user
    url = f"/e/{edition.slug}/settings/"
    _sign_in(page, live_server.url, secretariat, url)

    page.locator("#id_name_en").fill("Seoul Smart City Prize 2026")
    # Two empty rows come with the page; the third is added from the keyboard.
    add = page.get_by_role("button", name="Add another category")
    add.focus()
    page.keyboard.press("Enter")
    rows = page.locator("#categories-rows > fieldset")
    expect(rows).to_have_count(4)
    expect(page.locator("#id_categories-3-name_en")).to_be_focused()
    for index, name in ((1, "Safety"), (2, "Mobility"), (3, "Green city")):
        page.locator(f"#id_categories-{index}-name_en").fill(name)
        page.locator(f"#id_categories-{index}-slug").fill(name.lower().replace(" ", "-"))
        page.locator(f"#id_categories-{index}-position").fill(str(index))

    # Leaving with unsaved edits asks first; dismissing keeps the page and everything typed.
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("link", name="Seoul Prize 2026").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url == f"{live_server.url}{url}"
    expect(page.locator("#id_name_en")).to_have_value("Seoul Smart City Prize 2026")

    # Saving the categories sends no warning, and brings the typed name back as not saved yet.
    page.get_by_role("button", name="Save categories").click()
    page.wait_for_load_state("load")
    assert dialogs == ["beforeunload"]
    assert list(Category.objects.filter(edition=edition).order_by("position").values_list("name", flat=True)) == [
        "Human-centric", "Safety", "Mobility", "Green city"]
    expect(page.get_by_text("Categories saved.")).to_be_visible()
    expect(page.locator("#id_name_en")).to_have_value("Seoul Smart City Prize 2026")
    expect(page.locator("#edition").get_by_text("Not saved yet")).to_be_visible()
    edition.refresh_from_db()
    assert edition.name == "Seoul Prize 2026"

    # A part sent back unsaved counts as an unsaved edit: leaving still asks.
    page.get_by_role("link", name="Seoul Prize 2026").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload", "beforeunload"]

    page.get_by_role("button", name="Save edition details").click()
    page.wait_for_url(f"{live_server.url}{url}#edition")
    edition.refresh_from_db()
    assert edition.name == "Seoul Smart City Prize 2026"
    # Nothing is pending now: leaving does not ask.
    page.get_by_role("link", name="Seoul Smart City Prize 2026").click()
    page.wait_for_url(f"{live_server.url}/e/{edition.slug}/")
    assert dialogs == ["beforeunload", "beforeunload"]


@pytest.mark.parametrize("language", ["en-GB", "ko-KR"])
def test_closing_the_call_on_a_phone_says_what_will_happen(live_server, browser, language):
    edition = EditionFactory(name="Seoul Prize 2026", state=Edition.State.OPEN,
                             closes_at=timezone.now() + timedelta(days=3))
    category = CategoryFactory(edition=edition, name="Human-centric", slug="human-centric")
    ApplicationFactory.create_batch(2, edition=edition, category=category, status="draft")
    ApplicationFactory(edition=edition, category=category, status="submitted")
    secretariat = EditionRoleFactory(edition=edition, role="secretariat").user
    korean = language.startswith("ko")
    context = browser.new_context(locale=language, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    shots = os.environ.get("SCREENSHOT_DIR")
    try:
        url = f"/e/{edition.slug}/settings/"
        _sign_in(page, live_server.url, secretariat, url)
        assert page.evaluate("document.documentElement.lang") == ("ko" if korean else "en")
        assert page.evaluate(PAGE_CHECKS) == CLEAN
        if shots:
            page.screenshot(path=str(Path(shots) / f"settings-{language}-390.png"), full_page=True)
        page.locator("#id_description_en").fill("Typed before closing")
        # Enter in a field presses the page's hidden default button: nothing saved, nothing lost, no state change.
        page.locator("#id_name_en").press("Enter")
        page.wait_for_load_state("load")
        expect(page.locator("#edition[data-unsaved]")).to_have_count(1)
        expect(page.locator("button[name=part][value=keep]").first).to_be_hidden()
        expect(page.locator("#id_description_en")).to_have_value("Typed before closing")
        page.locator("#state button[name=transition]").click()
        page.wait_for_load_state("load")
        step = page.locator("#confirm")
        expect(step).to_be_focused()
        expect(step).to_contain_text("초안 2건" if korean else "2 drafts have not been submitted")
        expect(step).to_contain_text("신청서 1건" if korean else "1 application has been submitted")
        expect(page.locator("#id_description_en")).to_have_value("Typed before closing")
        assert page.evaluate(PAGE_CHECKS) == CLEAN
        if shots:
            page.screenshot(path=str(Path(shots) / f"settings-close-{language}-390.png"), full_page=True)
        edition.refresh_from_db()
        assert edition.state == Edition.State.OPEN
        step.locator("button[name=transition]").click()
        page.wait_for_load_state("load")
        edition.refresh_from_db()
        assert edition.state == Edition.State.CLOSED
        expect(page.locator("#id_description_en")).to_have_value("Typed before closing")
    finally:
        context.close()
