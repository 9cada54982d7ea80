"""Exact judge assignment: balanced min-cost flow plus an independent LP-duality bound.

OR-Tools solves the flow and the max flow behind the shortfall report; the load
balancing, the dual prices and the bound that certifies optimality are ours, because
no library computes them for this model.

The module is pure: numpy arrays in, numpy arrays out, no Django models, so the
service layer, a Celery task and the benchmark command can all share it.

Model
-----
Entries i (N), judges j (M), k judges per entry. Decision x_ij in {0, 1}:

    maximise    sum a_ij x_ij
    subject to  sum_j x_ij = k                     for every entry
                low_j <= sum_i x_ij <= high_j      for every judge (high_j <= capacity_j)
                x_ij = 0 where the pair is not allowed (conflict)
                x_ij = 1 for fixed pairs (reviews already started)

As a network: entry --(cap 1, cost -a_ij)--> judge --[low_j, high_j]--> sink, with
every entry supplying k units. The constraint matrix is totally unimodular, so the
integral min-cost flow is also optimal for the LP relaxation, which is what lets the
dual bound meet the objective exactly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

# A "minus infinity" that survives a few additions and subtractions of realistic
# affinities and prices without wrapping around in int64 arithmetic.
_NEG = np.iinfo(np.int64).min // 4
# Anything below this came from _NEG, not from a real affinity or path length.
_NEG_THRESHOLD = _NEG // 2
# Rows of the (pairs x judges) gain matrix built at once while pricing: bounds the
# temporary memory to roughly _PRICE_BLOCK_CELLS * 8 bytes.
_PRICE_BLOCK_CELLS = 4_000_000

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


@dataclass(frozen=True)
class _Prepared:
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
    data = _prepare(problem)

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
    prices = _judge_prices(data, entries, judges, low, high)
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


def dual_bound(
    problem: AssignmentProblem,
    prices: np.ndarray,
    load_low: np.ndarray,
    load_high: np.ndarray,
) -> int:
    """Weak-duality upper bound B(p) on the LP for ANY judge prices p.

    Pricing the load constraints at p_j relaxes the problem into independent pieces:
    each judge contributes max over load in [low', high'] of p_j * load, and each entry
    keeps its best `need_i` values of r_ij = a_ij - p_j over its free judges (that sum
    equals need_i * u_i + sum_j max(0, r_ij - u_i) with u_i the need_i-th largest r_ij).
    Fixed pairs are forced, so they add their affinity and use up part of the judge's
    limits (low' = max(low - fixed, 0), high' = high - fixed) and of the entry's k.
    """
    data = _prepare(problem)
    p = np.asarray(prices, dtype=np.int64)
    low_free = np.maximum(np.asarray(load_low, dtype=np.int64) - data.fixed_load, 0)
    high_free = np.asarray(load_high, dtype=np.int64) - data.fixed_load
    if np.any(high_free < low_free):
        raise ValueError("load limits leave no room for the fixed pairs; the LP is infeasible")

    judge_term = int((high_free * np.maximum(p, 0)).sum() - (low_free * np.maximum(-p, 0)).sum())
    entry_term = _best_reduced_sum(data, p)
    return data.fixed_affinity + judge_term + entry_term


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


def synthetic_problem(
    *,
    entries: int,
    judges: int,
    per_entry: int,
    categories: int = 4,
    seed: int = 0,
    same_country: bool = False,
    countries: int = 12,
) -> AssignmentProblem:
    """A realistic random instance for benchmarks and simulations (deterministic per seed).

    Each judge knows 1-2 categories; bids are eager/willing/not willing/conflict with
    small probabilities; 2% of pairs are random conflicts (same organisation, declared);
    optionally judges never see entries from their own country.
    """
    expertise_points, eager, willing, not_willing = 10, 5, 2, -5
    rng = np.random.default_rng(seed)
    entry_category = rng.integers(0, categories, size=entries)

    expertise = np.zeros((judges, categories), dtype=bool)
    expertise[np.arange(judges), rng.integers(0, categories, size=judges)] = True
    has_second = rng.random(judges) < 0.5
    second = rng.integers(0, categories, size=judges)
    expertise[np.arange(judges)[has_second], second[has_second]] = True

    affinity = np.where(expertise[:, entry_category].T, expertise_points, 0).astype(np.int64)
    bid = rng.random((entries, judges), dtype=np.float32)
    affinity += np.select(
        [bid < 0.03, bid < 0.08, bid < 0.11], [eager, willing, not_willing], default=0
    ).astype(np.int64)
    conflict_bid = (bid >= 0.11) & (bid < 0.115)
    del bid
    allowed = ~conflict_bid & (rng.random((entries, judges), dtype=np.float32) >= 0.02)
    if same_country:
        entry_country = rng.integers(0, countries, size=entries)
        judge_country = rng.integers(0, countries, size=judges)
        allowed &= entry_country[:, None] != judge_country[None, :]

    capacity = np.full(judges, math.ceil(entries * per_entry / max(judges, 1) * 1.2), dtype=np.int64)
    return AssignmentProblem(
        per_entry=per_entry,
        capacity=capacity,
        affinity=affinity,
        allowed=allowed,
        entry_group=entry_category,
        group_names=tuple(f"category {c + 1}" for c in range(categories)),
    )


# --------------------------------------------------------------------------- preparation


def _ignore_progress(percent: int, message: str) -> None:
    return None


def _prepare(problem: AssignmentProblem) -> _Prepared:
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
    return _Prepared(
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


def _limit_tiers(data: _Prepared) -> list[tuple[np.ndarray, np.ndarray, str]]:
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

    def __init__(self, data: _Prepared) -> None:
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


def _shortfall(data: _Prepared, problem: AssignmentProblem) -> dict[str, int]:
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


def _infeasible_solution(data: _Prepared, shortfall: dict[str, int], started: float) -> AssignmentSolution:
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


# --------------------------------------------------------------------------- dual prices


def _judge_prices(
    data: _Prepared, entries: np.ndarray, judges: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """Judge prices p that make B(p) equal the flow's objective (complementary slackness).

    The flow's residual graph, with entries contracted away, is a small graph on the
    judges plus the sink t (price 0): moving entry i from j to j' gains a_ij' - a_ij,
    which requires p_j' - p_j >= gain; spare room under `high` requires p_j <= 0 and
    load above `low` requires p_j >= 0. An optimal flow has no positive cycle, so
    longest-path potentials satisfy every inequality; we compute them with an int64
    Bellman-Ford (exact, and zero-weight edges count, unlike scipy's dense csgraph).
    """
    m = data.n_judges
    sink = m
    weights = np.full((m + 1, m + 1), _NEG, dtype=np.int64)
    weights[:m, :m] = _move_gains(data, entries, judges)

    free_load = np.bincount(judges, minlength=m)
    weights[np.flatnonzero(free_load < high - data.fixed_load), sink] = 0
    weights[sink, np.flatnonzero(free_load > np.maximum(low - data.fixed_load, 0))] = 0

    potential = np.zeros(m + 1, dtype=np.int64)  # virtual source with 0-edges to all
    for _ in range(m + 2):
        relaxed = np.maximum(potential, (potential[:, None] + weights).max(axis=0))
        if np.array_equal(relaxed, potential):
            return potential[:m] - potential[sink]
        potential = relaxed
    raise RuntimeError("positive cycle in the residual graph: the flow is not optimal")


def _move_gains(data: _Prepared, entries: np.ndarray, judges: np.ndarray) -> np.ndarray:
    """(M, M) best gain of moving one assigned entry from judge j to judge j' (_NEG if none)."""
    m = data.n_judges
    gains = np.full((m, m), _NEG, dtype=np.int64)
    if len(entries) == 0 or m == 0:
        return gains
    assigned = np.zeros_like(data.free)
    assigned[entries, judges] = True
    order = np.argsort(judges, kind="stable")
    entries, judges = entries[order], judges[order]
    loaded, starts = np.unique(judges, return_index=True)
    ends = np.append(starts[1:], len(judges))

    rows_per_block = max(1, _PRICE_BLOCK_CELLS // m)
    first = 0
    while first < len(loaded):
        # Take whole judges until the block holds about rows_per_block pairs.
        last = max(first + 1, int(np.searchsorted(ends, starts[first] + rows_per_block, side="right")))
        rows = slice(int(starts[first]), int(ends[last - 1]))
        block_entries = entries[rows]
        receivable = data.free[block_entries] & ~assigned[block_entries]
        gain = np.where(receivable, data.affinity[block_entries], _NEG)
        gain -= data.affinity[block_entries, judges[rows]][:, None]
        gains[loaded[first:last]] = np.maximum.reduceat(gain, starts[first:last] - starts[first], axis=0)
        first = last
    return gains


def _best_reduced_sum(data: _Prepared, prices: np.ndarray) -> int:
    """Sum over entries of their best need_i reduced affinities a_ij - p_j over free judges."""
    k = data.per_entry
    if data.n_entries == 0 or k == 0 or not np.any(data.need):
        return 0
    if k > data.n_judges:
        raise ValueError("more judges per entry than judges: the LP is infeasible")
    reduced = np.where(data.free, data.affinity - prices[None, :], _NEG)
    # Top-k per row without a full sort: partition, then order just those k columns.
    reduced = -np.partition(-reduced, k - 1, axis=1)[:, :k]
    reduced = -np.sort(-reduced, axis=1)
    take = np.arange(k)[None, :] < data.need[:, None]
    if np.any(take & (reduced < _NEG_THRESHOLD)):
        raise ValueError("an entry has fewer allowed judges than it needs: the LP is infeasible")
    return int(np.where(take, reduced, 0).sum())


# --------------------------------------------------------------------------- checks


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
