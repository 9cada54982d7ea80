"""Browser helpers: signing in through the real login page as a person does, and checking a page as shown."""

import os
import re

from tests.e2e.axe import assert_no_axe_violations
from tests.factories import PASSWORD_FOR_TESTS

SHOTS = os.environ.get("PORTAL_SHOTS")  # a folder to keep the screenshots in, to look at them


def sign_in(page, base_url: str, user) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD_FOR_TESTS)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base_url}/dashboard/")


def sign_in_at(page, base_url: str, user, url: str) -> None:
    """Open `url`, get sent to the login page, sign in, and come back to `url`."""
    page.goto(f"{base_url}{url}")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD_FOR_TESTS)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base_url}{url}")


def check_page(page, tmp_path, name: str) -> None:
    """No sideways scroll, no axe-core violation, and a full-page screenshot (in PORTAL_SHOTS when set)."""
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False, name
    assert_no_axe_violations(page)
    page.screenshot(path=str(os.path.join(SHOTS or tmp_path, f"{name}.png")), full_page=True)
