"""The binary COPY writer stores exactly what the ORM's bulk_create stores: a whole computed result set, and
awkward single values."""

import math

import numpy as np
import pytest
from django.db import connection

from judging.management.commands.bench_results import fill
from judging.models import CategoryResultSummary, EntryResult, JudgeResult, JudgingRound
from judging.services import aggregation, bulk_copy
from judging.services.aggregation import round_aggregate
from tests.factories.scoring import hand_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="COPY is PostgreSQL's; SQLite has the ORM path only"),
]


def stored(judging_round) -> list[str]:
    """Every stored value of the round's results (ids aside, which a rewrite renumbers), as exact text: repr
    tells 0.0 from -0.0 and shows every bit of a float."""
    entries = EntryResult.objects.filter(round=judging_round).order_by("application_id").values_list(
        *[f.attname for f in EntryResult._meta.concrete_fields if f.name != "id"])
    judges = JudgeResult.objects.filter(round=judging_round).order_by("judge_id").values_list(
        *[f.attname for f in JudgeResult._meta.concrete_fields if f.name != "id"])
    summaries = CategoryResultSummary.objects.filter(round=judging_round).order_by("category_id").values_list(
        *[f.attname for f in CategoryResultSummary._meta.concrete_fields if f.name != "id"])
    return [repr(row) for rows in (entries, judges, summaries) for row in rows]


@pytest.mark.parametrize("method", list(JudgingRound.AggregationMethod.values))
def test_a_computed_result_set_is_the_same_through_copy_and_through_the_orm(method, monkeypatch):
    """A seeded synthetic round (the bench's), bootstrap included: written by COPY, then by bulk_create."""
    bench = fill(entries=60, judges=12, per_entry=3, criteria=4, categories=2, seed=7)
    JudgingRound.objects.filter(pk=bench.round.pk).update(aggregation_method=method)
    bench.round.aggregation_method = method

    round_aggregate(judging_round=bench.round)
    through_copy = stored(bench.round)
    monkeypatch.setattr(aggregation, "write_rows", bulk_copy.create_rows)
    round_aggregate(judging_round=bench.round)
    through_orm = stored(bench.round)

    assert len(through_copy) == 60 + 12 + 2
    assert through_copy == through_orm


def test_awkward_values_are_the_same_through_copy_and_through_the_orm():
    world = hand_world()
    entry = world.entries[0]
    fields = ["round", "application", "category", "n_reviews", "mean", "median", "corrected", "spread", "stdev",
              "interval_low", "interval_high", "rank", "criterion_medians", "method", "method_version",
              "disagreement", "uncorrected_judges", "tied", "boundary_overlap", "correction", "tier_probabilities",
              "top_probability"]
    row = (world.round.pk, entry.pk, entry.category_id, 3, math.nan, math.inf, -math.inf, 0.1 + 0.2, 5e-324,
           -1.5, 1.7976931348623157e308, 2**31 - 1, '{"k": "a\\tb \\"q\\" \\\\ 도시", "n": [1.5, -0.0, 1e300]}',
           'Tab\there, "quoted", back\\slash\\N, new\nline\r 도시 안전', "1.1", True, 0, np.bool_(False), False,
           np.float64(0.5), "[0.1, 0.2, 0.30000000000000004, 0.4]", None)
    written = []
    for writer in (bulk_copy.copy_rows, bulk_copy.create_rows):
        EntryResult.objects.all().delete()
        writer(EntryResult, fields, [row])
        written.append(stored(world.round))
    assert written[0] == written[1]
    assert len(written[0]) == 1


def test_copy_keeps_a_negative_zero():
    """As the text COPY before it did (bulk_create stores 0.0: its array binding drops the sign)."""
    world = hand_world()
    entry = world.entries[0]
    fields = ["round", "application", "category", "n_reviews", "mean", "median", "corrected", "spread", "stdev",
              "interval_low", "interval_high", "rank", "criterion_medians", "method", "method_version",
              "disagreement", "uncorrected_judges", "tied", "boundary_overlap", "correction"]
    bulk_copy.copy_rows(EntryResult, fields, [(world.round.pk, entry.pk, entry.category_id, 1, 1.0, 1.0, -0.0,
                                               0.0, 0.0, -0.0, 0.0, 1, "{}", "m", "1", False, 0, False, False,
                                               -0.0)])
    assert connection.vendor == "postgresql"
    assert math.copysign(1.0, EntryResult.objects.get().corrected) == -1.0
