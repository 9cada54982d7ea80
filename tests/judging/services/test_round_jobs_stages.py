"""The edition's state follows its rounds (closing the last round starts the deliberation), and the retry services."""

import pytest
from django.core.exceptions import ValidationError

from judging.models import AggregationRun, AssignmentRun, JudgingRound
from judging.services import round_jobs
from judging.services.rounds import round_open
from portal.models import AuditEntry, Edition
from tests.factories.judging import AssignmentFactory, JudgingRoundFactory
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


def test_closing_the_last_open_round_moves_the_edition_to_deliberation():
    world = make_world()
    secretariat = world.role("secretariat")
    JudgingRoundFactory(edition=world.edition, state=JudgingRound.State.SCORED, categories=[world.category])

    round_jobs.round_close(round=world.round, user=secretariat)

    world.edition.refresh_from_db()
    assert world.edition.state == Edition.State.DELIBERATION
    entry = AuditEntry.objects.get(action="edition.deliberation")
    assert (entry.actor, entry.before["state"], entry.after["state"]) == (secretariat, "judging", "deliberation")


def test_a_round_opened_after_the_last_one_closed_takes_the_edition_back_to_judging(django_capture_on_commit_callbacks):
    """A final round planned only after the category round closed: the edition was in deliberation, and its judging
    is not over."""
    world = make_world()
    secretariat = world.role("secretariat")
    round_jobs.round_close(round=world.round, user=secretariat)
    world.edition.refresh_from_db()
    assert world.edition.state == Edition.State.DELIBERATION

    final = JudgingRoundFactory(edition=world.edition, state=JudgingRound.State.ASSIGNING, categories=[world.category])
    AssignmentFactory(round=final, judge=world.judges[0], application=world.entries[0])
    with django_capture_on_commit_callbacks(execute=False):
        round_open(round=final, user=secretariat)

    world.edition.refresh_from_db()
    assert world.edition.state == Edition.State.JUDGING
    entry = AuditEntry.objects.filter(action="edition.judging").latest("id")
    assert (entry.before["state"], entry.after["state"]) == ("deliberation", "judging")


@pytest.mark.parametrize("other", [JudgingRound.State.OPEN, JudgingRound.State.ASSIGNING, JudgingRound.State.SCHEDULED])
def test_closing_a_round_while_another_is_unfinished_keeps_the_edition_judging(other):
    world = make_world()
    JudgingRoundFactory(edition=world.edition, state=other, categories=[world.category])

    round_jobs.round_close(round=world.round, user=world.role("secretariat"))

    world.edition.refresh_from_db()
    world.round.refresh_from_db()
    assert (world.round.state, world.edition.state) == (JudgingRound.State.CLOSED, Edition.State.JUDGING)
    assert not AuditEntry.objects.filter(action="edition.deliberation").exists()


def test_closing_a_round_of_an_edition_not_judging_leaves_its_state_alone():
    world = make_world(edition_state=Edition.State.SCREENING)
    round_jobs.round_close(round=world.round, user=None)
    world.edition.refresh_from_db()
    assert world.edition.state == Edition.State.SCREENING


def test_a_failed_assigner_run_is_retried_as_a_new_audited_run(django_capture_on_commit_callbacks):
    world = make_world(state=JudgingRound.State.ASSIGNING)
    secretariat = world.role("secretariat")
    failed = AssignmentRun.objects.create(round=world.round, state=AssignmentRun.State.FAILED, error="boom")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new = round_jobs.assignment_run_retry(run=failed, user=secretariat)

    failed.refresh_from_db()
    assert (failed.state, new.state, new.pk != failed.pk) == ("failed", "pending", True)
    assert len(callbacks) == 1  # the task is sent after commit
    entry = AuditEntry.objects.get(action="round.assign_retried")
    assert (entry.actor, entry.before, entry.after) == (secretariat, {"run": failed.pk, "state": "failed"},
                                                         {"run": new.pk})


@pytest.mark.parametrize("state", ["pending", "running", "succeeded"])
def test_only_a_failed_run_is_retried(state):
    world = make_world(state=JudgingRound.State.ASSIGNING)
    run = AssignmentRun.objects.create(round=world.round, state=state)
    aggregation = AggregationRun.objects.create(round=world.round, state=state)
    with pytest.raises(ValidationError):
        round_jobs.assignment_run_retry(run=run, user=None)
    with pytest.raises(ValidationError):
        round_jobs.aggregation_retry(run=aggregation, user=None)
    assert AssignmentRun.objects.count() == AggregationRun.objects.count() == 1


def test_a_failed_computation_is_retried_as_a_new_audited_run(django_capture_on_commit_callbacks):
    world = make_world(state=JudgingRound.State.CLOSED)
    secretariat = world.role("secretariat")
    failed = AggregationRun.objects.create(round=world.round, state=AggregationRun.State.FAILED, error="boom")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new = round_jobs.aggregation_retry(run=failed, user=secretariat)

    assert (new.state, new.pk != failed.pk, len(callbacks)) == ("pending", True, 1)
    entry = AuditEntry.objects.get(action="aggregation.retry")
    assert (entry.before, entry.after) == ({"run": failed.pk, "state": "failed"}, {"run": new.pk})
