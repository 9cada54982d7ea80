"""Independent checks of a solution against its problem: every constraint, the objective and the bound."""

from __future__ import annotations

import numpy as np

from .problem import AssignmentProblem, AssignmentSolution


def check_solution(problem: AssignmentProblem, solution: AssignmentSolution) -> list[str]:
    """Independent audit of a solution: one human-readable line per violation; [] when clean."""
    n_entries, n_judges = problem.affinity.shape
    pairs = np.asarray(solution.pairs, dtype=np.int64).reshape(-1, 2)
    if not solution.feasible:
        return [] if pairs.shape[0] == 0 else [f"infeasible solution still lists {pairs.shape[0]} pairs"]

    out_of_range = (pairs[:, 0] < 0) | (pairs[:, 0] >= n_entries) | (pairs[:, 1] < 0) | (pairs[:, 1] >= n_judges)
    if out_of_range.any():
        return [f"pair {tuple(map(int, pair))} is outside the problem" for pair in pairs[out_of_range]]

    violations: list[str] = []
    violations += _duplicate_violations(pairs)
    violations += _per_entry_violations(problem, pairs)
    violations += _conflict_violations(problem, pairs)
    violations += _fixed_violations(problem, pairs)
    violations += _load_violations(problem, solution, pairs)
    objective = int(np.asarray(problem.affinity, dtype=np.int64)[pairs[:, 0], pairs[:, 1]].sum())
    if objective != solution.objective:
        violations.append(f"reported objective {solution.objective} but the pairs total {objective}")
    if solution.bound < objective:
        violations.append(f"bound {solution.bound} is below the objective {objective}")
    return violations


def _duplicate_violations(pairs: np.ndarray) -> list[str]:
    unique, counts = np.unique(pairs, axis=0, return_counts=True)
    return [
        f"pair {tuple(map(int, pair))} appears {int(c)} times"
        for pair, c in zip(unique, counts, strict=True)
        if c > 1
    ]


def _per_entry_violations(problem: AssignmentProblem, pairs: np.ndarray) -> list[str]:
    n_entries = problem.affinity.shape[0]
    per_entry = np.bincount(pairs[:, 0], minlength=n_entries)
    return [
        f"entry {i} has {int(per_entry[i])} judges, expected {problem.per_entry}"
        for i in np.flatnonzero(per_entry != problem.per_entry)
    ]


def _conflict_violations(problem: AssignmentProblem, pairs: np.ndarray) -> list[str]:
    allowed = np.asarray(problem.allowed, dtype=bool)
    conflicted = pairs[~allowed[pairs[:, 0], pairs[:, 1]]]
    return [f"entry {int(i)} is assigned to conflicted judge {int(j)}" for i, j in conflicted]


def _fixed_violations(problem: AssignmentProblem, pairs: np.ndarray) -> list[str]:
    if problem.fixed is None or len(problem.fixed) == 0:
        return []
    fixed = np.asarray(problem.fixed, dtype=np.int64).reshape(-1, 2)
    present = {tuple(pair) for pair in pairs.tolist()}
    return [f"fixed pair (entry {i}, judge {j}) was dropped" for i, j in fixed.tolist() if (i, j) not in present]


def _load_violations(problem: AssignmentProblem, solution: AssignmentSolution, pairs: np.ndarray) -> list[str]:
    capacity = np.asarray(problem.capacity, dtype=np.int64)
    loads = np.bincount(pairs[:, 1], minlength=len(capacity))
    violations = [
        f"judge {j} has {int(loads[j])} entries, capacity {int(capacity[j])}" for j in np.flatnonzero(loads > capacity)
    ]
    low, high = np.asarray(solution.load_low), np.asarray(solution.load_high)
    violations += [
        f"judge {j} has {int(loads[j])} entries, outside the load limits [{int(low[j])}, {int(high[j])}]"
        for j in np.flatnonzero((loads < low) | (loads > high))
    ]
    if not np.array_equal(np.asarray(solution.loads), loads):
        violations.append("reported loads do not match the pairs")
    return violations
