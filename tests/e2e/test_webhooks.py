"""The webhooks pages in Chromium on a 390 px phone and at 1280 px, in English and Korean: no axe-core violation,
no sideways scroll; the secretariat adds a webhook (a refused address keeps what was typed) and reads a failed
delivery. Set SCREENSHOT_DIR to keep the screenshots."""

import os
from pathlib import Path

import pytest

from portal.models import Webhook, WebhookDelivery
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.signin import sign_in
from tests.factories import EditionFactory, EditionRoleFactory, WebhookDeliveryFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("language", "width"), [("en-GB", 390), ("ko-KR", 390), ("en-GB", 1280)])
def test_the_secretariat_adds_a_webhook_and_reads_its_deliveries(live_server, browser, language, width):
    edition = EditionFactory(name="Seoul Prize 2027")
    secretariat = EditionRoleFactory(edition=edition, role="secretariat").user
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, secretariat)
    page.goto(f"{live_server.url}/e/{edition.slug}/")
    page.locator(f"a[href='/e/{edition.slug}/webhooks/']").click()
    page.wait_for_url(f"{live_server.url}/e/{edition.slug}/webhooks/")
    korean = language.startswith("ko")
    assert page.locator("h1").inner_text() == ("웹훅" if korean else "Webhooks")
    assert_no_axe_violations(page)
    # A local address is refused with a message; the address and the ticked event stay as typed.
    page.fill("input[name=url]", "https://127.0.0.1/hook")
    page.locator("input[name=events][value='round.closed']").check()
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    assert page.locator("div.errorlist[role=alert]").count() == 1
    assert "127.0.0.1" in page.locator("div.errorlist[role=alert]").inner_text()
    assert page.locator("input[name=url]").input_value() == "https://127.0.0.1/hook"
    assert page.locator("input[name=events][value='round.closed']").is_checked()
    assert not Webhook.objects.exists()
    _shot(page, f"webhooks-refused-{width}-{language}")
    webhook_url = "https://hooks.city-hall-of-a-long-name.example.org/award-portal/receive?token=abcdef0123456789"
    delivery = WebhookDeliveryFactory(webhook__edition=edition, webhook__url=webhook_url,
                                      state=WebhookDelivery.State.FAILED, attempts=8, last_status_code=503,
                                      last_error="The receiver answered 503. " + "x" * 200)
    page.goto(f"{live_server.url}/e/{edition.slug}/webhooks/{delivery.webhook.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    assert_no_axe_violations(page)
    _shot(page, f"webhook-detail-{width}-{language}")
    page.locator("form button[type=submit]", has_text="다시 시도" if korean else "Try again").click()
    page.wait_for_load_state("load")
    assert page.locator(".message-success").count() == 1
    context.close()


def _shot(page, name: str) -> None:
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
