"""A secretariat sets up a whole edition in the portal alone, never in the admin: the login page (styled), a new
edition, its categories, its rubric, a judge invited by e-mail who accepts, and the call opened. The audit trail
then shows every role and rubric change."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from judging.models import Criterion, JudgeProfile, Rubric
from portal.models import AuditEntry, Edition, EditionRole
from submissions.models import Category
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.mailbox import wait_for_mail
from tests.factories import PASSWORD_FOR_TESTS, VerifiedUserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PORTAL_STYLE = """() => ({
  stylesheet: [...document.styleSheets].some(sheet => (sheet.href || '').includes('/static/portal/css/site.css')),
  header: getComputedStyle(document.querySelector('header')).backgroundColor,
  skipLink: document.querySelectorAll('a[href="#main"]').length,
})"""


def test_a_secretariat_sets_up_an_edition_without_the_admin(live_server, browser):
    organiser = VerifiedUserFactory(email="organiser@city.example", name="Organiser", is_organiser=True)
    base = live_server.url
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)

    # The login page is the portal's, styled, not allauth's bare layout.
    page.goto(f"{base}/accounts/login/")
    style = page.evaluate(PORTAL_STYLE)
    assert (style["stylesheet"], style["skipLink"]) == (True, 1)
    assert style["header"] not in ("rgba(0, 0, 0, 0)", "transparent")
    assert_no_axe_violations(page)
    page.locator("input[name=login]").fill(organiser.email)
    page.locator("input[name=password]").fill(PASSWORD_FOR_TESTS)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"{base}/dashboard/")

    # 1. The edition, from the organiser's dashboard.
    page.get_by_role("link", name="Create an edition").click()
    page.wait_for_url(f"{base}/organise/editions/new/")
    page.locator("#id_name_en").fill("Seoul Smart City Prize 2027")
    page.locator("#id_name_ko").fill("2027 서울스마트도시상")
    page.locator("#id_time_zone").select_option("Asia/Seoul")
    page.locator("#id_opens_at").fill("2026-12-01T09:00")
    page.locator("#id_closes_at").fill("2027-05-31T18:00")
    page.get_by_role("button", name="Create the edition").click()
    page.wait_for_url(f"{base}/e/seoul-smart-city-prize-2027/settings/")
    edition = Edition.objects.get(slug="seoul-smart-city-prize-2027")
    assert list(EditionRole.objects.filter(edition=edition).values_list("user__email", "role")) == [
        (organiser.email, "secretariat")]

    # 2. Two categories in one save.
    for index, (english, korean) in enumerate((("Human-centric", "인간 중심"), ("Tech-innovative", "기술 혁신"))):
        if index:
            page.get_by_role("button", name="Add another category").click()
        page.locator(f"#id_categories-{index}-name_en").fill(english)
        page.locator(f"#id_categories-{index}-name_ko").fill(korean)
        page.locator(f"#id_categories-{index}-slug").fill(english.lower())
        page.locator(f"#id_categories-{index}-position").fill(str(index))
    page.get_by_role("button", name="Save categories").click()
    expect(page.locator(".messages")).to_contain_text("Categories saved.")
    assert list(Category.objects.filter(edition=edition).order_by("position").values_list("name_en", "name_ko")) == [
        ("Human-centric", "인간 중심"), ("Tech-innovative", "기술 혁신")]

    # 3. The rubric: the edition's default, with one criterion.
    page.goto(f"{base}/e/{edition.slug}/rubrics/")
    page.get_by_label("Name (English)").fill("Seoul criteria")
    page.get_by_role("button", name="Create the rubric").click()
    page.wait_for_url(re.compile(r"/rubrics/\d+/$"))
    add = page.locator("form", has=page.get_by_role("button", name="Add the criterion"))
    add.get_by_label("Name (English)").fill("Impact")
    add.get_by_label("Name (Korean)").fill("효과")
    add.get_by_role("button", name="Add the criterion").click()
    expect(page.locator(".messages")).to_contain_text("Criterion added.")
    rubric = Rubric.objects.get(edition=edition, category=None)
    assert list(Criterion.objects.filter(rubric=rubric).values_list("name_en", "name_ko")) == [("Impact", "효과")]

    # 4. A judge, invited by e-mail, accepts and sets a password.
    page.goto(f"{base}/e/{edition.slug}/roles/")
    page.fill("#id_email", "judge@university.example")
    page.fill("#id_name", "Park Judge")
    page.select_option("#id_role", "judge")
    page.locator("section.panel button[type=submit]").click()
    expect(page.locator(".message-success")).to_have_text("Invitation sent to judge@university.example.")
    link = re.search(r"\S+/roles/invitations/\S+/", wait_for_mail(1)[-1].body).group(0)
    judge_context = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 900})
    judge_page = judge_context.new_page()
    judge_page.set_default_timeout(15_000)
    judge_page.goto(base + link.removeprefix(settings.PORTAL_BASE_URL))
    judge_page.fill("#id_password1", "a-long-enough-passphrase")
    judge_page.fill("#id_password2", "a-long-enough-passphrase")
    judge_page.locator("main form button[type=submit]").click()
    judge_page.wait_for_url(f"{base}/e/{edition.slug}/")
    assert judge_page.get_by_role("heading", level=1).inner_text() == "2027 서울스마트도시상"  # in the judge's language
    judge_context.close()
    assert JudgeProfile.objects.filter(edition=edition, user__email="judge@university.example", active=True).exists()

    # 5. The call opens, after a confirmation that says what will happen.
    page.goto(f"{base}/e/{edition.slug}/settings/")
    page.locator("#state button[name=transition]").click()
    step = page.locator("#confirm")
    expect(step).to_be_focused()
    edition.refresh_from_db()
    assert edition.state == Edition.State.DRAFT
    step.locator("button[name=transition]").click()
    page.wait_for_load_state("load")
    edition.refresh_from_db()
    assert edition.state == Edition.State.OPEN

    # The audit trail, in the portal, shows every role and rubric change.
    actions = list(AuditEntry.objects.filter(edition=edition).values_list("action", flat=True))
    for action in ("edition.create", "role.grant", "category.create", "rubric.save", "criterion.save",
                   "role_invitation.create", "edition.open"):
        assert action in actions, action
    page.goto(f"{base}/e/{edition.slug}/audit/")
    trail = page.locator("main").inner_text()
    assert "Impact" in trail and "judge@university.example" in trail
    assert_no_axe_violations(page)
    context.close()
