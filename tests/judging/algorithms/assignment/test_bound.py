"""Tests for the LP-duality bound: an upper bound for any prices, tight at the solver's prices."""

from __future__ import annotations

import numpy as np

from judging.algorithms.assignment import dual_bound
from judging.management.synthetic import synthetic_problem


def test_bound_with_zero_prices_is_still_an_upper_bound(solve_clean):
    problem = synthetic_problem(entries=60, judges=8, per_entry=3, seed=3)
    solution = solve_clean(problem)
    zero_price_bound = dual_bound(problem, np.zeros(8, dtype=np.int64), solution.load_low, solution.load_high)
    assert zero_price_bound >= solution.objective
    assert solution.bound == solution.objective


def test_bound_holds_for_random_prices(solve_clean):
    # Weak duality: B(p) bounds the optimum for every price vector, not just the good one.
    problem = synthetic_problem(entries=40, judges=6, per_entry=2, seed=5)
    solution = solve_clean(problem)
    rng = np.random.default_rng(0)
    for _ in range(20):
        prices = rng.integers(-20, 21, size=6)
        assert dual_bound(problem, prices, solution.load_low, solution.load_high) >= solution.objective
