"""The aggregation and assignment tasks refuse a finalised edition: the run fails with the lock's sentence."""

import pytest

from judging.models import AggregationRun, AssignmentRun
from judging.tasks import aggregate_round, assign_round

pytestmark = pytest.mark.django_db


def test_aggregate_round_on_a_finalised_edition_changes_nothing(locked, fingerprint):
    # A run left pending (say, restored from a backup): bulk_create, as no service creates one any more.
    run = AggregationRun.objects.bulk_create([AggregationRun(round=locked.round)])[0]
    before = fingerprint(locked.edition)
    assert aggregate_round(run_id=run.pk) == "failed"
    run.refresh_from_db()
    assert run.error == "The edition is finalised: its results are locked for good."
    after = fingerprint(locked.edition)
    after.pop("AggregationRun"), before.pop("AggregationRun")
    assert after == before


def test_assign_round_on_a_finalised_edition_changes_nothing(locked, fingerprint):
    run = AssignmentRun.objects.bulk_create([AssignmentRun(round=locked.round)])[0]
    before = fingerprint(locked.edition)
    assert assign_round(run_id=run.pk) == "failed"
    run.refresh_from_db()
    assert (run.state, run.error) == ("failed", "The edition is finalised: nothing in it changes any more.")
    after = fingerprint(locked.edition)
    after.pop("AssignmentRun"), before.pop("AssignmentRun")
    assert after == before
