"""Tests for the bootstrap: deterministic intervals around the estimate, and fast refits equal to the reference fit."""

import numpy as np
import pytest

from judging.algorithms.aggregation import ReviewScore, aggregate, bootstrap, least_squares


def test_bootstrap_interval_contains_estimate_and_is_deterministic(random_design):
    rng = np.random.default_rng(11)
    reviews = random_design(rng, n_entries=30, judge_ids=list(range(1, 9)), per_entry=3)

    first, _ = aggregate(reviews, bootstrap=100, seed=5)
    again, _ = aggregate(reviews, bootstrap=100, seed=5)
    other, _ = aggregate(reviews, bootstrap=100, seed=6)

    assert first == again
    assert [r.interval for r in first] != [r.interval for r in other]
    for r in first:
        low, high = r.interval
        assert low <= r.corrected <= high
        assert high > low


def test_wider_confidence_gives_wider_intervals(random_design):
    rng = np.random.default_rng(12)
    reviews = random_design(rng, n_entries=20, judge_ids=list(range(1, 7)), per_entry=3)

    narrow, _ = aggregate(reviews, bootstrap=200, confidence=0.5)
    wide, _ = aggregate(reviews, bootstrap=200, confidence=0.95)

    for n, w in zip(narrow, wide, strict=True):
        assert w.interval[0] <= n.interval[0] and n.interval[1] <= w.interval[1]


def _design_arrays(reviews, min_reviews=3):
    entry_ids, entry_idx = np.unique([r.entry for r in reviews], return_inverse=True)
    judge_ids, judge_idx = np.unique([r.judge for r in reviews], return_inverse=True)
    return dict(
        entry_idx=entry_idx,
        judge_idx=judge_idx,
        totals=np.array([r.total for r in reviews]),
        eligible=np.bincount(judge_idx) >= min_reviews,
        n_entries=entry_ids.size,
        n_judges=judge_ids.size,
    )


@pytest.fixture
def awkward_design(random_design):
    """Two separate pools, a judge with too few reviews, a lone judge, a judge scoring one entry twice."""
    rng = np.random.default_rng(7)
    reviews = random_design(rng, n_entries=40, judge_ids=list(range(1, 9)), per_entry=3)
    reviews += random_design(rng, n_entries=15, judge_ids=[20, 21, 22], per_entry=2, entry_offset=100)
    reviews += [ReviewScore(200, 30, 6.0), ReviewScore(201, 30, 7.5), ReviewScore(202, 30, 5.0)]  # lone judge
    reviews += [ReviewScore(0, 40, 9.0), ReviewScore(1, 40, 3.0)]  # too few reviews to be corrected
    reviews += [ReviewScore(3, 1, 8.0)]  # judge 1 scores entry 3 a second time
    return reviews


@pytest.mark.parametrize("solver", ["dense", "sparse", "fallback"])
def test_bootstrap_refits_agree_with_the_reference_fit(solver, awkward_design):
    # The bootstrap refits reuse the design's structure; they must give `least_squares.fit`'s corrected scores.
    args = _design_arrays(awkward_design)
    refitter = bootstrap.Refitter(**args)
    if solver == "fallback":
        refitter.fallback = True
    else:
        refitter.sparse = solver == "sparse"
    rng = np.random.default_rng(3)
    n = args["n_judges"]
    weights = np.array(
        [np.ones(n), np.zeros(n)]
        + [np.bincount(rng.integers(0, n, n), minlength=n).astype(float) for _ in range(30)]
    )
    got = refitter.corrected(weights)
    for row, w in enumerate(weights):
        expected = least_squares.fit(judge_weight=w, **args).corrected
        np.testing.assert_array_equal(np.isnan(got[row]), np.isnan(expected))
        np.testing.assert_allclose(got[row], expected, rtol=0, atol=1e-9, equal_nan=True)
        offsets = refitter.offsets(w)
        np.testing.assert_allclose(offsets, least_squares.fit(judge_weight=w, **args).offsets, atol=1e-9)


def test_bootstrap_refit_falls_back_when_entries_have_very_many_judges(monkeypatch, awkward_design):
    monkeypatch.setattr(bootstrap, "_PAIR_MAX", 10)
    reviews = awkward_design
    args = _design_arrays(reviews)
    assert bootstrap.Refitter(**args).fallback
    monkeypatch.undo()
    fast = aggregate(reviews, bootstrap=20, seed=5)
    monkeypatch.setattr(bootstrap, "_PAIR_MAX", 10)
    slow = aggregate(reviews, bootstrap=20, seed=5)
    for a, b in zip(fast[0], slow[0], strict=True):
        assert a.entry == b.entry and a.rank == b.rank
        assert a.interval == pytest.approx(b.interval, abs=1e-9)
