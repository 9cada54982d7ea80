"""The least-squares fit of entry qualities and judge offsets: the heart of the aggregation.

Model
-----
``total_ij = quality_i + offset_j + noise``: a judge's leniency (offset > 0) or
severity (offset < 0) moves every score they give by the same amount.

Why least squares and not a z-score per judge: standardising each judge's scores
assumes every judge saw a comparable sample of entries. Assignment by expertise breaks
that: a judge who only sees a strong category (or only the weaker entries of one) has
a high or low mean for reasons that have nothing to do with leniency, and a z-score
would "correct" the entries' real quality away. Least squares estimates qualities and
offsets together and learns each offset only from the overlap between judges (how a
judge scored the same entries that others also scored), which is exactly the
information an incomplete, expertise-driven design provides.

Identification
--------------
Adding a constant to every quality and subtracting it from every offset fits equally
well, so the offsets need one constraint. We use the exact constraint "offsets sum to
zero" (offset 0 means "as lenient as the average corrected judge") rather than a tiny
ridge penalty: a ridge would shrink offsets by an amount that depends on the score
scale and the number of reviews, while the constraint changes nothing but the origin.

Offsets can only be compared between judges who are linked through shared entries, so
the constraint holds separately in each connected component ("pool") of the
entry-judge graph: each pool's offsets sum to zero. Pools are numbered 0, 1, ... by
size (0 is the main pool). Corrected scores from different pools sit on scales that
were centred separately; a group (category) spanning several pools is comparable
across them only to the extent that the pools' average judges are equally lenient,
which is the same assumption the raw mean makes. The ``pool`` fields let callers warn.

A judge with fewer than ``min_reviews`` reviews, or the only judge of their pool
(nobody to compare with), is not corrected: offset 0, ``corrected=False``. Their
reviews still count toward their entries' scores, but they take no part in estimating
the other judges' offsets, so their unknown bias cannot leak into everyone else's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve

# Below this many estimated judges the (grounded) normal equations are solved as a
# dense positive-definite system: judge-judge overlap matrices of real assignments are
# fairly dense, and LAPACK's Cholesky beats a sparse LU with fill-in at these sizes.
DENSE_SOLVE_MAX = 3000


@dataclass
class Fit:
    offsets: np.ndarray  # per judge index; 0 where not estimated
    estimated: np.ndarray  # bool per judge index
    judge_component: np.ndarray  # component label per judge index
    entry_component: np.ndarray  # component label per entry index
    corrected: np.ndarray  # per entry index; NaN where the entry has no weight


def fit(
    *,
    entry_idx: np.ndarray,
    judge_idx: np.ndarray,
    totals: np.ndarray,
    judge_weight: np.ndarray,
    eligible: np.ndarray,
    n_entries: int,
    n_judges: int,
) -> Fit:
    """Weighted least-squares offsets and corrected scores.

    ``judge_weight[j]`` is how many times judge j is counted (1 for the point estimate,
    the multiplicity in a bootstrap resample, 0 when left out). ``eligible`` marks the
    judges with enough reviews to be corrected.
    """
    weight = judge_weight[judge_idx].astype(float)
    in_fit = (weight > 0) & eligible[judge_idx]
    fe, fj, fy, fw = entry_idx[in_fit], judge_idx[in_fit], totals[in_fit], weight[in_fit]

    # Pools: connected components of the bipartite graph entries + judges (judge nodes
    # are offset by n_entries), using only reviews by judges that may be corrected.
    n_nodes = n_entries + n_judges
    graph = sp.coo_matrix(
        (np.ones(fe.size, dtype=np.int8), (fe, n_entries + fj)), shape=(n_nodes, n_nodes)
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    entry_component, judge_component = labels[:n_entries], labels[n_entries:]

    present = np.bincount(fj, minlength=n_judges) > 0
    judges_in_component = np.bincount(judge_component[present], minlength=labels.max() + 1)
    estimated = present & (judges_in_component[judge_component] >= 2)

    offsets = np.zeros(n_judges)
    est_ids = np.flatnonzero(estimated)
    if est_ids.size:
        column = np.full(n_judges, -1)
        column[est_ids] = np.arange(est_ids.size)
        use = estimated[fj]
        e, c, y, w = fe[use], column[fj[use]], fy[use], fw[use]
        k = est_ids.size

        # Eliminating the qualities (q_i = weighted mean of y - o over entry i) leaves
        # the reduced normal equations  (D_judge - N' D_entry^-1 N) o = r, a weighted
        # graph Laplacian over judges: singular with one null vector per pool.
        counts = sp.csr_matrix((w, (e, c)), shape=(n_entries, k))
        entry_weight = np.asarray(counts.sum(axis=1)).ravel()
        inv_entry_weight = np.divide(
            1.0, entry_weight, out=np.zeros_like(entry_weight), where=entry_weight > 0
        )
        entry_mean = np.bincount(e, weights=w * y, minlength=n_entries) * inv_entry_weight
        judge_weight_sum = np.bincount(c, weights=w, minlength=k)
        rhs = np.bincount(c, weights=w * (y - entry_mean[e]), minlength=k)
        laplacian = sp.diags(judge_weight_sum) - counts.T @ sp.diags(inv_entry_weight) @ counts

        # Ground one judge per pool (offset 0) to make the system definite, solve, then
        # shift each pool so its (multiplicity-weighted) offsets sum to zero.
        comp = judge_component[est_ids]
        _, first = np.unique(comp, return_index=True)
        keep = np.ones(k, dtype=bool)
        keep[first] = False
        solution = np.zeros(k)
        if keep.any():
            grounded = laplacian.tocsr()[keep][:, keep]
            if keep.sum() <= DENSE_SOLVE_MAX:
                # cho_factor/cho_solve rather than solve(assume_a="pos"): the same Cholesky, but SciPy 1.18's
                # batched solve() path is 1.4x slower single-threaded and far slower under BLAS threads.
                factor = scipy.linalg.cho_factor(grounded.toarray(), check_finite=False)
                solution[keep] = scipy.linalg.cho_solve(factor, rhs[keep], check_finite=False)
            else:
                solution[keep] = spsolve(grounded.tocsc(), rhs[keep])
        jw = judge_weight[est_ids].astype(float)
        _, comp_code = np.unique(comp, return_inverse=True)
        comp_mean = np.bincount(comp_code, weights=jw * solution) / np.bincount(
            comp_code, weights=jw
        )
        offsets[est_ids] = solution - comp_mean[comp_code]

    total_weight = np.bincount(entry_idx, weights=weight, minlength=n_entries)
    weighted_sum = np.bincount(
        entry_idx, weights=weight * (totals - offsets[judge_idx]), minlength=n_entries
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        corrected = np.where(total_weight > 0, weighted_sum / total_weight, np.nan)
    return Fit(offsets, estimated, judge_component, entry_component, corrected)
