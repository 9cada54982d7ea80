"""The round's stored assignment summaries follow every write that changes which assignments are active.

Each test changes the round through one service and compares the stored rows (what the round's page reads) with
figures written out by hand and with a count from the assignments made just now (the selector's computation).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from judging.models import Assignment, CategoryAssignmentSummary
from judging.selectors.design import category_assignment_counts
from judging.services import assignments, conflicts, rounds
from judging.services import judges as judge_services
from tests.factories.assignment import assign, eligible, judge, one_category_round
from tests.factories.submissions import CategoryFactory

pytestmark = pytest.mark.django_db

FIELDS = ("rows", "assignments", "judges", "entries_by_judges", "panel_sizes", "short_entries")


def _figures(summary: CategoryAssignmentSummary) -> dict:
    return {name: getattr(summary, name) for name in FIELDS}


def stored(judging_round) -> dict[int, dict]:
    return {s.category_id: _figures(s) for s in CategoryAssignmentSummary.objects.filter(round=judging_round)}


def counted_now(judging_round) -> dict[int, dict]:
    """What the selector counts from the assignments as they are (categories without any are all zeros)."""
    empty = _figures(CategoryAssignmentSummary())
    counted = {pk: _figures(s) for pk, s in category_assignment_counts(round=judging_round).items()}
    return {pk: counted.get(pk, empty) for pk in stored(judging_round)}


def _two_judges_on_one_entry(k: int = 2):
    edition, category, judging_round = one_category_round(k=k)
    entry = eligible(edition, category)
    first, second = judge(edition, expertise=[category]), judge(edition, expertise=[category])
    for profile in (first, second):
        assignments.assignment_add_manual(round=judging_round, judge=profile, application=entry, user=None)
    return edition, category, judging_round, entry, first, second


def test_a_new_round_has_a_row_of_zeros_per_category():
    edition, category, judging_round = one_category_round(k=2)
    other = CategoryFactory(edition=edition, name="Tech-innovative")

    created = rounds.round_create(edition=edition, user=None, name="Second", position=2, categories=[category, other],
                                  deadline=timezone.now() + timedelta(days=9))

    zeros = {"rows": 0, "assignments": 0, "judges": 0, "entries_by_judges": {}, "panel_sizes": [], "short_entries": []}
    assert stored(created) == {category.pk: zeros, other.pk: zeros}


def test_the_assigners_run_counts_the_whole_round():
    edition, category, judging_round = one_category_round(k=2)
    entries = [eligible(edition, category) for _ in range(3)]
    judges = [judge(edition, expertise=[category], capacity=6) for _ in range(2)]

    assign(judging_round)

    assert stored(judging_round) == {category.pk: {
        "rows": 6, "assignments": 6, "judges": 2, "entries_by_judges": {"2": 3}, "panel_sizes": [2],
        "short_entries": []}}
    assert stored(judging_round) == counted_now(judging_round)
    assert len(entries) == 3 and len(judges) == 2


def test_adding_by_hand_counts_the_new_judge():
    edition, category, judging_round = one_category_round(k=2)
    entry = eligible(edition, category)
    first = judge(edition, expertise=[category])

    assignments.assignment_add_manual(round=judging_round, judge=first, application=entry, user=None)

    assert stored(judging_round) == {category.pk: {
        "rows": 1, "assignments": 1, "judges": 1, "entries_by_judges": {"1": 1}, "panel_sizes": [1],
        "short_entries": [[entry.pk, 1]]}}
    assert stored(judging_round) == counted_now(judging_round)


def test_a_release_takes_the_judge_out_and_keeps_the_row():
    _edition, category, judging_round, entry, first, second = _two_judges_on_one_entry()
    released = Assignment.objects.get(round=judging_round, judge=second)

    assignments.assignment_release(assignment=released, user=None, reason="Ill")

    assert stored(judging_round) == {category.pk: {
        "rows": 2, "assignments": 1, "judges": 1, "entries_by_judges": {"1": 1}, "panel_sizes": [1],
        "short_entries": [[entry.pk, 1]]}}
    assert stored(judging_round) == counted_now(judging_round)


def test_a_move_counts_the_new_judge_and_the_released_row():
    edition, category, judging_round, entry, first, second = _two_judges_on_one_entry(k=2)
    other = eligible(edition, category)
    assignments.assignment_add_manual(round=judging_round, judge=first, application=other, user=None)
    third = judge(edition, expertise=[category])
    moving = Assignment.objects.get(round=judging_round, judge=second, application=entry)

    assignments.assignment_move(assignment=moving, to_judge=third, user=None)

    # first has both entries, third the first one: one panel of two; second is out.
    assert stored(judging_round) == {category.pk: {
        "rows": 4, "assignments": 3, "judges": 2, "entries_by_judges": {"1": 1, "2": 1}, "panel_sizes": [2],
        "short_entries": [[other.pk, 1]]}}
    assert stored(judging_round) == counted_now(judging_round)


def test_a_declared_conflict_and_its_replacement_are_each_counted(django_capture_on_commit_callbacks):
    edition, category, judging_round, entry, first, second = _two_judges_on_one_entry()
    spare = judge(edition, expertise=[category])
    declared = Assignment.objects.get(round=judging_round, judge=second)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        conflicts.assignment_declare_conflict(assignment=declared, user=second.user, reason="My former employer")
    assert stored(judging_round)[category.pk] | {"short_entries": None} == {
        "rows": 2, "assignments": 1, "judges": 1, "entries_by_judges": {"1": 1}, "panel_sizes": [1],
        "short_entries": None}
    assert stored(judging_round) == counted_now(judging_round)

    for callback in callbacks:  # the replacement task, as the worker runs it after commit
        callback()
    assert Assignment.objects.get(round=judging_round, source=Assignment.Source.REPLACEMENT).judge == spare
    assert stored(judging_round) == {category.pk: {
        "rows": 3, "assignments": 2, "judges": 2, "entries_by_judges": {"2": 1}, "panel_sizes": [2],
        "short_entries": []}}
    assert stored(judging_round) == counted_now(judging_round)


def test_a_conflict_the_secretariat_records_is_counted(django_capture_on_commit_callbacks):
    edition, category, judging_round, entry, first, second = _two_judges_on_one_entry()

    with django_capture_on_commit_callbacks(execute=True):  # no other judge: no replacement
        judge_services.conflict_record(judge=first, application=entry, reason="Board member", user=None)

    assert Assignment.objects.get(round=judging_round, judge=first).state == Assignment.State.CONFLICT_DECLARED
    assert stored(judging_round) == {category.pk: {
        "rows": 2, "assignments": 1, "judges": 1, "entries_by_judges": {"1": 1}, "panel_sizes": [1],
        "short_entries": [[entry.pk, 1]]}}
    assert stored(judging_round) == counted_now(judging_round)


def test_a_category_added_to_the_round_gets_its_row():
    edition, category, judging_round, entry, first, second = _two_judges_on_one_entry()
    added = CategoryFactory(edition=edition, name="Safety and resilience")

    rounds.round_update(round=judging_round, user=None, data={"categories": [category, added]})

    assert set(stored(judging_round)) == {category.pk, added.pk}
    assert stored(judging_round)[added.pk]["assignments"] == 0
    assert stored(judging_round) == counted_now(judging_round)


def test_a_new_number_of_judges_per_entry_recounts_the_short_entries():
    edition, category, judging_round, entry, first, second = _two_judges_on_one_entry(k=2)
    assert stored(judging_round)[category.pk]["short_entries"] == []

    rounds.round_update(round=judging_round, user=None, data={"judges_per_entry": 3})

    judging_round.refresh_from_db()
    assert stored(judging_round)[category.pk]["short_entries"] == [[entry.pk, 2]]
    assert stored(judging_round) == counted_now(judging_round)


def test_the_judges_progress_changes_no_count():
    """assigned → in progress → submitted keeps the assignment active: nothing to count again."""
    _edition, category, judging_round, entry, first, second = _two_judges_on_one_entry()
    before = list(CategoryAssignmentSummary.objects.filter(round=judging_round).values_list("pk", "counted_at"))
    started = Assignment.objects.get(round=judging_round, judge=first)

    assignments.assignment_start(assignment=started, user=first.user)
    assignments.assignment_submit(assignment=started, user=first.user)

    assert list(CategoryAssignmentSummary.objects.filter(round=judging_round)
                .values_list("pk", "counted_at")) == before
    assert stored(judging_round) == counted_now(judging_round)


def test_two_panels_are_stored_as_two():
    edition, category, judging_round = one_category_round(k=1)
    entries = [eligible(edition, category) for _ in range(2)]
    judges = [judge(edition, expertise=[category]) for _ in range(2)]
    for entry, profile in zip(entries, judges, strict=True):
        assignments.assignment_add_manual(round=judging_round, judge=profile, application=entry, user=None)

    assert stored(judging_round)[category.pk]["panel_sizes"] == [1, 1]
