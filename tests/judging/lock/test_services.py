"""Every judging write service refuses a finalised edition, and changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from judging.models import Assignment, Conflict, Criterion, Rubric, Shortlisting, StageWeight
from judging.services import (
    assignments,
    calibration,
    conflicts,
    judges,
    round_jobs,
    rounds,
    rubrics,
    scoring,
    shortlist,
)
from judging.services.aggregation import round_aggregate
from judging.services.locks import EditionLocked, ensure_edition_unlocked
from judging.services.scoring import ReviewInput
from portal.models import Edition
from tests.factories import JudgeProfileFactory

pytestmark = pytest.mark.django_db


def _calls(locked):
    world, round_, user = locked.world, locked.round, locked.secretariat
    assignment = world.assignment(0, 0)
    judge = world.judges[0]
    other = world.judges[1]
    entry = world.entries[3]
    criterion = world.criteria[0]
    score = {criterion.pk: 1}
    return {
        "review_submit": lambda: scoring.review_submit(assignment=assignment, user=judge.user,
                                                       data=ReviewInput(scores=score), notify=False),
        "review_save_draft": lambda: scoring.review_save_draft(assignment=assignment, user=judge.user,
                                                               data=ReviewInput(scores=score)),
        "assignment_move": lambda: assignments.assignment_move(assignment=assignment, to_judge=other, user=user),
        "assignment_release": lambda: assignments.assignment_release(assignment=assignment, user=user, reason="x"),
        "assignment_add_manual": lambda: assignments.assignment_add_manual(round=round_, judge=other,
                                                                           application=entry, user=user),
        "assignment_replace": lambda: assignments.assignment_replace(assignment=assignment),
        "assignment_start": lambda: assignments.assignment_start(assignment=assignment, user=judge.user),
        "assignment_declare_conflict": lambda: conflicts.assignment_declare_conflict(
            assignment=assignment, user=judge.user, reason="My employer"),
        "assignment_mark_conflicted": lambda: conflicts.assignment_mark_conflicted(
            assignment=assignment, user=user, reason="Same employer"),
        "conflict_record": lambda: judges.conflict_record(judge=judge, application=world.entries[0],
                                                          reason="Same employer", user=user),
        "conflict_remove": lambda: judges.conflict_remove(
            conflict=Conflict.objects.bulk_create([Conflict(judge=judge, application=entry, source="secretariat",
                                                            reason="r")])[0], user=user),
        "bid_set": lambda: judges.bid_set(judge=judge, level="eager", user=judge.user, application=entry),
        "bids_save": lambda: judges.bids_save(judge=judge, user=judge.user, entries={entry.pk: "eager"},
                                              categories={}),
        "assignment_run_create": lambda: round_jobs.assignment_run_create(round=round_, user=user, enqueue=False),
        "aggregation_request": lambda: round_jobs.aggregation_request(judging_round=round_, user=user),
        "round_aggregate": lambda: round_aggregate(judging_round=round_),
        "round_close": lambda: round_jobs.round_close(round=round_, user=user),
        "round_open": lambda: rounds.round_open(round=round_, user=user),
        "round_start_assigning": lambda: rounds.round_start_assigning(round=round_, user=user),
        "round_update": lambda: rounds.round_update(round=round_, user=user, data={"name": "Renamed"}),
        "round_scoring_settings_update": lambda: rounds.round_scoring_settings_update(
            round=round_, user=user, explanation_to_applicants=True),
        "round_create": lambda: rounds.round_create(edition=locked.edition, user=user, name="Final round",
                                                    categories=[world.category], position=2,
                                                    deadline=timezone.now() + timedelta(days=3)),
        "shortlist_top": lambda: shortlist.shortlist_top(judging_round=round_, per_category=3, user=user),
        "shortlist_add": lambda: shortlist.shortlist_add(judging_round=round_, application=entry, user=user,
                                                         reason="Strong"),
        "shortlist_remove": lambda: shortlist.shortlist_remove(shortlisting=Shortlisting.objects.first(), user=user,
                                                               reason="Weak"),
        "calibration_mark": lambda: calibration.calibration_mark(judging_round=round_, application=entry, user=user),
        "calibration_unmark": lambda: calibration.calibration_unmark(judging_round=round_, application=entry, user=user),
        "rubric_save": lambda: rubrics.rubric_save(rubric=Rubric.objects.get(pk=world.rubric.pk), user=user),
        "rubric_create": lambda: rubrics.rubric_save(rubric=Rubric(edition=locked.edition, category=world.category,
                                                                   name="Category rubric"), user=user),
        "rubric_delete": lambda: rubrics.rubric_delete(rubric=Rubric.objects.get(pk=world.rubric.pk), user=user),
        "criterion_save": lambda: rubrics.criterion_save(criterion=Criterion(rubric=world.rubric, name="New"),
                                                         user=user),
        "criterion_delete": lambda: rubrics.criterion_delete(criterion=criterion, user=user),
        "stage_weight_save": lambda: rubrics.stage_weight_save(
            stage_weight=StageWeight(criterion=criterion, stage="scaled", weight=3), user=user),
    }


SERVICES = sorted([
    "review_submit", "review_save_draft", "assignment_move", "assignment_release", "assignment_add_manual",
    "assignment_replace", "assignment_start", "assignment_declare_conflict", "assignment_mark_conflicted",
    "conflict_record", "conflict_remove", "bid_set", "bids_save", "assignment_run_create", "aggregation_request",
    "round_aggregate", "round_close", "round_open", "round_start_assigning", "round_update",
    "round_scoring_settings_update", "round_create", "shortlist_top", "shortlist_add", "shortlist_remove",
    "calibration_mark", "calibration_unmark", "rubric_save", "rubric_create", "rubric_delete", "criterion_save",
    "criterion_delete", "stage_weight_save",
])


def test_every_service_is_listed(locked):
    assert sorted(_calls(locked)) == SERVICES


@pytest.mark.parametrize("service", SERVICES)
def test_each_write_service_refuses_a_finalised_edition_and_changes_nothing(locked, fingerprint, service):
    before = fingerprint(locked.edition)
    with pytest.raises(ValidationError) as refused:
        _calls(locked)[service]()
    assert "finalised" in " ".join(refused.value.messages) or "over" in " ".join(refused.value.messages)
    assert fingerprint(locked.edition) == before


def test_the_same_services_work_in_an_edition_still_judging(locked):
    """The refusals above are the lock's: the edition in deliberation takes a shortlist change."""
    Edition.objects.filter(pk=locked.edition.pk).update(state=Edition.State.DELIBERATION)
    entry = locked.world.entries[3]
    shortlist.shortlist_add(judging_round=locked.round, application=entry, user=locked.secretariat, reason="Strong")
    assert Shortlisting.objects.filter(application=entry).exists()


def test_the_check_reads_the_state_as_stored_not_as_the_caller_remembers_it(locked):
    stale = Edition.objects.get(pk=locked.edition.pk)
    stale.state = Edition.State.DELIBERATION  # loaded before the chair finalised
    with pytest.raises(EditionLocked):
        ensure_edition_unlocked(stale)


def test_judge_profiles_are_not_locked_data(locked):
    """Who judged is history; the lock covers scores, assignments, results and decisions, not a judge's country."""
    judge = locked.world.judges[0]
    judges.judge_profile_update(judge=judge, actor=locked.secretariat, data={"country": "KR"})
    judge.refresh_from_db()
    assert judge.country == "KR"
    assert JudgeProfileFactory(edition=locked.edition).pk
    assert Assignment.objects.filter(round=locked.round).count() == 9
