"""aggregate_arrays with method 2: scores on the points scale, tier probabilities, judges' scales and weights."""

import numpy as np
import pytest

from judging.algorithms.aggregation import CALIBRATED, OFFSETS, aggregate_arrays


def _panel(seed=4, entries=40, judges=8, per_entry=3):
    rng = np.random.default_rng(seed)
    quality = rng.normal(6, 1.5, entries)
    e = np.repeat(np.arange(entries), per_entry)
    j = np.concatenate([rng.choice(judges, per_entry, replace=False) for _ in range(entries)])
    scale = np.linspace(0.5, 1.5, judges)
    y = 6 + scale[j] * (quality[e] - 6) + rng.normal(0, 0.4, e.size)
    return e, j, y, quality


def test_method_two_gives_tier_probabilities_that_sum_to_one_and_judge_scales_and_weights():
    e, j, y, _quality = _panel()
    groups = {i: i % 2 for i in range(40)}
    entries, judges = aggregate_arrays(e, j, y, bootstrap=60, seed=1, groups=groups,
                                       prize_boundaries={0: (1, 3, 6), 1: (1,)}, method=CALIBRATED)
    for result in entries:
        tiers = result.tier_probabilities
        assert len(tiers) == 4  # the most tiers of any group, plus "no prize"
        assert sum(tiers) == pytest.approx(1.0, abs=1e-3)
        assert 0.0 <= result.top_probability <= 1.0
        assert result.interval[0] <= result.corrected <= result.interval[1]
    # The leader of each group is likelier than not to win, and a group with one prize has no silver.
    leaders = [r for r in entries if r.rank == 1]
    assert all(r.tier_probabilities[0] > 0.3 for r in leaders)
    assert all(r.tier_probabilities[1] == 0 for r in entries if groups[r.entry] == 1)
    assert sum(judge.weight for judge in judges) == pytest.approx(1.0)
    assert judges[0].scale < 1 < judges[-1].scale


def test_method_two_ranks_a_scale_compressing_panel_better_than_method_one():
    e, j, y, quality = _panel(seed=8, entries=120, judges=12)
    order = {}
    for method in (OFFSETS, CALIBRATED):
        entries, _judges = aggregate_arrays(e, j, y, bootstrap=0, method=method)
        scores = np.empty(120)
        for r in entries:
            scores[r.entry] = r.corrected
        order[method] = np.corrcoef(np.argsort(np.argsort(scores)), np.argsort(np.argsort(quality)))[0, 1]
    assert order[CALIBRATED] > order[OFFSETS]


def test_method_one_results_carry_no_tier_probabilities_and_an_unknown_method_is_refused():
    e, j, y, _quality = _panel()
    entries, judges = aggregate_arrays(e, j, y, bootstrap=20, prize_boundaries=(1,), method=OFFSETS)
    assert all(r.tier_probabilities == () and r.top_probability is None for r in entries)
    assert all(judge.weight is None and judge.scale == 1.0 for judge in judges)
    with pytest.raises(ValueError, match="unknown method"):
        aggregate_arrays(e, j, y, method="median")
