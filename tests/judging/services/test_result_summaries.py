"""Each category's summary written with a round's results: the leaderboard's size, its entries without a result
and the charts' bins, right after every recompute; the migration's fill gives the same rows."""

import importlib

import pytest
from django.apps import apps

from judging.algorithms.histogram import bin_counts
from judging.models import Assignment, CategoryResultSummary, EntryResult
from judging.services.aggregation import round_aggregate
from judging.services.scoring import ReviewInput, review_submit
from tests.factories.judging import AssignmentFactory
from tests.factories.scoring import hand_world, submitted_entry
from tests.factories.submissions import CategoryFactory

pytestmark = pytest.mark.django_db


def _summaries(judging_round) -> list[tuple]:
    return list(CategoryResultSummary.objects.filter(round=judging_round).order_by("category_id").values_list(
        "category_id", "entries", "without_results", "corrected_bins", "raw_bins"))


def _expected(judging_round, category, *, without: int) -> tuple:
    results = EntryResult.objects.filter(round=judging_round, category=category)
    return (category.pk, results.count(), without, bin_counts(r.corrected for r in results),
            bin_counts(r.mean for r in results))


@pytest.fixture
def world():
    """The hand-computed round (four entries with results), a fifth entry assigned but not reviewed yet, and a
    second category of the round without any entry."""
    world = hand_world()
    world.late = submitted_entry(edition=world.edition, category=world.category, title="Entry 5")
    world.late_assignment = AssignmentFactory(round=world.round, judge=world.judges[0], application=world.late)
    world.empty = CategoryFactory(edition=world.edition, name="Safety and resilience")
    world.round.categories.add(world.empty)
    return world


def test_the_summary_counts_the_category_its_unreviewed_entries_and_the_bins(world):
    round_aggregate(judging_round=world.round)
    assert _summaries(world.round) == [_expected(world.round, world.category, without=1),
                                       (world.empty.pk, 0, 0, [0] * 20, [0] * 20)]
    summary = CategoryResultSummary.objects.get(round=world.round, category=world.category)
    # Entries A 8, B and C 6 (corrected; raw means 8, 5.5, 6.5, 4), D 4 on 0–10 in 20 bins of 0.5.
    assert (summary.entries, sum(summary.corrected_bins), summary.raw_bins[16], summary.raw_bins[8]) == (4, 4, 1, 1)


def test_a_recompute_replaces_the_summary_with_the_new_figures(world):
    round_aggregate(judging_round=world.round)
    review_submit(assignment=world.late_assignment, user=world.judges[0].user, notify=False,
                  data=ReviewInput(scores={world.criteria[0].pk: 10}))
    round_aggregate(judging_round=world.round)
    assert _summaries(world.round)[0] == _expected(world.round, world.category, without=0)
    assert _summaries(world.round)[0][1] == 5


def test_a_released_assignment_no_longer_counts_as_an_entry_without_result(world):
    Assignment.objects.filter(pk=world.late_assignment.pk).update(state=Assignment.State.RELEASED)
    round_aggregate(judging_round=world.round)
    assert _summaries(world.round)[0][:3] == (world.category.pk, 4, 0)


def test_the_migration_fills_the_same_summaries_for_results_computed_before(world):
    round_aggregate(judging_round=world.round)
    written = _summaries(world.round)
    CategoryResultSummary.objects.all().delete()
    migration = importlib.import_module("judging.migrations.0017_category_result_summaries")
    migration.fill_summaries(apps, None)
    assert _summaries(world.round) == written
