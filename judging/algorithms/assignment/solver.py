"""The solver: balanced min-cost flow on a pruned network proven optimal, load limits, and the shortfall report.

OR-Tools solves each flow and the max flow behind the shortfall report; the load
balancing, the pruning and its proof (`pruned`) are ours. The dual bound that certifies
the result comes from the same proof, computed over the full problem.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import max_flow

from .problem import AssignmentProblem, AssignmentSolution, Prepared, ProgressCallback, prepare
from .pruned import INITIAL_EXTRA, solve_pruned

# --------------------------------------------------------------------------- public API


def solve_assignment(
    problem: AssignmentProblem,
    *,
    on_progress: ProgressCallback | None = None,
    extra_candidates: int = INITIAL_EXTRA,
) -> AssignmentSolution:
    """Return the maximum-affinity assignment with balanced loads, or the shortfall.

    Tries balanced load limits first; if conflicts make them impossible, falls back to
    plain capacity limits (still solved exactly). Only when even that fails is the
    result infeasible. Each is solved on a network of every entry's k + extra_candidates
    best judges, widened until the duals prove it optimal for the full problem (see
    `pruned`). Raises ValueError for inconsistent input (bad shapes, fixed pairs that
    are conflicted, duplicated, or exceed k or a judge's capacity).
    """
    started = time.perf_counter()
    report = on_progress or _ignore_progress
    data = prepare(problem)

    report(10, "building flow network")
    for low, high, label in _limit_tiers(data):
        base = 50 if label == "balanced" else 70
        message = f"solving with {label} loads"

        def on_round(rounds: int, base: int = base, message: str = message) -> None:
            report(min(base + 5 * (rounds - 1), 85), message)

        result = solve_pruned(data, low, high, extra=extra_candidates, on_round=on_round)
        if result is not None:
            break
    else:
        report(90, "measuring shortfall")
        shortfall = _shortfall(data, problem)
        report(100, "done: infeasible")
        return _infeasible_solution(data, shortfall, started)

    report(90, "computing the dual bound")
    pairs = _sorted_pairs(np.concatenate([data.fixed, np.column_stack([result.entries, result.judges])]))
    objective = int(data.affinity[pairs[:, 0], pairs[:, 1]].sum())
    loads = np.bincount(pairs[:, 1], minlength=data.n_judges).astype(np.int64)
    report(100, "done")
    return AssignmentSolution(
        feasible=True,
        pairs=pairs,
        objective=objective,
        bound=result.bound,
        loads=loads,
        load_low=low,
        load_high=high,
        shortfall={},
        seconds=time.perf_counter() - started,
        rounds=result.rounds,
        arcs=result.arcs,
        proof_arcs=result.proof_arcs,
    )


def balanced_limits(
    capacity: np.ndarray, fixed_load: np.ndarray, demand: int
) -> tuple[np.ndarray, np.ndarray]:
    """Water-fill `demand` over the judges: per-judge [low, high] load limits.

    Finds the largest integer level L with sum_j clip(L, fixed_j, capacity_j) <= demand
    and returns low = clip(L, ...), high = clip(L + 1, ...). So judges whose capacity
    is below the level are filled to capacity, and everyone else lands within one of
    each other around the fair share. A judge whose fixed pairs (reviews already
    started) exceed the level keeps exactly that fixed load: the fixed pairs raise the
    judge's limit above the balanced one rather than being dropped. By construction
    sum(low) <= demand <= sum(high) whenever total capacity covers the demand.
    """
    capacity = np.asarray(capacity, dtype=np.int64)
    fixed_load = np.asarray(fixed_load, dtype=np.int64)

    def filled(level: int) -> int:
        return int(np.clip(level, fixed_load, capacity).sum())

    if capacity.size == 0 or int(capacity.sum()) < demand:
        return fixed_load.copy(), capacity.copy()
    lo, hi = 0, int(capacity.max())  # filled(lo) = sum(fixed) <= demand always holds
    while lo < hi:  # binary search: filled() is monotone in the level
        mid = (lo + hi + 1) // 2
        if filled(mid) <= demand:
            lo = mid
        else:
            hi = mid - 1
    return np.clip(lo, fixed_load, capacity), np.clip(lo + 1, fixed_load, capacity)


# --------------------------------------------------------------------------- load limits


def _ignore_progress(percent: int, message: str) -> None:
    return None


def _limit_tiers(data: Prepared) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """Load limits to try in order: balanced first, then plain capacity."""
    if int(data.capacity.sum()) < data.demand:
        return []  # no assignment can exist; go straight to the shortfall report
    capacity_only = (np.zeros(data.n_judges, dtype=np.int64), data.capacity.copy(), "capacity")
    low, high = balanced_limits(data.capacity, data.fixed_load, data.demand)
    if np.array_equal(low, capacity_only[0]) and np.array_equal(high, capacity_only[1]):
        return [capacity_only]
    return [(low, high, "balanced"), capacity_only]


def _shortfall(data: Prepared, problem: AssignmentProblem) -> dict[str, int]:
    """Judge slots a maximum flow (capacities only) cannot fill, summed per entry group.

    The total is exact; how it splits between groups is one maximum flow's witness,
    which is unique whenever a group's entries simply lack allowed judges.
    """
    n, m = data.n_entries, data.n_judges
    source, sink = n + m, n + m + 1
    entries, judges = np.nonzero(data.free)
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(
        entries.astype(np.int32), (judges + n).astype(np.int32), np.ones(len(entries), dtype=np.int64)
    )
    solver.add_arcs_with_capacity(
        np.arange(n, n + m, dtype=np.int32), np.full(m, sink, dtype=np.int32), data.capacity - data.fixed_load
    )
    source_arcs = np.asarray(
        solver.add_arcs_with_capacity(np.full(n, source, dtype=np.int32), np.arange(n, dtype=np.int32), data.need),
        dtype=np.int32,
    )
    status = solver.solve(source, sink)
    if status != max_flow.SimpleMaxFlow.OPTIMAL:
        raise RuntimeError(f"max flow failed: {status!r}")
    unfilled = data.need - np.asarray(solver.flows(source_arcs), dtype=np.int64)

    if problem.entry_group is None:
        total = int(unfilled.sum())
        return {"all": total} if total else {}
    groups = np.asarray(problem.entry_group, dtype=np.int64)
    per_group = np.bincount(groups, weights=unfilled, minlength=len(problem.group_names))
    return {
        _group_name(problem, g): int(missing) for g, missing in enumerate(per_group.astype(np.int64)) if missing
    }


def _group_name(problem: AssignmentProblem, group: int) -> str:
    return problem.group_names[group] if group < len(problem.group_names) else str(group)


def _infeasible_solution(data: Prepared, shortfall: dict[str, int], started: float) -> AssignmentSolution:
    if not shortfall:
        raise RuntimeError("the flow was infeasible but the max flow fills every slot")
    return AssignmentSolution(
        feasible=False,
        pairs=np.zeros((0, 2), dtype=np.int64),
        objective=0,
        bound=0,
        loads=np.zeros(data.n_judges, dtype=np.int64),
        load_low=np.zeros(data.n_judges, dtype=np.int64),
        load_high=data.capacity.copy(),
        shortfall=shortfall,
        seconds=time.perf_counter() - started,
    )


def _sorted_pairs(pairs: np.ndarray) -> np.ndarray:
    pairs = pairs.astype(np.int64).reshape(-1, 2)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]

