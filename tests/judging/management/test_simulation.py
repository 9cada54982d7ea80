"""Tests for the judging simulation: Kendall's tau, a valid assigner, and the corrected score beating the raw mean."""

import numpy as np
import pytest

from judging.management import simulation
from judging.management.simulation import kendall_tau, simulate


def test_kendall_tau():
    assert kendall_tau([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert kendall_tau([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)
    assert kendall_tau([1, 2, 3], [1, 3, 2]) == pytest.approx(1 / 3)


def expertise_assigner(rng, entries, judges, per_entry, entry_category):
    """Random but valid: each judge covers their home category, every third judge also
    the next one; each entry gets distinct judges, least-loaded first, ties at random."""
    categories = int(entry_category.max()) + 1
    covers = [{j % categories} | ({(j + 1) % categories} if j % 3 == 0 else set()) for j in range(judges)]
    load = np.zeros(judges)
    pairs = []
    for entry in rng.permutation(entries):
        eligible = np.array([j for j in range(judges) if entry_category[entry] in covers[j]])
        chosen = eligible[np.lexsort((rng.random(eligible.size), load[eligible]))[:per_entry]]
        load[chosen] += 1
        pairs.extend((entry, j) for j in chosen)
    return np.array(pairs)


def test_expertise_assigner_is_valid():
    rng = np.random.default_rng(0)
    category = np.arange(40) % 2
    pairs = expertise_assigner(rng, 40, 8, 3, category)

    assert pairs.shape == (120, 2)
    assert len({tuple(p) for p in pairs}) == 120
    assert sorted(np.bincount(pairs[:, 0]).tolist()) == [3] * 40


def test_simulate_corrected_beats_raw_mean():
    result = simulate(
        entries=120, judges=12, per_entry=3, trials=10, seed=3, assign=expertise_assigner
    )

    assert set(result) == {
        "entries",
        "judges",
        "per_entry",
        "trials",
        "tau_raw",
        "tau_corrected",
        "top_recovered_raw",
        "top_recovered_corrected",
        "top_overlap_raw",
        "top_overlap_corrected",
    }
    assert (result["entries"], result["judges"], result["per_entry"], result["trials"]) == (120, 12, 3, 10)
    assert result["tau_corrected"] > result["tau_raw"]
    assert result["top_overlap_corrected"] > result["top_overlap_raw"]
    # Exact recovery of a whole top 6 is too rare an event to compare on 10 trials; it is only a share here.
    assert 0 <= result["top_recovered_raw"] <= 1 and 0 <= result["top_recovered_corrected"] <= 1


def test_simulate_with_noiseless_judges_recovers_the_truth_only_when_corrected(monkeypatch):
    """Scores exactly quality + leniency: least squares undoes the leniency; the raw mean cannot."""
    monkeypatch.setattr(simulation, "NOISE_SD_RANGE", (0.0, 0.0))
    result = simulate(entries=60, judges=12, per_entry=3, trials=3, seed=5, assign=expertise_assigner)

    assert (result["tau_corrected"], result["top_recovered_corrected"], result["top_overlap_corrected"]) == (1, 1, 1)
    assert result["tau_raw"] < 0.95 and result["top_overlap_raw"] < 1


def test_simulate_rejects_a_wrong_assignment():
    def short(rng, entries, judges, per_entry, entry_category):
        return np.zeros((entries, 2), dtype=int)

    with pytest.raises(ValueError, match="shape"):
        simulate(entries=4, judges=2, per_entry=2, trials=1, seed=0, assign=short)


def test_named_scenarios_compare_every_method_with_standard_errors():
    from judging.management import scenarios

    figures = scenarios.run("outlier", trials=2, seed=1, entries=60, judges=8, per_entry=3, categories=2,
                            calibration=0, bootstrap=20, assign=scenarios.random_assigner)
    assert set(figures) == set(scenarios.METHODS)
    assert {"kendall tau", "top-6 share", "exact top-6"} <= set(figures["raw mean"])
    assert {"coverage", "flag recall", "kendall tau"} <= set(figures["method 2 (calibrated)"])
    mean, error = figures["method 2 (calibrated)"]["kendall tau"]
    assert 0 < mean <= 1 and error >= 0


@pytest.mark.parametrize("scenario", ["scale", "reliability"])
def test_where_the_offsets_model_is_wrong_the_calibrated_method_ranks_better(scenario):
    from judging.management import scenarios

    figures = scenarios.run(scenario, trials=6, seed=2, entries=280, judges=20, per_entry=5, categories=2,
                            calibration=0, bootstrap=0, assign=scenarios.random_assigner)
    new, old = figures["method 2 (calibrated)"]["kendall tau"], figures["method 1 (offsets)"]["kendall tau"]
    assert new[0] - old[0] > 2 * max(new[1], old[1])


def test_the_command_prints_a_table_per_scenario(capsys):
    from django.core.management import call_command

    call_command("simulate_judging", "--scenario", "offset", "--scenario", "split-panels", "--entries", "60",
                 "--judges", "8", "--per-entry", "3", "--trials", "2", "--bootstrap", "10")
    out = capsys.readouterr().out
    assert "\noffset (" in out and "\nsplit-panels (" in out
    for method in ("raw mean", "z-score", "method 1 (offsets)", "method 2 (calibrated)"):
        assert out.count(method) == 2
    assert "coverage" in out and "flag recall" in out
