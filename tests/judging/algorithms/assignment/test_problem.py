"""Tests for the problem's validation: contradictory fixed pairs are refused, not guessed at."""

from __future__ import annotations

import pytest

from judging.algorithms.assignment import solve_assignment


def test_conflicted_fixed_pair_is_rejected(make_problem):
    problem = make_problem([[1, 1]], allowed=[[False, True]], fixed=[(0, 0)])
    with pytest.raises(ValueError, match="not allowed"):
        solve_assignment(problem)


def test_more_fixed_pairs_than_k_is_rejected(make_problem):
    problem = make_problem([[1, 1]], per_entry=1, fixed=[(0, 0), (0, 1)])
    with pytest.raises(ValueError, match="more than k"):
        solve_assignment(problem)
