"""Tests for the assignment solver: hand-checked optima, every constraint, load limits, shortfall, brute force, LP."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from judging.algorithms.assignment import (
    AssignmentProblem,
    balanced_limits,
    check_solution,
    solve_assignment,
)
from judging.management.synthetic import synthetic_problem


def test_global_optimum_beats_greedy(make_problem, solve_clean, pairs_of):
    # Two entries, two judges, one judge each, one entry per judge. Greedy would take
    # the single best pair (entry 0, judge 0) = 5, leaving (1, 1) = 1: total 6.
    # Swapping gives (0, 1) + (1, 0) = 3 + 4 = 7, the optimum.
    problem = make_problem([[5, 3], [4, 1]], capacity=[1, 1])
    solution = solve_clean(problem)
    assert pairs_of(solution) == [(0, 1), (1, 0)]
    assert solution.objective == 7
    assert solution.bound == 7


def test_each_entry_gets_exactly_k_judges(make_problem, solve_clean):
    # Three entries, three judges, k = 2: every entry gets two judges, and with the
    # balanced share of 2 per judge the only way to total 3 * 2 = 6 slots is 2 each.
    # Entry i likes judge i most (9) and the others 1; each entry drops one judge, and
    # dropping a judge other than itself keeps the 9. Optimum: 3 * (9 + 1) = 30.
    affinity = [[9, 1, 1], [1, 9, 1], [1, 1, 9]]
    solution = solve_clean(make_problem(affinity, per_entry=2))
    per_entry = np.bincount(solution.pairs[:, 0], minlength=3)
    assert per_entry.tolist() == [2, 2, 2]
    assert solution.loads.tolist() == [2, 2, 2]
    assert solution.objective == 30
    assert solution.bound == 30


def test_capacity_is_never_exceeded(make_problem, solve_clean):
    # Everyone prefers judge 0 (10 vs 1), but judge 0 takes one entry. Three entries,
    # k = 1: one gets judge 0, two get judge 1 (capacity 3). Optimum 10 + 1 + 1 = 12.
    problem = make_problem([[10, 1], [10, 1], [10, 1]], capacity=[1, 3])
    solution = solve_clean(problem)
    assert solution.loads.tolist() == [1, 2]
    assert solution.objective == 12


def test_conflicted_pair_is_never_assigned_even_with_high_affinity(make_problem, solve_clean, pairs_of):
    # Entry 0 would love judge 0 (100) but is conflicted with it; it must take judge 1.
    problem = make_problem(
        [[100, 1], [1, 1]],
        capacity=[2, 2],
        allowed=[[False, True], [True, True]],
    )
    solution = solve_clean(problem)
    assert (0, 0) not in pairs_of(solution)
    assert pairs_of(solution) == [(0, 1), (1, 0)]
    assert solution.objective == 2


def test_fixed_pairs_are_kept_and_count_towards_k_and_load(make_problem, solve_clean, pairs_of):
    # Entry 0 already has judge 1 (affinity 0, review started) and k = 2, so it only
    # picks one more: judge 0 (5) beats judge 2 (1). Entry 1 picks its two best judges,
    # 0 and 2 (4 + 3), since balanced limits are [1, 2] each. Total 0 + 5 + 4 + 3 = 12.
    problem = make_problem(
        [[5, 0, 1], [4, 2, 3]],
        per_entry=2,
        fixed=[(0, 1)],
    )
    solution = solve_clean(problem)
    assert pairs_of(solution) == [(0, 0), (0, 1), (1, 0), (1, 2)]
    assert solution.objective == 12
    assert solution.bound == 12


def test_fixed_pairs_raise_a_judges_balanced_limit(make_problem, solve_clean, pairs_of):
    # Four entries, two judges, k = 1: the fair share is 2 each, but judge 0 already
    # has three reviews started, so its limit rises to 3 and judge 1 takes the last one.
    problem = make_problem(
        [[0, 9], [0, 9], [0, 9], [9, 0]],
        capacity=[4, 4],
        fixed=[(0, 0), (1, 0), (2, 0)],
    )
    solution = solve_clean(problem)
    assert solution.load_low.tolist() == [3, 1]
    assert solution.load_high.tolist() == [3, 2]
    assert pairs_of(solution) == [(0, 0), (1, 0), (2, 0), (3, 1)]
    assert solution.objective == 0


def test_loads_are_balanced_within_one_of_the_fair_share(make_problem, solve_clean):
    # Five entries, two judges, k = 1, everyone prefers judge 0 (10 vs 0) and capacity
    # would let judge 0 take all five. Balanced: fair share 2.5, so loads are 2 and 3,
    # and the optimum gives judge 0 the three: 3 * 10 = 30.
    problem = make_problem([[10, 0]] * 5, capacity=[5, 5])
    solution = solve_clean(problem)
    assert solution.load_low.tolist() == [2, 2]
    assert solution.load_high.tolist() == [3, 3]
    assert solution.loads.tolist() == [3, 2]
    assert solution.objective == 30


def test_capacity_limited_judge_is_filled_and_others_share_the_rest(make_problem, solve_clean):
    # Six entries, k = 1, capacities [1, 10, 10]. Water-filling: level 2 gives
    # 1 + 2 + 2 = 5 <= 6 and level 3 gives 1 + 3 + 3 = 7 > 6, so judge 0 gets exactly
    # its capacity 1 and judges 1 and 2 get 2 or 3 each (2 + 3 = 5).
    assert [x.tolist() for x in balanced_limits(np.array([1, 10, 10]), np.zeros(3, dtype=int), 6)] == [
        [1, 2, 2],
        [1, 3, 3],
    ]
    problem = make_problem([[1, 2, 3]] * 6, capacity=[1, 10, 10])
    solution = solve_clean(problem)
    # Judge 2 is preferred, so it takes the upper share: loads 1, 2, 3 = 1 + 4 + 9 = 14.
    assert solution.loads.tolist() == [1, 2, 3]
    assert solution.objective == 14


def test_balanced_limits_with_an_integer_fair_share_pin_every_load():
    # 4 entries * k 3 = 12 slots over 4 judges: exactly 3 each (high 4 is unreachable
    # because the lows already sum to the demand).
    low, high = balanced_limits(np.array([6, 6, 6, 6]), np.zeros(4, dtype=int), 12)
    assert low.tolist() == [3, 3, 3, 3]
    assert high.tolist() == [4, 4, 4, 4]


def test_falls_back_to_capacity_limits_when_balance_is_impossible(make_problem, solve_clean, pairs_of):
    # Both entries are conflicted with judge 1, so the balanced 1-and-1 split cannot
    # happen; plain capacities (2 each) are feasible, so judge 0 takes both: 3 + 4 = 7.
    problem = make_problem(
        [[3, 9], [4, 9]],
        capacity=[2, 2],
        allowed=[[True, False], [True, False]],
    )
    solution = solve_clean(problem)
    assert solution.feasible is True
    assert solution.load_low.tolist() == [0, 0]
    assert solution.load_high.tolist() == [2, 2]
    assert pairs_of(solution) == [(0, 0), (1, 0)]
    assert solution.objective == 7


def test_infeasible_reports_the_shortfall_per_group(make_problem):
    # k = 2. Entries 0 and 1 ("Mobility") may only see judge 0, so each misses one
    # judge whatever the flow does: 2 slots. Entry 2 ("Energy") is conflicted with
    # every judge: both its slots are missing. Entry 3 ("Energy") is fine.
    problem = make_problem(
        [[1, 1, 1]] * 4,
        per_entry=2,
        capacity=[4, 4, 4],
        allowed=[
            [True, False, False],
            [True, False, False],
            [False, False, False],
            [True, True, True],
        ],
        entry_group=[0, 0, 1, 1],
        group_names=("Mobility", "Energy"),
    )
    solution = solve_assignment(problem)
    assert solution.feasible is False
    assert solution.pairs.shape == (0, 2)
    assert solution.shortfall == {"Mobility": 2, "Energy": 2}
    assert check_solution(problem, solution) == []


def test_infeasible_without_groups_reports_all(make_problem):
    # Three entries, k = 1, but the two judges take one entry each: one slot missing.
    problem = make_problem([[1, 1]] * 3, capacity=[1, 1])
    solution = solve_assignment(problem)
    assert solution.feasible is False
    assert solution.shortfall == {"all": 1}


def test_rerun_with_started_reviews_keeps_them_and_stays_optimal(solve_clean, pairs_of):
    # Re-running after some reviews started (and after the bids changed: columns
    # reversed) must keep those pairs and still be certified optimal by the bound.
    problem = synthetic_problem(entries=120, judges=12, per_entry=3, seed=2, same_country=True)
    first = solve_clean(problem)
    started = first.pairs[::7]
    rerun = replace(problem, affinity=problem.affinity[:, ::-1].copy(), fixed=started)
    second = solve_clean(rerun)
    assert set(map(tuple, started.tolist())) - set(pairs_of(second)) == set()
    assert second.bound == second.objective


def brute_force(
    problem: AssignmentProblem, low: np.ndarray, high: np.ndarray
) -> int | None:
    """Best total affinity over every assignment within [low, high]; None if there is none."""
    n, m = problem.affinity.shape
    fixed = {tuple(p) for p in (problem.fixed.tolist() if problem.fixed is not None else [])}
    options = []
    for i in range(n):
        judges = [j for j in range(m) if problem.allowed[i, j]]
        must = {j for (e, j) in fixed if e == i}
        options.append([c for c in itertools.combinations(judges, problem.per_entry) if must <= set(c)])
    best = None
    for choice in itertools.product(*options):
        loads = np.zeros(m, dtype=int)
        for chosen in choice:
            loads[list(chosen)] += 1
        if np.any(loads > problem.capacity) or np.any(loads < low) or np.any(loads > high):
            continue
        total = sum(int(problem.affinity[i, j]) for i, chosen in enumerate(choice) for j in chosen)
        best = total if best is None else max(best, total)
    return best


def brute_force_missing_slots(problem: AssignmentProblem) -> int:
    """Fewest unfilled slots when entries may take fewer than k judges (capacities only)."""
    n, m = problem.affinity.shape
    options = []
    for i in range(n):
        judges = [j for j in range(m) if problem.allowed[i, j]]
        options.append([c for size in range(problem.per_entry + 1) for c in itertools.combinations(judges, size)])
    most = 0
    for choice in itertools.product(*options):
        loads = np.zeros(m, dtype=int)
        for chosen in choice:
            loads[list(chosen)] += 1
        if np.all(loads <= problem.capacity):
            most = max(most, sum(len(c) for c in choice))
    return n * problem.per_entry - most


def random_small_problem(seed: int) -> AssignmentProblem:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    k = int(rng.integers(1, min(2, m) + 1))
    affinity = rng.integers(-5, 11, size=(n, m))
    allowed = rng.random((n, m)) < 0.8
    capacity = rng.integers(0, n + 1, size=m)
    fixed = None
    if seed % 3 == 0:  # every third instance keeps one started review
        candidates = np.argwhere(allowed & (capacity[None, :] > 0))
        if len(candidates):
            fixed = candidates[[int(rng.integers(len(candidates)))]]
    return AssignmentProblem(
        per_entry=k,
        capacity=capacity,
        affinity=affinity.astype(np.int64),
        allowed=allowed,
        fixed=fixed,
    )


@pytest.mark.parametrize("seed", range(40))
def test_matches_brute_force_on_small_random_instances(seed):
    problem = random_small_problem(seed)
    n, m = problem.affinity.shape
    fixed_load = np.bincount(problem.fixed[:, 1], minlength=m) if problem.fixed is not None else np.zeros(m, dtype=int)
    balanced = balanced_limits(problem.capacity, fixed_load, n * problem.per_entry)
    capacity_only = (np.zeros(m, dtype=int), problem.capacity)

    solution = solve_assignment(problem)
    assert check_solution(problem, solution) == []

    best_balanced = brute_force(problem, *balanced) if problem.capacity.sum() >= n * problem.per_entry else None
    best_capacity = brute_force(problem, *capacity_only)
    if best_balanced is not None:
        assert solution.feasible is True
        assert solution.load_low.tolist() == balanced[0].tolist()
        assert solution.load_high.tolist() == balanced[1].tolist()
        assert solution.objective == best_balanced
    elif best_capacity is not None:
        assert solution.feasible is True
        assert solution.load_high.tolist() == problem.capacity.tolist()
        assert solution.objective == best_capacity
    else:
        assert solution.feasible is False
        assert sum(solution.shortfall.values()) == brute_force_missing_slots(problem)
        return
    # The bound is proven independently of the flow and is tight on these instances.
    assert solution.bound == solution.objective


def test_random_instances_cover_every_outcome():
    # Guards the brute-force test against silently testing only one branch.
    outcomes = set()
    for seed in range(40):
        solution = solve_assignment(random_small_problem(seed))
        if not solution.feasible:
            outcomes.add("infeasible")
        elif solution.load_low.any() or not np.array_equal(solution.load_high, random_small_problem(seed).capacity):
            outcomes.add("balanced")
        else:
            outcomes.add("capacity")
    assert outcomes == {"balanced", "capacity", "infeasible"}


def highs_lp_optimum(problem: AssignmentProblem, low: np.ndarray, high: np.ndarray) -> float:
    """The LP optimum from a different solver (HiGHS via scipy), fixed pairs as x >= 1."""
    n, m = problem.affinity.shape
    pairs = np.argwhere(problem.allowed)
    columns = np.arange(len(pairs))
    per_entry = sp.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], columns)), shape=(n, len(pairs)))
    per_judge = sp.csr_matrix((np.ones(len(pairs)), (pairs[:, 1], columns)), shape=(m, len(pairs)))
    lower = np.zeros(len(pairs))
    if problem.fixed is not None:
        fixed = {tuple(pair) for pair in problem.fixed.tolist()}
        lower[[tuple(pair) in fixed for pair in pairs.tolist()]] = 1
    result = linprog(
        -problem.affinity[pairs[:, 0], pairs[:, 1]].astype(float),
        A_ub=sp.vstack([per_judge, -per_judge]),
        b_ub=np.concatenate([high, -low]),
        A_eq=per_entry,
        b_eq=np.full(n, problem.per_entry),
        bounds=np.column_stack([lower, np.ones(len(pairs))]),
        method="highs",
    )
    assert result.status == 0
    return -result.fun


@pytest.mark.parametrize("seed", range(6))
def test_matches_an_independent_lp_solver_on_medium_instances(seed, solve_clean):
    # Totally unimodular constraints: the LP optimum is the integer optimum, so HiGHS
    # must agree with the flow, and the dual bound must meet both.
    problem = synthetic_problem(entries=60, judges=9, per_entry=3, seed=seed, same_country=seed % 2 == 1)
    if seed % 3 == 0:  # some reviews already started, and the bids changed since
        started = solve_clean(problem).pairs[::5]
        problem = replace(problem, affinity=problem.affinity[::-1].copy(), fixed=started)
    solution = solve_clean(problem)
    assert solution.feasible is True
    assert round(highs_lp_optimum(problem, solution.load_low, solution.load_high)) == solution.objective
    assert solution.bound == solution.objective


def test_progress_is_reported_up_to_done():
    seen: list[int] = []
    problem = synthetic_problem(entries=30, judges=5, per_entry=2, seed=1)
    solve_assignment(problem, on_progress=lambda percent, _message: seen.append(percent))
    assert seen == [10, 50, 90, 100]
