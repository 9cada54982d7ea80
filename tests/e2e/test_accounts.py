"""The account pages (django-allauth) in Chromium: in the portal's layout and style, in English and Korean, on a
desktop and a 390 px phone, with no axe-core violation; log in, switch language on an account page, sign up.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
import re
from pathlib import Path

import pytest

from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.mailbox import wait_for_mail
from tests.factories import PASSWORD_FOR_TESTS, VerifiedUserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Colours from static/portal/css/site.css (--panel, --accent): allauth's bare layout links no stylesheet at all.
PORTAL_PANEL = "rgb(243, 245, 248)"
PORTAL_ACCENT = "rgb(11, 92, 173)"
LAYOUT = """() => ({
  header: getComputedStyle(document.querySelector('header.site-header')).backgroundColor,
  // The page's main action (a form's submit button or a link styled as a button), else the header's "Change".
  button: getComputedStyle(document.querySelector(
    'main button[type=submit]:not(.secondary):not(.danger), main a.button:not(.secondary):not(.danger)')
                           || document.querySelector('.language-form button')).backgroundColor,
  main: document.querySelectorAll('main#main').length,
  languageSwitch: document.querySelectorAll('#language-select').length,
  overflow: document.documentElement.scrollWidth > window.innerWidth,
  inlineStyles: document.querySelectorAll('style, [style]').length,
})"""


def _assert_portal_page(page, *, language: str) -> None:
    assert page.evaluate("document.documentElement.lang") == language
    assert page.evaluate(LAYOUT) == {"header": PORTAL_PANEL, "button": PORTAL_ACCENT, "main": 1, "languageSwitch": 1,
                                     "overflow": False, "inlineStyles": 0}
    assert_no_axe_violations(page)


def _log_in(page, base: str, email: str, password: str = PASSWORD_FOR_TESTS) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/dashboard/")


@pytest.mark.parametrize("locale", ["en-GB", "ko-KR"])
@pytest.mark.parametrize("width", [1280, 390])
def test_account_pages_are_styled_accessible_and_fit_a_phone(live_server, browser, locale, width):
    language = locale[:2]
    user = VerifiedUserFactory()
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    shots = os.environ.get("SCREENSHOT_DIR")
    base = live_server.url

    def visit(name: str, path: str | None = None) -> None:
        if path:
            page.goto(base + path)
        _assert_portal_page(page, language=language)
        if shots:
            page.screenshot(path=str(Path(shots) / f"{name}-{language}-{width}.png"), full_page=True)

    try:
        visit("login", "/accounts/login/")
        # Errors beside the fields, with axe checking the error state too.
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state("load")
        assert page.locator("#id_login").get_attribute("aria-invalid") == "true"
        visit("login-errors")
        visit("signup", "/accounts/signup/")
        visit("password-reset", "/accounts/password/reset/")
        page.locator("#id_email").fill(user.email)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/accounts/password/reset/done/")
        visit("password-reset-done")

        _log_in(page, base, user.email)
        visit("email", "/accounts/email/")
        visit("password-change", "/accounts/password/change/")
        visit("mfa", "/accounts/2fa/")
        page.goto(f"{base}/accounts/2fa/totp/activate/")
        page.wait_for_url(re.compile(r".*/accounts/reauthenticate/.*"))
        visit("reauthenticate")
        page.locator("#id_password").fill(PASSWORD_FOR_TESTS)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
        assert page.locator("img.qr-code").evaluate("img => img.complete && img.naturalWidth > 0")
        visit("mfa-totp-activate")
        visit("logout", "/accounts/logout/")
    finally:
        context.close()


def test_login_is_in_the_portal_style_and_the_language_switch_keeps_you_there(live_server, page):
    user = VerifiedUserFactory()
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/accounts/email/")
    styles = page.evaluate(LAYOUT)
    # Fails if allauth's own unstyled layout comes back: no header, no stylesheet, a default grey button.
    assert (styles["header"], styles["button"]) == (PORTAL_PANEL, PORTAL_ACCENT)
    assert page.get_by_role("heading", level=1).inner_text() == "Sign In"

    page.select_option("#language-select", "ko")
    page.locator(".language-form button").click()
    page.wait_for_function("document.documentElement.lang === 'ko'")
    assert page.url == f"{base}/accounts/login/?next=/accounts/email/"
    assert page.get_by_role("heading", level=1).inner_text() == "로그인"
    assert page.evaluate(LAYOUT)["button"] == PORTAL_ACCENT
    assert_no_axe_violations(page)

    page.get_by_label("이메일").fill(user.email)
    page.get_by_label("비밀번호:", exact=True).fill(PASSWORD_FOR_TESTS)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(f"{base}/accounts/email/")
    assert page.evaluate("document.documentElement.lang") == "ko"

    # Back to English from an account page: still on it.
    page.select_option("#language-select", "en")
    page.locator(".language-form button").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url == f"{base}/accounts/email/"
    assert page.get_by_role("heading", level=1).inner_text() == "Email Address"


def test_sign_up_with_the_keyboard_and_confirm_the_address(live_server, page):
    base = live_server.url
    page.goto(f"{base}/accounts/signup/")
    # Keyboard only: the skip link first, then the form in order.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.locator("#id_email").focus()
    page.keyboard.type("keyboard.user@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password1"
    page.keyboard.type("a-long-new-password-1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password2"
    page.keyboard.type("a-long-new-password-1")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/accounts/confirm-email/")
    _assert_portal_page(page, language="en")

    [verification] = wait_for_mail(1)
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", verification.body).group(1)
    page.goto(base + path)
    _assert_portal_page(page, language="en")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{base}/accounts/login/")
    _log_in(page, base, "keyboard.user@example.org", "a-long-new-password-1")
    assert page.get_by_role("button", name="Log out").is_visible()



def _totp_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time

    return f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"


@pytest.mark.parametrize(("locale", "width"), [("en-GB", 1280), ("ko-KR", 390)])
def test_two_factor_set_up_recovery_codes_and_login_with_a_code(live_server, browser, locale, width):
    language = locale[:2]
    user = VerifiedUserFactory()
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    shots = os.environ.get("SCREENSHOT_DIR")
    base = live_server.url

    def check(name: str) -> None:
        _assert_portal_page(page, language=language)
        if shots:
            page.screenshot(path=str(Path(shots) / f"{name}-{language}-{width}.png"), full_page=True)

    try:
        _log_in(page, base, user.email)
        page.goto(f"{base}/accounts/2fa/totp/activate/")
        page.locator("#id_password").fill(PASSWORD_FOR_TESTS)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
        secret = page.locator("#authenticator_secret").input_value()
        page.locator("#id_code").fill("000000" if _totp_code(secret) != "000000" else "111111")
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state("load")
        assert page.locator("#id_code").get_attribute("aria-invalid") == "true"
        check("mfa-totp-activate-error")
        page.locator("#id_code").fill(_totp_code(secret))
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/accounts/2fa/recovery-codes/")
        assert len(page.locator("#recovery_codes").input_value().split()) == 10
        check("mfa-recovery-codes")
        page.goto(f"{base}/accounts/2fa/recovery-codes/generate/")
        check("mfa-recovery-codes-generate")
        page.goto(f"{base}/accounts/2fa/")
        check("mfa-index-active")

        # Log out and in again: the second step asks for the code, in the portal's layout.
        page.goto(f"{base}/accounts/logout/")
        page.locator("main button[type=submit]").click()
        page.goto(f"{base}/accounts/login/")
        page.locator("#id_login").fill(user.email)
        page.locator("#id_password").fill(PASSWORD_FOR_TESTS)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
        check("mfa-authenticate")
        page.locator("#id_code").fill(_recovery_code(user))
        page.locator("main button[type=submit]").first.click()
        page.wait_for_url(f"{base}/dashboard/")
        page.goto(f"{base}/accounts/2fa/totp/deactivate/")
        if "/reauthenticate/" in page.url:
            check("reauthenticate-with-mfa-on")
            page.locator("main a.button.secondary").click()  # "Use authenticator app or code"
            page.wait_for_url(re.compile(r".*/accounts/2fa/reauthenticate/.*"))
            check("mfa-reauthenticate")
            page.locator("#id_code").fill(_recovery_code(user))
            page.locator("main button[type=submit]").first.click()
            page.wait_for_url(f"{base}/accounts/2fa/totp/deactivate/")
        check("mfa-totp-deactivate")
    finally:
        context.close()


def _recovery_code(user) -> str:
    """An unused recovery code (a TOTP code cannot be used twice in the same 30 seconds)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes(Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES))
    return codes.get_unused_codes()[0]
