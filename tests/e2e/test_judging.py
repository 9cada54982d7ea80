"""A judge logs in with a password and a TOTP code, scores two entries in the workbench and sees the queue update."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value, yield_hotp_counters_from_time
from playwright.sync_api import expect

from judging.models import Assignment, Review
from tests.factories import PASSWORD_FOR_TESTS
from tests.factories.scoring import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def totp_code(secret: str) -> str:
    return f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"


def score(page, values: list[int], *, comment: str) -> None:
    selects = page.locator("select[name^=score_]")
    assert selects.count() == len(values)
    for index, value in enumerate(values):
        selects.nth(index).select_option(str(value))
    page.get_by_label("Comment for the committee").fill(comment)
    page.get_by_label("4", exact=True).check()


def test_a_judge_with_mfa_scores_two_entries_and_sees_the_queue_update(live_server, page, settings):
    settings.PORTAL_MFA_REQUIRED = True
    world = make_world(judges=1, entries=2)
    judge = world.judges[0].user
    secret = generate_totp_secret()
    TOTP.activate(judge, secret)
    queue = f"{live_server.url}/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/queue/"

    # Log in: password, then the authenticator code (the role needs MFA and has it).
    page.goto(queue)
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill(judge.email)
    page.get_by_label("Password").fill(PASSWORD_FOR_TESTS)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(queue)
    assert page.locator("#queue-counts").inner_text() == "Done: 0 · In progress: 0 · To do: 2"

    # First entry: a comment autosaves as a draft, then the review is submitted.
    page.locator("table.queue a").first.click()
    page.wait_for_url(re.compile(r"/scoring/assignments/\d+/$"))
    first_url = page.url
    page.locator("textarea[name^=comment_]").first.fill("Clear problem, thin evidence.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at")
    assert Assignment.objects.filter(round=world.round, state="in_progress").count() == 1
    page.goto(queue)
    assert page.locator("#queue-counts").inner_text() == "Done: 0 · In progress: 1 · To do: 1"
    page.goto(first_url)
    score(page, [7, 8], comment="Convincing pilot.")
    page.get_by_role("button", name="Submit review").click()
    # Submitting goes straight to the next entry of the queue.
    page.wait_for_url(re.compile(r"/scoring/assignments/\d+/$"))
    assert page.url != first_url
    assert "Review submitted" in page.locator(".messages").inner_text()

    page.goto(queue)
    assert page.locator("#queue-counts").inner_text() == "Done: 1 · In progress: 0 · To do: 1"

    # Second entry, then the queue shows both done.
    page.locator("tr.state-assigned a").click()
    score(page, [5, 6], comment="Needs a budget.")
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_url(queue)
    assert page.locator("#queue-counts").inner_text() == "Done: 2 · In progress: 0 · To do: 0"
    assert page.locator("td.queue-state").all_inner_texts() == ["Done", "Done"]
    assert sorted(Review.objects.filter(state="submitted").values_list("weighted_total", flat=True)) == [5.5, 7.5]
    # No inline script or style: the strict CSP holds on the workbench.
    assert page.evaluate("document.querySelectorAll('script:not([src]), style, [style]').length") == 0
