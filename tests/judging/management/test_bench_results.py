"""The bench_results command runs end to end on a small scale and prints the figures it promises (not its speed)."""

import pytest

from judging.models import EntryResult, JudgeResult
from portal.models import Edition

pytestmark = pytest.mark.django_db


def test_bench_results_times_the_real_aggregation_and_cleans_up(run):
    result = run("bench_results", "--entries", "40", "--judges", "8", "--per-entry", "3", "--criteria", "2",
                 "--categories", "2", "--repeat", "1")
    assert (result["reviews"], result["scores"], result["entry_results"], result["judge_results"]) == (
        120, 240, 40, 8)
    assert result["seconds"] == result["seconds_each"][0] > 0
    # The three phases partition the run; each figure is rounded to 3 decimals, so the sum may exceed the
    # rounded total by up to 4 half-milliseconds.
    parts = result["load_seconds"] + result["math_seconds"] + result["write_seconds"]
    assert abs(parts - result["seconds"]) <= 0.002 + 1e-9
    # This process's processor time beside each run's wall clock: the math's is part of the run's.
    assert len(result["cpu_seconds_each"]) == len(result["math_cpu_seconds_each"]) == 1
    assert 0 < result["math_cpu_seconds_each"][0] <= result["cpu_seconds_each"][0]
    assert not Edition.objects.filter(slug__startswith="bench-results").exists()
    assert (EntryResult.objects.count(), JudgeResult.objects.count()) == (0, 0)
