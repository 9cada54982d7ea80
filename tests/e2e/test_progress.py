"""A job's progress bar follows the job in the browser: htmx polls the one progress partial, under the strict CSP."""

import re

import pytest
from playwright.sync_api import expect

from judging.models import AggregationRun
from tests.factories import PASSWORD_FOR_TESTS, EditionRoleFactory
from tests.factories.scoring import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_results_page_follows_a_computation_and_shows_its_outcome(live_server, page):
    world = make_world(judges=1, entries=2)
    secretariat = EditionRoleFactory(edition=world.edition, role="secretariat").user
    run = AggregationRun.objects.create(round=world.round, state=AggregationRun.State.RUNNING, progress=10)
    results = f"{live_server.url}/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/results/"
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)

    page.goto(results)
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill(secretariat.email)
    page.get_by_label("Password").fill(PASSWORD_FOR_TESTS)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(results)
    expect(page.locator("progress#run-progress")).to_have_attribute("value", "10")

    # The partial polls itself: the bar moves without a reload.
    AggregationRun.objects.filter(pk=run.pk).update(progress=60)
    expect(page.locator("progress#run-progress")).to_have_attribute("value", "60")
    expect(page.locator("#run-progress-message")).to_have_text("Running (60%)")

    # Once the run is over the page reloads and shows the outcome: failed, with its error and "Try again".
    AggregationRun.objects.filter(pk=run.pk).update(state=AggregationRun.State.FAILED, progress=60,
                                                    error="The worker stopped.")
    expect(page.get_by_text("The last computation failed.")).to_be_visible()
    expect(page.locator("#run-progress-job[data-state=failed]")).to_be_visible()
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    assert refused == []
