"""The secretariat invites a judge; the judge opens the link from the e-mail, sets a password and lands on the
edition. The pages on a phone, in English and Korean, with the basic accessibility checks.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from judging.models import JudgeProfile
from portal.models import EditionRole
from tests.e2e.mailbox import wait_for_mail
from tests.factories import PASSWORD_FOR_TESTS, EditionFactory, EditionRoleFactory, RoleInvitationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHECKS = """() => {
  const levels = [...document.querySelectorAll('main h1, main h2, main h3')].map(h => +h.tagName[1]);
  const unlabelled = [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')]
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).length;
  return {
    h1: document.querySelectorAll('h1').length,
    skips: levels.filter((level, i) => i > 0 && level > levels[i - 1] + 1).length,
    unlabelled, overflow: document.documentElement.scrollWidth > window.innerWidth,
    inline: document.querySelectorAll('script:not([src]), style, [style]').length,
  };
}"""
CLEAN = {"h1": 1, "skips": 0, "unlabelled": 0, "overflow": False, "inline": 0}


def _shot(page, name: str) -> None:
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en-GB", "ko-KR"])
def test_the_secretariat_invites_a_judge_who_accepts_from_the_email(live_server, browser, language):
    edition = EditionFactory(name="Seoul Prize 2027")
    secretariat = EditionRoleFactory(edition=edition, role="secretariat", user__email="sec@example.org",
                                     user__name="Min Secretariat").user
    EditionRoleFactory(edition=edition, role="observer", user__email="observer@example.org", user__name="Oh Observer")
    korean = language.startswith("ko")
    tag = "ko" if korean else "en"

    context = browser.new_context(locale=language, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", secretariat.email)
    page.fill("input[name=password]", PASSWORD_FOR_TESTS)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/dashboard/")

    page.goto(f"{live_server.url}/e/{edition.slug}/roles/")
    assert page.evaluate("document.documentElement.lang") == tag
    assert page.evaluate(CHECKS) == CLEAN
    page.fill("#id_email", "new.judge@example.org")
    page.fill("#id_name", "Park Judge")
    page.select_option("#id_role", "judge")
    page.select_option("#id_language", tag)
    page.fill("#id_message", "Thank you for judging this year.")
    page.locator("section.panel button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator(".message-success").inner_text() == (
        "new.judge@example.org(으)로 초대를 보냈습니다." if korean else "Invitation sent to new.judge@example.org.")
    assert page.evaluate(CHECKS) == CLEAN
    _shot(page, f"roles-list-390-{tag}")
    context.close()

    # The judge's mail, read from the test mail backend the live server sends through.
    assert [message.to for message in wait_for_mail(1)] == [["new.judge@example.org"]]
    link = re.search(r"\S+/roles/invitations/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith(settings.PORTAL_BASE_URL)
    judge_context = browser.new_context(locale=language, viewport={"width": 390, "height": 900})
    page = judge_context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + link.removeprefix(settings.PORTAL_BASE_URL))
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Seoul Prize 2027 참여하기" if korean else "Join Seoul Prize 2027")
    assert page.evaluate(CHECKS) == CLEAN
    _shot(page, f"roles-accept-390-{tag}")
    assert page.locator("#id_name").input_value() == "Park Judge"
    page.fill("#id_password1", "a-long-enough-passphrase")
    page.fill("#id_password2", "a-long-enough-passphrase")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/e/{edition.slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Seoul Prize 2027"
    _shot(page, f"roles-landed-390-{tag}")
    judge_context.close()

    assert list(EditionRole.objects.filter(user__email="new.judge@example.org").values_list("role", flat=True)) == [
        "judge"]
    assert JudgeProfile.objects.filter(edition=edition, user__email="new.judge@example.org", active=True).exists()


@pytest.mark.parametrize("language", ["en-GB", "ko-KR"])
def test_the_csv_preview_and_the_dead_link_page_read_well_on_a_phone(live_server, browser, language, tmp_path):
    edition = EditionFactory(name="Seoul Prize 2027")
    secretariat = EditionRoleFactory(edition=edition, role="secretariat", user__email="sec@example.org").user
    withdrawn = RoleInvitationFactory(edition=edition, revoked_at=edition.opens_at)
    tag = "ko" if language.startswith("ko") else "en"
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("email,name,role,language\nkim@example.org,Kim Min-ji,judge,ko\n"
                        "lee@example.org,Lee,observer,en\nbroken,Nobody,king,fr\n", encoding="utf-8")
    context = browser.new_context(locale=language, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/roles/invitations/{withdrawn.token}/")
    assert page.evaluate(CHECKS) == CLEAN
    _shot(page, f"roles-withdrawn-390-{tag}")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", secretariat.email)
    page.fill("input[name=password]", PASSWORD_FOR_TESTS)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.goto(f"{live_server.url}/e/{edition.slug}/roles/csv/")
    page.set_input_files("#id_file", str(csv_file))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator(".csv-row").count() == 3
    assert page.locator(".csv-row-error").count() == 1
    assert page.evaluate(CHECKS) == CLEAN
    _shot(page, f"roles-csv-preview-390-{tag}")
    page.locator("button[name=confirm]").click()
    page.wait_for_url(f"{live_server.url}/e/{edition.slug}/roles/")
    assert sorted(message.to[0] for message in wait_for_mail(2)) == ["kim@example.org", "lee@example.org"]
    context.close()
