"""The benchmark commands run end to end on a small scale and print the figures they promise (not their speed)."""

import io
import json

import pytest
from django.core.management import call_command

from judging.models import EntryResult, JudgeResult
from portal.models import Edition

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> dict:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, "one JSON line"
    return json.loads(lines[0])


def test_simulate_judging_compares_raw_and_corrected_with_the_real_assigner():
    result = run("simulate_judging", "--entries", "60", "--judges", "12", "--per-entry", "3", "--trials", "4",
                 "--seed", "2")
    assert (result["entries"], result["judges"], result["per_entry"], result["trials"], result["top"]) == (
        60, 12, 3, 4, 6)
    for measure in ("tau", "top_recovered", "top_overlap"):
        assert result["corrected_beats_raw"][measure] == (
            result[f"{measure}_corrected"] > result[f"{measure}_raw"])
    assert result["tau_corrected"] > result["tau_raw"]
    assert result["assigner_optimal"] is True


def test_simulate_judging_refuses_impossible_sizes_with_a_message():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 1|assigner"):
        call_command("simulate_judging", "--entries", "10", "--judges", "0", stdout=io.StringIO())


def test_bench_results_times_the_real_aggregation_and_cleans_up():
    result = run("bench_results", "--entries", "40", "--judges", "8", "--per-entry", "3", "--criteria", "2",
                 "--categories", "2", "--repeat", "1")
    assert (result["reviews"], result["scores"], result["entry_results"], result["judge_results"]) == (
        120, 240, 40, 8)
    assert result["seconds"] == result["seconds_each"][0] > 0
    # The three phases partition the run; each figure is rounded to 3 decimals, so the sum may exceed the
    # rounded total by up to 4 half-milliseconds.
    parts = result["load_seconds"] + result["math_seconds"] + result["write_seconds"]
    assert abs(parts - result["seconds"]) <= 0.002 + 1e-9
    assert not Edition.objects.filter(slug__startswith="bench-results").exists()
    assert (EntryResult.objects.count(), JudgeResult.objects.count()) == (0, 0)
