"""The LP-duality bound: an upper bound on the objective for any judge prices, and the prices that make it tight.

The constraint matrix is totally unimodular, so the integral min-cost flow is also
optimal for the LP relaxation; with the prices from `judge_prices` the bound meets the
flow's objective exactly, which certifies it optimal independently of the flow solver.
"""

from __future__ import annotations

import numpy as np

from .problem import NEG, NEG_THRESHOLD, AssignmentProblem, Prepared, prepare


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
    data = prepare(problem)
    p = np.asarray(prices, dtype=np.int64)
    return data.fixed_affinity + judge_term(data, p, load_low, load_high) + _best_reduced_sum(data, p)


def judge_term(data: Prepared, prices: np.ndarray, load_low: np.ndarray, load_high: np.ndarray) -> int:
    """The judges' part of B(p): each judge's best p_j * load over the load its free pairs may take."""
    low_free = np.maximum(np.asarray(load_low, dtype=np.int64) - data.fixed_load, 0)
    high_free = np.asarray(load_high, dtype=np.int64) - data.fixed_load
    if np.any(high_free < low_free):
        raise ValueError("load limits leave no room for the fixed pairs; the LP is infeasible")
    return int((high_free * np.maximum(prices, 0)).sum() - (low_free * np.maximum(-prices, 0)).sum())


def judge_prices(
    data: Prepared,
    arc_entries: np.ndarray,
    arc_judges: np.ndarray,
    used: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> np.ndarray:
    """Judge prices p that make B(p) equal the flow's objective on the network of these arcs.

    The flow's residual graph, with entries contracted away, is a small graph on the
    judges plus the sink t (price 0): moving entry i from j to j' over a network arc gains
    a_ij' - a_ij, which requires p_j' - p_j >= gain; spare room under `high` requires
    p_j <= 0 and load above `low` requires p_j >= 0. An optimal flow has no positive
    cycle, so longest-path potentials satisfy every inequality; we compute them with an
    int64 Bellman-Ford (exact, and zero-weight edges count, unlike scipy's dense csgraph).
    `arc_entries`/`arc_judges` are the network's free arcs and `used` marks those the
    flow took; on a pruned network the prices hold for its arcs only, and `pruned`
    checks the others.
    """
    m = data.n_judges
    sink = m
    weights = np.full((m + 1, m + 1), NEG, dtype=np.int64)
    weights[:m, :m] = _move_gains(data, arc_entries, arc_judges, used)

    free_load = np.bincount(arc_judges[used], minlength=m)
    weights[np.flatnonzero(free_load < high - data.fixed_load), sink] = 0
    weights[sink, np.flatnonzero(free_load > np.maximum(low - data.fixed_load, 0))] = 0

    potential = np.zeros(m + 1, dtype=np.int64)  # virtual source with 0-edges to all
    for _ in range(m + 2):
        relaxed = np.maximum(potential, (potential[:, None] + weights).max(axis=0))
        if np.array_equal(relaxed, potential):
            return potential[:m] - potential[sink]
        potential = relaxed
    raise RuntimeError("positive cycle in the residual graph: the flow is not optimal")


def _move_gains(data: Prepared, arc_entries: np.ndarray, arc_judges: np.ndarray, used: np.ndarray) -> np.ndarray:
    """(M, M) best gain of moving one assigned entry from judge j to judge j' over a network arc (NEG if none).

    Each entry holds at most k assigned judges, so the moves are enumerated slot by slot:
    k passes over the unused arcs, each pairing an arc with the entry's s-th assigned judge.
    """
    m, k = data.n_judges, data.per_entry
    gains = np.full((m, m), NEG, dtype=np.int64)
    if m == 0 or k == 0 or not used.any():
        return gains
    taken_entries, taken_judges = arc_entries[used], arc_judges[used]
    order = np.argsort(taken_entries, kind="stable")
    taken_entries, taken_judges = taken_entries[order], taken_judges[order]
    first = np.searchsorted(taken_entries, taken_entries, side="left")
    slot = np.arange(len(taken_entries)) - first
    slot_judge = np.full((data.n_entries, k), -1, dtype=np.int64)
    slot_judge[taken_entries, slot] = taken_judges
    slot_affinity = np.zeros((data.n_entries, k), dtype=np.int64)
    slot_affinity[taken_entries, slot] = data.affinity[taken_entries, taken_judges]

    free_entries, free_judges = arc_entries[~used], arc_judges[~used]
    free_affinity = data.affinity[free_entries, free_judges]
    for s in range(k):
        source = slot_judge[free_entries, s]
        has = source >= 0
        np.maximum.at(
            gains,
            (source[has], free_judges[has]),
            free_affinity[has] - slot_affinity[free_entries[has], s],
        )
    return gains


def _best_reduced_sum(data: Prepared, prices: np.ndarray) -> int:
    """Sum over entries of their best need_i reduced affinities a_ij - p_j over free judges."""
    k = data.per_entry
    if data.n_entries == 0 or k == 0 or not np.any(data.need):
        return 0
    if k > data.n_judges:
        raise ValueError("more judges per entry than judges: the LP is infeasible")
    reduced = np.where(data.free, data.affinity - prices[None, :], NEG)
    # Top-k per row without a full sort: partition, then order just those k columns.
    reduced = -np.partition(-reduced, k - 1, axis=1)[:, :k]
    reduced = -np.sort(-reduced, axis=1)
    take = np.arange(k)[None, :] < data.need[:, None]
    if np.any(take & (reduced < NEG_THRESHOLD)):
        raise ValueError("an entry has fewer allowed judges than it needs: the LP is infeasible")
    return int(np.where(take, reduced, 0).sum())
