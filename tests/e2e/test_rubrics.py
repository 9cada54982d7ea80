"""The secretariat writes a category's rubric in the browser (two criteria, guidance per level, a stage profile),
reorders it from the keyboard and previews the judge's form; the pages read well on a phone in English and Korean.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from judging.models import Criterion, Rubric, StageWeight
from judging.services import rubrics as rubric_services
from portal.models import EditionRole
from tests.factories import PASSWORD_FOR_TESTS, CategoryFactory, EditionFactory, EditionRoleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The basics an axe-core run checks first (as tests/e2e/test_public.py): landmarks, one h1, no skipped heading
# level, labels on every field, no horizontal scrolling of the page, no inline script or style.
CHECKS = """() => {
  const levels = [...document.querySelectorAll('main h1, main h2, main h3, main h4')].map(h => +h.tagName[1]);
  const unlabelled = [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')]
    .filter(field => !(field.labels && field.labels.length) && !field.getAttribute('aria-label'));
  return {
    main: document.querySelectorAll('main').length, h1: document.querySelectorAll('h1').length,
    skips: levels.filter((level, i) => i > 0 && level > levels[i - 1] + 1).length,
    unlabelled: unlabelled.map(field => field.name),
    overflow: document.documentElement.scrollWidth > window.innerWidth,
    inline: document.querySelectorAll('script:not([src]), style, [style]').length,
  };
}"""
WIDEST = """() => [...document.querySelectorAll('main *')].filter(el => el.getBoundingClientRect().right >
  window.innerWidth + 1).slice(0, 5).map(el => el.tagName + '.' + el.className + '#' + (el.name || ''))"""
CLEAN = {"main": 1, "h1": 1, "skips": 0, "unlabelled": [], "overflow": False, "inline": 0}


def log_in(page, base_url: str, user) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=login]").fill(user.email)  # by name: the labels are in the browser's language
    page.locator("input[name=password]").fill(PASSWORD_FOR_TESTS)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_the_secretariat_writes_a_rubric_and_previews_the_judges_form(live_server, page):
    edition = EditionFactory()
    category = CategoryFactory(edition=edition, name="Tech-innovative")
    secretariat = EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT).user
    log_in(page, live_server.url, secretariat)

    page.goto(f"{live_server.url}/e/{edition.slug}/rounds/")
    page.get_by_role("link", name="Rubrics (the judges' criteria)").click()
    expect(page.get_by_role("heading", name="Rubrics", level=1)).to_be_visible()
    assert page.evaluate(CHECKS) == CLEAN
    page.get_by_label("Name (English)").fill("Tech-innovative criteria")
    page.get_by_label("Used for").select_option(label="Tech-innovative")
    page.get_by_role("button", name="Create the rubric").click()
    page.wait_for_url(re.compile(r"/rubrics/\d+/$"))
    rubric_url = page.url

    add = page.locator("form", has=page.get_by_role("button", name="Add the criterion"))
    for name, levels in (("Innovation", [("1", "4", "Known technology, reused"), ("5", "10", "New to cities")]),
                         ("Impact", [])):
        add.get_by_label("Name (English)").fill(name)
        add.locator("textarea[name=guidance_en]").fill(f"How strong is the {name.lower()}?")
        for index, (low, high, text) in enumerate(levels):
            level = add.locator("fieldset.rubric-level").nth(index)
            level.get_by_label("From score").fill(low)
            level.get_by_label("To score").fill(high)
            level.get_by_label("What these scores mean (English)").fill(text)
        add.get_by_role("button", name="Add the criterion").click()
        expect(page.locator(".messages")).to_contain_text("Criterion added.")
        add = page.locator("form", has=page.get_by_role("button", name="Add the criterion"))

    # Reorder from the keyboard: focus "Move up: “Impact”" and press Enter.
    page.get_by_role("button", name="Move up: “Impact”").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Order saved.")
    assert page.locator(".rubric-criteria h3").all_inner_texts() == ["Impact", "Innovation"]

    # A stage profile: at the concept stage innovation weighs three times impact.
    page.get_by_label("Weight of “Innovation” for the “Concept” stage").fill("3")
    page.get_by_role("button", name="Save the weights").click()
    expect(page.locator(".messages")).to_contain_text("Weights per development stage saved.")
    rows = page.locator("table.rubric-weights tbody tr")
    assert rows.nth(0).locator(".share").all_inner_texts() == ["25 %", "50 %", "50 %", "50 %"]
    assert rows.nth(1).locator(".share").all_inner_texts() == ["75 %", "50 %", "50 %", "50 %"]
    assert page.evaluate(CHECKS) == CLEAN

    rubric = Rubric.objects.get(category=category)
    assert list(Criterion.objects.filter(rubric=rubric).order_by("position").values_list("name", flat=True)) == [
        "Impact", "Innovation"]
    assert list(StageWeight.objects.values_list("criterion__name", "stage", "weight")) == [
        ("Innovation", "concept", 3)]

    page.get_by_role("link", name="Preview the judge's form").click()
    page.wait_for_url(f"{rubric_url}preview/")
    assert page.locator(".criterion legend").all_inner_texts() == ["Impact", "Innovation"]
    assert page.locator(".criterion-levels").inner_text().split("\n") == [
        "1–4", "Known technology, reused", "5–10", "New to cities"]
    assert page.get_by_label("Score for Innovation (1–10)").is_disabled()
    assert page.evaluate(CHECKS) == CLEAN


@pytest.mark.parametrize("language", ["en-GB", "ko-KR"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_rubric_pages_read_well_on_a_phone_and_a_desktop(live_server, browser, language, width):
    edition = EditionFactory()
    CategoryFactory(edition=edition, name="Human-centric")
    user = EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT).user
    rubric = rubric_services.rubric_save(rubric=Rubric(edition=edition, name="Awards criteria"), user=None)
    for position, (name, levels) in enumerate((
            ("Citizen impact", [{"score_from": 1, "score_to": 3, "description": "Anecdotes only"},
                                {"score_from": 8, "score_to": 10, "description": "Measured across districts"}]),
            ("Feasibility and cost", []))):
        rubric_services.criterion_save(criterion=Criterion(
            rubric=rubric, name=name, guidance="Evidence from the pilot.", position=position, levels=levels), user=None)
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    shots = os.environ.get("SCREENSHOT_DIR")
    base = f"{live_server.url}/e/{edition.slug}/rubrics/"
    pages = (("list", base), ("detail", f"{base}{rubric.pk}/"), ("preview", f"{base}{rubric.pk}/preview/"),
             ("frozen", f"{base}{rubric.pk}/"))
    try:
        log_in(page, live_server.url, user)
        for name, url in pages:
            if name == "frozen":
                rubric_services.rubric_freeze(rubric=rubric)
            page.goto(url)
            assert page.evaluate("document.documentElement.lang") == language[:2]
            checks, widest = page.evaluate(CHECKS), page.evaluate(WIDEST)
            if shots:
                page.screenshot(path=str(Path(shots) / f"rubric-{name}-{language}-{width}.png"), full_page=True)
            assert checks == CLEAN, (name, widest)
        assert page.locator("#read-only").is_visible()
        assert page.locator("form[action$='/move/']").count() == 0
    finally:
        context.close()
