"""A job whose worker died, in the browser: the polled progress partial turns from "Running" to "Stopped" with
"Try again" once the heartbeat is older than the bound, at 390 px, with no axe-core violation."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from judging.models import AssignmentRun
from tests.e2e.axe import assert_no_axe_violations
from tests.factories import PASSWORD_FOR_TESTS, EditionRoleFactory
from tests.factories.scoring import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_round_page_turns_a_silent_run_into_stopped_with_try_again(live_server, page, tmp_path):
    world = make_world(state="assigning", edition_state="screening")
    secretariat = EditionRoleFactory(edition=world.edition, role="secretariat").user
    run = AssignmentRun.objects.create(round=world.round, state="running", progress=35,
                                       message="Solving with balanced loads", heartbeat_at=timezone.now())
    url = f"{live_server.url}/e/{world.edition.slug}/rounds/{world.round.pk}/"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill(secretariat.email)
    page.get_by_label("Password").fill(PASSWORD_FOR_TESTS)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(url)
    expect(page.locator("#run-progress-message")).to_have_text("Running: Solving with balanced loads (35%)")

    # The worker dies: no heartbeat any more. The partial, still polling, says so by itself.
    AssignmentRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    expect(page.locator("#run-progress-job[data-state=stalled]")).to_be_visible()
    expect(page.locator("#run-progress-message")).to_contain_text("Stopped at 35%")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    assert_no_axe_violations(page)
    page.screenshot(path=str(tmp_path / "stalled-run-390.png"), full_page=True)

    page.get_by_role("button", name="Try again").click()
    page.wait_for_load_state()
    # The stalled run ends failed; a new run replaces it (run in-process here: no broker in this test).
    expect(page.locator("#run-progress-job[data-state=stalled]")).to_have_count(0)
    assert AssignmentRun.objects.get(pk=run.pk).state == "failed"
    assert AssignmentRun.objects.exclude(pk=run.pk).count() == 1
