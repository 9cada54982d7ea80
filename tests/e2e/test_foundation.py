import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_demo_judge_logs_in_switches_to_korean_and_reaches_the_edition(live_server, page):
    call_command("seed_demo", "--entries", "20", "--judged-entries", "0")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill("judge1@demo.example")
    page.get_by_label("Password").fill("demo-portal-2026")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="Seoul Smart City Prize (demo)").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Seoul Smart City Prize (demo)"

    page.select_option("#language-select", "ko")
    page.locator(".language-form button").click()
    page.wait_for_load_state("load")
    page.wait_for_function("document.documentElement.lang === 'ko'")
    assert page.get_by_role("link", name="내 대시보드").is_visible()
    # No inline script or style: the strict CSP reports nothing.
    assert page.evaluate("document.querySelectorAll('script:not([src]), style, [style]').length") == 0
