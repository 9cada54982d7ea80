"""The secretariat builds the application form in the browser (the default form, then a choice and a question shown
only on one of its answers), and an applicant applies through it: the conditional question appears when the
answer says so, and the submitted snapshot holds both answers. The builder and the form are checked at 390 px.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from submissions.models import Application, Question
from tests.e2e.test_edition_settings import CLEAN, PAGE_CHECKS, _sign_in
from tests.factories import CategoryFactory, EditionRoleFactory, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEFAULT_TEXTS = ["summary", "problem", "solution", "impact_evidence", "inclusiveness", "scalability", "resources"]


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_the_secretariat_builds_a_conditional_question_and_an_applicant_answers_it(live_server, browser):
    category = CategoryFactory(name="Human-centric", slug="human-centric", edition__name="Seoul Prize 2026")
    edition = category.edition
    secretariat = EditionRoleFactory(edition=edition, role="secretariat").user
    base = live_server.url

    # --- the secretariat, on a phone --------------------------------------------------------------------------
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(60_000)  # a loaded machine: the first page may take long
    _sign_in(page, base, secretariat, f"/e/{edition.slug}/form/")
    page.get_by_role("button", name="Use the default form and edit it").click()
    expect(page.locator(".question-card")).to_have_count(8)

    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Type").select_option("choice")
    page.get_by_label("Label (English)").fill("Do you work with partners abroad?")
    page.get_by_label("Label (Korean)").fill("해외 협력 기관이 있습니까?")
    page.get_by_label("Choices, one per line (English)").fill("Yes\nNo")
    page.get_by_label("Choices, one per line (Korean)").fill("예\n아니요")
    page.get_by_label("Required to submit").check()
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator(".messages")).to_contain_text("saved")

    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Type").select_option("short_text")
    page.get_by_label("Label (English)").fill("In which countries?")
    page.get_by_label("Required to submit").check()
    page.get_by_label("Shown only if question").select_option("do_you_work_with_partners_abroad")
    page.get_by_label("Value that shows this question").fill("Yes")
    assert page.evaluate(PAGE_CHECKS) == CLEAN
    _shot(page, "question-edit-390")
    page.get_by_role("button", name="Save the question").click()
    card = page.locator(".question-card").last
    expect(card).to_contain_text("Shown only if “Do you work with partners abroad?” equals “Yes”.")
    assert page.evaluate(PAGE_CHECKS) == CLEAN
    _shot(page, "form-builder-390")

    # The move buttons work from the keyboard: "partners" goes below the new choice question.
    move_down = page.get_by_role("button", name="Move down: Partners")
    move_down.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".question-card h2").nth(8)).to_contain_text("Partners")
    context.close()

    # --- an applicant applies through the form --------------------------------------------------------------
    applicant = MembershipFactory(organisation__name="Smallville", organisation__kind="city").user
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(60_000)  # a loaded machine: the first page may take long
    _sign_in(page, base, applicant, "/apply/")
    page.get_by_label("Human-centric").check()
    page.get_by_role("button", name="Start the application").click()
    application = Application.objects.get(organisation__name="Smallville")
    page.wait_for_url(f"{base}/applications/{application.pk}/edit/")

    conditional = page.get_by_label("In which countries?")
    expect(conditional).to_be_hidden()
    page.locator("#id_title").fill("River sensors")
    for key in DEFAULT_TEXTS:
        page.locator(f"#id_{key}").fill(f"Our {key.replace('_', ' ')}.")
    page.locator("#id_stage").select_option("pilot")
    page.get_by_label("No", exact=True).check()
    expect(conditional).to_be_hidden()
    page.get_by_label("Yes", exact=True).check()
    expect(conditional).to_be_visible()
    conditional.fill("Kenya, Rwanda")
    assert page.evaluate(PAGE_CHECKS) == CLEAN
    _shot(page, "application-form-390")
    page.get_by_role("button", name="Submit the application").click()
    page.wait_for_url(f"{base}/applications/{application.pk}/")
    expect(page.locator(".messages")).to_contain_text("Application submitted")
    expect(page.locator(".application-content")).to_contain_text("Kenya, Rwanda")

    snapshot = application.snapshots.get()
    answers = {item["key"]: item.get("value") for item in snapshot.data["answers"]}
    assert answers["do_you_work_with_partners_abroad"] == "Yes"
    assert answers["in_which_countries"] == "Kenya, Rwanda"
    assert Question.objects.get(edition=edition, key="in_which_countries").condition_key == (
        "do_you_work_with_partners_abroad")
    context.close()
