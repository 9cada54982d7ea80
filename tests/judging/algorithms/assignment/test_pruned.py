"""Tests for the pruned solve: same optimum as the full network, widening when the proof fails, infeasibility kept."""

from __future__ import annotations

import numpy as np
import pytest

from judging.algorithms.assignment import AssignmentProblem, check_solution, solve_assignment
from judging.algorithms.assignment.flow import solve_flow
from judging.algorithms.assignment.problem import prepare
from judging.algorithms.assignment.pruned import _prove, candidate_arcs, solve_pruned
from judging.management.synthetic import synthetic_problem


def tight_problem(seed: int) -> AssignmentProblem:
    """Spread-out affinities (few ties), 15% conflicts, capacities barely above the demand, a few started reviews."""
    rng = np.random.default_rng(seed)
    n, m, k = int(rng.integers(30, 61)), int(rng.integers(12, 21)), int(rng.integers(2, 4))
    affinity = rng.integers(-20, 101, size=(n, m)).astype(np.int64)
    allowed = rng.random((n, m)) >= 0.15
    demand = n * k
    capacity = np.full(m, demand // m, dtype=np.int64)
    capacity[rng.choice(m, size=demand % m + int(rng.integers(1, 4)), replace=False)] += 1
    candidates = np.argwhere(allowed)
    fixed = candidates[rng.choice(len(candidates), size=3, replace=False)]
    fixed = fixed[np.unique(fixed[:, 0], return_index=True)[1]]  # at most one per entry
    fixed = fixed[np.unique(fixed[:, 1], return_index=True)[1]]  # and per judge
    return AssignmentProblem(per_entry=k, capacity=capacity, affinity=affinity, allowed=allowed, fixed=fixed)


@pytest.mark.parametrize("extra", [0, 1])
@pytest.mark.parametrize("seed", range(12))
def test_pruned_objective_equals_the_full_networks(seed, extra):
    problem = tight_problem(seed)
    full = solve_assignment(problem, extra_candidates=problem.affinity.shape[1])
    pruned = solve_assignment(problem, extra_candidates=extra)
    assert check_solution(problem, pruned) == []
    assert full.feasible is True
    assert full.arcs == int(prepare(problem).free.sum())  # the yardstick really used every allowed pair
    assert (pruned.objective, pruned.bound) == (full.objective, full.objective)
    assert pruned.load_low.tolist() == full.load_low.tolist()
    assert pruned.load_high.tolist() == full.load_high.tolist()
    assert pruned.arcs < full.arcs


def test_the_random_instances_make_the_proof_widen():
    # Guards the test above against instances where the first pruned network is always optimal.
    widened = [seed for seed in range(12) if solve_assignment(tight_problem(seed), extra_candidates=0).proof_arcs]
    assert len(widened) >= 5


def test_a_suboptimal_pruned_network_is_widened_by_the_proof_until_optimal():
    # Three entries, three judges A B C, one judge each, one entry per judge (capacity 1).
    # Each entry keeps its two best judges: entries 0 and 1 keep A and B (10 and 9), so
    # entry 1's arc to C (8) is pruned away; entry 2 keeps B (7) and C (1). On that network
    # entries 0 and 1 must take A and B, leaving C to entry 2: 10 + 9 + 1 = 20. The full
    # optimum moves entry 1 to C: 10 (0-A) + 8 (1-C) + 7 (2-B) = 25.
    problem = AssignmentProblem(
        per_entry=1,
        capacity=np.array([1, 1, 1]),
        affinity=np.array([[10, 9, 0], [10, 9, 8], [0, 7, 1]], dtype=np.int64),
        allowed=np.ones((3, 3), dtype=bool),
    )
    data = prepare(problem)
    limits = np.ones(3, dtype=np.int64), np.ones(3, dtype=np.int64)
    first = candidate_arcs(data, 1, limits[1], judge_side=0)
    assert np.argwhere(~first).tolist() == [[0, 2], [1, 2], [2, 0]]
    entries, judges = np.nonzero(first)
    used = solve_flow(data, entries, judges, *limits)
    assert int(data.affinity[entries[used], judges[used]].sum()) == 20

    result = solve_pruned(data, *limits, extra=1, judge_side=0)
    assert result.rounds == 2
    assert result.proof_arcs >= 1
    chosen = sorted(zip(result.entries.tolist(), result.judges.tolist(), strict=True))
    assert chosen == [(0, 0), (1, 2), (2, 1)]
    assert result.bound == 25


def test_the_proofs_bound_holds_for_any_prices():
    # Weak duality: B(p, u) bounds the optimum whatever the judge and entry prices.
    problem = tight_problem(3)
    data = prepare(problem)
    solution = solve_assignment(problem)
    low, high = solution.load_low, solution.load_high
    none = np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(0)
    for _ in range(20):
        prices = rng.integers(-30, 31, size=data.n_judges)
        entry_prices = rng.integers(-30, 101, size=data.n_entries)
        _violated, bound = _prove(data, none, none, prices, entry_prices, low, high)
        assert bound >= solution.objective


def test_a_pruned_network_too_thin_for_the_load_limits_is_widened_to_feasible(solve_clean):
    # Everyone's two best judges are judges 0-3, but the balanced limits make all
    # twelve judges take 10 entries each: without the judges' own arcs (judge_side=0)
    # the first network is infeasible, and the solve widens it rather than giving up.
    rng = np.random.default_rng(4)
    affinity = rng.integers(0, 5, size=(40, 12)).astype(np.int64)
    affinity[:, :4] += 50
    problem = AssignmentProblem(
        per_entry=3, capacity=np.full(12, 10), affinity=affinity, allowed=np.ones((40, 12), dtype=bool)
    )
    data = prepare(problem)
    limits = np.full(12, 10, dtype=np.int64), np.full(12, 10, dtype=np.int64)
    entries, judges = np.nonzero(candidate_arcs(data, 0, limits[1], judge_side=0))
    assert solve_flow(data, entries, judges, *limits) is None
    result = solve_pruned(data, *limits, extra=0, judge_side=0)
    full = solve_clean(problem)
    assert result.rounds >= 2
    assert result.bound == full.objective == int(affinity[result.entries, result.judges].sum())


def test_infeasible_instance_is_reported_the_same_when_pruned():
    # Entries 0-4 ("Mobility") are conflicted with every judge but judge 0, so each gets
    # at most one of its two judges: 5 slots cannot be filled, whatever the network.
    problem = synthetic_problem(entries=40, judges=10, per_entry=2, seed=1)
    allowed = problem.allowed.copy()
    allowed[:5, 1:] = False
    allowed[:5, 0] = True
    group = np.where(np.arange(40) < 5, 0, 1)
    problem = AssignmentProblem(
        per_entry=2, capacity=np.full(10, 10), affinity=problem.affinity, allowed=allowed,
        entry_group=group, group_names=("Mobility", "Energy"),
    )
    pruned = solve_assignment(problem, extra_candidates=0)
    full = solve_assignment(problem, extra_candidates=10)
    assert pruned.feasible is False
    assert pruned.shortfall == full.shortfall == {"Mobility": 5}
    assert check_solution(problem, pruned) == []


def test_balance_impossible_falls_back_to_capacity_limits_when_pruned():
    # Entries 0-19 may only see judges 0-2, and judges 3-5 see nothing else than entries
    # 20-29: the balanced share (15 or 16 each for 90 slots over 6 judges) is out of reach
    # for judges 3-5 (10 entries each at most), so both solves fall back to capacity
    # limits; the pruned one can only tell after widening to the full network, and must
    # then agree with the full one.
    rng = np.random.default_rng(7)
    allowed = np.zeros((30, 6), dtype=bool)
    allowed[:20, :3] = True
    allowed[20:, :] = True
    problem = AssignmentProblem(
        per_entry=3, capacity=np.full(6, 30), affinity=rng.integers(0, 40, size=(30, 6)).astype(np.int64),
        allowed=allowed,
    )
    full = solve_assignment(problem, extra_candidates=6)
    pruned = solve_assignment(problem, extra_candidates=0)
    assert check_solution(problem, pruned) == []
    assert full.load_low.tolist() == pruned.load_low.tolist() == [0] * 6
    assert (pruned.feasible, pruned.objective, pruned.bound) == (True, full.objective, full.objective)
