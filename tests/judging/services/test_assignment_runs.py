"""The assigner on database rows: round_problem + round_assign, on instances whose optimum is known by hand."""

import pytest

from judging.models import Assignment, AssignmentRun, Conflict, JudgingRound, Shortlisting
from judging.services import assignment_problem, assignment_runs, assignments
from judging.services import judges as judge_services
from portal.models import AuditEntry
from submissions.models import Application
from tests.factories import ApplicationFactory, CategoryFactory, EditionFactory, MembershipFactory, OrganisationFactory
from tests.factories.assignment import active_pairs, assign, eligible, judge, loads, one_category_round
from tests.factories.judging import (
    BidFactory,
    CalibrationEntryFactory,
    ConflictFactory,
    JudgingRoundFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


# --- the optimum, by hand --------------------------------------------------------------------------------


def test_the_unique_optimum_by_hand_with_expertise_and_a_bid():
    edition, category, judging_round = one_category_round(k=1)
    first, second = eligible(edition, category), eligible(edition, category)
    eager_expert, expert, novice = judge(edition, expertise=[category]), judge(edition, expertise=[category]), judge(edition)
    BidFactory(judge=eager_expert, application=first, level="eager")

    run = assign(judging_round)

    # first -> eager expert (10 + 5), second -> the other expert (10): 25; every other choice is lower.
    assert run.state == AssignmentRun.State.SUCCEEDED
    assert active_pairs(judging_round) == {(first.pk, eager_expert.pk), (second.pk, expert.pk)}
    assert (run.objective, run.bound) == (25, 25)
    assert novice.pk not in loads(judging_round)
    assert Assignment.objects.get(application=first).affinity == 15
    assert judging_round.assignments.get(application=second).source == Assignment.Source.SOLVER


def test_every_entry_gets_exactly_k_distinct_judges_within_capacity():
    edition = EditionFactory()
    human, tech = CategoryFactory(edition=edition), CategoryFactory(edition=edition)
    judging_round = JudgingRoundFactory(edition=edition, categories=[human, tech], judges_per_entry=3)
    entries = [eligible(edition, human if i % 2 else tech) for i in range(5)]
    judges = [judge(edition, expertise=[human if i % 2 else tech], capacity=4) for i in range(5)]

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.SUCCEEDED
    pairs = active_pairs(judging_round)
    assert {entry.pk: sum(1 for a, _j in pairs if a == entry.pk) for entry in entries} == {e.pk: 3 for e in entries}
    assert len(pairs) == 15
    assert all(load <= 4 for load in loads(judging_round).values())
    assert set(loads(judging_round)) <= {j.pk for j in judges}
    assert run.objective == run.bound


def test_the_run_places_every_judges_queue_so_reading_it_never_writes():
    edition = EditionFactory()
    human = CategoryFactory(edition=edition)
    judging_round = JudgingRoundFactory(edition=edition, categories=[human], judges_per_entry=2)
    for _ in range(4):
        eligible(edition, human)
    judges = [judge(edition, expertise=[human], capacity=4) for _ in range(2)]

    assign(judging_round)

    for profile in judges:
        positions = sorted(Assignment.objects.filter(round=judging_round, judge=profile)
                           .values_list("queue_position", flat=True))
        assert positions == [1, 2, 3, 4]


def test_a_judge_never_gets_more_than_their_capacity_even_as_the_only_expert():
    edition, category, judging_round = one_category_round(k=1)
    entries = [eligible(edition, category) for _ in range(4)]
    expert = judge(edition, expertise=[category], capacity=1)
    novice = judge(edition, capacity=10)

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.SUCCEEDED
    assert loads(judging_round) == {expert.pk: 1, novice.pk: 3}
    assert len(active_pairs(judging_round)) == len(entries)
    assert run.objective == 10


def test_loads_are_balanced_even_when_one_judge_wants_everything():
    edition, category, judging_round = one_category_round(k=1)
    entries = [eligible(edition, category) for _ in range(6)]
    keen, second, third = (judge(edition, expertise=[category], capacity=6) for _ in range(3))
    for entry in entries:
        BidFactory(judge=keen, application=entry, level="eager")

    run = assign(judging_round)

    # Unbalanced, the keen judge would take all six (6 x 15); balanced, everyone takes two: 2 x 15 + 4 x 10.
    assert loads(judging_round) == {keen.pk: 2, second.pk: 2, third.pk: 2}
    assert (run.objective, run.bound, run.min_load, run.max_load) == (70, 70, 2, 2)


# --- conflicts of every kind -----------------------------------------------------------------------------


def _make_conflict(kind: str, favourite, entry) -> None:
    if kind == "member":
        MembershipFactory(organisation=entry.organisation, user=favourite.user)
    elif kind == "affiliation":
        judge_services.judge_profile_update(judge=favourite, actor=None, data={"affiliations": [entry.organisation]})
    elif kind == "declared":
        ConflictFactory(judge=favourite, application=entry, source=Conflict.Source.DECLARED)
    elif kind == "recorded":
        judge_services.conflict_record(judge=favourite, application=entry, reason="Advised this city", user=None)
    elif kind == "entry_bid":
        judge_services.bid_set(judge=favourite, level="conflict", user=None, application=entry)
    elif kind == "category_bid":
        judge_services.bid_set(judge=favourite, level="conflict", user=None, category=entry.category)


@pytest.mark.parametrize(
    "kind", ["member", "affiliation", "same_country", "declared", "recorded", "entry_bid", "category_bid"]
)
def test_the_assigner_never_pairs_a_judge_with_a_conflicted_entry(kind):
    edition, category, judging_round = one_category_round(k=1, same_country=kind == "same_country")
    entry = eligible(edition, category, organisation=OrganisationFactory(country="KR"))
    favourite = judge(edition, expertise=[category], country="KR" if kind == "same_country" else "FR")
    other = judge(edition, country="FR")
    if not kind.endswith("bid"):
        BidFactory(judge=favourite, application=entry, level="eager")
    _make_conflict(kind, favourite, entry)

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.SUCCEEDED
    assert active_pairs(judging_round) == {(entry.pk, other.pk)}
    assert run.objective == 0


def test_without_a_conflict_the_favourite_gets_the_entry_and_same_country_is_allowed_when_the_setting_is_off():
    edition, category, judging_round = one_category_round(k=1, same_country=False)
    entry = eligible(edition, category, organisation=OrganisationFactory(country="KR"))
    favourite = judge(edition, expertise=[category], country="KR")
    judge(edition, country="FR")

    assign(judging_round)

    assert active_pairs(judging_round) == {(entry.pk, favourite.pk)}


def test_the_same_country_setting_removes_exactly_those_pairs_from_the_problem():
    edition, category, judging_round = one_category_round(k=1, same_country=True)
    korean_entry = eligible(edition, category, organisation=OrganisationFactory(country="KR"))
    kenyan_entry = eligible(edition, category, organisation=OrganisationFactory(country="KE"))
    korean, stateless = judge(edition, country="KR"), judge(edition, country="")

    built = assignment_problem.round_problem(judging_round)

    rows = {int(pk): i for i, pk in enumerate(built.entry_ids)}
    columns = {int(pk): j for j, pk in enumerate(built.judge_ids)}
    assert not built.problem.allowed[rows[korean_entry.pk], columns[korean.pk]]
    assert built.problem.allowed[rows[kenyan_entry.pk], columns[korean.pk]]
    assert built.problem.allowed[rows[korean_entry.pk], columns[stateless.pk]]


# --- infeasible --------------------------------------------------------------------------------------------


def test_infeasible_says_which_category_lacks_judges_and_by_how_much_and_changes_nothing():
    edition = EditionFactory()
    human = CategoryFactory(edition=edition, name="Human-centric")
    safety = CategoryFactory(edition=edition, name="Safety and resilience")
    judging_round = JudgingRoundFactory(edition=edition, categories=[human, safety], judges_per_entry=2)
    city = OrganisationFactory(name="City of Conflict")
    conflicted_entries = [eligible(edition, human, organisation=city) for _ in range(2)]
    eligible(edition, safety)
    first, second = judge(edition, expertise=[human]), judge(edition, expertise=[safety])
    assert assign(judging_round).state == AssignmentRun.State.SUCCEEDED
    before = set(Assignment.objects.filter(round=judging_round).values_list("pk", "application_id", "judge_id",
                                                                            "state"))
    assert len(before) == 6

    # Now the second judge turns out to work for the city: its two entries can only have one judge each.
    MembershipFactory(organisation=city, user=second.user)
    run = assign(judging_round)

    assert run.state == AssignmentRun.State.INFEASIBLE
    assert run.shortfall == {"Human-centric": 2}
    assert run.objective is None
    assert set(Assignment.objects.filter(round=judging_round).values_list("pk", "application_id", "judge_id",
                                                                          "state")) == before
    assert AuditEntry.objects.filter(action="round.assign").count() == 1  # only the first, feasible run wrote
    assert {a.pk for a in conflicted_entries} <= {a for a, _j in active_pairs(judging_round)}
    assert first.pk in loads(judging_round)


def test_too_few_judges_for_k_is_a_shortfall_per_category():
    edition, category, judging_round = one_category_round(k=3)
    eligible(edition, category)
    eligible(edition, category)
    judge(edition, expertise=[category])
    judge(edition)

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.INFEASIBLE
    assert run.shortfall == {"Human-centric": 2}
    assert active_pairs(judging_round) == set()


# --- re-runs ------------------------------------------------------------------------------------------------


def test_a_rerun_keeps_started_reviews_and_reoptimises_the_rest():
    edition, category, judging_round = one_category_round(k=1)
    started_entry, fresh_entry = eligible(edition, category), eligible(edition, category)
    judges = [judge(edition, expertise=[category]) for _ in range(4)]
    assign(judging_round)
    started = Assignment.objects.get(round=judging_round, application=started_entry)
    fresh = Assignment.objects.get(round=judging_round, application=fresh_entry)
    Assignment.objects.filter(pk=started.pk).update(state=Assignment.State.IN_PROGRESS)  # the judge began scoring
    # Two judges that had nothing now bid eager: without the started review both entries would move to them.
    idle = [j for j in judges if j.pk not in (started.judge_id, fresh.judge_id)]
    BidFactory(judge=idle[0], application=started_entry, level="eager")
    BidFactory(judge=idle[1], application=fresh_entry, level="eager")

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.SUCCEEDED
    assert run.kept == 1
    assert active_pairs(judging_round) == {(started_entry.pk, started.judge_id), (fresh_entry.pk, idle[1].pk)}
    started.refresh_from_db()
    assert (started.state, started.judge_id) == (Assignment.State.IN_PROGRESS, started.judge_id)
    assert not Assignment.objects.filter(pk=fresh.pk).exists()  # nobody had started it: replaced, not kept


def test_a_review_row_counts_as_started_even_before_the_state_moves():
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    first, second = judge(edition, expertise=[category]), judge(edition, expertise=[category])
    assign(judging_round)
    assignment = Assignment.objects.get(round=judging_round)
    ReviewFactory(assignment=assignment)
    other = second if assignment.judge_id == first.pk else first
    BidFactory(judge=other, application=entry, level="eager")

    run = assign(judging_round)

    assert (run.state, run.kept) == (AssignmentRun.State.SUCCEEDED, 1)
    assert active_pairs(judging_round) == {(entry.pk, assignment.judge_id)}


def test_a_rerun_with_unchanged_input_leaves_the_same_rows():
    edition = EditionFactory()
    human, tech = CategoryFactory(edition=edition), CategoryFactory(edition=edition)
    judging_round = JudgingRoundFactory(edition=edition, categories=[human, tech], judges_per_entry=2)
    for i in range(8):
        eligible(edition, human if i % 3 else tech)
    for i in range(5):
        judge(edition, expertise=[human] if i % 2 else [tech], capacity=6)
    first = assign(judging_round)
    rows = set(Assignment.objects.filter(round=judging_round).values_list("pk", "application_id", "judge_id",
                                                                          "state", "queue_position"))

    second = assign(judging_round)

    assert second.state == AssignmentRun.State.SUCCEEDED
    assert (second.objective, second.bound) == (first.objective, first.bound)
    assert set(Assignment.objects.filter(round=judging_round).values_list("pk", "application_id", "judge_id",
                                                                          "state", "queue_position")) == rows
    last = AuditEntry.objects.filter(action="round.assign").order_by("-id").first()
    assert (last.after["added"], last.before["removed"]) == (0, [])


def test_a_finished_run_delivered_again_does_nothing():
    edition, category, judging_round = one_category_round(k=1)
    eligible(edition, category)
    judge(edition)
    run = assign(judging_round)
    rows = list(Assignment.objects.values_list("pk", "judge_id", "application_id"))
    audits = AuditEntry.objects.count()

    again = assignment_runs.round_assign(run=run)

    assert (again.pk, again.state, again.finished_at) == (run.pk, AssignmentRun.State.SUCCEEDED, run.finished_at)
    assert list(Assignment.objects.values_list("pk", "judge_id", "application_id")) == rows
    assert AuditEntry.objects.count() == audits


def test_assignments_made_by_hand_are_kept_by_a_rerun():
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    expert, novice = judge(edition, expertise=[category]), judge(edition)
    assignments.assignment_add_manual(round=judging_round, judge=novice, application=entry, user=None)

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.SUCCEEDED
    assert active_pairs(judging_round) == {(entry.pk, novice.pk)}
    assert expert.pk not in loads(judging_round)


def test_a_pair_the_secretariat_released_is_not_given_back_by_a_rerun():
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    favourite, other = judge(edition, expertise=[category]), judge(edition)
    assign(judging_round)
    assignments.assignment_release(assignment=Assignment.objects.get(judge=favourite), user=None)

    assign(judging_round)

    assert active_pairs(judging_round) == {(entry.pk, other.pk)}
    # By hand it can come back.
    assignments.assignment_release(assignment=Assignment.objects.get(judge=other, state="assigned"), user=None)
    assignments.assignment_add_manual(round=judging_round, judge=favourite, application=entry, user=None)
    assign(judging_round)
    assert active_pairs(judging_round) == {(entry.pk, favourite.pk)}


def test_a_conflict_recorded_while_the_solver_runs_is_respected(monkeypatch):
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    favourite, other = judge(edition, expertise=[category]), judge(edition)
    real_solve, calls = assignment_runs.solve_assignment, []

    def solve_then_conflict(problem, **kwargs):
        solution = real_solve(problem, **kwargs)
        if not calls:  # between this solve and the write, the secretariat records a conflict
            ConflictFactory(judge=favourite, application=entry)
        calls.append(solution)
        return solution

    monkeypatch.setattr(assignment_runs, "solve_assignment", solve_then_conflict)
    run = assign(judging_round)

    assert len(calls) == 2
    assert run.state == AssignmentRun.State.SUCCEEDED
    assert active_pairs(judging_round) == {(entry.pk, other.pk)}


def test_a_started_review_that_became_conflicted_stops_the_run_with_a_clear_message():
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category, title="Flood sensors")
    judge(edition, expertise=[category])
    judge(edition)
    assign(judging_round)
    assignment = Assignment.objects.get(round=judging_round)
    Assignment.objects.filter(pk=assignment.pk).update(state=Assignment.State.SUBMITTED)
    MembershipFactory(organisation=entry.organisation, user=Assignment.objects.get(pk=assignment.pk).judge.user)

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.FAILED
    assert "Flood sensors" in run.error and "Release them" in run.error
    assert active_pairs(judging_round) == {(entry.pk, assignment.judge_id)}


# --- calibration and round sources ----------------------------------------------------------------------


def test_calibration_entries_go_to_every_free_expert_of_their_category():
    edition, category, judging_round = one_category_round(k=1)
    calibration = eligible(edition, category)
    ordinary = [eligible(edition, category) for _ in range(3)]
    experts = [judge(edition, expertise=[category]) for _ in range(3)]
    judge(edition)  # no expertise: not in the calibration
    ConflictFactory(judge=experts[2], application=calibration)
    CalibrationEntryFactory(round=judging_round, application=calibration)

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.SUCCEEDED
    calibrated = Assignment.objects.filter(round=judging_round, application=calibration)
    assert set(calibrated.values_list("judge_id", "source")) == {
        (experts[0].pk, Assignment.Source.CALIBRATION), (experts[1].pk, Assignment.Source.CALIBRATION)}
    assert all(Assignment.objects.filter(round=judging_round, application=e).count() == 1 for e in ordinary)
    # A re-run keeps them: same rows.
    ids = set(calibrated.values_list("pk", flat=True))
    assign(judging_round)
    assert set(calibrated.values_list("pk", flat=True)) == ids


def test_a_shortlist_round_assigns_only_the_previous_rounds_shortlist():
    edition, category, first_round = one_category_round(k=1)
    kept, dropped = eligible(edition, category), eligible(edition, category)
    Shortlisting.objects.create(round=first_round, application=kept)
    final = JudgingRoundFactory(edition=edition, categories=[category], judges_per_entry=1,
                                source=JudgingRound.Source.SHORTLIST, previous_round=first_round)
    judge(edition)

    assign(final)

    assert {a for a, _j in active_pairs(final)} == {kept.pk}
    assert dropped.pk not in {a for a, _j in active_pairs(final)}


def test_only_eligible_entries_of_the_rounds_categories_are_assigned():
    edition, category, judging_round = one_category_round(k=1)
    other_category = CategoryFactory(edition=edition)
    entry = eligible(edition, category)
    ApplicationFactory(edition=edition, category=category, status=Application.Status.SUBMITTED)
    ApplicationFactory(edition=edition, category=category, status=Application.Status.INELIGIBLE)
    eligible(edition, other_category)
    judge(edition)

    assign(judging_round)

    assert {a for a, _j in active_pairs(judging_round)} == {entry.pk}


def test_an_inactive_judge_gets_nothing_new_but_keeps_a_started_review():
    edition, category, judging_round = one_category_round(k=1)
    first, second = eligible(edition, category), eligible(edition, category)
    leaving = judge(edition, expertise=[category])
    staying = judge(edition)
    assignments.assignment_add_manual(round=judging_round, judge=leaving, application=first, user=None)
    Assignment.objects.filter(judge=leaving).update(state=Assignment.State.IN_PROGRESS)
    judge_services.judge_profile_update(judge=leaving, actor=None, data={"active": False})

    run = assign(judging_round)

    assert run.state == AssignmentRun.State.SUCCEEDED
    assert active_pairs(judging_round) == {(first.pk, leaving.pk), (second.pk, staying.pk)}
    assert (run.min_load, run.max_load) == (1, 1)


# --- the problem is read with a constant number of queries ------------------------------------------------


def _round_with(entries: int, judges: int):
    edition = EditionFactory(conflict_same_country=True)
    human, tech = CategoryFactory(edition=edition), CategoryFactory(edition=edition)
    judging_round = JudgingRoundFactory(edition=edition, categories=[human, tech], judges_per_entry=1)
    applications = [eligible(edition, human if i % 2 else tech) for i in range(entries)]
    profiles = [judge(edition, expertise=[human]) for _ in range(judges)]
    for i, profile in enumerate(profiles):
        BidFactory(judge=profile, application=applications[i % entries], level="willing")
        ConflictFactory(judge=profile, application=applications[(i + 1) % entries])
        MembershipFactory(user=profile.user)
    return judging_round


@pytest.mark.parametrize(("entries", "judges"), [(1, 1), (40, 12)])
def test_round_problem_reads_with_the_same_number_of_queries_for_1_or_many_rows(entries, judges,
                                                                                django_assert_num_queries):
    judging_round = _round_with(entries, judges)
    _round_with(3, 2)  # another edition's round, read by neither
    judging_round.refresh_from_db()
    with django_assert_num_queries(12):
        built = assignment_problem.round_problem(JudgingRound.objects.select_related("edition").get(pk=judging_round.pk))
    assert built.problem.affinity.shape == (entries, judges)
