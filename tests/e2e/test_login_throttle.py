"""The login page when the throttle (portal.throttle) pauses a sign-in, in Chromium: the reason and the way back in,
in English and Korean, on a desktop and a 390 px phone, with no axe-core violation.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
from pathlib import Path

import pytest

from tests.e2e.axe import assert_no_axe_violations
from tests.factories import VerifiedUserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOTICE = {
    "en": ("Sign-in paused for your safety", "Too many wrong passwords for this account from your device or network."),
    "ko": ("안전을 위해 로그인이 일시 중지되었습니다", "이 기기 또는 네트워크에서 이 계정의 비밀번호가 여러 번 틀렸습니다."),
}


@pytest.mark.parametrize("locale", ["en-GB", "ko-KR"])
@pytest.mark.parametrize("width", [1280, 390])
def test_a_paused_sign_in_says_why_and_offers_the_reset_link(live_server, browser, settings, locale, width):
    settings.PORTAL_LOGIN_THROTTLE = {"pair": (2, 15), "address": (30, 15), "account": (100, 60)}
    language = locale[:2]
    user = VerifiedUserFactory()
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        for _ in range(3):
            page.locator("#id_login").fill(user.email)
            page.locator("#id_password").fill("not-the-password")
            page.locator("main button[type=submit]").click()
            page.wait_for_load_state("load")
        title, reason = NOTICE[language]
        assert page.locator("#login-throttled-title").inner_text() == title
        assert reason in page.locator(".error-summary").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
        assert_no_axe_violations(page)
        if os.environ.get("SCREENSHOT_DIR"):
            page.screenshot(path=str(Path(os.environ["SCREENSHOT_DIR"]) / f"login-throttled-{language}-{width}.png"),
                            full_page=True)
        page.locator("#login-throttled-reset").click()
        page.wait_for_url(f"{live_server.url}/accounts/password/reset/")
    finally:
        context.close()
