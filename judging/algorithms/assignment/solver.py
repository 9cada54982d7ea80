"""The solver: balanced min-cost flow (OR-Tools), load limits, and the shortfall report when it is infeasible.

OR-Tools solves the flow and the max flow behind the shortfall report; the load
balancing is ours. The dual bound that certifies the result lives in `bound`.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from .bound import dual_bound, judge_prices
from .problem import AssignmentProblem, AssignmentSolution, Prepared, ProgressCallback, prepare

# --------------------------------------------------------------------------- public API


def solve_assignment(
    problem: AssignmentProblem, *, on_progress: ProgressCallback | None = None
) -> AssignmentSolution:
    """Return the maximum-affinity assignment with balanced loads, or the shortfall.

    Tries balanced load limits first; if conflicts make them impossible, falls back to
    plain capacity limits (still solved exactly). Only when even that fails is the
    result infeasible. Raises ValueError for inconsistent input (bad shapes, fixed
    pairs that are conflicted, duplicated, or exceed k or a judge's capacity).
    """
    started = time.perf_counter()
    report = on_progress or _ignore_progress
    data = prepare(problem)

    report(10, "building flow network")
    network = _FlowNetwork(data)

    for low, high, label in _limit_tiers(data):
        report(50 if label == "balanced" else 70, f"solving with {label} loads")
        assigned = network.solve(low, high)
        if assigned is not None:
            break
    else:
        report(90, "measuring shortfall")
        shortfall = _shortfall(data, problem)
        report(100, "done: infeasible")
        return _infeasible_solution(data, shortfall, started)

    report(90, "computing the dual bound")
    entries, judges = assigned
    prices = judge_prices(data, entries, judges, low, high)
    bound = dual_bound(problem, prices, low, high)

    pairs = _sorted_pairs(np.concatenate([data.fixed, np.column_stack([entries, judges])]))
    objective = int(data.affinity[pairs[:, 0], pairs[:, 1]].sum())
    loads = np.bincount(pairs[:, 1], minlength=data.n_judges).astype(np.int64)
    report(100, "done")
    return AssignmentSolution(
        feasible=True,
        pairs=pairs,
        objective=objective,
        bound=bound,
        loads=loads,
        load_low=low,
        load_high=high,
        shortfall={},
        seconds=time.perf_counter() - started,
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


# --------------------------------------------------------------------------- flow


class _FlowNetwork:
    """The min-cost-flow network, built once and re-solved per set of load limits.

    Nodes: entries 0..N-1, judges N..N+M-1, sink N+M. No source node: each entry
    supplies the judges it still needs. Load lower bounds use the standard node-supply
    transformation: the judge->sink arc carries only the part above `low`, and the
    judge node itself absorbs `low` units (supply -low), so they are exact constraints,
    not penalties.
    """

    def __init__(self, data: Prepared) -> None:
        self.data = data
        entries, judges = np.nonzero(data.free)
        self.entries = entries.astype(np.int32)
        self.judges = judges.astype(np.int32)
        n, m = data.n_entries, data.n_judges
        self.sink = n + m
        self.flow = min_cost_flow.SimpleMinCostFlow()
        self.flow.add_arcs_with_capacity_and_unit_cost(
            self.entries,
            (self.judges + n).astype(np.int32),
            np.ones(len(self.entries), dtype=np.int64),
            -data.affinity[entries, judges],
        )
        del entries, judges
        judge_nodes = np.arange(n, n + m, dtype=np.int32)
        # Capacities are set per solve, since each tier of load limits changes them.
        judge_arcs = self.flow.add_arcs_with_capacity_and_unit_cost(
            judge_nodes,
            np.full(m, self.sink, dtype=np.int32),
            np.zeros(m, dtype=np.int64),
            np.zeros(m, dtype=np.int64),
        )
        self.judge_arcs = np.asarray(judge_arcs, dtype=np.int32)

    def solve(self, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Optimal free pairs (entries, judges) under these limits, or None if infeasible."""
        data = self.data
        low_free = np.maximum(low - data.fixed_load, 0)
        high_free = high - data.fixed_load
        if np.any(high_free < low_free):
            return None
        for arc, cap in zip(self.judge_arcs.tolist(), (high_free - low_free).tolist(), strict=True):
            self.flow.set_arc_capacity(arc, cap)  # M calls, not N*M
        n, m = data.n_entries, data.n_judges
        supplies = np.concatenate([data.need, -low_free, [-(int(data.need.sum()) - int(low_free.sum()))]])
        self.flow.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), supplies.astype(np.int64))

        status = self.flow.solve()
        if status == min_cost_flow.SimpleMinCostFlow.INFEASIBLE:
            return None
        if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed: {status!r}")
        used = np.asarray(self.flow.flows(np.arange(len(self.entries), dtype=np.int32))) > 0
        return self.entries[used].astype(np.int64), self.judges[used].astype(np.int64)


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

