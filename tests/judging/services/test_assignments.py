"""Changes by hand (add, move, release) and the replacement after a declared conflict."""

import pytest
from django.core.exceptions import ValidationError

from judging.models import Assignment, Conflict
from judging.services import assignments, conflicts
from judging.services import judges as judge_services
from portal.models import AuditEntry
from tests.factories import EditionRoleFactory, MembershipFactory, OrganisationFactory
from tests.factories.assignment import active_pairs, eligible, judge, one_category_round
from tests.factories.judging import BidFactory, ConflictFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(db):
    return EditionRoleFactory(role="secretariat").user


# --- add -------------------------------------------------------------------------------------------------------


def test_adding_by_hand_returns_the_effect_on_affinity_and_loads(secretary):
    edition, category, judging_round = one_category_round(k=2)
    entry = eligible(edition, category)
    expert = judge(edition, expertise=[category], capacity=3)
    BidFactory(judge=expert, application=entry, level="eager")

    change = assignments.assignment_add_manual(round=judging_round, judge=expert, application=entry, user=secretary)

    assert change.assignment.source == Assignment.Source.MANUAL
    assert (change.affinity, change.affinity_change) == (15, 15)
    assert [(load.judge.pk, load.before, load.after, load.capacity) for load in change.loads] == [(expert.pk, 0, 1, 3)]
    assert (change.entry_judges_before, change.entry_judges_after) == (0, 1)
    entry_audit = AuditEntry.objects.get(action="assignment.add")
    assert (entry_audit.actor, entry_audit.after["judge"], entry_audit.after["affinity"]) == (secretary, expert.pk, 15)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("member", "the judge is a member of the applying organisation"),
        ("affiliation", "the applying organisation is among the judge's affiliations"),
        ("same_country", "the judge is from the applicant's country"),
        ("declared", "the judge declared a conflict of interest"),
        ("recorded", "the secretariat recorded a conflict of interest"),
        ("bid", "the judge bid “conflict”"),
    ],
)
def test_adding_a_conflicted_pair_by_hand_is_refused_with_the_reason(kind, message, secretary):
    edition, category, judging_round = one_category_round(k=1, same_country=kind == "same_country")
    entry = eligible(edition, category, organisation=OrganisationFactory(country="KR"))
    conflicted = judge(edition, country="KR" if kind == "same_country" else "FR")
    if kind == "member":
        MembershipFactory(organisation=entry.organisation, user=conflicted.user)
    elif kind == "affiliation":
        conflicted.affiliations.add(entry.organisation)
    elif kind == "declared":
        ConflictFactory(judge=conflicted, application=entry, source=Conflict.Source.DECLARED)
    elif kind == "recorded":
        ConflictFactory(judge=conflicted, application=entry, source=Conflict.Source.SECRETARIAT)
    elif kind == "bid":
        BidFactory(judge=conflicted, application=entry, level="conflict")

    with pytest.raises(ValidationError) as refused:
        assignments.assignment_add_manual(round=judging_round, judge=conflicted, application=entry, user=secretary)

    assert message in refused.value.messages[0]
    assert refused.value.messages[0].startswith("Refused: this pair has a conflict of interest")
    assert active_pairs(judging_round) == set()
    assert not AuditEntry.objects.filter(action="assignment.add").exists()


def test_adding_beyond_capacity_or_twice_or_outside_the_round_is_refused(secretary):
    edition, category, judging_round = one_category_round(k=2)
    entry, other = eligible(edition, category), eligible(edition, category)
    full = judge(edition, capacity=1)
    assignments.assignment_add_manual(round=judging_round, judge=full, application=entry, user=secretary)

    with pytest.raises(ValidationError) as twice:
        assignments.assignment_add_manual(round=judging_round, judge=full, application=entry, user=secretary)
    with pytest.raises(ValidationError) as at_capacity:
        assignments.assignment_add_manual(round=judging_round, judge=full, application=other, user=secretary)
    draft = eligible(edition, category)
    draft.status = "draft"
    draft.save()
    with pytest.raises(ValidationError) as not_entry:
        assignments.assignment_add_manual(round=judging_round, judge=judge(edition), application=draft, user=secretary)

    assert "This judge already has this entry." in twice.value.messages
    assert any("their capacity" in m for m in at_capacity.value.messages)
    assert not_entry.value.messages == ["This application is not one of the round's entries."]
    assert active_pairs(judging_round) == {(entry.pk, full.pk)}


def test_the_preview_shows_the_effect_and_the_refusal_without_writing():
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    member = judge(edition, expertise=[category])
    MembershipFactory(organisation=entry.organisation, user=member.user)

    preview = assignments.manual_change_check(round=judging_round, judge=member, application=entry)

    assert preview.affinity == 10
    assert preview.problems[0].startswith("Refused: this pair has a conflict of interest")
    assert Assignment.objects.count() == 0


# --- move and release --------------------------------------------------------------------------------------


def test_moving_releases_the_old_row_and_reports_the_affinity_change_and_both_loads(secretary):
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    novice, expert = judge(edition, capacity=4), judge(edition, expertise=[category], capacity=4)
    added = assignments.assignment_add_manual(round=judging_round, judge=novice, application=entry, user=None).assignment

    change = assignments.assignment_move(assignment=added, to_judge=expert, user=secretary)

    added.refresh_from_db()
    assert added.state == Assignment.State.RELEASED
    assert active_pairs(judging_round) == {(entry.pk, expert.pk)}
    assert (change.affinity, change.affinity_change) == (10, 10)
    assert [(load.judge.pk, load.before, load.after) for load in change.loads] == [(expert.pk, 0, 1), (novice.pk, 1, 0)]
    assert (change.entry_judges_before, change.entry_judges_after) == (1, 1)
    move = AuditEntry.objects.get(action="assignment.move")
    assert (move.before["judge"], move.after["judge"], move.after["affinity_change"]) == (novice.pk, expert.pk, 10)


def test_moving_to_a_conflicted_judge_is_refused_and_changes_nothing(secretary):
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    first, member = judge(edition), judge(edition, expertise=[category])
    MembershipFactory(organisation=entry.organisation, user=member.user)
    added = assignments.assignment_add_manual(round=judging_round, judge=first, application=entry, user=None).assignment

    with pytest.raises(ValidationError) as refused:
        assignments.assignment_move(assignment=added, to_judge=member, user=secretary)

    assert "the judge is a member of the applying organisation" in refused.value.messages[0]
    added.refresh_from_db()
    assert added.state == Assignment.State.ASSIGNED
    assert active_pairs(judging_round) == {(entry.pk, first.pk)}


def test_a_started_review_cannot_be_moved(secretary):
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    first, second = judge(edition), judge(edition)
    added = assignments.assignment_add_manual(round=judging_round, judge=first, application=entry, user=None).assignment
    Assignment.objects.filter(pk=added.pk).update(state=Assignment.State.IN_PROGRESS)
    added.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        assignments.assignment_move(assignment=added, to_judge=second, user=secretary)

    assert refused.value.messages == ["The judge has started this review: release it instead of moving it."]


def test_release_is_audited_and_only_once(secretary):
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    added = assignments.assignment_add_manual(round=judging_round, judge=judge(edition), application=entry,
                                           user=None).assignment

    assignments.assignment_release(assignment=added, user=secretary, reason="Judge unavailable")
    with pytest.raises(ValidationError):
        assignments.assignment_release(assignment=added, user=secretary)

    added.refresh_from_db()
    assert added.state == Assignment.State.RELEASED
    released = AuditEntry.objects.get(action="assignment.release")
    assert (released.before["state"], released.after["state"], released.after["reason"]) == (
        "assigned", "released", "Judge unavailable")


def test_nothing_changes_by_hand_in_a_closed_round(secretary):
    edition, category, judging_round = one_category_round(k=1, state="closed")
    entry = eligible(edition, category)
    with pytest.raises(ValidationError) as refused:
        assignments.assignment_add_manual(round=judging_round, judge=judge(edition), application=entry, user=secretary)
    assert "The round is closed: its assignments no longer change." in refused.value.messages


# --- declared conflict and replacement ---------------------------------------------------------------------


def test_a_declared_conflict_is_replaced_by_the_best_available_judge(django_capture_on_commit_callbacks):
    edition, category, judging_round = one_category_round(k=2)
    entry = eligible(edition, category)
    declaring = judge(edition, expertise=[category])
    staying = judge(edition, expertise=[category])
    full_expert = judge(edition, expertise=[category], capacity=0)
    best = judge(edition, expertise=[category], capacity=3)
    BidFactory(judge=best, application=entry, level="willing")
    judge(edition, capacity=3)  # available but no expertise: a worse choice
    member = judge(edition, expertise=[category])
    MembershipFactory(organisation=entry.organisation, user=member.user)
    BidFactory(judge=member, application=entry, level="eager")
    assignment = assignments.assignment_add_manual(round=judging_round, judge=declaring, application=entry,
                                                user=None).assignment
    assignments.assignment_add_manual(round=judging_round, judge=staying, application=entry, user=None)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        conflicts.assignment_declare_conflict(assignment=assignment, user=declaring.user,
                                             reason="I advised this city last year")

    assert len(callbacks) == 1  # the replacement task, run in-process (eager) once the transaction committed
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.CONFLICT_DECLARED
    conflict = Conflict.objects.get(judge=declaring, application=entry)
    assert (conflict.source, conflict.reason, conflict.recorded_by) == (
        "declared", "I advised this city last year", declaring.user)
    replacement = Assignment.objects.get(round=judging_round, source=Assignment.Source.REPLACEMENT)
    assert (replacement.judge, replacement.affinity, replacement.state) == (best, 12, Assignment.State.ASSIGNED)
    assert active_pairs(judging_round) == {(entry.pk, staying.pk), (entry.pk, best.pk)}
    audit = AuditEntry.objects.get(action="assignment.replace")
    assert (audit.before["judge"], audit.after["judge"]) == (declaring.pk, best.pk)
    assert full_expert.pk not in {j for _a, j in active_pairs(judging_round)}


def test_the_replacement_task_run_twice_adds_one_judge(django_capture_on_commit_callbacks):
    from judging.tasks.assignment import replace_after_conflict

    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    declaring, spare = judge(edition), judge(edition)
    assignment = assignments.assignment_add_manual(round=judging_round, judge=declaring, application=entry,
                                                user=None).assignment
    with django_capture_on_commit_callbacks(execute=True):
        conflicts.assignment_declare_conflict(assignment=assignment, user=declaring.user, reason="Former employer")

    assert replace_after_conflict.apply(kwargs={"assignment_id": assignment.pk}).get() == "no replacement"
    assert active_pairs(judging_round) == {(entry.pk, spare.pk)}


def test_without_an_available_judge_the_secretariat_gets_a_visible_note(django_capture_on_commit_callbacks):
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    declaring = judge(edition)
    judge(edition, capacity=0)
    assignment = assignments.assignment_add_manual(round=judging_round, judge=declaring, application=entry,
                                                user=None).assignment

    with django_capture_on_commit_callbacks(execute=True):
        conflicts.assignment_declare_conflict(assignment=assignment, user=declaring.user, reason="My sister's NGO")

    assert active_pairs(judging_round) == set()
    note = AuditEntry.objects.get(action="assignment.replacement_unavailable")
    assert (note.edition, note.after["round"], note.after["application"]) == (edition, judging_round.pk, entry.pk)
    assert "add one by hand" in note.after["note"]


def test_only_the_assigned_judge_declares_a_conflict(secretary):
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    assignment = assignments.assignment_add_manual(round=judging_round, judge=judge(edition), application=entry,
                                                user=None).assignment
    with pytest.raises(ValidationError) as refused:
        conflicts.assignment_declare_conflict(assignment=assignment, user=secretary, reason="On their behalf")
    assert refused.value.messages == ["Only the judge it is assigned to declares a conflict on it."]
    assert not Conflict.objects.exists()


def test_declaring_needs_a_reason():
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    declaring = judge(edition)
    assignment = assignments.assignment_add_manual(round=judging_round, judge=declaring, application=entry,
                                                user=None).assignment
    with pytest.raises(ValidationError):
        conflicts.assignment_declare_conflict(assignment=assignment, user=declaring.user, reason="  ")
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.ASSIGNED


def test_a_conflict_recorded_by_the_secretariat_withdraws_and_replaces_the_assignment(
        secretary, django_capture_on_commit_callbacks):
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    conflicted, spare = judge(edition), judge(edition)
    assignment = assignments.assignment_add_manual(round=judging_round, judge=conflicted, application=entry,
                                                user=None).assignment

    with django_capture_on_commit_callbacks(execute=True):
        judge_services.conflict_record(judge=conflicted, application=entry, reason="Board member", user=secretary)

    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.CONFLICT_DECLARED
    assert Conflict.objects.get(judge=conflicted, application=entry).source == Conflict.Source.SECRETARIAT
    assert active_pairs(judging_round) == {(entry.pk, spare.pk)}
