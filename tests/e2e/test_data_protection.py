"""Data protection's pages in a browser, in English and Korean, on a desktop and a phone: the applicant's data
page and consent before submitting, the secretariat's deletion requests and settings part. axe-clean, no
sideways scrolling at 390 px.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
from pathlib import Path

import pytest

from portal.models import ConsentAcceptance, EditionRole
from tests.e2e.axe import assert_no_axe_violations
from tests.factories import (
    ApplicationFactory,
    ConsentAcceptanceFactory,
    ConsentTextFactory,
    DeletionRequestFactory,
    EditionRoleFactory,
    MembershipFactory,
)
from tests.factories.portal import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHECKS = """() => ({
  h1: document.querySelectorAll('h1').length,
  overflow: document.documentElement.scrollWidth > window.innerWidth,
  inline: document.querySelectorAll('script:not([src]), style, [style]').length,
})"""


def _sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("load")


def _check(page, name: str, language: str, width: int) -> None:
    assert page.evaluate(CHECKS) == {"h1": 1, "overflow": False, "inline": 0}, page.url
    assert_no_axe_violations(page)
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        page.screenshot(path=str(Path(shots) / f"privacy-{name}-{language}-{width}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en-GB", "ko-KR"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_applicant_accepts_the_text_submits_and_reads_their_data_page(live_server, browser, language, width):
    membership = MembershipFactory(organisation__name="Malmö Stad", user__name="Ingrid Svensson")
    application = ApplicationFactory(organisation=membership.organisation, title="Heat shelters for Malmö")
    ConsentTextFactory(edition=application.edition, version=1,
                       text_en="We keep your application for five years after the ceremony.",
                       text_ko="시상식 후 5년간 신청서를 보관합니다.")
    ConsentAcceptanceFactory(user=membership.user, consent__edition__name="Seoul Smart City Prize 2025")
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    base = live_server.url
    korean = language.startswith("ko")
    try:
        _sign_in(page, base, membership.user)
        page.goto(f"{base}/applications/{application.pk}/edit/")
        assert page.get_by_text("시상식 후 5년간" if korean else "five years after the ceremony").is_visible()
        _check(page, "edit", language, width)
        page.locator("#consent-1").check()
        page.locator("button[formaction$='/submit/']").click()
        page.wait_for_url(f"{base}/applications/{application.pk}/")
        assert ConsentAcceptance.objects.filter(application=application).count() == 1

        page.goto(f"{base}/my-data/")
        assert page.get_by_role("heading", level=1).inner_text() == ("내 정보" if korean else "My data")
        _check(page, "my-data", language, width)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en-GB", "ko-KR"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_secretariat_reads_the_requests_and_the_settings_part(live_server, browser, language, width):
    role = EditionRoleFactory(role=EditionRole.Role.SECRETARIAT, edition__state="draft")
    for n, city in enumerate(["Tallinn", "Kigali", "Medellín"]):
        membership = MembershipFactory(organisation__name=f"{city} City Government",
                                       user__email=f"contact.person{n}@{city.lower()}.example")
        ApplicationFactory(edition=role.edition, organisation=membership.organisation)
        DeletionRequestFactory(user=membership.user, reason="I have left the city's service and my colleague "
                                                             "takes over the application.")
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    base = live_server.url
    try:
        _sign_in(page, base, role.user)
        page.goto(f"{base}/deletion-requests/")
        assert page.locator("table.deletion-requests tbody tr").count() == 3
        _check(page, "requests", language, width)
        page.locator("table.deletion-requests a").first.click()
        page.wait_for_load_state("load")
        _check(page, "decide", language, width)
        page.goto(f"{base}/e/{role.edition.slug}/settings/#privacy")
        assert page.locator("#privacy textarea").count() == 2
        assert page.evaluate(CHECKS)["overflow"] is False
        shots = os.environ.get("SCREENSHOT_DIR")
        if shots:
            page.locator("#privacy").screenshot(path=str(Path(shots) / f"privacy-settings-{language}-{width}.png"))
    finally:
        context.close()
