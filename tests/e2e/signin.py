"""Signing in through the real login page, as a person does, landing on the dashboard."""

from tests.factories import PASSWORD_FOR_TESTS


def sign_in(page, base_url: str, user) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD_FOR_TESTS)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base_url}/dashboard/")
