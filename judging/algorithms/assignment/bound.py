"""The LP-duality bound: an upper bound on the objective for any judge prices, and the prices that make it tight.

The constraint matrix is totally unimodular, so the integral min-cost flow is also
optimal for the LP relaxation; with the prices from `judge_prices` the bound meets the
flow's objective exactly, which certifies it optimal independently of the flow solver.
"""

from __future__ import annotations

import numpy as np

from .problem import NEG, NEG_THRESHOLD, AssignmentProblem, Prepared, prepare

# Rows of the (pairs x judges) gain matrix built at once while pricing: bounds the
# temporary memory to roughly _PRICE_BLOCK_CELLS * 8 bytes.
_PRICE_BLOCK_CELLS = 4_000_000


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
    low_free = np.maximum(np.asarray(load_low, dtype=np.int64) - data.fixed_load, 0)
    high_free = np.asarray(load_high, dtype=np.int64) - data.fixed_load
    if np.any(high_free < low_free):
        raise ValueError("load limits leave no room for the fixed pairs; the LP is infeasible")

    judge_term = int((high_free * np.maximum(p, 0)).sum() - (low_free * np.maximum(-p, 0)).sum())
    entry_term = _best_reduced_sum(data, p)
    return data.fixed_affinity + judge_term + entry_term


def judge_prices(
    data: Prepared, entries: np.ndarray, judges: np.ndarray, low: np.ndarray, high: np.ndarray
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
    weights = np.full((m + 1, m + 1), NEG, dtype=np.int64)
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


def _move_gains(data: Prepared, entries: np.ndarray, judges: np.ndarray) -> np.ndarray:
    """(M, M) best gain of moving one assigned entry from judge j to judge j' (NEG if none)."""
    m = data.n_judges
    gains = np.full((m, m), NEG, dtype=np.int64)
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
        gain = np.where(receivable, data.affinity[block_entries], NEG)
        gain -= data.affinity[block_entries, judges[rows]][:, None]
        gains[loaded[first:last]] = np.maximum.reduceat(gain, starts[first:last] - starts[first], axis=0)
        first = last
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
