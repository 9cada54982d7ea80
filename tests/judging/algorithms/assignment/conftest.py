"""Builders for the assignment solver's tests: small hand-written problems and a solve that must pass the checks."""

from __future__ import annotations

import numpy as np
import pytest

from judging.algorithms.assignment import AssignmentProblem, AssignmentSolution, check_solution, solve_assignment


def _make_problem(
    affinity: list[list[int]],
    *,
    per_entry: int = 1,
    capacity: list[int] | None = None,
    allowed: list[list[bool]] | None = None,
    fixed: list[tuple[int, int]] | None = None,
    entry_group: list[int] | None = None,
    group_names: tuple[str, ...] = (),
) -> AssignmentProblem:
    a = np.array(affinity, dtype=np.int64)
    n, m = a.shape
    return AssignmentProblem(
        per_entry=per_entry,
        capacity=np.array(capacity if capacity is not None else [n] * m, dtype=np.int64),
        affinity=a,
        allowed=np.array(allowed, dtype=bool) if allowed is not None else np.ones((n, m), dtype=bool),
        fixed=np.array(fixed, dtype=np.int64) if fixed else None,
        entry_group=np.array(entry_group) if entry_group is not None else None,
        group_names=group_names,
    )


def _pairs_of(solution: AssignmentSolution) -> list[tuple[int, int]]:
    return [tuple(pair) for pair in solution.pairs.tolist()]


def _solve_clean(problem: AssignmentProblem) -> AssignmentSolution:
    solution = solve_assignment(problem)
    assert check_solution(problem, solution) == []
    return solution


@pytest.fixture
def make_problem():
    """make_problem(affinity, *, per_entry=1, capacity=None, allowed=None, fixed=None, ...) -> AssignmentProblem."""
    return _make_problem


@pytest.fixture
def pairs_of():
    """pairs_of(solution) -> the solution's pairs as a list of (entry, judge) tuples."""
    return _pairs_of


@pytest.fixture
def solve_clean():
    """solve_clean(problem) -> the solution, after asserting that check_solution finds nothing wrong."""
    return _solve_clean
