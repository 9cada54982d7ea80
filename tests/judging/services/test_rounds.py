"""The round's state machine and the run state writers: one table, one writer each; moves outside the table refused."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from judging.models import AggregationRun, AssignmentRun, JudgingRound
from judging.services import aggregation_runs, assignment_runs, rounds
from judging.services.locks import ensure_edition_unlocked
from portal.models import AuditEntry, Edition
from tests.factories import EditionFactory
from tests.factories.ceremony import lock_edition
from tests.factories.judging import JudgingRoundFactory, ReviewFactory

pytestmark = pytest.mark.django_db

State = JudgingRound.State


def test_every_round_state_has_its_moves_and_scored_is_final():
    assert set(rounds.ROUND_TRANSITIONS) == set(State.values)
    assert rounds.ROUND_TRANSITIONS[State.SCORED] == frozenset()


def test_a_move_outside_the_table_is_refused_and_writes_nothing():
    judging_round = JudgingRoundFactory()
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        rounds.round_move(judging_round, State.OPEN, user=None)
    assert refused.value.code == "state"
    judging_round.refresh_from_db()
    assert judging_round.state == State.SCHEDULED
    assert AuditEntry.objects.filter(action__startswith="round.").count() == 0


def test_a_move_saves_the_state_and_writes_one_audit_entry():
    judging_round = JudgingRoundFactory()
    rounds.round_start_assigning(round=judging_round, user=None)
    judging_round.refresh_from_db()
    assert judging_round.state == State.ASSIGNING
    entry = AuditEntry.objects.get(action="round.assigning")
    assert (entry.before, entry.after) == ({"state": "scheduled"}, {"state": "assigning"})


def test_only_a_closed_round_becomes_scored():
    judging_round = JudgingRoundFactory(state=State.OPEN)
    assert rounds.round_mark_scored(judging_round=judging_round, user=None) is False
    JudgingRound.objects.filter(pk=judging_round.pk).update(state=State.CLOSED)
    assert rounds.round_mark_scored(judging_round=judging_round, user=None) is True
    assert rounds.round_mark_scored(judging_round=judging_round, user=None) is False
    judging_round.refresh_from_db()
    assert judging_round.state == State.SCORED
    assert AuditEntry.objects.filter(action="round.scored").count() == 1


def test_a_failed_aggregation_never_takes_back_a_run_that_succeeded():
    judging_round = JudgingRoundFactory()
    done = AggregationRun.objects.create(round=judging_round, state=AggregationRun.State.SUCCEEDED)
    waiting = AggregationRun.objects.create(round=judging_round)
    aggregation_runs.aggregation_run_fail(run_id=done.pk, error="late")
    aggregation_runs.aggregation_run_fail(run_id=waiting.pk, error="OperationalError: gone")
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert (done.state, done.error) == (AggregationRun.State.SUCCEEDED, "")
    assert (waiting.state, waiting.error) == (AggregationRun.State.FAILED, "OperationalError: gone")
    assert waiting.finished_at is not None
    assert aggregation_runs.aggregation_run_fail(run_id=987654, error="x") is None


def test_a_failed_assignment_run_keeps_a_finished_one_and_names_the_failure():
    judging_round = JudgingRoundFactory()
    done = AssignmentRun.objects.create(round=judging_round, state=AssignmentRun.State.SUCCEEDED)
    waiting = AssignmentRun.objects.create(round=judging_round)
    assert assignment_runs.assignment_run_fail(run_id=done.pk, error="late").state == AssignmentRun.State.SUCCEEDED
    failed = assignment_runs.assignment_run_fail(run_id=waiting.pk, error="TimeLimitExceeded: 1800")
    assert (failed.state, failed.error, failed.message) == (AssignmentRun.State.FAILED, "TimeLimitExceeded: 1800",
                                                             assignment_runs.MESSAGE_FAILED)
    assert assignment_runs.assignment_run_fail(run_id=987654, error="x") is None
    with pytest.raises(ValidationError), transaction.atomic():
        assignment_runs.assignment_run_move(failed, AssignmentRun.State.RUNNING)


@pytest.mark.parametrize("state", [Edition.State.FINALISED, Edition.State.PUBLISHED])
def test_a_finalised_or_published_edition_refuses_changes_with_the_callers_words(state):
    edition = EditionFactory(state=state)
    with pytest.raises(ValidationError) as refused:
        ensure_edition_unlocked(edition, message="Bids can no longer change.", code="closed")
    assert (refused.value.messages, refused.value.code) == (["Bids can no longer change."], "closed")
    ensure_edition_unlocked(EditionFactory())


@pytest.mark.parametrize(("edition_state", "after"), [
    (Edition.State.SCREENING, Edition.State.JUDGING),  # the first round to open ends the screening
    (Edition.State.JUDGING, Edition.State.JUDGING),  # a later round leaves the edition judging
])
def test_opening_a_round_moves_a_screened_edition_to_judging(edition_state, after):
    from judging.services.assignment_runs import round_assign
    from judging.services.round_jobs import assignment_run_create
    from tests.factories.assignment import eligible, judge, one_category_round

    edition, category, judging_round = one_category_round(k=1)
    Edition.objects.filter(pk=edition.pk).update(state=edition_state)
    eligible(edition, category)
    judge(edition, expertise=[category])
    rounds.round_start_assigning(round=judging_round, user=None)
    round_assign(run=assignment_run_create(round=judging_round, user=None, enqueue=False))
    rounds.round_open(round=judging_round, user=None)
    assert Edition.objects.get(pk=edition.pk).state == after
    assert AuditEntry.objects.filter(action="edition.judging").count() == (1 if edition_state == "screening" else 0)


def test_a_round_with_a_review_is_never_deleted():
    review = ReviewFactory()
    judging_round = review.assignment.round
    with pytest.raises(ValidationError) as refused:
        rounds.round_delete(round=judging_round, user=None)
    assert refused.value.code == "has_reviews"
    assert JudgingRound.objects.filter(pk=judging_round.pk).exists()
    assert not AuditEntry.objects.filter(action="round.delete").exists()


def test_a_round_without_reviews_is_deleted_with_one_audit_entry():
    judging_round = JudgingRoundFactory(name="Final round")
    rounds.round_delete(round=judging_round, user=None)
    assert not JudgingRound.objects.filter(pk=judging_round.pk).exists()
    assert list(AuditEntry.objects.values_list("action", "edition", "before__name")) == [
        ("round.delete", judging_round.edition_id, "Final round")]


def test_a_round_of_a_finalised_edition_is_never_deleted():
    judging_round = JudgingRoundFactory()
    lock_edition(judging_round.edition, Edition.State.FINALISED)
    with pytest.raises(ValidationError):
        rounds.round_delete(round=judging_round, user=None)
    assert JudgingRound.objects.filter(pk=judging_round.pk).exists()
