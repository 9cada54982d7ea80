"""Tests for the independent solution checks: every injected violation is reported."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from judging.algorithms.assignment import check_solution


def test_check_solution_catches_injected_violations(make_problem, solve_clean, pairs_of):
    problem = make_problem(
        [[5, 3, 1], [4, 1, 2], [2, 2, 2]],
        capacity=[1, 1, 1],
        allowed=[[True, True, True], [True, True, False], [True, True, True]],
        fixed=[(2, 2)],
    )
    solution = solve_clean(problem)
    assert pairs_of(solution) == [(0, 1), (1, 0), (2, 2)]

    conflicted = replace(
        solution, pairs=np.array([[0, 1], [1, 2], [2, 2]]), loads=np.array([0, 1, 2]), objective=3 + 2 + 2
    )
    assert check_solution(problem, conflicted) == [
        "entry 1 is assigned to conflicted judge 2",
        "judge 2 has 2 entries, capacity 1",
        "judge 0 has 0 entries, outside the load limits [1, 1]",
        "judge 2 has 2 entries, outside the load limits [1, 1]",
    ]

    dropped_fixed = replace(
        solution, pairs=np.array([[0, 1], [1, 0], [2, 1]]), loads=np.array([1, 2, 0]), objective=3 + 4 + 2
    )
    assert check_solution(problem, dropped_fixed) == [
        "fixed pair (entry 2, judge 2) was dropped",
        "judge 1 has 2 entries, capacity 1",
        "judge 1 has 2 entries, outside the load limits [1, 1]",
        "judge 2 has 0 entries, outside the load limits [1, 1]",
    ]

    duplicated = replace(solution, pairs=np.array([[0, 1], [0, 1], [1, 0], [2, 2]]))
    assert check_solution(problem, duplicated) == [
        "pair (0, 1) appears 2 times",
        "entry 0 has 2 judges, expected 1",
        "judge 1 has 2 entries, capacity 1",
        "judge 1 has 2 entries, outside the load limits [1, 1]",
        "reported loads do not match the pairs",
        "reported objective 9 but the pairs total 12",
        "bound 9 is below the objective 12",
    ]

    inflated = replace(solution, objective=solution.objective + 1, bound=solution.objective + 1)
    assert check_solution(problem, inflated) == [
        f"reported objective {solution.objective + 1} but the pairs total {solution.objective}"
    ]
