"""The part of a category's level that no review shows, for method 2's bootstrap (`calibrated_bootstrap`): the
leniencies, in a category, of the judges who have too few reviews there to have one of their own. Kept apart from the
refit, which resamples what the reviews do show.
"""

from __future__ import annotations

import numpy as np

from .calibrated import CalibratedFit, Settings


def unobserved_leniency(point: CalibratedFit, *, entry_idx, judge_idx, totals, entry_group, n_entries: int,
                         n_judges: int, settings: Settings, rng: np.random.Generator, resamples: int) -> np.ndarray:
    """Per resample and entry (resamples x entries), a draw of the part of its category's reference level that no
    review shows. The qualities are read on the scale of the pool's average judge, whose leniency in a category is
    the mean over the pool's judges of their leniency there; but a judge with fewer than ``category_min`` reviews in
    a category has no leniency of their own there (their overall leniency stands in), so the pool's average judge
    in the category carries k unseen extra leniencies over n judges: variance tau^2 k / n^2, one draw per (pool,
    category) and resample, shared by its entries (their order within the category is untouched).

    tau, the spread of judges' extra leniency in a category, is what the panel's own estimated ones show (method of
    moments: their squares less their sampling noise, over what the judges' overall leniencies leave of them); the
    prior ``category_sd`` only where no judge has one. Why (version 5): categories are linked only through judges
    with reviews in several, each of whom gets a leniency per category once they have enough reviews in two, so a
    category's level on the panel's scale is set by the judges who score it and not by the data (a refit on new
    noise does not move it; resampling the judges shows only part of it: `--scenario category-leniency`, level error
    0.29 against 0.20 in the resamples). With a single category this is 0; where judges show no category leniency
    (`--scenario offset`, `scale`) it is near 0."""
    shift = np.zeros((resamples, n_entries))
    if entry_group is None:
        return shift
    group = np.asarray(entry_group, dtype=np.int64)
    n_groups = int(group.max()) + 1 if group.size else 1
    judges = np.flatnonzero(point.calibrated)
    if n_groups < 2 or not judges.size:
        return shift
    e, j, y = np.asarray(entry_idx), np.asarray(judge_idx), np.asarray(totals, dtype=float)
    reviews = np.bincount(j * n_groups + group[e], minlength=n_judges * n_groups).reshape(n_judges, n_groups)
    tau = category_leniency_spread(point, reviews, settings=settings, points=max(float(np.std(y)), 1e-9))
    unobserved = reviews[judges] < settings.category_min  # calibrated judges x categories
    pools, code = np.unique(point.judge_component[judges], return_inverse=True)
    size = np.bincount(code, minlength=pools.size)
    missing = np.stack([np.bincount(code, weights=unobserved[:, c], minlength=pools.size) for c in range(n_groups)],
                       axis=1)  # pools x categories
    sd = tau * np.sqrt(missing) / size[:, None]
    draws = rng.standard_normal((resamples, pools.size, n_groups)) * sd[None, :, :]
    pool_of_component = np.full(max(point.entry_component.max(initial=-1), point.judge_component.max(initial=-1)) + 1,
                                -1)
    pool_of_component[pools] = np.arange(pools.size)
    entry_pool = pool_of_component[point.entry_component]
    inside = np.flatnonzero(entry_pool >= 0)
    shift[:, inside] = draws[:, entry_pool[inside], group[inside]]
    return shift


def category_leniency_spread(point: CalibratedFit, reviews: np.ndarray, *, settings: Settings,
                              points: float) -> float:
    """The spread tau of judges' extra leniency in a category, from the cells that have one (judges x categories
    ``reviews`` counts). A judge's overall leniency takes up the review-weighted mean of their categories' extra
    leniencies, so with w_c = n_c / n a cell's estimate d_c has E[d_c^2] = tau^2 (1 - 2 w_c + sum w^2) plus its noise
    s^2 (1 / n_c - 1 / n); tau^2 = sum(d^2 - noise) / sum(1 - 2 w_c + sum w^2), at least 0. Without any such cell,
    the prior's category_sd (in spreads of the totals)."""
    n_judges, n_groups = reviews.shape
    terms = point.category_terms.reshape(n_judges, n_groups)
    if not terms.any():
        return settings.category_sd * points
    judge, cell = np.nonzero(terms)
    total = reviews.sum(axis=1)
    share = reviews / np.maximum(total, 1)[:, None]
    factor = 1 - 2 * share[judge, cell] + (share ** 2).sum(axis=1)[judge]
    noise = point.spread[judge] ** 2 * (1 / reviews[judge, cell] - 1 / total[judge])
    estimate = point.cell_leniency.reshape(n_judges, n_groups)[judge, cell]
    return float(np.sqrt(max((estimate ** 2 - noise).sum(), 0.0) / max(factor.sum(), 1e-12)))
