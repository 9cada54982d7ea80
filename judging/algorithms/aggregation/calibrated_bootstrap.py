"""Method 2's bootstrap: whole judges resampled, each resample refitted from the point fit and put on the point
fit's scale (`_align_scales`), plus the category leniencies no review shows
(`category_level.unobserved_leniency`), percentile intervals.

What an interval has to hold (version 5), measured against the truth on the panel's own average judge
(`simulate_judging --scenario`): within a category, the noise of the entry's reviews and of its judges' fitted
leniency, scale and precision, which the refits of resampled judges give once a judge drawn m times is counted as
the one review it is (`_Refitter._leverage`); and the category's level on that judge's scale, which the reviews do
not fix where categories share no judge without a leniency of their own there: resampling the judges shows the
part due to which judges score the category, `category_level.unobserved_leniency` adds the leniencies of the
judges who do not.
Version 4 counted each copy as a judge of its own, which made the within-category spread 1.3-1.4 times the real
error in every scenario; that hid the missing level term (category leniency 0.884) and over-covered where judges
differ in scale (0.956).

A refit keeps the point fit's robust weights, pools and category cells (a judge drawn 0 times drops out) and
refits the rest, the judges' noise included (keeping it fixed too under-covered: 0.78-0.90 for a nominal 0.9). With
the robust weights fixed, every sum the fit needs is a product of a sparse matrix, built once, with judge x category
cell or entry vectors (the judges' squared residuals expanded per cell). The resamples are refitted together, a
column each: one sparse product per sum serves every resample (a matrix of 200 columns instead of 200 vectors),
which took 200 refits of 30,000 reviews from 2.8 s of processor time to 1.2 s (the judges' leverage included;
measured on a busy two-core machine). A resample that has converged is taken out of the block, so each refit
stops where it would alone. The steps are those of `calibrated.fit_calibrated` (the same formulas, in matrix form).

Then fewer passes over the block (entries x resamples, 8 MB), the same qualities to rounding (a test holds the
previous version, frozen): products with the cells x entries matrices stored by entry (CSC), the leverage's sums of
r^2 through RC's own product (plus the few reviews whose robust weight is not 1), the quality's numerator in one
product, the unreviewed entries set by flat index instead of masked divisions and copies, the largest pool's
normalisation broadcast, and the convergence check on every eighth entry first. 200 refits of the 10,000-entry
bench: 1.45-1.77 s of processor time to 1.05-1.21 s (alternating runs, load 7-10 on two cores).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .bootstrap import column_quantiles
from .calibrated import MAX_LEVERAGE, CalibratedFit, Settings
from .category_level import unobserved_leniency

# Steps of each refit, started from the point fit. Fewer under-covered: 4 steps gave 0.85-0.88 for a nominal 0.9
# in the simulations (version 3). Version 5 with 10: 0.870 (category leniency) to 0.932 (unequal scales) with the
# real assigner, `simulate_judging --scenario all --categories 3 --trials 40 --bootstrap 200` (version 4: 0.884 to
# 0.956; 8 or 9 steps did not move its 0.956, which came from the judges' leverage, not from the steps).
BOOTSTRAP_ITERATIONS = 10
# Resamples refitted together: a block of entries x columns of about this many numbers (8 MB of float64). Each
# column is refitted exactly as alone, so the block only changes the speed. 4 MB blocks were faster while glibc
# returned every freed block to the kernel; with config/process.py's malloc thresholds, 8 MB blocks take about a
# tenth less CPU for 10,000 entries (1.50 -> 1.33 s, alternating runs), 16 MB ones more.
BLOCK_CELLS = 1_000_000


class _Refitter:
    def __init__(self, point: CalibratedFit, *, entry_idx, judge_idx, totals, n_entries: int, n_judges: int,
                 entry_group, settings: Settings) -> None:
        e, j, y = np.asarray(entry_idx), np.asarray(judge_idx), np.asarray(totals, dtype=float)
        group = np.zeros(n_entries, dtype=np.int64) if entry_group is None else np.asarray(entry_group, np.int64)
        self.n_groups = n_groups = int(group.max()) + 1 if group.size else 1
        self.n_entries, self.n_judges = n_entries, n_judges
        # The judge x category cells that hold reviews (most judges know one or two categories of the round).
        cells, cell = np.unique(j * n_groups + group[e], return_inverse=True)
        self.cell_judge = cell_judge = cells // n_groups
        self.cell_terms, self.cell_leniency = point.category_terms[cells], point.cell_leniency[cells]
        r = point.review_weight
        cells_by_entries = (cells.size, n_entries)
        # cells x entries, weighted by the reviews' robust weights (and totals); a judge's sums add their cells'.
        # Stored by entry (CSC): a product with an entries x resamples matrix then reads its rows in order and adds
        # into the few cells' rows, which stay in cache (a third faster than CSR's rows of scattered entries).
        self.RC = sp.csc_matrix((r, (cell, e)), shape=cells_by_entries)
        self.RCY = sp.csc_matrix((r * y, (cell, e)), shape=cells_by_entries)
        # For the judges' leverage, the sums of r^2 over RC's: RC plus the few reviews whose robust weight is not 1
        # (r^2 - r), so that RC's product with the inverse shares serves both (1.3% of the reviews in the bench).
        kept = r * r != r
        self.RC2_extra = sp.csr_matrix(((r * r - r)[kept], (cell[kept], e[kept])), shape=cells_by_entries)
        self.RCT = self.RC.T.tocsr()
        # entries x (cells, cells): the numerator of each quality, sum of u c b y less sum of u c b (a + d), in one
        # product with the stacked cell columns.
        self.numerator_sums = sp.hstack((self.RCY.T, self.RCT), format="csr")
        self.reviews = sp.csr_matrix((np.ones(e.size), (e, cell)), shape=cells_by_entries[::-1])  # entries x cells
        self.judge_cells = sp.csr_matrix((np.ones(cells.size), (cell_judge, np.arange(cells.size))),
                                         shape=(n_judges, cells.size))
        self.r_sum = np.bincount(j, weights=r, minlength=n_judges)
        self.ry_sum = np.bincount(j, weights=r * y, minlength=n_judges)
        self.cell_r = np.bincount(cell, weights=r, minlength=cells.size)
        self.cell_ry = np.bincount(cell, weights=r * y, minlength=cells.size)
        self.cell_ryy = np.bincount(cell, weights=r * y * y, minlength=cells.size)
        self.point, self.settings = point, settings
        points = max(float(np.std(y)), 1e-9)
        self.points = points
        self.floor = (1e-9 * points) ** 2
        self.scale_precision = 1.0 / settings.scale_sd ** 2
        self.leniency_precision = 1.0 / (settings.leniency_sd * points) ** 2
        self.category_precision = 1.0 / (settings.category_sd * points) ** 2
        self.pools = _Pools(point)

    def _judges(self, cells: np.ndarray) -> np.ndarray:
        """Per judge, the sum of their cells' rows (cells x columns -> judges x columns)."""
        return self.judge_cells @ cells

    @staticmethod
    def _inverse(share: np.ndarray, unreviewed: np.ndarray) -> np.ndarray:
        """1 / share, 0 for the entries no drawn judge reviewed (``unreviewed``: flat indices in the block) and
        where share is not positive; overwrites ``share``. The few unreviewed cells are set by index and one
        minimum checks the rest: masked divisions over the whole block cost as much as three sparse products."""
        _put(share, unreviewed, 1.0)
        if not share.min() > 0:  # a reviewed entry without weight (or NaN): never seen, kept for exactness
            _put(share, unreviewed, 0.0)
            return np.divide(1.0, share, out=np.zeros_like(share), where=share > 0)
        inverse = np.reciprocal(share, out=share)
        _put(inverse, unreviewed, 0.0)
        return inverse

    def _leverage(self, m, lever, inverse, s0) -> np.ndarray:
        """`calibrated._leverage` per resample, for a judge drawn m times: the mean, over their reviews weighted by
        m r, of each review's leverage m r c / (its entry's sum of u c), c = lever. Why m and not 1 per copy
        (version 5): the m copies are one review counted m times, not m judges with noises of their own, so the
        leverage of the weighted review is m r c / share, and sum(m r (1 - h)) is what the weighted squared
        residuals are expected to be. Counting each copy as a judge of its own understated the leverage where a
        judge drawn twice or three times stands almost alone on an entry (their residual there is near 0, yet
        was credited with 1/m of the entry); the judge looked more precise than they are, took more weight the
        more often they were drawn, and the resamples scattered: within a category the bootstrap spread was 1.3-1.4
        times the real error in every scenario, which over-covered where judges differ in scale (0.956)."""
        squares = self.RC @ inverse  # sum of r^2 / share: sum of r / share, plus (r^2 - r) / share where r != 1
        squares += self.RC2_extra @ inverse
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(s0 > 0, lever * m * m * self._judges(squares) / s0, 0.0)
        return np.clip(mean, 0.0, MAX_LEVERAGE)

    def qualities(self, multiplicity: np.ndarray, *, iterations: int, tolerance: float) -> np.ndarray:
        """Refit every resample of ``multiplicity`` (judges x resamples: how often each judge was drawn); returns
        the qualities, entries x resamples."""
        point, to_cells = self.point, self.cell_judge
        m = np.asarray(multiplicity, dtype=float)
        columns = m.shape[1]
        result = np.empty((self.n_entries, columns))
        live = np.arange(columns)  # the resamples still being refitted, as columns of the state below
        m_cell = m[to_cells]
        calibrated = point.calibrated[:, None] & (m > 0)
        terms = self.cell_terms[:, None] & (m_cell > 0)
        any_terms = bool(terms.any())
        a = np.repeat(point.leniency[:, None], columns, axis=1)
        b = np.repeat(point.scale[:, None], columns, axis=1)
        d = np.where(terms, self.cell_leniency[:, None], 0.0)
        spread = np.repeat(point.spread[:, None], columns, axis=1)
        s0 = m * self.r_sum[:, None]
        sy_base = m * self.ry_sum[:, None]
        cell_u, cell_uy, cell_uyy = (m_cell * column[:, None] for column in (self.cell_r, self.cell_ry, self.cell_ryy))
        # Entries no drawn judge reviewed have no quality in that resample (NaN at the end); meanwhile they hold 0,
        # which every sum multiplies by a draw count of 0.
        reviewed = (self.reviews @ m_cell) > 0
        unreviewed = np.flatnonzero(~reviewed)  # a few per cent of the block: set by index, not by a whole mask
        q = np.where(reviewed, np.nan_to_num(point.quality)[:, None], 0.0)
        squared = np.empty_like(q)
        weight = self.pools.weights(m, calibrated)
        # As in the point fit: the judges' b^2 / s^2 and each entry's inverse sum of u b^2 / s^2 in the last quality
        # step (first: the point fit's judges), for the leverage of the judges' residuals.
        lever = point.scale[:, None] ** 2 / spread ** 2
        inverse = self._inverse(self.RCT @ (m_cell * lever[to_cells]), unreviewed)
        for _step in range(iterations):
            precision = 1.0 / spread ** 2
            RC_q, RC_qq, RCY_q = self.RC @ q, self.RC @ np.multiply(q, q, out=squared), self.RCY @ q
            RCq, RCqq, RCYq = m_cell * RC_q, m_cell * RC_qq, m_cell * RCY_q
            s1, s11 = m * self._judges(RC_q), m * self._judges(RC_qq)
            RYq = m * self._judges(RCY_q)
            if any_terms:
                sy = sy_base - self._judges(d * cell_u)
                s1y = RYq - self._judges(d * RCq)
            else:
                sy, s1y = sy_base, RYq
            with np.errstate(invalid="ignore", divide="ignore"):
                q_mean = np.where(s0 > 0, s1 / s0, 0.0)
                y_mean = np.where(s0 > 0, sy / s0, 0.0)
            sqq = np.maximum(s11 - s0 * q_mean ** 2, 0.0) * precision
            sqy = (s1y - s0 * q_mean * y_mean) * precision
            b = np.clip((sqy + self.scale_precision) / (sqq + self.scale_precision), *self.settings.scale_bounds)
            data = s0 * precision
            a = data * (y_mean - b * q_mean) / (data + self.leniency_precision)
            b = np.where(calibrated, b, 1.0)
            a = np.where(calibrated, a, 0.0)
            cell_a, cell_b = a[to_cells], b[to_cells]
            if any_terms:
                cell_sum = cell_uy - cell_a * cell_u - cell_b * RCq
                cell_data = cell_u * precision[to_cells]
                with np.errstate(invalid="ignore", divide="ignore"):
                    d = np.where(terms & (cell_u > 0),
                                 cell_data * (cell_sum / cell_u) / (cell_data + self.category_precision), 0.0)
            # Each judge's noise: the weighted squared residuals, expanded per cell (A = a + d, B = b), shrunk.
            cell_a = cell_a + d
            squares = (cell_uyy - 2 * cell_a * cell_uy - 2 * cell_b * RCYq + cell_a ** 2 * cell_u
                       + 2 * cell_a * cell_b * RCq + cell_b ** 2 * RCqq)
            weighted_square = np.maximum(self._judges(squares), 0.0) / (1.0 - self._leverage(
                m, lever, inverse, s0))
            panel = weighted_square.sum(axis=0) / np.maximum(s0.sum(axis=0), 1e-12)
            prior = self.settings.spread_prior
            spread = np.sqrt(np.maximum((weighted_square + prior * panel) / (s0 + prior), self.floor))
            coefficient = m / spread ** 2  # per judge: multiplicity / noise variance
            cell_cb = (coefficient * b)[to_cells]
            # Each quality: the sum over its reviews of c b (y - a - d) over the sum of c b^2.
            numerator = self.numerator_sums @ np.vstack((cell_cb, -(cell_cb * cell_a)))
            denominator = self.RCT @ (coefficient * b * b)[to_cells]
            inverse = self._inverse(denominator, unreviewed)
            new = np.multiply(numerator, inverse, out=numerator)
            lever = b * b / spread ** 2
            a, b, new = self.pools.normalise(a, b, new, calibrated, weight)
            _put(new, unreviewed, 0.0)
            # The largest change of each resample's qualities. Most steps still move some entry of every resample by
            # more than the tolerance, which every eighth entry already shows: the whole block is scanned (in the
            # previous qualities' memory, not used again) only when that sample leaves a resample in doubt.
            threshold = tolerance * self.points
            change = np.abs(new[::8] - q[::8]).max(axis=0, initial=0.0)
            if not (change >= threshold).all():
                change = np.abs(np.subtract(new, q, out=q), out=q).max(axis=0)
            q = new
            done = change < threshold
            if done.any():
                result[:, live[done]] = np.where(reviewed[:, done], q[:, done], np.nan)
                keep = ~done
                live = live[keep]
                if not live.size:
                    return result
                (m, m_cell, calibrated, terms, a, b, d, spread, s0, sy_base, cell_u, cell_uy, cell_uyy, q,
                 reviewed, weight, lever, inverse) = (
                    array[:, keep] for array in (m, m_cell, calibrated, terms, a, b, d, spread, s0,
                                                                    sy_base, cell_u, cell_uy, cell_uyy, q, reviewed,
                                                                    weight, lever, inverse))
                unreviewed = np.flatnonzero(~reviewed)
                squared = np.empty_like(q)
                any_terms = bool(terms.any())
        result[:, live] = np.where(reviewed, q, np.nan)
        return result


def _put(array: np.ndarray, flat: np.ndarray, value: float) -> None:
    """array.flat[flat] = value, through a view where the array is contiguous (the block's arrays are): five times
    faster than indexing by rows and columns, or np.put."""
    if array.flags.c_contiguous:
        array.reshape(-1)[flat] = value
    else:
        np.put(array, flat, value)


class _Pools:
    """`calibrated._normalise` for a block of resamples: within each pool of the point fit, the drawn calibrated
    judges' scales to geometric mean 1 and leniencies to mean 0 (weighted by the draws), the qualities moved so
    that every fitted total stays the same. A pool without a drawn calibrated judge is left as it is."""

    def __init__(self, point: CalibratedFit) -> None:
        judges = np.flatnonzero(point.calibrated)
        pools, code = np.unique(point.judge_component[judges], return_inverse=True)
        self.n_pools = pools.size
        # pools x judges: which calibrated judges each pool holds.
        self.member = sp.csr_matrix((np.ones(judges.size), (code, judges)),
                                    shape=(pools.size, point.calibrated.size))
        judge_pool = np.full(point.calibrated.size, pools.size)
        judge_pool[judges] = code
        self.judge_pool = judge_pool  # pools.size: in no pool (factor 1, shift 0)
        pool_of_component = np.full(max(point.entry_component.max(initial=-1), point.judge_component.max(initial=-1))
                                    + 1, pools.size)
        pool_of_component[pools] = np.arange(pools.size)
        entry_pool = pool_of_component[point.entry_component]
        # The pool holding most entries (the usual round: all of them) is applied to every entry, its row
        # broadcast, and the entries of the others (in a round-robin bench, 58 pools of 35 entries beside one of
        # 8,000) are redone from their values before it: no gather of a row per entry over the whole block.
        counts = np.bincount(entry_pool, minlength=pools.size + 1)
        self.main = int(counts.argmax()) if entry_pool.size else pools.size
        self.others = np.flatnonzero(entry_pool != self.main)
        self.other_pool = entry_pool[self.others]

    def weights(self, m: np.ndarray, calibrated: np.ndarray) -> np.ndarray:
        return np.where(calibrated, m, 0.0)

    def normalise(self, a, b, quality, calibrated, weight):
        if not self.n_pools:
            return a, b, quality
        total = self.member @ weight
        present = total > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(present, np.exp((self.member @ (weight * np.log(b))) / total), 1.0)
        factor = np.vstack((factor, np.ones((1, factor.shape[1]))))
        b = np.where(calibrated, b / factor[self.judge_pool], b)
        with np.errstate(invalid="ignore", divide="ignore"):
            shift = np.where(present, (self.member @ (weight * a)) / (self.member @ (weight * b)), 0.0)
        shift = np.vstack((shift, np.zeros((1, shift.shape[1]))))
        a = np.where(calibrated, a - b * shift[self.judge_pool], a)
        others = quality[self.others]
        quality *= factor[self.main]
        quality += shift[self.main]
        others *= factor[self.other_pool]
        others += shift[self.other_pool]
        quality[self.others] = others
        return a, b, quality


def bootstrap_calibrated(*, point: CalibratedFit, entry_idx: np.ndarray, judge_idx: np.ndarray, totals: np.ndarray,
                         n_entries: int, n_judges: int, entry_group: np.ndarray | None, resamples: int,
                         confidence: float, seed: int, settings: Settings = Settings(),
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile intervals of the qualities over ``resamples`` resamples of whole judges (as method 1's bootstrap).
    Returns (low, high, samples: resamples x entries, NaN where an entry had no drawn judge)."""
    quality = point.quality
    if not resamples:
        return quality.copy(), quality.copy(), np.empty((0, n_entries))
    refitter = _Refitter(point, entry_idx=entry_idx, judge_idx=judge_idx, totals=totals, n_entries=n_entries,
                         n_judges=n_judges, entry_group=entry_group, settings=settings)
    rng = np.random.default_rng(seed)
    drawn = np.empty((n_judges, resamples))
    for row in range(resamples):
        drawn[:, row] = np.bincount(rng.integers(0, n_judges, n_judges), minlength=n_judges)
    samples = np.empty((resamples, n_entries))
    block = max(1, BLOCK_CELLS // max(n_entries, 1))
    for first in range(0, resamples, block):
        last = min(first + block, resamples)
        samples[first:last] = refitter.qualities(drawn[:, first:last], iterations=BOOTSTRAP_ITERATIONS,
                                                 tolerance=1e-4).T
    _align_scales(samples, quality, point.entry_component)
    samples += unobserved_leniency(point, entry_idx=entry_idx, judge_idx=judge_idx, totals=totals,
                                    entry_group=entry_group, n_entries=n_entries, n_judges=n_judges,
                                    settings=settings, rng=rng, resamples=resamples)
    tail = (1 - confidence) / 2
    low, high = column_quantiles(samples, (tail, 1 - tail))
    covered = ~np.isnan(low)
    return np.where(covered, low, quality), np.where(covered, high, quality), samples


def _align_scales(samples: np.ndarray, quality: np.ndarray, entry_component: np.ndarray) -> None:
    """In place: each resample's qualities of a pool stretched about their mean by the inverse of their slope on
    the point fit's (least squares over the entries scored in both). Why: a resample sets its pool's scale to the
    geometric mean of the judges it drew, the point fit to that of the panel's judges, on whose scale the
    qualities are read; the resamples' differing units are not an uncertainty of the qualities on the panel's
    scale, and left in they widened the intervals where judges' scales differ (`--scenario scale`: coverage
    0.955 for a nominal 0.9). The level is left as it is: the resamples' shifts held real error (aligning them
    too took the coverage to 0.79-0.92)."""
    finite = np.isfinite(quality)
    components = np.unique(entry_component[finite])
    for component in components:
        members = finite & (entry_component == component)
        # The usual round, one pool holding every entry: a view of the samples, not a copy.
        columns = slice(None) if components.size == 1 and members.all() else np.flatnonzero(members)
        point = quality[columns]
        if point.size < 3:
            continue
        block = samples[:, columns]
        # Entries unscored in a resample (NaN) count 0 in the sums below, subtracted from the point's sums.
        missing = np.isnan(block)
        rows, cells = np.nonzero(missing)
        block[rows, cells] = 0.0
        resamples = block.shape[0]
        count = np.maximum(point.size - np.bincount(rows, minlength=resamples), 1)
        point_sum = point.sum() - np.bincount(rows, weights=point[cells], minlength=resamples)
        point_square = (point @ point) - np.bincount(rows, weights=point[cells] ** 2, minlength=resamples)
        point_mean, drawn_mean = point_sum / count, block.sum(axis=1) / count
        # Per resample, over its scored entries: the sums of squares and products about the means, and the slope.
        spread = point_square - count * point_mean ** 2
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = (block @ point - count * point_mean * drawn_mean) / spread
        slope = np.where((spread > 1e-12 * np.abs(point_square)) & (slope > 0) & np.isfinite(slope), slope, 1.0)
        # x -> mean + (x - mean) / slope
        block *= (1.0 / slope)[:, None]
        block += (drawn_mean * (1.0 - 1.0 / slope))[:, None]
        block[rows, cells] = np.nan
        if not isinstance(columns, slice):
            samples[:, columns] = block
