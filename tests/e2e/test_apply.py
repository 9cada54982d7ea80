"""A new applicant, end to end in Chromium: sign up, verify, log in, create an organisation, fill a draft
(autosaved, and restored after the session expired), upload a real PDF, submit, get the confirmation e-mail."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from submissions.models import Application, ApplicationSnapshot
from tests.e2e.mailbox import wait_for_mail
from tests.factories.submissions import answer, make_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "new.applicant@smallville.example"
PASSWORD = "a-long-new-password-1"
SECTIONS = {
    "#id_summary": "Sensors tell residents when the river rises.",
    "#id_problem": "Floods reach the old town with little warning.",
    "#id_solution": "Cheap water-level sensors and SMS alerts in three languages.",
    "#id_impact_evidence": "Evacuation time fell from 40 to 15 minutes in the pilot.",
    "#id_inclusiveness": "Alerts by SMS reach people without smartphones.",
    "#id_scalability": "Any river town can install the open-source kit.",
    "#id_resources": "US$ 40,000 from the city budget; two engineers.",
}


def _link_path(body: str, prefix: str) -> str:
    match = re.search(rf"https?://[^/\s]+({prefix}[^\s]+)", body)
    assert match, body
    return match.group(1)


def _log_in(page) -> None:
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_new_applicant_signs_up_applies_uploads_a_pdf_and_submits(live_server, page, tmp_path):
    call_command("seed_demo", "--entries", "20", "--judged-entries", "0")
    base = live_server.url

    # Sign up, then verify the address from the e-mail.
    page.goto(f"{base}/")
    page.get_by_role("link", name="Sign up").first.click()
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(f"{base}/accounts/confirm-email/")
    [verification] = wait_for_mail(1)
    page.context.clear_cookies()  # a fresh browser session: the applicant logs in for real below
    page.goto(base + _link_path(verification.body, "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()

    # Log in; "Apply" sends someone without an organisation to create one.
    page.goto(f"{base}/accounts/login/")
    _log_in(page)
    page.wait_for_url(f"{base}/dashboard/")
    page.get_by_role("link", name="Apply", exact=True).click()
    page.wait_for_url(f"{base}/organisations/new/")
    expect(page.locator(".messages")).to_contain_text("Create your organisation first")
    page.get_by_label("Name").fill("Smallville")
    page.get_by_label("Kind").select_option(label="City or district")
    page.get_by_label("Country").select_option("KE")
    page.get_by_label("City").fill("Smallville")
    page.get_by_label("Population band").select_option(label="under 100,000")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Smallville")

    # Start a draft in the demo edition.
    page.get_by_role("link", name="Apply", exact=True).first.click()
    page.wait_for_url(f"{base}/apply/")
    page.get_by_label("Human-centric").check()
    page.get_by_role("button", name="Start the application").click()
    application = Application.objects.get(organisation__name="Smallville")
    edit_url = f"{base}/applications/{application.pk}/edit/"
    page.wait_for_url(edit_url)
    assert page.evaluate("document.querySelectorAll('script:not([src]), style, [style]').length") == 0

    # Fill the draft; autosave keeps it.
    page.locator("#id_title").fill("River flood alerts")
    for selector, text in SECTIONS.items():
        page.locator(selector).fill(text)
    page.locator("#id_stage").select_option("pilot")
    page.locator("#id_budget_usd").fill("40000")
    page.locator("#id_links").fill("https://smallville.example/floods")
    expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"Saved at \d\d:\d\d"))
    application.refresh_from_db()
    assert (application.title, answer(application, "problem"), application.budget_usd) == (
        "River flood alerts", SECTIONS["#id_problem"], 40000)

    # The session expires while typing: the autosave is refused, the text stays in the browser...
    page.context.clear_cookies()
    page.locator("#id_partners").fill("Smallville Red Cross; the river authority.")
    expect(page.locator("#autosave-status")).to_contain_text("your session may have expired")
    # ...and after logging in again it is restored into the form and saved.
    page.goto(f"{base}/accounts/login/?next=/applications/{application.pk}/edit/")
    _log_in(page)
    page.wait_for_url(edit_url)
    expect(page.locator("#autosave-status")).to_contain_text("Restored text you had typed but not saved yet")
    expect(page.locator("#id_partners")).to_have_value("Smallville Red Cross; the river authority.")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    application.refresh_from_db()
    assert answer(application, "partners") == "Smallville Red Cross; the river authority."

    # Upload a real PDF.
    pdf = tmp_path / "flood-plan.pdf"
    pdf.write_bytes(make_pdf(pages=2))
    page.locator("#id_file").set_input_files(str(pdf))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".messages")).to_contain_text("“flood-plan.pdf” attached (2 pages).")
    expect(page.get_by_role("link", name="flood-plan.pdf")).to_be_visible()

    # Submit, and find the confirmation e-mail.
    page.get_by_role("button", name="Submit the application").click()
    page.wait_for_url(f"{base}/applications/{application.pk}/")
    expect(page.locator(".messages")).to_contain_text("Application submitted (submission #1).")
    expect(page.locator(".status").first).to_have_text("Submitted")
    snapshot = ApplicationSnapshot.objects.get(application=application)
    assert [attachment["name"] for attachment in snapshot.data["attachments"]] == ["flood-plan.pdf"]
    wait_for_mail(lambda outbox: any(message.subject.startswith("Received:") for message in outbox))
    confirmations = [message for message in mail.outbox if message.subject.startswith("Received:")]
    assert [(message.subject, message.to) for message in confirmations] == [
        ("Received: “River flood alerts” for Seoul Smart City Prize (demo)", [EMAIL]),
    ]


def test_unsaved_text_survives_a_dropped_connection_and_a_colleagues_save(live_server, page):
    from datetime import timedelta

    from django.utils import timezone

    from submissions import services
    from tests.factories import PASSWORD_FOR_TESTS, MembershipFactory
    from tests.factories.submissions import ApplicationFactory

    membership = MembershipFactory(user__email="owner@alpha.example")
    application = ApplicationFactory(organisation=membership.organisation, summary="Saved summary",
                                     edition__closes_at=timezone.now() + timedelta(hours=2, minutes=30, seconds=30))
    page.goto(f"{live_server.url}/accounts/login/?next=/applications/{application.pk}/edit/")
    page.get_by_label("Email").fill("owner@alpha.example")
    page.get_by_label("Password").fill(PASSWORD_FOR_TESTS)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{live_server.url}/applications/{application.pk}/edit/")
    # The countdown is kept current by the script, in the page's language.
    expect(page.locator(".countdown")).to_have_text(re.compile(r"^2 hours, 3\d minutes left$"))

    # The connection drops: the autosave fails, the text stays in the browser.
    page.route("**/autosave/", lambda route: route.abort())
    page.locator("#id_summary").fill("Typed while offline")
    expect(page.locator("#autosave-status")).to_contain_text("Not saved")
    page.unroute("**/autosave/")

    # Meanwhile a colleague saves the draft: the copy is offered, not forced onto their version.
    services.application_save_draft(application=application, user=membership.user, data={"problem": "Colleague's"})
    page.reload()
    expect(page.locator("#autosave-status")).to_contain_text("The draft has been saved since")
    expect(page.locator("#id_summary")).to_have_value("Saved summary")
    page.get_by_role("button", name="Restore my unsaved text").click()
    expect(page.locator("#id_summary")).to_have_value("Typed while offline")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    application.refresh_from_db()
    assert (answer(application, "summary"), answer(application, "problem")) == ("Typed while offline", "Colleague's")

    # Saved: a reload restores nothing and says nothing.
    page.reload()
    expect(page.locator("#autosave-status")).to_have_text("")
    assert page.evaluate("Object.keys(localStorage).length") == 0
