"""Scoring services: who may score when, drafts, submission, edits, the queue's order, calibration."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from judging.models import Assignment, CalibrationEntry, CriterionScore, JudgingRound, Review, Rubric
from judging.services import calibration
from judging.services.queues import queue_order_ensure
from judging.services.scoring import ReviewInput, review_save_draft, review_submit
from portal.models import AuditEntry, Edition
from submissions.models import Application
from tests.factories.judging import AssignmentFactory, CalibrationEntryFactory
from tests.factories.scoring import make_world, submitted_entry

pytestmark = pytest.mark.django_db


def full(world, *values, **extra) -> ReviewInput:
    return ReviewInput(scores={c.pk: v for c, v in zip(world.criteria, values, strict=True)}, **extra)


def codes(error: ValidationError) -> list:
    return [e.code for e in error.error_list] if hasattr(error, "error_list") else [error.code]


# --- scoring rights -------------------------------------------------------------------------------------------


def test_only_the_assigned_judge_may_score():
    world = make_world(judges=2, entries=1, pairs=[(0, 0)])
    intruder = world.judges[1].user
    with pytest.raises(ValidationError) as refused:
        review_save_draft(assignment=world.assignment(0, 0), user=intruder, data=full(world, 5, 5))
    assert codes(refused.value) == ["not_assigned"]
    assert Review.objects.count() == 0


@pytest.mark.parametrize("state", ["scheduled", "assigning", "closed", "scored"])
def test_scoring_is_refused_unless_the_round_is_open(state):
    world = make_world(judges=1, entries=1, state=state)
    with pytest.raises(ValidationError) as refused:
        review_submit(assignment=world.assignment(0, 0), user=world.judges[0].user, data=full(world, 5, 5))
    assert codes(refused.value) == ["round_not_open"]
    assert Review.objects.count() == 0


def test_scoring_is_refused_after_the_deadline_even_while_the_round_is_open():
    world = make_world(judges=1, entries=1)
    JudgingRound.objects.filter(pk=world.round.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError) as refused:
        review_save_draft(assignment=world.assignment(0, 0), user=world.judges[0].user, data=full(world, 5, 5))
    assert codes(refused.value) == ["deadline"]
    assert "(Asia/Seoul)" in refused.value.messages[0]


@pytest.mark.parametrize("edition_state", ["finalised", "published"])
def test_scores_are_locked_for_good_once_the_edition_is_finalised(edition_state):
    world = make_world(judges=1, entries=1)
    review_submit(assignment=world.assignment(0, 0), user=world.judges[0].user, data=full(world, 5, 5))
    Edition.objects.filter(pk=world.edition.pk).update(state=edition_state)
    with pytest.raises(ValidationError) as refused:
        review_submit(assignment=world.assignment(0, 0), user=world.judges[0].user, data=full(world, 9, 9))
    assert codes(refused.value) == ["finalised"]
    assert sorted(CriterionScore.objects.values_list("score", flat=True)) == [5, 5]


@pytest.mark.parametrize("state", ["conflict_declared", "released"])
def test_an_inactive_assignment_takes_no_scores(state):
    world = make_world(judges=1, entries=1)
    Assignment.objects.filter(pk=world.assignment(0, 0).pk).update(state=state)
    with pytest.raises(ValidationError) as refused:
        review_save_draft(assignment=world.assignment(0, 0), user=world.judges[0].user, data=full(world, 5, 5))
    assert codes(refused.value) == ["inactive"]


def test_the_service_rereads_the_assignment_so_a_stale_object_does_not_grant_rights():
    world = make_world(judges=1, entries=1)
    stale = world.assignment(0, 0)
    Assignment.objects.filter(pk=stale.pk).update(state=Assignment.State.RELEASED)
    assert stale.state == "assigned"
    with pytest.raises(ValidationError):
        review_submit(assignment=stale, user=world.judges[0].user, data=full(world, 5, 5))


# --- drafts and submission ------------------------------------------------------------------------------------


def test_a_draft_keeps_partial_scores_and_moves_the_assignment_to_in_progress():
    world = make_world(judges=1, entries=1)
    judge = world.judges[0].user
    c1, c2 = world.criteria
    review = review_save_draft(assignment=world.assignment(0, 0), user=judge,
                               data=ReviewInput(scores={c1.pk: 7}, comments={c1.pk: "  Good start. "}))
    assert (review.state, review.weighted_total) == ("draft", None)
    assert Assignment.objects.get(pk=world.assignment(0, 0).pk).state == "in_progress"
    review_save_draft(assignment=world.assignment(0, 0), user=judge,
                      data=ReviewInput(committee_comment="Promising.", confidence=4, confidence_given=True))
    review.refresh_from_db()
    assert (review.committee_comment, review.confidence) == ("Promising.", 4)
    assert list(CriterionScore.objects.filter(review=review).values_list("criterion_id", "score", "comment")) == [
        (c1.pk, 7, "Good start.")
    ]


def test_an_empty_draft_does_not_freeze_the_rubric_but_the_first_score_does():
    world = make_world(judges=1, entries=1)
    judge = world.judges[0].user
    review_save_draft(assignment=world.assignment(0, 0), user=judge, data=ReviewInput(committee_comment="Reading."))
    assert Rubric.objects.get(pk=world.rubric.pk).frozen_at is None
    review_save_draft(assignment=world.assignment(0, 0), user=judge,
                      data=ReviewInput(scores={world.criteria[0].pk: 3}))
    assert Rubric.objects.get(pk=world.rubric.pk).frozen_at is not None


def test_out_of_scale_scores_are_refused_and_nothing_is_written():
    world = make_world(judges=1, entries=1, criteria=((1, 5, 1),))
    with pytest.raises(ValidationError) as refused:
        review_save_draft(assignment=world.assignment(0, 0), user=world.judges[0].user,
                          data=ReviewInput(scores={world.criteria[0].pk: 6}))
    assert refused.value.message_dict == {f"score_{world.criteria[0].pk}": ["Criterion 1 takes a score from 1 to 5."]}
    assert (Review.objects.count(), CriterionScore.objects.count()) == (0, 0)


def test_submitting_an_incomplete_review_names_each_missing_score_and_writes_nothing():
    world = make_world(judges=1, entries=1)
    c1, c2 = world.criteria
    with pytest.raises(ValidationError) as refused:
        review_submit(assignment=world.assignment(0, 0), user=world.judges[0].user,
                      data=ReviewInput(scores={c1.pk: 4}))
    assert refused.value.message_dict == {f"score_{c2.pk}": ["Give a score for Criterion 2."]}
    assert Review.objects.count() == 0
    assert Assignment.objects.get(pk=world.assignment(0, 0).pk).state == "assigned"


def test_submitting_computes_the_total_moves_the_assignment_and_sends_a_receipt(django_capture_on_commit_callbacks):
    world = make_world(judges=1, entries=1)
    with django_capture_on_commit_callbacks(execute=True):
        review = review_submit(assignment=world.assignment(0, 0), user=world.judges[0].user,
                               data=full(world, 8, 6, confidence=5, confidence_given=True))
    assert (review.state, review.weighted_total, review.confidence) == ("submitted", 7.0, 5)
    assert Assignment.objects.get(pk=world.assignment(0, 0).pk).state == "submitted"
    assert [m.to for m in mail.outbox] == [[world.judges[0].user.email]]
    assert "Entry 1" in mail.outbox[0].subject


def test_a_submitted_review_can_be_changed_until_the_round_closes_but_not_as_a_draft():
    world = make_world(judges=1, entries=1)
    judge = world.judges[0].user
    review_submit(assignment=world.assignment(0, 0), user=judge, data=full(world, 8, 6), notify=False)
    with pytest.raises(ValidationError) as refused:
        review_save_draft(assignment=world.assignment(0, 0), user=judge, data=full(world, 1, 1))
    assert codes(refused.value) == ["submitted"]
    review = review_submit(assignment=world.assignment(0, 0), user=judge, data=full(world, 10, 10), notify=False)
    assert (review.state, review.weighted_total) == ("submitted", 10.0)
    with pytest.raises(ValidationError):  # still complete: a score cannot be taken away
        review_submit(assignment=world.assignment(0, 0), user=judge,
                      data=ReviewInput(scores={world.criteria[0].pk: None}), notify=False)
    JudgingRound.objects.filter(pk=world.round.pk).update(state=JudgingRound.State.CLOSED)
    with pytest.raises(ValidationError) as closed:
        review_submit(assignment=world.assignment(0, 0), user=judge, data=full(world, 2, 2), notify=False)
    assert codes(closed.value) == ["round_not_open"]
    assert Review.objects.get().weighted_total == 10.0


def test_every_change_to_a_score_is_audited_with_before_and_after():
    world = make_world(judges=1, entries=1)
    judge = world.judges[0].user
    c1, c2 = world.criteria
    review_save_draft(assignment=world.assignment(0, 0), user=judge, data=ReviewInput(scores={c1.pk: 4}))
    review_save_draft(assignment=world.assignment(0, 0), user=judge, data=ReviewInput(scores={c1.pk: 4}))  # no change
    review_submit(assignment=world.assignment(0, 0), user=judge, data=ReviewInput(scores={c2.pk: 6}), notify=False)
    entries = AuditEntry.objects.filter(action__startswith="review.").order_by("id")
    assert [e.action for e in entries] == ["review.draft", "review.submit"]
    assert entries[0].after["scores"] == {str(c1.pk): 4}
    assert entries[1].before["scores"] == {str(c1.pk): 4}
    assert entries[1].after["scores"] == {str(c1.pk): 4, str(c2.pk): 6}
    assert entries[1].actor == judge
    assert list(AuditEntry.objects.filter(action__startswith="assignment.").values_list("action", flat=True)
                .order_by("id")) == ["assignment.in_progress", "assignment.submitted"]


def test_scoring_moves_the_assignment_through_the_assignment_service_with_a_full_audit_entry():
    world = make_world(judges=1, entries=1)
    judge = world.judges[0]
    assignment = world.assignment(0, 0)
    c1, c2 = world.criteria
    review_save_draft(assignment=assignment, user=judge.user, data=ReviewInput(scores={c1.pk: 4}))
    review_submit(assignment=assignment, user=judge.user, data=ReviewInput(scores={c2.pk: 6}), notify=False)
    review_submit(assignment=assignment, user=judge.user, data=full(world, 5, 5), notify=False)  # an update

    entries = list(AuditEntry.objects.filter(action__startswith="assignment.").order_by("id"))
    assert [(e.action, e.before["state"], e.after["state"]) for e in entries] == [
        ("assignment.in_progress", "assigned", "in_progress"),
        ("assignment.submitted", "in_progress", "submitted"),
    ]
    # The same snapshot as every other assignment change (`_assignment_set_state`), not a scoring-only one.
    assert [(e.before["judge_email"], e.after["application"], e.actor) for e in entries] == [
        (judge.user.email, assignment.application_id, judge.user)] * 2


def test_the_assignment_service_starts_and_submits_once_and_only_for_the_judge():
    from judging.services.assignments import assignment_start, assignment_submit

    world = make_world(judges=2, entries=1, pairs=[(0, 0)])
    assignment = world.assignment(0, 0)
    with pytest.raises(ValidationError) as refused:
        assignment_start(assignment=assignment, user=world.judges[1].user)
    assert codes(refused.value) == ["not_assigned"]

    assignment_start(assignment=assignment, user=world.judges[0].user)
    assignment_start(assignment=assignment, user=world.judges[0].user)
    assignment_submit(assignment=assignment, user=world.judges[0].user)
    assignment_submit(assignment=assignment, user=world.judges[0].user)

    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.SUBMITTED
    assert list(AuditEntry.objects.filter(action__startswith="assignment.").values_list("action", flat=True)
                .order_by("id")) == ["assignment.in_progress", "assignment.submitted"]


@pytest.mark.parametrize("state", ["conflict_declared", "released"])
def test_the_assignment_service_refuses_to_revive_a_finished_assignment(state):
    from judging.services.assignments import assignment_start, assignment_submit

    world = make_world(judges=1, entries=1)
    assignment = world.assignment(0, 0)  # read while still assigned: the service reads the stored state
    Assignment.objects.filter(pk=assignment.pk).update(state=state)
    for move in (assignment_start, assignment_submit):
        with pytest.raises(ValidationError) as refused:
            move(assignment=assignment, user=world.judges[0].user)
        assert codes(refused.value) == ["transition"]
    assert Assignment.objects.get(pk=assignment.pk).state == state
    assert not AuditEntry.objects.filter(action__startswith="assignment.").exists()


def test_no_rubric_means_no_scoring_with_a_clear_message():
    world = make_world(judges=1, entries=1)
    Rubric.objects.filter(pk=world.rubric.pk).delete()
    with pytest.raises(ValidationError) as refused:
        review_save_draft(assignment=world.assignment(0, 0), user=world.judges[0].user, data=ReviewInput())
    assert codes(refused.value) == ["no_rubric"]


# --- the queue's order ----------------------------------------------------------------------------------------


def test_each_judge_gets_a_fixed_order_of_their_own_with_calibration_entries_first():
    world = make_world(judges=2, entries=12, place_queues=False)
    CalibrationEntryFactory(round=world.round, application=world.entries[7])
    for judge in world.judges:
        assert queue_order_ensure(judge=judge, judging_round=world.round) == 12
    orders = [
        list(Assignment.objects.filter(judge=judge).order_by("queue_position").values_list("application_id", flat=True))
        for judge in world.judges
    ]
    assert [order[0] for order in orders] == [world.entries[7].pk, world.entries[7].pk]
    assert orders[0] != orders[1]  # 11! orders: the same one for both judges would be a bug, not luck
    positions = sorted(Assignment.objects.filter(judge=world.judges[0]).values_list("queue_position", flat=True))
    assert positions == list(range(1, 13))
    # Read again: nothing moves.
    assert queue_order_ensure(judge=world.judges[0], judging_round=world.round) == 0


def test_a_late_assignment_slots_in_without_reshuffling_the_others():
    world = make_world(judges=1, entries=6, place_queues=False)
    judge = world.judges[0]
    queue_order_ensure(judge=judge, judging_round=world.round)
    before = list(Assignment.objects.filter(judge=judge).order_by("queue_position").values_list("application_id",
                                                                                                flat=True))
    late = submitted_entry(edition=world.edition, category=world.category, title="Late")
    AssignmentFactory(round=world.round, judge=judge, application=late, source=Assignment.Source.REPLACEMENT)
    queue_order_ensure(judge=judge, judging_round=world.round)
    after = list(Assignment.objects.filter(judge=judge).order_by("queue_position").values_list("application_id",
                                                                                               flat=True))
    assert [pk for pk in after if pk != late.pk] == before


# --- calibration ----------------------------------------------------------------------------------------------


def test_the_secretariat_marks_calibration_entries_before_the_round_opens():
    world = make_world(judges=1, entries=2, state=JudgingRound.State.SCHEDULED)
    secretariat = world.role("secretariat")
    calibration.calibration_mark(judging_round=world.round, application=world.entries[0], user=secretariat)
    calibration.calibration_mark(judging_round=world.round, application=world.entries[0], user=secretariat)
    assert list(CalibrationEntry.objects.values_list("application_id", flat=True)) == [world.entries[0].pk]
    assert AuditEntry.objects.filter(action="calibration.mark").count() == 1
    calibration.calibration_unmark(judging_round=world.round, application=world.entries[0], user=secretariat)
    assert CalibrationEntry.objects.count() == 0


def test_calibration_entries_do_not_change_once_the_round_is_open_or_from_another_category():
    world = make_world(judges=1, entries=1)
    secretariat = world.role("secretariat")
    with pytest.raises(ValidationError) as refused:
        calibration.calibration_mark(judging_round=world.round, application=world.entries[0], user=secretariat)
    assert codes(refused.value) == ["round_started"]
    JudgingRound.objects.filter(pk=world.round.pk).update(state=JudgingRound.State.SCHEDULED)
    world.round.refresh_from_db()
    other = make_world(judges=0, entries=1, edition=world.edition, category=None)
    with pytest.raises(ValidationError) as wrong:
        calibration.calibration_mark(judging_round=world.round, application=other.entries[0], user=secretariat)
    assert codes(wrong.value) == ["category"]
    assert Application.objects.count() == 2
