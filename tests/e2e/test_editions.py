"""An organiser creates next year's edition in the browser by copying the demo-shaped one, on a phone, in English and
Korean: the address is suggested from the name, a mistake keeps what was typed, and the copy lands on its settings.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
import re
from pathlib import Path

import pytest

from judging.models import JudgingRound, PrizeTier
from portal.models import Edition, EditionRole
from submissions.models import Application, Category
from tests.factories import PASSWORD_FOR_TESTS, EditionRoleFactory, QuestionFactory, VerifiedUserFactory
from tests.factories.public import published_edition

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The basics an axe-core run checks first (as tests/e2e/test_public.py): landmarks, one h1, no skipped heading
# level, labels on every field, no inline script or style, nothing wider than the screen.
CHECKS = """() => {
  const levels = [...document.querySelectorAll('main h1, main h2, main h3, main h4')].map(h => +h.tagName[1]);
  const fields = [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')];
  return {
    main: document.querySelectorAll('main').length, banner: document.querySelectorAll('header.site-header').length,
    h1: document.querySelectorAll('h1').length,
    skips: levels.filter((level, i) => i > 0 && level > levels[i - 1] + 1).length,
    unlabelled: fields.filter(f => !f.labels || f.labels.length === 0).length,
    overflow: document.documentElement.scrollWidth > window.innerWidth,
    inline: document.querySelectorAll('script:not([src]), style, [style]').length,
  };
}"""
CLEAN = {"main": 1, "banner": 1, "h1": 1, "skips": 0, "unlabelled": 0, "overflow": False, "inline": 0}


@pytest.mark.parametrize("language", ["en-GB", "ko-KR"])
def test_an_organiser_copies_the_demo_shaped_edition_on_a_phone(live_server, browser, language):
    last = published_edition()  # Seoul-shaped: two categories of 1 gold, 2 silver, 3 bronze; awards; entries
    QuestionFactory(edition=last.edition, key="summary_note", label_en="Summary", help_text_en="What the project does.")
    organiser = VerifiedUserFactory(is_organiser=True)
    EditionRoleFactory(edition=last.edition, user=organiser, role=EditionRole.Role.SECRETARIAT)
    korean = language.startswith("ko")
    shots = os.environ.get("SCREENSHOT_DIR")
    context = browser.new_context(locale=language, viewport={"width": 390, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/organise/editions/new/")
        page.locator("input[name=login]").fill(organiser.email)
        page.locator("input[name=password]").fill(PASSWORD_FOR_TESTS)
        page.locator("input[name=password]").press("Enter")
        page.wait_for_url(re.compile(r"/organise/editions/new/$"))
        assert page.evaluate("document.documentElement.lang") == ("ko" if korean else "en")
        assert page.locator("h1").inner_text() == ("회차 만들기" if korean else "Create an edition")
        assert page.evaluate(CHECKS) == CLEAN

        page.locator("#id_name_en").fill("Seoul Smart City Prize 2027")
        assert page.locator("#id_slug").input_value() == "seoul-smart-city-prize-2027"  # suggested from the name
        page.locator("#id_programme_en").fill("Seoul Smart City Prize")
        page.locator("#id_time_zone").select_option("Asia/Seoul")
        page.locator("#id_opens_at").fill("2027-03-01T09:00")
        page.locator("#id_closes_at").fill("2027-02-01T18:00")  # before the opening: refused, all kept
        page.locator("#id_copy_from").select_option(str(last.edition.pk))
        if shots:
            page.screenshot(path=str(Path(shots) / f"edition-create-{language}-390.png"), full_page=True)
        page.locator("button[type=submit]", has_text="회차 만들기" if korean else "Create the edition").click()
        page.wait_for_load_state("load")
        error = page.locator("#id_closes_at ~ .errorlist")
        assert error.inner_text() == ("마감 시각은 시작 시각보다 뒤여야 합니다." if korean
                                      else "The closing time must come after the opening time.")
        assert page.locator("#id_name_en").input_value() == "Seoul Smart City Prize 2027"
        assert page.locator("#id_copy_from").input_value() == str(last.edition.pk)
        assert page.evaluate(CHECKS) == CLEAN
        if shots:
            page.screenshot(path=str(Path(shots) / f"edition-create-error-{language}-390.png"), full_page=True)

        page.locator("#id_closes_at").fill("2027-05-31T18:00")
        page.locator("button[type=submit]", has_text="회차 만들기" if korean else "Create the edition").click()
        page.wait_for_url(re.compile(r"/e/seoul-smart-city-prize-2027/settings/$"))
        assert ("구성으로 초안으로 만들어졌고" if korean else "is created as a draft with the set-up of") in (
            page.locator(".messages").inner_text())
        if shots:
            page.screenshot(path=str(Path(shots) / f"edition-created-{language}-390.png"), full_page=True)
    finally:
        context.close()

    new = Edition.objects.get(slug="seoul-smart-city-prize-2027")
    assert (new.state, new.time_zone, new.opens_at.isoformat()) == ("draft", "Asia/Seoul", "2027-03-01T00:00:00+00:00")
    assert list(Category.objects.filter(edition=new).values_list("slug", flat=True)) == [
        "human-centric", "tech-innovative"]
    assert list(PrizeTier.objects.filter(category__edition=new).values_list("level", "places")) == [
        ("gold", 1), ("silver", 2), ("bronze", 3)] * 2
    assert list(JudgingRound.objects.filter(edition=new).values_list("state", flat=True)) == ["scheduled"]
    assert Application.objects.filter(edition=new).count() == 0
