"""The calibrated fit (method 2): judges who differ in leniency, in how they use the scale and in how reliable they
are, fitted together with the entries' qualities, robust to outlying reviews.

Model
-----
``total_ij = a_j + d_jc + b_j * quality_i + noise_ij``, noise with judge j's own spread ``s_j``:

- ``a_j``, the judge's leniency (as method 1's offset). Why: the commonest difference between judges.
- ``b_j``, the judge's scale: a judge who gives only 6-8 has b < 1, one who uses 1-10 has b > 1. Why: subtracting
  a compressing judge's average (method 1) pushes down the best entries they scored, and a plain z-score per
  judge assumes every judge saw a comparable sample. Here the slope is learnt, like the offset, from the overlap
  with other judges. Shrunk toward 1 with the weight of ``scale_prior`` reviews of typical spread, so a judge
  with two reviews keeps b close to 1 (a plain z-score would stretch two points to +-0.7 sd whatever they were).
- ``d_jc``, the judge's extra leniency in one category, only where the judge has at least ``category_min``
  reviews in each of two or more categories, shrunk toward 0. Why: a judge lenient in one category and severe
  in another is not corrected by one offset; with few reviews per category such offsets would fit noise.
- ``s_j``, the judge's noise, shrunk toward the panel's with the weight of ``spread_prior`` reviews. Each review
  counts with the precision ``1 / s_j**2``. Why: a careful judge's scores carry more information than a careless
  one's; without shrinkage a judge whose few scores happened to agree would get an enormous weight.
  The residuals are measured against qualities fitted from the same reviews, so they understate the noise, and
  the more so the larger the judge's share of each entry's quality (its leverage): a precise judge pulls the
  entries toward their own scores, looks more precise still, and gains more weight. Each judge's squared
  residuals are divided by ``1 - h_j``, h_j the judge's mean leverage on their entries (the degrees-of-freedom
  correction of a residual variance). Why (version 3): without it the feedback concentrated the weight on a few
  judges, which cost most where a few shared entries are all that link two panels (`simulate_judging --scenario
  split-panels`: top-6 share 0.799 against method 1's 0.847; with it 0.826, and better with unequal judges).
- Huber weights: a review more than ``huber`` spreads away from what the model expects counts less, in
  proportion. Why: one outlying review (a misread rubric, a grudge) moves a mean of three by a third of itself.

Fitting alternates: given the qualities, each judge's a, b, d, s by weighted least squares (closed form per
judge, vectorised over judges); given those, each quality by weighted least squares; then the robust weights.
Identification: within each pool of linked judges (connected component, as method 1) the judges' scales are
set to geometric mean 1 and their leniencies to mean 0, so the qualities sit on the points scale of the pool's
average judge: the familiar scale of the scores.

Judges with fewer than ``min_reviews`` reviews, or alone in their pool, are not calibrated (a = 0, b = 1) but
still count, with the panel's spread as theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

METHOD = "calibrated judges (scale, leniency, precision, robust)"
# 4: each copy of a judge drawn m times corrected for its own leverage only, no unobserved category leniency in the
# intervals; 3: bootstrap copies corrected together, resamples not aligned; 2: no leverage correction
METHOD_VERSION = "5"


@dataclass(frozen=True)
class Settings:
    min_reviews: int = 2  # a slope needs two points; shrinkage, not exclusion, protects judges with few reviews
    scale_sd: float = 0.4  # prior spread of the judges' scales around 1
    leniency_sd: float = 1.0  # prior spread of the judges' leniencies around 0, in spreads of the totals
    spread_prior: float = 6.0  # reviews' worth of belief that a judge's noise is the panel's
    category_min: int = 8  # reviews in a category before a judge's leniency there is estimated apart
    category_sd: float = 0.5  # prior spread of a judge's extra leniency in one category, in spreads of the totals
    huber: float = 2.0  # in units of the judge's spread
    scale_bounds: tuple[float, float] = (0.25, 4.0)
    iterations: int = 40
    tolerance: float = 1e-7


@dataclass
class CalibratedFit:
    quality: np.ndarray  # per entry index, on the points scale; NaN where the entry has no weighted review
    leniency: np.ndarray  # a_j per judge index
    scale: np.ndarray  # b_j per judge index
    spread: np.ndarray  # s_j per judge index
    weight: np.ndarray  # each judge's share of the information (sum of their reviews' weights, normalised)
    review_weight: np.ndarray  # per review: precision x robust weight, relative to the judge's precision
    category_leniency: np.ndarray  # d per review's (judge, category); 0 where not estimated
    calibrated: np.ndarray  # bool per judge
    judge_component: np.ndarray
    entry_component: np.ndarray
    iterations: int
    category_terms: np.ndarray  # bool per judge x category cell: has a leniency of its own
    cell_leniency: np.ndarray  # per judge x category cell


def fit_calibrated(
    *,
    entry_idx: np.ndarray,
    judge_idx: np.ndarray,
    totals: np.ndarray,
    n_entries: int,
    n_judges: int,
    entry_group: np.ndarray | None = None,
    judge_weight: np.ndarray | None = None,
    settings: Settings = Settings(),
    start: CalibratedFit | None = None,
) -> CalibratedFit:
    """Fit qualities and judge parameters. ``judge_weight`` is the bootstrap multiplicity of each judge (1 for the
    point estimate); ``start`` a previous fit to start from (the bootstrap's refits converge in a few steps)."""
    e, j, y = np.asarray(entry_idx), np.asarray(judge_idx), np.asarray(totals, dtype=float)
    multiplicity = np.ones(n_judges) if judge_weight is None else np.asarray(judge_weight, dtype=float)
    group = np.zeros(n_entries, dtype=np.int64) if entry_group is None else np.asarray(entry_group, dtype=np.int64)
    m = multiplicity[j]
    n_groups = int(group.max()) + 1 if group.size else 1
    cell = j * n_groups + group[e]
    if start is None:
        entry_component, judge_component, calibrated, has_category_terms = _structure(
            e, j, m, cell, n_entries=n_entries, n_judges=n_judges, n_groups=n_groups, settings=settings)
        quality = _weighted_mean_by(e, y, m, n_entries)
        a, b = np.zeros(n_judges), np.ones(n_judges)
        spread = np.full(n_judges, max(np.std(y), 1e-6))
        d_cell = np.zeros(n_judges * n_groups)
        robust = np.ones(y.size)
    else:
        # A bootstrap refit keeps the point fit's pools and category terms (a judge drawn 0 times drops out of
        # both): recomputing them per resample cost more than the refit itself and changes little.
        entry_component, judge_component = start.entry_component, start.judge_component
        calibrated = start.calibrated & (multiplicity > 0)
        has_category_terms = start.category_terms & np.repeat(multiplicity > 0, n_groups)
        quality = np.where(np.isnan(start.quality), _weighted_mean_by(e, y, m, n_entries), start.quality)
        a, b, spread = start.leniency.copy(), start.scale.copy(), start.spread.copy()
        d_cell = np.where(has_category_terms, start.cell_leniency, 0.0)
        robust = start.review_weight.copy()
    with_cell = has_category_terms[cell]
    points = max(float(np.std(y)), 1e-9)  # the spread of the totals: the unit of the leniency priors
    floor = (1e-9 * points) ** 2
    scale_precision = 1.0 / settings.scale_sd ** 2
    leniency_precision = 1.0 / (settings.leniency_sd * points) ** 2
    category_precision = 1.0 / (settings.category_sd * points) ** 2

    # Each entry's sum of u b^2 / s^2 in its last quality step (first: the starting judges'), and the judges'
    # b^2 / s^2 in it: the reviews' shares of the qualities, for the leverage of the judges' residuals.
    coefficient = b * b / spread ** 2
    share = np.bincount(e, weights=m * robust * coefficient[j], minlength=n_entries)
    iterations = 0
    for iterations in range(1, settings.iterations + 1):
        previous = quality.copy()
        q = np.nan_to_num(quality[e])
        u = m * robust
        precision = 1.0 / spread ** 2
        # Each judge's scale and leniency: weighted regression of (total - category term) on quality, then the
        # posterior mean under the priors b ~ N(1, scale_sd), a ~ N(0, leniency_sd): the data's weight grows with
        # the judge's reviews and falls with their noise, so a noiseless judge is fitted exactly and a judge with
        # two reviews stays near the panel.
        target = y - d_cell[cell]
        s0, s1, sy, s11, s1y = (np.bincount(j, weights=column, minlength=n_judges)
                                for column in (u, u * q, u * target, u * q * q, u * q * target))
        with np.errstate(invalid="ignore", divide="ignore"):
            q_mean = np.where(s0 > 0, s1 / s0, 0.0)
            y_mean = np.where(s0 > 0, sy / s0, 0.0)
        sqq = np.maximum(s11 - s0 * q_mean ** 2, 0.0) * precision
        sqy = (s1y - s0 * q_mean * y_mean) * precision
        b = np.clip((sqy + scale_precision) / (sqq + scale_precision), *settings.scale_bounds)
        data = s0 * precision
        a = data * (y_mean - b * q_mean) / (data + leniency_precision)
        b = np.where(calibrated, b, 1.0)
        a = np.where(calibrated, a, 0.0)

        # The judge's extra leniency in a category, from the residuals of the judge's own line, shrunk to 0.
        line = a[j] + b[j] * q
        cell_sum, cell_weight = (np.bincount(cell, weights=column, minlength=n_judges * n_groups)
                                 for column in (u * (y - line) * with_cell, u * with_cell))
        cell_data = cell_weight * np.repeat(precision, n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            d_cell = np.where(has_category_terms & (cell_weight > 0),
                              cell_data * (cell_sum / cell_weight) / (cell_data + category_precision), 0.0)

        # Noise per judge, shrunk toward the panel's; then the robust weights.
        residual = y - line - d_cell[cell]
        weighted_square = np.bincount(j, weights=u * residual ** 2, minlength=n_judges) / (
            1.0 - _leverage(e, j, u, coefficient, share, s0, n_judges=n_judges))
        panel = float(weighted_square.sum() / max(s0.sum(), 1e-12))
        spread = np.sqrt(np.maximum((weighted_square + settings.spread_prior * panel) / (s0 + settings.spread_prior),
                                    floor))
        scaled = np.abs(residual) / spread[j]
        robust = np.where(scaled > settings.huber, settings.huber / np.maximum(scaled, 1e-12), 1.0)

        # Each quality given the judges: weighted least squares of (total - a - d) on b.
        w = m * robust / spread[j] ** 2
        bj = b[j]
        numerator, denominator = (np.bincount(e, weights=column, minlength=n_entries)
                                  for column in (w * bj * (y - a[j] - d_cell[cell]), w * bj * bj))
        with np.errstate(invalid="ignore", divide="ignore"):
            quality = np.where(denominator > 0, numerator / denominator, np.nan)
        coefficient, share = b * b / spread ** 2, denominator

        a, b, quality = _normalise(a, b, quality, calibrated, judge_component, entry_component, multiplicity)
        change = np.nanmax(np.abs(quality - previous)) if np.isfinite(quality).any() else 0.0
        if change < settings.tolerance * points:
            break

    precision = 1.0 / spread ** 2
    info = np.bincount(j, weights=m * robust * precision[j] * b[j] ** 2, minlength=n_judges)
    return CalibratedFit(
        quality=quality, leniency=a, scale=b, spread=spread, weight=info / max(info.sum(), 1e-12),
        review_weight=robust, category_leniency=d_cell[cell], calibrated=calibrated,
        judge_component=judge_component, entry_component=entry_component, iterations=iterations,
        category_terms=has_category_terms, cell_leniency=d_cell,
    )


# The largest mean leverage credited to a judge: a judge alone on their entries (leverage 1) has no residual at all.
MAX_LEVERAGE = 0.9


def _leverage(e, j, u, coefficient, share, s0, *, n_judges: int) -> np.ndarray:
    """Each judge's mean leverage on the qualities of their entries: for review k of judge j on entry i, its share
    ``u_k c_j / share_i`` of the entry's last quality estimate (c = b^2 / s^2 as it was then, share_i the sum of
    u c over the entry's reviews), averaged with the reviews' weights u; at most MAX_LEVERAGE."""
    with np.errstate(invalid="ignore", divide="ignore"):
        inverse = np.where(share > 0, 1.0 / share, 0.0)
        mean = np.where(s0 > 0, coefficient * np.bincount(j, weights=u * u * inverse[e], minlength=n_judges) / s0,
                        0.0)
    return np.clip(mean, 0.0, MAX_LEVERAGE)


def _structure(e, j, m, cell, *, n_entries: int, n_judges: int, n_groups: int, settings: Settings):
    """Pools of linked judges (only judges that may be calibrated link entries, as in least_squares.fit), which
    judges are calibrated, and which judge x category cells get a leniency of their own: those with enough reviews,
    of judges with at least two such categories."""
    use = m > 0
    eligible = np.bincount(j[use], minlength=n_judges) >= settings.min_reviews
    linking = use & eligible[j]
    graph = sp.coo_matrix((np.ones(int(linking.sum()), dtype=np.int8), (e[linking], n_entries + j[linking])),
                          shape=(n_entries + n_judges,) * 2).tocsr()
    _, labels = connected_components(graph, directed=False)
    entry_component, judge_component = labels[:n_entries], labels[n_entries:]
    present = np.bincount(j[linking], minlength=n_judges) > 0
    judges_in_pool = np.bincount(judge_component[present], minlength=labels.max() + 1)
    calibrated = present & (judges_in_pool[judge_component] >= 2)
    big_cell = np.bincount(cell[use], minlength=n_judges * n_groups) >= settings.category_min
    big_cells_of_judge = big_cell.reshape(n_judges, n_groups).sum(axis=1)
    category_terms = big_cell & np.repeat((big_cells_of_judge >= 2) & calibrated, n_groups)
    return entry_component, judge_component, calibrated, category_terms


def _weighted_mean_by(index: np.ndarray, values: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    total = np.bincount(index, weights=weights, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.bincount(index, weights=weights * values, minlength=size) / total, np.nan)


def _normalise(a, b, quality, calibrated, judge_component, entry_component, multiplicity):
    """Within each pool: the calibrated judges' scales to geometric mean 1 and leniencies to mean 0 (weighted by
    the bootstrap multiplicity), moving the qualities so that every fitted total stays the same."""
    judges = np.flatnonzero(calibrated & (multiplicity > 0))
    if not judges.size:
        return a, b, quality
    pools, code = np.unique(judge_component[judges], return_inverse=True)
    weight = multiplicity[judges]
    log_scale = np.bincount(code, weights=weight * np.log(b[judges])) / np.bincount(code, weights=weight)
    factor = np.exp(log_scale)  # b' = b / factor, q' = q * factor
    pool_of_entry = np.full(entry_component.max() + 1 if entry_component.size else 1, -1)
    pool_of_entry[pools] = np.arange(pools.size)
    entry_pool = pool_of_entry[entry_component]
    in_pool = entry_pool >= 0
    b = b.copy()
    b[judges] = b[judges] / factor[code]
    quality = quality.copy()
    quality[in_pool] = quality[in_pool] * factor[entry_pool[in_pool]]
    # Then shift: q'' = q' + t, a' = a - b t with t = mean(a) / mean(b) so that the mean leniency is 0.
    mean_a = np.bincount(code, weights=weight * a[judges]) / np.bincount(code, weights=weight)
    mean_b = np.bincount(code, weights=weight * b[judges]) / np.bincount(code, weights=weight)
    shift = mean_a / mean_b
    a = a.copy()
    a[judges] = a[judges] - b[judges] * shift[code]
    quality[in_pool] = quality[in_pool] + shift[entry_pool[in_pool]]
    return a, b, quality
