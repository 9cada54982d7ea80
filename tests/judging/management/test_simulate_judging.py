"""The simulate_judging command runs end to end on a small scale and prints the figures it promises."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_simulate_judging_compares_raw_and_corrected_with_the_real_assigner(run):
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
