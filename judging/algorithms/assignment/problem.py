"""The assignment problem and its solution as plain arrays, and the validated form the solver works on.

See `judging.algorithms.assignment` for the model (entries, judges, k judges per entry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# A "minus infinity" that survives a few additions and subtractions of realistic
# affinities and prices without wrapping around in int64 arithmetic.
NEG = np.iinfo(np.int64).min // 4
# Anything below this came from NEG, not from a real affinity or path length.
NEG_THRESHOLD = NEG // 2

ProgressCallback = Callable[[int, str], None]


@dataclass(frozen=True)
class AssignmentProblem:
    per_entry: int  # k judges wanted per entry
    capacity: np.ndarray  # (M,) int: most entries a judge will take
    affinity: np.ndarray  # (N, M) int64, already scaled; higher is better, may be negative
    allowed: np.ndarray  # (N, M) bool; False = conflicted pair, never assigned
    fixed: np.ndarray | None = None  # (F, 2) int (entry, judge) pairs that must be kept
    entry_group: np.ndarray | None = None  # (N,) int category per entry, for the shortfall report
    group_names: tuple[str, ...] = ()


@dataclass
class AssignmentSolution:
    feasible: bool
    pairs: np.ndarray  # (N*k, 2) int (entry, judge), sorted; (0, 2) when infeasible
    objective: int  # total affinity of pairs
    bound: int  # proven upper bound on the objective, from LP duality (not from the flow)
    loads: np.ndarray  # (M,) entries per judge, fixed pairs included
    load_low: np.ndarray  # (M,) lower load limit used
    load_high: np.ndarray  # (M,) upper load limit used
    shortfall: dict[str, int]  # infeasible: group -> judge slots that cannot be filled
    seconds: float
    rounds: int = 0  # flows solved: 1, plus one per widening of the pruned network
    arcs: int = 0  # entry->judge arcs in the last network solved
    proof_arcs: int = 0  # arcs the optimality proof added to the pruned network (0: the first one was optimal)


@dataclass(frozen=True)
class Prepared:
    """Validated arrays, with the fixed pairs taken out of the free part of the problem."""

    n_entries: int
    n_judges: int
    per_entry: int
    capacity: np.ndarray  # (M,) int64
    affinity: np.ndarray  # (N, M) int64
    fixed: np.ndarray  # (F, 2) int64, unique rows
    fixed_load: np.ndarray  # (M,) fixed pairs per judge
    need: np.ndarray  # (N,) judges still to choose per entry: k minus its fixed pairs
    free: np.ndarray  # (N, M) bool: allowed and not already fixed
    fixed_affinity: int  # total affinity of the fixed pairs

    @property
    def demand(self) -> int:
        return self.n_entries * self.per_entry


def prepare(problem: AssignmentProblem) -> Prepared:
    affinity = np.asarray(problem.affinity)
    if affinity.ndim != 2:
        raise ValueError("affinity must be a 2-D (entries x judges) array")
    if not np.issubdtype(affinity.dtype, np.integer):
        raise ValueError("affinity must hold integers (scale scores before solving)")
    affinity = affinity.astype(np.int64, copy=False)
    n_entries, n_judges = affinity.shape
    allowed = np.asarray(problem.allowed, dtype=bool)
    capacity = np.asarray(problem.capacity, dtype=np.int64).reshape(-1)
    if allowed.shape != affinity.shape:
        raise ValueError(f"allowed has shape {allowed.shape}, expected {affinity.shape}")
    if capacity.shape != (n_judges,):
        raise ValueError(f"capacity has shape {capacity.shape}, expected ({n_judges},)")
    if problem.per_entry < 0 or np.any(capacity < 0):
        raise ValueError("per_entry and capacities must be non-negative")
    if problem.entry_group is not None and np.asarray(problem.entry_group).shape != (n_entries,):
        raise ValueError(f"entry_group must have shape ({n_entries},)")

    fixed = _validated_fixed(problem, allowed, capacity)
    fixed_mask = np.zeros_like(allowed)
    fixed_mask[fixed[:, 0], fixed[:, 1]] = True
    return Prepared(
        n_entries=n_entries,
        n_judges=n_judges,
        per_entry=int(problem.per_entry),
        capacity=capacity,
        affinity=affinity,
        fixed=fixed,
        fixed_load=np.bincount(fixed[:, 1], minlength=n_judges).astype(np.int64),
        need=problem.per_entry - np.bincount(fixed[:, 0], minlength=n_entries).astype(np.int64),
        free=allowed & ~fixed_mask,
        fixed_affinity=int(affinity[fixed[:, 0], fixed[:, 1]].sum()),
    )


def _validated_fixed(problem: AssignmentProblem, allowed: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Fixed pairs as unique (F, 2) int64 rows; anything contradictory is a ValueError.

    A fixed pair that is now conflicted, or more fixed pairs than k or a capacity
    allows, cannot be "kept" and respected at once: the caller must decide (withdraw
    the review or raise the capacity), so we refuse rather than guess.
    """
    if problem.fixed is None or len(problem.fixed) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    fixed = np.asarray(problem.fixed, dtype=np.int64).reshape(-1, 2)
    n_entries, n_judges = allowed.shape
    if np.any(fixed < 0) or np.any(fixed[:, 0] >= n_entries) or np.any(fixed[:, 1] >= n_judges):
        raise ValueError("a fixed pair refers to an entry or judge outside the problem")
    if len(np.unique(fixed, axis=0)) != len(fixed):
        raise ValueError("fixed pairs contain duplicates")
    conflicted = ~allowed[fixed[:, 0], fixed[:, 1]]
    if conflicted.any():
        raise ValueError(f"fixed pairs are not allowed (conflicted): {fixed[conflicted].tolist()}")
    per_entry = np.bincount(fixed[:, 0], minlength=n_entries)
    if np.any(per_entry > problem.per_entry):
        too_many = np.flatnonzero(per_entry > problem.per_entry).tolist()
        raise ValueError(f"entries with more than k fixed judges: {too_many}")
    per_judge = np.bincount(fixed[:, 1], minlength=n_judges)
    if np.any(per_judge > capacity):
        raise ValueError(f"judges with more fixed pairs than capacity: {np.flatnonzero(per_judge > capacity).tolist()}")
    return fixed
