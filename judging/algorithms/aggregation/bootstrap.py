"""The bootstrap: judges resampled with all their reviews, refitted fast, and percentile intervals per entry."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.linalg.lapack import dpotrf as _potrf
from scipy.linalg.lapack import dpotrs as _potrs
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu

from . import least_squares

# Above this many within-entry judge pairs the bootstrap refits fall back to `least_squares.fit`
# (memory: a few arrays of this length). Three judges per entry give six pairs per entry;
# it is only reached when hundreds of entries are each scored by hundreds of judges.
_PAIR_MAX = 4_000_000

# Bootstrap refits solve with a sparse LU instead of the dense Cholesky when the
# judge-judge overlap graph has at most this fraction of its possible links.
_SPARSE_LINK_DENSITY = 0.02


class Refitter:
    """`least_squares.fit(...).corrected` for many judge weightings of the same reviews (the bootstrap).

    A resample only changes the judges' weights, never which judge scored which entry,
    so everything that depends on the design alone is built once, as sparse matrices
    applied to the weights. With weights ``w``, multiplicities ``m`` (reviews of entry e
    by judge j) and entry weights ``s_e = sum_j w_j m_ej`` over the fitted judges, the
    reduced normal matrix of `least_squares.fit` is the weighted graph Laplacian over judges with
    off-diagonal  -w_a w_b sum_e m_ea m_eb / s_e  (one fixed sparse matrix, links x
    entries, times 1/s) and each diagonal the sum of its row's off-diagonal magnitudes
    (which is exactly D_judge - diag(N' D_entry^-1 N) of `least_squares.fit`). A refit is then a few
    sparse products, the pools of the resample, and one small factorisation: a dense
    Cholesky, or a sparse LU when each judge shares entries with only a few others.
    Pools, grounding (the lowest judge of each pool) and the weighted centring are
    those of `least_squares.fit`; the results agree with it to rounding.
    """

    def __init__(self, *, entry_idx, judge_idx, totals, eligible, n_entries, n_judges) -> None:
        self.n_entries, self.n_judges, self.eligible = n_entries, n_judges, eligible
        self.fit_args = dict(entry_idx=entry_idx, judge_idx=judge_idx, totals=totals, eligible=eligible,
                             n_entries=n_entries, n_judges=n_judges)
        shape = (n_entries, n_judges)
        # entries x judges: review counts and summed totals, of every review (for the
        # corrected scores) and of the eligible judges' reviews (for the fit).
        self.count_all = sp.csr_matrix((np.ones(entry_idx.size), (entry_idx, judge_idx)), shape=shape)
        self.total_all = sp.csr_matrix((totals, (entry_idx, judge_idx)), shape=shape)
        fit = eligible[judge_idx]
        fe, fj = entry_idx[fit], judge_idx[fit]
        self.count_fit = sp.csr_matrix((np.ones(fe.size), (fe, fj)), shape=shape)
        self.total_fit = sp.csr_matrix((totals[fit], (fe, fj)), shape=shape)
        self.count_fit_t = self.count_fit.T.tocsr()
        self.judge_total = np.bincount(fj, weights=totals[fit], minlength=n_judges)
        cells = self.count_fit.tocoo()
        cell_entry, cell_judge, cell_count = cells.row, cells.col, cells.data
        per_entry = np.bincount(cell_entry, minlength=n_entries)
        n_pairs = int((per_entry * (per_entry - 1)).sum())
        self.fallback = n_pairs > _PAIR_MAX
        if self.fallback:
            return
        # Ordered pairs (a, b), a != b, of cells on the same entry (cells sorted by entry).
        order = np.lexsort((cell_judge, cell_entry))
        cell_entry, cell_judge, cell_count = cell_entry[order], cell_judge[order], cell_count[order]
        start = (np.cumsum(per_entry) - per_entry)[cell_entry]
        width = per_entry[cell_entry]
        a = np.repeat(np.arange(cell_entry.size), width)
        b = start[a] + (np.arange(a.size) - np.repeat(np.cumsum(width) - width, width))
        a, b = a[a != b], b[a != b]
        judge_key = cell_judge[a] * n_judges + cell_judge[b]
        links, pair_link = np.unique(judge_key, return_inverse=True)
        self.link_a, self.link_b = links // n_judges, links % n_judges
        # links x entries: sum over the pair's cells of m_a m_b.
        self.link_entry = sp.csr_matrix(
            (cell_count[a] * cell_count[b], (pair_link, cell_entry[a])), shape=(links.size, n_entries)
        )
        # Few links per judge (judges sharing entries with only a handful of others): a
        # sparse LU of the grounded system has almost no fill-in and beats the dense
        # Cholesky several times; denser overlap keeps the dense Cholesky (see
        # least_squares.DENSE_SOLVE_MAX). Either way the solution is the same to rounding.
        fit_judges = int(np.count_nonzero(eligible))
        self.sparse = links.size <= _SPARSE_LINK_DENSITY * fit_judges * fit_judges

    def offsets(self, judge_weight: np.ndarray) -> np.ndarray:
        """`least_squares.fit(judge_weight=...).offsets`."""
        if self.fallback:
            return least_squares.fit(judge_weight=judge_weight, **self.fit_args).offsets
        n_judges = self.n_judges
        w = judge_weight.astype(float)
        offsets = np.zeros(n_judges)

        present = self.eligible & (w > 0)
        linked = present[self.link_a] & present[self.link_b]
        graph = sp.csr_matrix(
            (np.ones(int(linked.sum()), dtype=np.int8), (self.link_a[linked], self.link_b[linked])),
            shape=(n_judges, n_judges),
        )
        _, component = connected_components(graph, directed=False)
        estimated = present & (np.bincount(component[present], minlength=n_judges)[component] >= 2)
        est_ids = np.flatnonzero(estimated)
        if not est_ids.size:
            return offsets
        # A judge alone in their pool shares no entry with another drawn judge, so the
        # entries that matter have the same weight with or without them.
        entry_weight = self.count_fit @ w
        inv_entry_weight = np.divide(1.0, entry_weight, out=np.zeros_like(entry_weight), where=entry_weight > 0)
        entry_mean = (self.total_fit @ w) * inv_entry_weight
        rhs = w * (self.judge_total - self.count_fit_t @ entry_mean)
        link_weight = w[self.link_a] * w[self.link_b] * (self.link_entry @ inv_entry_weight)
        degree = np.bincount(self.link_a, weights=link_weight, minlength=n_judges)

        comp = component[est_ids]
        _, first = np.unique(comp, return_index=True)
        keep = estimated.copy()
        keep[est_ids[first]] = False
        keep_ids = np.flatnonzero(keep)
        k = keep_ids.size
        solution = np.zeros(n_judges)
        if k > least_squares.DENSE_SOLVE_MAX and not self.sparse:
            return least_squares.fit(judge_weight=judge_weight, **self.fit_args).offsets
        if k:
            column = np.full(n_judges, -1)
            column[keep_ids] = np.arange(k)
            inside = keep[self.link_a] & keep[self.link_b]
            rows, cols = column[self.link_a[inside]], column[self.link_b[inside]]
            if self.sparse:
                diagonal = np.arange(k)
                grounded = sp.csc_matrix(
                    (np.concatenate([-link_weight[inside], degree[keep_ids]]),
                     (np.concatenate([rows, diagonal]), np.concatenate([cols, diagonal]))),
                    shape=(k, k),
                )
                try:
                    factor = splu(grounded, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                                  options={"SymmetricMode": True})
                except RuntimeError:  # singular: leave it to `least_squares.fit`
                    return least_squares.fit(judge_weight=judge_weight, **self.fit_args).offsets
                solution[keep_ids] = factor.solve(rhs[keep_ids])
            else:
                matrix = np.zeros((k, k))
                matrix[rows, cols] = -link_weight[inside]
                matrix[np.arange(k), np.arange(k)] = degree[keep_ids]
                factor, info = _potrf(matrix, lower=False, clean=False, overwrite_a=True)
                if info != 0:
                    return least_squares.fit(judge_weight=judge_weight, **self.fit_args).offsets
                solution[keep_ids], _ = _potrs(factor, rhs[keep_ids], lower=False)
        jw = w[est_ids]
        _, comp_code = np.unique(comp, return_inverse=True)
        comp_mean = np.bincount(comp_code, weights=jw * solution[est_ids]) / np.bincount(comp_code, weights=jw)
        offsets[est_ids] = solution[est_ids] - comp_mean[comp_code]
        return offsets

    def corrected(self, judge_weights: np.ndarray) -> np.ndarray:
        """`least_squares.fit(judge_weight=w).corrected` for each row w of ``judge_weights`` (resamples x judges)."""
        weights = np.asarray(judge_weights, dtype=float).reshape(-1, self.n_judges)
        offsets = np.stack([self.offsets(w) for w in weights]) if weights.size else np.zeros_like(weights)
        total_weight = (self.count_all @ weights.T).T
        weighted_sum = (self.total_all @ weights.T - self.count_all @ (weights * offsets).T).T
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total_weight > 0, weighted_sum / total_weight, np.nan)


def bootstrap_intervals(
    *, fit_args: dict, corrected: np.ndarray, resamples: int, confidence: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``confidence`` percentile interval (low, high) of every entry's corrected score over ``resamples``
    resamples of the judges; with no resamples, the point estimate itself (zero width)."""
    low, high = corrected.copy(), corrected.copy()
    if resamples:
        n_judges = fit_args["n_judges"]
        # Resample whole judges with replacement: a judge drawn k times counts as k
        # copies of all their reviews (weight k), which keeps each judge's offset
        # coherent across their reviews. Pools and offsets are refitted each time; an
        # entry none of whose judges was drawn gives NaN and is skipped in its quantiles.
        # The interval therefore includes the uncertainty of the pool's overall level
        # (which judges count as "average"), not only of the entry's position.
        rng = np.random.default_rng(seed)
        drawn = np.empty((resamples, n_judges))
        for b in range(resamples):
            drawn[b] = np.bincount(rng.integers(0, n_judges, n_judges), minlength=n_judges)
        samples = Refitter(**fit_args).corrected(drawn)
        tail = (1 - confidence) / 2
        lo, hi = column_quantiles(samples, (tail, 1 - tail))
        covered = ~np.isnan(lo)
        low = np.where(covered, lo, corrected)
        high = np.where(covered, hi, corrected)
    return low, high


def column_quantiles(samples: np.ndarray, qs: Sequence[float]) -> list[np.ndarray]:
    """Per-column quantiles ignoring NaN (linear interpolation, as numpy's default).

    ``np.nanpercentile`` loops over columns in Python; sorting once (NaN sorts last)
    and interpolating by each column's count of valid values is vectorised.
    """
    ordered = np.sort(samples, axis=0)
    valid = (~np.isnan(samples)).sum(axis=0)
    columns = np.arange(samples.shape[1])
    result = []
    for q in qs:
        position = q * np.maximum(valid - 1, 0)
        below = np.floor(position).astype(np.int64)
        above = np.minimum(below + 1, np.maximum(valid - 1, 0))
        fraction = position - below
        value = ordered[below, columns] * (1 - fraction) + ordered[above, columns] * fraction
        result.append(np.where(valid > 0, value, np.nan))
    return result
