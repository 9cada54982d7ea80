"""The aggregation through the database: a small case computed by hand, flags, ties, stage weights, the task."""

import math

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from judging.models import (
    AggregationRun,
    Assignment,
    Criterion,
    CriterionScore,
    EntryResult,
    JudgeResult,
    JudgingRound,
    Review,
)
from judging.selectors.results import card_criteria
from judging.services import aggregation, bulk_copy
from judging.services.aggregation import round_aggregate
from judging.services.round_jobs import aggregation_request
from judging.services.scoring import ReviewInput, review_save_draft, review_submit
from judging.views.results import _card
from portal.models import AuditEntry, Edition
from submissions.models import Application
from tests.factories.awards import PrizeTierFactory
from tests.factories.judging import JudgeProfileFactory, StageWeightFactory
from tests.factories.scoring import J1, J2, J3, SCORES, A, B, C, D, hand_world, make_world

pytestmark = pytest.mark.django_db


def results(world) -> dict:
    return {r.application_id: r for r in EntryResult.objects.filter(round=world.round)}


def test_a_small_case_computed_by_hand():
    world = hand_world()
    summary = round_aggregate(judging_round=world.round)
    assert (summary.reviews, summary.entries, summary.judges, summary.scores) == (9, 4, 3, 9)
    got = results(world)
    row = {e: got[world.entries[e].pk] for e in (A, B, C, D)}
    assert {e: round(r.mean, 9) for e, r in row.items()} == {A: 8, B: 5.5, C: 6.5, D: 4}
    assert {e: round(r.median, 9) for e, r in row.items()} == {A: 8, B: 5.5, C: 6.5, D: 4}
    assert {e: round(r.spread, 9) for e, r in row.items()} == {A: 2, B: 1, C: 1, D: 2}
    assert {e: round(r.corrected, 9) for e, r in row.items()} == {A: 8, B: 6, C: 6, D: 4}
    assert {e: round(r.correction, 9) for e, r in row.items()} == {A: 0, B: 0.5, C: -0.5, D: 0}
    assert {e: (r.rank, r.tied) for e, r in row.items()} == {A: (1, False), B: (2, True), C: (2, True), D: (4, False)}
    assert {e: r.n_reviews for e, r in row.items()} == {A: 3, B: 2, C: 2, D: 2}
    assert {e: (r.disagreement, r.uncorrected_judges, r.boundary_overlap) for e, r in row.items()} == {
        e: (False, 0, False) for e in (A, B, C, D)
    }
    assert all(r.interval_low <= r.corrected <= r.interval_high for r in row.values())
    criterion = str(world.criteria[0].pk)
    assert row[B].criterion_medians == {criterion: {"median": 5.5, "n": 2}}
    assert {(r.method, r.method_version) for r in row.values()} == {("least-squares judge offsets", "1.1")}
    offsets = {r.judge_id: (round(r.offset, 9), r.corrected, r.n_reviews) for r in JudgeResult.objects.all()}
    assert offsets == {world.judges[J1].pk: (-1, True, 3), world.judges[J2].pk: (0, True, 3),
                       world.judges[J3].pk: (1, True, 3)}


def test_the_recompute_is_idempotent_and_replaces_the_rows_whole():
    world = hand_world()
    round_aggregate(judging_round=world.round)
    first = sorted(EntryResult.objects.values_list("application_id", "corrected", "rank", "interval_low",
                                                    "interval_high"))
    round_aggregate(judging_round=world.round)
    assert sorted(EntryResult.objects.values_list("application_id", "corrected", "rank", "interval_low",
                                                   "interval_high")) == first
    assert (EntryResult.objects.count(), JudgeResult.objects.count()) == (4, 3)


def test_drafts_and_reviews_of_withdrawn_assignments_do_not_count():
    world = hand_world()
    extra = JudgeProfileFactory(edition=world.edition)
    from tests.factories.judging import AssignmentFactory

    draft = AssignmentFactory(round=world.round, judge=extra, application=world.entries[A])
    review_save_draft(assignment=draft, user=extra.user, data=ReviewInput(scores={world.criteria[0].pk: 0}))
    Assignment.objects.filter(pk=world.assignment(J3, D).pk).update(state=Assignment.State.CONFLICT_DECLARED)
    summary = round_aggregate(judging_round=world.round)
    assert summary.reviews == 8
    got = results(world)
    assert (got[world.entries[A].pk].n_reviews, got[world.entries[D].pk].n_reviews) == (3, 1)
    assert got[world.entries[D].pk].mean == 3


def test_a_judge_with_too_few_reviews_is_not_corrected_and_flags_the_entries_they_scored():
    world = hand_world()
    newcomer = JudgeProfileFactory(edition=world.edition)
    from tests.factories.judging import AssignmentFactory

    extra = AssignmentFactory(round=world.round, judge=newcomer, application=world.entries[D])
    review_submit(assignment=extra, user=newcomer.user, data=ReviewInput(scores={world.criteria[0].pk: 10}),
                  notify=False)
    round_aggregate(judging_round=world.round)
    judge = JudgeResult.objects.get(judge=newcomer)
    assert (judge.n_reviews, judge.offset, judge.corrected) == (1, 0.0, False)
    assert {r.application_id: r.uncorrected_judges for r in EntryResult.objects.all()} == {
        world.entries[A].pk: 0, world.entries[B].pk: 0, world.entries[C].pk: 0, world.entries[D].pk: 1,
    }
    # The newcomer's review counts toward D (uncorrected), without moving the others' offsets.
    d = EntryResult.objects.get(application=world.entries[D])
    assert round(d.corrected, 9) == round((3 + 1 + 5 - 1 + 10) / 3, 9)


def test_strong_disagreement_is_flagged():
    world = make_world(judges=3, entries=1, criteria=((0, 10, 1),))
    for j, score in enumerate((1, 5, 9)):
        review_submit(assignment=world.assignment(j, 0), user=world.judges[j].user,
                      data=ReviewInput(scores={world.criteria[0].pk: score}), notify=False)
    round_aggregate(judging_round=world.round)
    result = EntryResult.objects.get()
    assert (result.disagreement, result.stdev, result.spread) == (True, 4.0, 8.0)


def test_a_tie_straddling_a_prize_boundary_is_flagged():
    world = hand_world()
    # One tier of two prizes in the entries' category: its end is after rank 2.
    PrizeTierFactory(category=world.entries[A].category, level="gold", places=2)
    round_aggregate(judging_round=world.round)
    got = results(world)
    # Ranks 1, 2, 2, 4 and a prize for ranks 1-2: B and C cannot both have it, and nothing tells them apart.
    assert (got[world.entries[A].pk].boundary_overlap, got[world.entries[B].pk].boundary_overlap,
            got[world.entries[C].pk].boundary_overlap) == (False, True, True)


def test_totals_use_the_stage_weights_and_put_every_scale_on_zero_to_ten():
    world = make_world(judges=1, entries=2, criteria=((0, 10, 1), (1, 5, 1)))
    c1, c2 = world.criteria
    StageWeightFactory(criterion=c2, stage=Application.Stage.PILOT, weight=3)
    Application.objects.filter(pk=world.entries[0].pk).update(stage=Application.Stage.PILOT)
    Application.objects.filter(pk=world.entries[1].pk).update(stage=Application.Stage.SCALED)
    for e in (0, 1):
        review_submit(assignment=world.assignment(0, e), user=world.judges[0].user,
                      data=ReviewInput(scores={c1.pk: 10, c2.pk: 3}), notify=False)
    # c2's 3 on 1–5 is 5 on 0–10. Pilot: (1·10 + 3·5) / 4 = 6.25. Scaled (default weights): (10 + 5) / 2 = 7.5.
    assert sorted(Review.objects.values_list("assignment__application__stage", "weighted_total")) == [
        ("pilot", 6.25), ("scaled", 7.5)
    ]
    round_aggregate(judging_round=world.round)
    assert {r.application_id: r.mean for r in EntryResult.objects.all()} == {
        world.entries[0].pk: 6.25, world.entries[1].pk: 7.5
    }


def test_awkward_text_and_numbers_survive_the_bulk_writer_and_reader():
    """On PostgreSQL the results go in through COPY text and the scores come out through binary COPY."""
    world = hand_world()
    awkward = 'Tab\there, "quoted", back\\slash\\N, new\nline\r 도시 안전'
    Criterion.objects.filter(pk=world.criteria[0].pk).update(name=awkward)
    round_aggregate(judging_round=world.round)
    result = results(world)[world.entries[B].pk]
    assert _card(result, card_criteria([result]))["criteria"] == [
        {"name": awkward, "median": 5.5, "n": 2, "scale_min": 0, "scale_max": 10}]

    EntryResult.objects.all().delete()
    fields = ["round", "application", "category", "n_reviews", "mean", "median", "corrected", "spread", "stdev",
              "interval_low", "interval_high", "rank", "criterion_medians", "method", "method_version",
              "disagreement", "uncorrected_judges", "tied", "boundary_overlap", "correction"]
    entry = world.entries[A]
    nan = math.nan if connection.vendor == "postgresql" else 7.0  # SQLite stores NaN as NULL
    bulk_copy.write_rows(EntryResult, fields, [
        (world.round.pk, entry.pk, entry.category_id, 3, nan, math.inf, -math.inf, 0.1 + 0.2, 1e-300,
         -0.0, 1.0, 1, '{"k": "a\\tb"}', awkward, "1.1", True, 0, np.bool_(False), False, np.float64(0.5)),
    ])
    row = EntryResult.objects.get()
    assert (math.isnan(row.mean) if math.isnan(nan) else row.mean == nan)
    assert (row.median, row.corrected) == (math.inf, -math.inf)
    assert (row.spread, row.stdev, row.interval_high) == (0.1 + 0.2, 1e-300, 1.0)
    assert (row.criterion_medians, row.method) == ({"k": "a\tb"}, awkward)
    assert (row.disagreement, row.tied, row.boundary_overlap, row.correction) == (True, False, False, 0.5)


def test_the_card_names_criteria_from_the_rubric_and_reads_rows_stored_with_their_names():
    world = hand_world()
    round_aggregate(judging_round=world.round)
    result = results(world)[world.entries[A].pk]
    criterion = world.criteria[0]
    assert _card(result, card_criteria([result, None]))["criteria"] == [
        {"name": "Criterion 1", "median": 8.0, "n": 3, "scale_min": 0, "scale_max": 10}]
    # Results computed before names left the rows carry them themselves.
    result.criterion_medians = {"999999": {"name": "Old criterion", "median": 4.0, "n": 2, "scale_min": 1,
                                           "scale_max": 5}, str(criterion.pk): {"median": 7.5, "n": 2}}
    assert _card(result, card_criteria([result]))["criteria"] == [
        {"name": "Criterion 1", "median": 7.5, "n": 2, "scale_min": 0, "scale_max": 10},
        {"name": "Old criterion", "median": 4.0, "n": 2, "scale_min": 1, "scale_max": 5}]


def test_the_integer_reader_gives_the_rows_of_the_query():
    hand_world()
    query = CriterionScore.objects.order_by("review_id").values_list("review_id", "criterion_id", "score")
    got = bulk_copy.fetch_integers(query, 3)
    assert got.dtype == np.int64
    assert got.tolist() == [list(row) for row in query]
    assert len(got) == len(SCORES)
    assert bulk_copy.fetch_integers(query.filter(score__gt=99), 3).shape == (0, 3)


def test_results_go_with_their_round_though_the_database_does_not_check_the_key():
    """EntryResult.round has no database constraint (the aggregation writes it under the round's lock);
    Django's collector still removes a deleted round's results."""
    world = hand_world()
    round_aggregate(judging_round=world.round)
    assert EntryResult.objects.filter(round=world.round).count() == 4
    Review.objects.filter(assignment__round=world.round).delete()
    world.round.delete()
    assert (EntryResult.objects.count(), JudgeResult.objects.count()) == (0, 0)


def test_an_empty_round_gives_no_results_and_clears_old_ones():
    world = hand_world()
    round_aggregate(judging_round=world.round)
    Review.objects.update(state=Review.State.DRAFT)
    summary = round_aggregate(judging_round=world.round)
    assert (summary.reviews, EntryResult.objects.count(), JudgeResult.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize("reviews", [9, 60])
def test_loading_takes_the_same_number_of_queries_for_few_and_many_reviews(reviews, django_assert_num_queries):
    if reviews == 9:
        world = hand_world()
    else:
        world = make_world(judges=5, entries=12, criteria=((0, 10, 1), (1, 5, 2)))
        for (j, e), assignment in world.assignments.items():
            review_submit(assignment=assignment, user=world.judges[j].user, notify=False,
                          data=ReviewInput(scores={c.pk: c.scale_min + (j + e) % 4 for c in world.criteria}))
    # Reviews, scores, criteria, stage weights, the categories' prize tiers; the lock, the edition's state
    # (finalised?), two deletes, two inserts (and savepoints); the categories' summaries: the round's assigned
    # entries, its categories, a delete and an insert. PostgreSQL moves rows with COPY (the reviews and scores
    # read, the results written), which Django does not count; SQLite takes three more statements.
    with django_assert_num_queries({"postgresql": 14, "sqlite": 17}[connection.vendor]):
        summary = round_aggregate(judging_round=world.round)
    assert summary.reviews == reviews


# --- runs and the task ----------------------------------------------------------------------------------------


def test_a_requested_run_computes_the_results_after_commit_and_closed_rounds_become_scored(
    django_capture_on_commit_callbacks,
):
    world = hand_world()
    JudgingRound.objects.filter(pk=world.round.pk).update(state=JudgingRound.State.CLOSED)
    world.round.refresh_from_db()
    secretariat = world.role("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        run = aggregation_request(judging_round=world.round, user=secretariat)
    run.refresh_from_db()
    assert (run.state, run.progress, run.reviews, run.method_version) == ("succeeded", 100, 9, "1.1")
    assert EntryResult.objects.filter(round=world.round).count() == 4
    assert JudgingRound.objects.get(pk=world.round.pk).state == "scored"
    assert list(AuditEntry.objects.filter(action__in=["aggregation.request", "round.scored"])
                .values_list("action", flat=True).order_by("id")) == ["aggregation.request", "round.scored"]


def test_the_task_is_idempotent_and_a_waiting_run_is_not_doubled(django_capture_on_commit_callbacks):
    from judging.tasks.scoring import aggregate_round

    world = hand_world()
    with django_capture_on_commit_callbacks(execute=False):
        first = aggregation_request(judging_round=world.round, user=None)
        second = aggregation_request(judging_round=world.round, user=None)
    assert first.pk == second.pk
    assert aggregate_round.apply(kwargs={"run_id": first.pk}).get() == "succeeded"
    assert aggregate_round.apply(kwargs={"run_id": first.pk}).get() == "succeeded"
    assert aggregate_round.apply(kwargs={"run_id": 987654}).get() == "gone"
    assert EntryResult.objects.count() == 4


def test_results_are_locked_once_the_edition_is_finalised(django_capture_on_commit_callbacks):
    world = hand_world()
    round_aggregate(judging_round=world.round)
    run = AggregationRun.objects.create(round=world.round)  # queued before the chair finalised
    Edition.objects.filter(pk=world.edition.pk).update(state=Edition.State.FINALISED)
    world.round.refresh_from_db()
    with pytest.raises(ValidationError):
        aggregation_request(judging_round=world.round, user=None)
    aggregation.aggregation_run_execute(run=run)
    run.refresh_from_db()
    assert (run.state, run.error) == ("failed", "The edition is finalised: its results are locked for good.")


def test_closing_the_round_stops_scoring_and_computes_the_results(client, login, django_capture_on_commit_callbacks):
    from judging.services.round_jobs import round_close

    world = hand_world()
    secretariat = world.role("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        round_close(round=world.round, user=secretariat)
    assert JudgingRound.objects.get(pk=world.round.pk).state == "scored"  # closed, then scored by the run
    assert AggregationRun.objects.get().state == "succeeded"
    assert EntryResult.objects.count() == 4
    with pytest.raises(ValidationError) as refused:
        review_submit(assignment=world.assignment(J1, A), user=world.judges[J1].user,
                      data=ReviewInput(scores={world.criteria[0].pk: 1}), notify=False)
    assert refused.value.code == "round_not_open"
    with pytest.raises(ValidationError):
        round_close(round=world.round, user=secretariat)


def test_the_secretariat_closes_the_round_from_the_leaderboard_and_others_cannot(client, login,
                                                                                 django_capture_on_commit_callbacks):
    world = hand_world()
    url = f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/close/"
    login(world.role("observer"))
    assert client.post(url).status_code == 403
    client.logout()
    login(world.judges[0].user)
    assert client.post(url).status_code == 403
    assert JudgingRound.objects.get(pk=world.round.pk).state == "open"
    client.logout()
    login(world.role("secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert JudgingRound.objects.get(pk=world.round.pk).state == "scored"
    assert list(AuditEntry.objects.filter(action__startswith="round.").values_list("action", flat=True)
                .order_by("id")) == ["round.closed", "round.scored"]
