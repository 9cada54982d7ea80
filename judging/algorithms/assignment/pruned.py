"""Solve on a pruned network of each entry's best candidate judges, then prove the result optimal for the full one.

Why the pruning is safe
-----------------------
The pruned network is the full one with some entry->judge arcs left out; every
node-level constraint (k judges per entry, the judges' load limits, the fixed pairs)
is kept as it is, so its optimum is a feasible assignment of the full problem. Its
duals are judge prices p (`bound.judge_prices`) and, per entry, u_i = the least
a_ij - p_j over the judges it got; they satisfy complementary slackness on every kept
arc. If every left-out arc also has a non-negative reduced cost (a_ij - p_j <= u_i),
(p, u) is a feasible dual of the FULL LP whose value equals the pruned objective, so
by weak duality no assignment of the full problem does better (the LP is totally
unimodular, so the LP optimum is the integer one). Arcs that fail the test are added
and the network solved again; arcs only grow, so this ends, at the latest at the full
network. A pruned network that is infeasible says nothing about the full one: it is
widened (twice the candidates) until it is feasible or is the full network.

The bound reported is B(p, u) computed over the full matrix from the prices alone, an
upper bound for any p and u (see `_prove`), so it certifies the result independently
of the flow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .bound import judge_prices, judge_term
from .flow import solve_flow
from .problem import NEG, Prepared

# Candidate judges per entry beyond the k it needs, before any widening.
INITIAL_EXTRA = 8
# Each judge also keeps this many times its upper load limit of its own best entries, so
# that the pruned network can meet the lower load limits of judges few entries rank high.
JUDGE_SIDE_FACTOR = 2
# (rows x judges) cells handled at once by the full-matrix passes: bounds temporary memory.
_BLOCK_CELLS = 2_000_000
# Ties between equally good judges are ordered by a rotation starting this far along for each next entry (a prime).
_STRIDE = 7919


@dataclass(frozen=True)
class PrunedResult:
    entries: np.ndarray  # chosen free pairs
    judges: np.ndarray
    bound: int  # B(p, u) over the full problem
    rounds: int  # flows solved
    arcs: int  # entry->judge arcs in the last network
    proof_arcs: int  # arcs of those that the proof added (negative reduced cost at an earlier round's prices)


def solve_pruned(
    data: Prepared,
    low: np.ndarray,
    high: np.ndarray,
    *,
    extra: int = INITIAL_EXTRA,
    judge_side: int = JUDGE_SIDE_FACTOR,
    on_round: Callable[[int], None] | None = None,
) -> PrunedResult | None:
    """The optimum under these load limits, proven for the full network; None if even the full network is infeasible."""
    candidates = candidate_arcs(data, extra, high, judge_side=judge_side)
    rounds = proof_arcs = 0
    while True:
        rounds += 1
        if on_round is not None:
            on_round(rounds)
        arc_entries, arc_judges = np.nonzero(candidates)
        used = solve_flow(data, arc_entries, arc_judges, low, high)
        if used is None:
            if not (data.free & (data.need > 0)[:, None] & ~candidates).any():
                return None  # the full network is infeasible
            extra = 2 * max(extra, 1)
            candidates |= candidate_arcs(data, extra, high, judge_side=judge_side)
            continue
        prices = judge_prices(data, arc_entries, arc_judges, used, low, high)
        entry_prices = _entry_prices(data, arc_entries[used], arc_judges[used], prices)
        violated, bound = _prove(data, arc_entries[used], arc_judges[used], prices, entry_prices, low, high)
        if not violated.any():
            return PrunedResult(arc_entries[used], arc_judges[used], bound, rounds, len(arc_entries), proof_arcs)
        if (violated & candidates).any():
            raise RuntimeError("an arc of the network violates its own prices: the flow is not optimal")
        candidates |= violated
        proof_arcs += int(violated.sum())


def candidate_arcs(
    data: Prepared, extra: int, high: np.ndarray, *, judge_side: int = JUDGE_SIDE_FACTOR
) -> np.ndarray:
    """(N, M) bool: each entry's k + extra best free judges, plus each judge's judge_side x high best entries.

    Only entries that still need judges get arcs. Ties (affinities are small integers,
    so there are many) are broken by a rotation that differs per entry, so equally good
    judges are spread over the entries instead of all of them taking the lowest-numbered.
    """
    n, m = data.n_entries, data.n_judges
    needed = data.need > 0
    count = data.per_entry + extra
    if count >= m:
        return data.free & needed[:, None]
    key_affinity = _rank_scaled(data.affinity, max(n, m))
    mask = np.zeros((n, m), dtype=bool)
    columns = np.arange(m, dtype=np.int64)
    rows_per_block = max(1, _BLOCK_CELLS // m)
    for start in range(0, n, rows_per_block):
        rows = np.arange(start, min(n, start + rows_per_block), dtype=np.int64)
        rotation = (columns[None, :] + rows[:, None] * _STRIDE) % m
        key = np.where(data.free[rows], key_affinity[rows] * m + rotation, NEG)
        top = np.argpartition(key, m - count, axis=1)[:, m - count :]
        mask[rows[:, None], top] = True
    mask &= data.free
    mask &= needed[:, None]
    _add_judge_side(data, mask, key_affinity, judge_side * np.maximum(high - data.fixed_load, 0))
    return mask


def _add_judge_side(data: Prepared, mask: np.ndarray, key_affinity: np.ndarray, want: np.ndarray) -> None:
    """Give judges with fewer than `want` candidate arcs their `want` best entries."""
    n = data.n_entries
    eligible = data.free & (data.need > 0)[:, None]
    want = np.minimum(want, eligible.sum(axis=0))
    short = np.flatnonzero(mask.sum(axis=0) < want)
    if short.size == 0:
        return
    depth = int(want[short].max())
    if depth >= n:
        mask[:, short] |= eligible[:, short]
        return
    rows = np.arange(n, dtype=np.int64)
    rotation = (rows[:, None] + short[None, :] * _STRIDE) % n
    key = np.where(eligible[:, short], key_affinity[:, short] * n + rotation, NEG)
    top = np.argpartition(key, n - depth, axis=0)[n - depth :]
    mask[top, short[None, :]] |= eligible[top, short[None, :]]


def _rank_scaled(affinity: np.ndarray, scale: int) -> np.ndarray:
    """Affinities shifted to start at 0, or replaced by their rank if times `scale` they could overflow int64."""
    if affinity.size == 0:
        return affinity
    lowest, highest = int(affinity.min()), int(affinity.max())
    if (highest - lowest + 1) * (scale + 1) < 2**61:
        return affinity - lowest
    return np.unique(affinity, return_inverse=True)[1].reshape(affinity.shape).astype(np.int64)


def _entry_prices(data: Prepared, entries: np.ndarray, judges: np.ndarray, prices: np.ndarray) -> np.ndarray:
    """u_i: the least reduced affinity a_ij - p_j among the judges entry i got (0 for entries that need none)."""
    u = np.full(data.n_entries, -NEG, dtype=np.int64)
    np.minimum.at(u, entries, data.affinity[entries, judges] - prices[judges])
    u[data.need == 0] = 0
    return u


def _prove(
    data: Prepared,
    entries: np.ndarray,
    judges: np.ndarray,
    prices: np.ndarray,
    entry_prices: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> tuple[np.ndarray, int]:
    """Unused free arcs with a negative reduced cost (a_ij - p_j > u_i), and the bound B(p, u) over the full problem.

    B(p, u) = fixed affinity + judge term + sum_i [need_i * u_i + sum_j max(0, a_ij - p_j - u_i)]
    bounds the LP for ANY p and u: it is the dual objective with w_ij = max(0, a_ij - p_j - u_i)
    on the arcs' upper bounds (an entry's best need_i reduced affinities never sum to more
    than need_i * u_i plus their excesses over u_i). With no violated arc, the excesses are
    those of the entries' own judges, and B(p, u) is the objective.
    """
    n, m = data.n_entries, data.n_judges
    violated = np.zeros((n, m), dtype=bool)
    assigned = np.zeros((n, m), dtype=bool)
    assigned[entries, judges] = True
    needed = data.need > 0
    entry_term = int((data.need * entry_prices).sum())
    rows_per_block = max(1, _BLOCK_CELLS // max(m, 1))
    for start in range(0, n, rows_per_block):
        rows = slice(start, start + rows_per_block)
        excess = data.affinity[rows] - prices[None, :]
        excess -= entry_prices[rows, None]
        excess *= data.free[rows] & needed[rows, None]
        np.maximum(excess, 0, out=excess)
        entry_term += int(excess.sum())
        violated[rows] = (excess > 0) & ~assigned[rows]
    return violated, data.fixed_affinity + judge_term(data, prices, low, high) + entry_term
