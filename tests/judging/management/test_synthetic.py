"""Tests for the synthetic assignment instances of the benchmarks and simulations."""

from __future__ import annotations

import numpy as np

from judging.management.synthetic import synthetic_problem


def test_synthetic_problem_is_deterministic_per_seed():
    a = synthetic_problem(entries=50, judges=7, per_entry=3, categories=4, seed=9)
    b = synthetic_problem(entries=50, judges=7, per_entry=3, categories=4, seed=9)
    assert np.array_equal(a.affinity, b.affinity)
    assert np.array_equal(a.allowed, b.allowed)
    assert a.capacity.tolist() == [26] * 7  # ceil(50 * 3 / 7 * 1.2) = ceil(25.71)
    assert a.group_names == ("category 1", "category 2", "category 3", "category 4")
