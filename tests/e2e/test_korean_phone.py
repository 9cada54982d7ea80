"""The main pages of every role, in Korean on a phone (390 px), as a city official meets them in the demo: nothing
wider than the screen, the portal's own words in Korean where a reader looks first (navigation, column headings,
field labels, legends, buttons, the names of stacked cells), and no axe-core violation.

The programme's own texts in the demo (titles, organisations, category names) are data and may be English; the
checked places hold only the portal's words. Set PORTAL_SHOTS to a folder to keep the screenshots."""

import os
import re

import pytest
from django.core.management import call_command

from judging.models import JudgingRound
from tests.e2e.axe import assert_no_axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-portal-2026"
SHOTS = os.environ.get("PORTAL_SHOTS")

# The texts of the places that hold only the portal's words, and the names stacked cells show on a phone.
UI_TEXTS = """() => {
  const shown = el => el.offsetParent !== null || getComputedStyle(el).position === 'fixed';
  const texts = [];
  const places = 'header nav a, header button, header label, footer, main thead th, main legend, main button, '
    + 'main .button, main label';
  for (const el of document.querySelectorAll(places)) {
    if (!shown(el) && !el.closest('thead')) continue;
    if (el.matches('label') && el.control && ['checkbox', 'radio'].includes(el.control.type)) continue;  // an option
    if (el.closest('[lang]:not(html)')) continue;  // marked as another language on purpose
    texts.push(el.innerText.trim());
  }
  for (const el of document.querySelectorAll('main td[data-label]')) texts.push(el.dataset.label);
  return [...new Set(texts)].filter(Boolean);
}"""
# Words that are the same in Korean: formats, protocols, abbreviations the Korean pages use as they are.
SAME_IN_KOREAN = {"API", "OpenAPI", "JSON", "CSV", "XLSX", "PDF", "ETag", "GET", "URL", "TOTP", "MFA", "ID"}


def _english(text: str) -> bool:
    """A text with an English word and no Korean in it."""
    words = [word for word in re.findall(r"[A-Za-z]{3,}", text) if word not in SAME_IN_KOREAN]
    return bool(words) and not re.search(r"[가-힣]", text)


def _sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base_url}/dashboard/")


def _check(page, base_url: str, url: str, tmp_path) -> None:
    response = page.goto(f"{base_url}{url}")
    assert response.status == 200, url
    assert page.evaluate("document.documentElement.lang") == "ko", url
    wide = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{url} is {wide} px wider than the phone"
    english = [text for text in page.evaluate(UI_TEXTS) if _english(text)]
    assert english == [], f"English left on {url}: {english}"
    assert_no_axe_violations(page)
    name = re.sub(r"[^a-z0-9]+", "-", url).strip("-") or "home"
    page.screenshot(path=os.path.join(SHOTS or str(tmp_path), f"ko-390-{name}.png"), full_page=True)


def test_the_main_pages_read_in_korean_on_a_phone(live_server, browser, tmp_path):
    call_command("seed_demo", "--entries", "6", "--judged-entries", "12", "--judges", "4", "--through", "published")
    category_round = JudgingRound.objects.get(edition__slug="wsca-demo", name="Category round")
    final_round = JudgingRound.objects.get(edition__slug="wsca-demo", name="Final round")
    pages = {
        None: ["/", "/accounts/login/", "/editions/seoul-2023-demo/", "/editions/seoul-2023-demo/results/",
               "/api/v1/docs"],
        "secretariat@demo.example": [
            "/e/seoul-demo/", "/e/seoul-demo/screening/", "/e/seoul-demo/judges/", "/e/seoul-demo/rounds/",
            "/e/seoul-demo/rubrics/", "/e/seoul-demo/form/", "/e/seoul-demo/roles/", "/e/seoul-demo/mail/",
            "/e/wsca-demo/", "/e/wsca-demo/judges/", f"/e/wsca-demo/rounds/{category_round.pk}/",
            f"/e/wsca-demo/scoring/rounds/{category_round.pk}/results/", "/e/seoul-2023-demo/awards/",
        ],
        "judge1@demo.example": ["/dashboard/", "/e/seoul-demo/bids/",
                                f"/e/wsca-demo/scoring/rounds/{final_round.pk}/queue/"],
        "chair@demo.example": ["/e/seoul-2023-demo/awards/deliberation/", "/e/wsca-demo/votes/"],
        "observer@demo.example": ["/e/wsca-demo/audit/"],
        "applicant@demo.example": ["/dashboard/", "/applications/", "/my-data/"],
    }
    for email, urls in pages.items():
        context = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
        context.add_cookies([{"name": "django_language", "value": "ko", "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(20_000)
        if email:
            _sign_in(page, live_server.url, email)
        for url in urls:
            _check(page, live_server.url, url, tmp_path)
        context.close()
