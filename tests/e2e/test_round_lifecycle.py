"""The secretariat opens a round through its confirmation page, closes it through its confirmation page, and the
edition stands in deliberation; on a phone, in English and in Korean.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from judging.models import JudgingRound
from portal.models import Edition
from tests.e2e.test_public import ACCESSIBILITY
from tests.factories import PASSWORD_FOR_TESTS, EditionRoleFactory
from tests.factories.scoring import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _checked(page, name: str, shots: Path | None) -> None:
    checks = page.evaluate(ACCESSIBILITY)
    assert {key: checks[key] for key in ("main", "banner", "h1", "skips", "noAlt", "overflow", "inline")} == {
        "main": 1, "banner": 1, "h1": 1, "skips": 0, "noAlt": 0, "overflow": False, "inline": 0}, name
    if shots:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("language", "width"), [("en-GB", 390), ("ko-KR", 390), ("en-GB", 1280)])
def test_open_and_close_a_round_through_their_confirmation_pages(live_server, browser, language, width):
    world = make_world(judges=2, entries=2, state=JudgingRound.State.ASSIGNING, edition_state="screening")
    secretariat = EditionRoleFactory(edition=world.edition, role="secretariat").user
    base, slug, pk = live_server.url, world.edition.slug, world.round.pk
    shots = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None
    tag = f"{language[:2]}-{width}"
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{base}/e/{slug}/rounds/{pk}/")
        page.wait_for_url(re.compile(r"/accounts/login/"))
        page.locator("input[name=login]").fill(secretariat.email)
        page.locator("input[name=password]").fill(PASSWORD_FOR_TESTS)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{base}/e/{slug}/rounds/{pk}/")

        # Opening: a link to a page that says what happens; the box must be ticked.
        page.locator(f"a[href='/e/{slug}/rounds/{pk}/open/']").click()
        page.wait_for_url(f"{base}/e/{slug}/rounds/{pk}/open/")
        expect(page.locator(".confirm-what li").first).to_contain_text("2")
        _checked(page, f"round-open-{tag}", shots)
        page.locator("input[name=confirm]").check()
        page.locator("form.confirm-form button[type=submit]").click()
        page.wait_for_url(f"{base}/e/{slug}/rounds/{pk}/")
        world.round.refresh_from_db()
        assert world.round.state == JudgingRound.State.OPEN
        assert Edition.objects.get(pk=world.edition.pk).state == Edition.State.JUDGING

        # Closing: from the results page, a link to the page that counts the missing reviews.
        page.goto(f"{base}/e/{slug}/scoring/rounds/{pk}/results/")
        page.locator(f"a[href='/e/{slug}/scoring/rounds/{pk}/close/']").click()
        page.wait_for_url(f"{base}/e/{slug}/scoring/rounds/{pk}/close/")
        expect(page.locator(".confirm-what li").first).to_contain_text("4")
        _checked(page, f"round-close-{tag}", shots)
        page.locator("input[name=confirm]").check()
        page.locator("form.confirm-form button[type=submit]").click()
        page.wait_for_url(f"{base}/e/{slug}/scoring/rounds/{pk}/results/")
        assert Edition.objects.get(pk=world.edition.pk).state == Edition.State.DELIBERATION

        # The edition's page shows it in deliberation.
        page.goto(f"{base}/e/{slug}/")
        expect(page.locator(".stage-steps [aria-current=step]")).to_have_text(
            "심의" if language.startswith("ko") else "Deliberation")
        _checked(page, f"workspace-{tag}", shots)
    finally:
        context.close()
