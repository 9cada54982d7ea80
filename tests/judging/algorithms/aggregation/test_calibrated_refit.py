"""The bootstrap's block refit (`calibrated_bootstrap._Refitter.qualities`) against the version it replaced.

The refit was rewritten for speed only (CSC products, the leverage's sums of r^2 through RC's product, the
numerator in one product, unreviewed entries set by index, the largest pool's normalisation broadcast). Its
qualities must stay those of the previous version to rounding, so the reference below is that version, frozen:
the formulas as they were, on a random round with everything the refit treats apart (several categories with
leniencies of their own, several pools, entries no drawn judge reviewed, down-weighted reviews, judges too few
to calibrate, resamples that converge early).
"""

import numpy as np
import pytest
import scipy.sparse as sp

from judging.algorithms.aggregation.calibrated import MAX_LEVERAGE, Settings, fit_calibrated
from judging.algorithms.aggregation.calibrated_bootstrap import _Pools, _Refitter


class _FrozenPools(_Pools):
    """`_Pools.normalise` as it was: every entry's factor and shift gathered from its pool's row."""

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
        quality *= factor[self.entry_pool]
        quality += shift[self.entry_pool]
        return a, b, quality


class _FrozenRefitter(_Refitter):
    """`_Refitter.qualities` as it was before the rewrite (CSR products, RC2, masked inverses and copies)."""

    def __init__(self, point, *, entry_idx, judge_idx, totals, entry_group, **kwargs):
        super().__init__(point, entry_idx=entry_idx, judge_idx=judge_idx, totals=totals, entry_group=entry_group,
                         **kwargs)
        e, j, y = np.asarray(entry_idx), np.asarray(judge_idx), np.asarray(totals, dtype=float)
        group = np.asarray(entry_group, np.int64)
        _, cell = np.unique(j * self.n_groups + group[e], return_inverse=True)
        r = point.review_weight
        shape = (self.cell_judge.size, self.n_entries)
        self.RC = sp.csr_matrix((r, (cell, e)), shape=shape)
        self.RCY = sp.csr_matrix((r * y, (cell, e)), shape=shape)
        self.RC2 = sp.csr_matrix((r * r, (cell, e)), shape=shape)
        self.RCT, self.RCYT = self.RC.T.tocsr(), self.RCY.T.tocsr()
        pools = _FrozenPools(point)
        # Each entry's pool as the previous version found it (pools.n_pools: in none).
        judges = np.flatnonzero(point.calibrated)
        codes = np.unique(point.judge_component[judges])
        pool_of_component = np.full(max(point.entry_component.max(initial=-1),
                                        point.judge_component.max(initial=-1)) + 1, codes.size)
        pool_of_component[codes] = np.arange(codes.size)
        pools.entry_pool = pool_of_component[point.entry_component]
        self.pools = pools

    @staticmethod
    def _inverse(share, reviewed):
        return np.divide(1.0, share, out=np.zeros_like(share), where=reviewed & (share > 0))

    def _leverage(self, m, lever, inverse, s0):
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(s0 > 0, lever * m * m * self._judges(self.RC2 @ inverse) / s0, 0.0)
        return np.clip(mean, 0.0, MAX_LEVERAGE)

    def qualities(self, multiplicity, *, iterations, tolerance):
        point, to_cells = self.point, self.cell_judge
        m = np.asarray(multiplicity, dtype=float)
        columns = m.shape[1]
        result = np.empty((self.n_entries, columns))
        live = np.arange(columns)
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
        reviewed = (self.reviews @ m_cell) > 0
        unreviewed = ~reviewed
        q = np.where(reviewed, np.nan_to_num(point.quality)[:, None], 0.0)
        weight = self.pools.weights(m, calibrated)
        lever = point.scale[:, None] ** 2 / spread ** 2
        inverse = self._inverse(self.RCT @ (m_cell * lever[to_cells]), reviewed)
        for _step in range(iterations):
            precision = 1.0 / spread ** 2
            RC_q, RC_qq, RCY_q = self.RC @ q, self.RC @ (q * q), self.RCY @ q
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
            cell_a = cell_a + d
            squares = (cell_uyy - 2 * cell_a * cell_uy - 2 * cell_b * RCYq + cell_a ** 2 * cell_u
                       + 2 * cell_a * cell_b * RCq + cell_b ** 2 * RCqq)
            weighted_square = np.maximum(self._judges(squares), 0.0) / (1.0 - self._leverage(
                m, lever, inverse, s0))
            panel = weighted_square.sum(axis=0) / np.maximum(s0.sum(axis=0), 1e-12)
            prior = self.settings.spread_prior
            spread = np.sqrt(np.maximum((weighted_square + prior * panel) / (s0 + prior), self.floor))
            coefficient = m / spread ** 2
            cell_cb = (coefficient * b)[to_cells]
            numerator = self.RCYT @ cell_cb
            numerator -= self.RCT @ (cell_cb * cell_a)
            denominator = self.RCT @ (coefficient * b * b)[to_cells]
            inverse = self._inverse(denominator, reviewed)
            new = numerator * inverse
            lever = b * b / spread ** 2
            a, b, new = self.pools.normalise(a, b, new, calibrated, weight)
            np.copyto(new, 0.0, where=unreviewed)
            change = np.abs(new - q).max(axis=0)
            q = new
            done = change < tolerance * self.points
            if done.any():
                result[:, live[done]] = np.where(reviewed[:, done], q[:, done], np.nan)
                keep = ~done
                live = live[keep]
                if not live.size:
                    return result
                (m, m_cell, calibrated, terms, a, b, d, spread, s0, sy_base, cell_u, cell_uy, cell_uyy, q,
                 reviewed, weight, lever, inverse) = (
                    array[:, keep] for array in (m, m_cell, calibrated, terms, a, b, d, spread, s0, sy_base, cell_u,
                                                 cell_uy, cell_uyy, q, reviewed, weight, lever, inverse))
                unreviewed = ~reviewed
                any_terms = bool(terms.any())
        result[:, live] = np.where(reviewed, q, np.nan)
        return result


def _round(seed=17):
    """A random round: 3 categories; a panel of 24 judges in two halves that share a few entries (one pool), each
    judge scoring mostly one category and a third of them a second one often enough for a leniency there; six
    small panels of 2 judges on 4 entries each (pools of their own); 3 judges with one review (uncalibrated);
    outlying reviews (down-weighted)."""
    rng = np.random.default_rng(seed)
    entries, categories = 300, 3
    group = rng.integers(0, categories, entries)
    pairs = []
    for i in range(240):  # the main panel: judge j's home category is j % 3, a third also score a second
        judges = [j for j in range(24) if j % 3 == group[i] or (j % 9 == 0 and (j // 9 + group[i]) % 3 == 1)]
        pairs += [(i, int(j)) for j in rng.choice(judges, 3, replace=False)]
    for panel in range(6):  # small pools: two judges of their own on four entries
        for i in range(240 + 4 * panel, 244 + 4 * panel):
            pairs += [(i, 24 + 2 * panel), (i, 25 + 2 * panel)]
    for i in range(264, entries):  # the rest by the main panel, two judges each
        pairs += [(i, int(j)) for j in rng.choice(24, 2, replace=False)]
    pairs += [(5, 36), (77, 37), (150, 38)]  # judges with a single review: not calibrated
    e, j = np.array(pairs).T
    n_judges = 39
    quality = rng.normal(6, 1.5, entries)
    leniency = rng.normal(0, 0.7, (n_judges, categories))
    scale = rng.uniform(0.6, 1.5, n_judges)
    y = 6 + leniency[j, group[e]] + scale[j] * (quality[e] - 6) + rng.normal(0, 0.5, e.size)
    y[rng.choice(e.size, 12, replace=False)] += rng.choice([-4.0, 4.0], 12)
    point = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=entries, n_judges=n_judges,
                           entry_group=group)
    return {"point": point, "entry_idx": e, "judge_idx": j, "totals": y, "n_entries": entries,
            "n_judges": n_judges, "entry_group": group, "settings": Settings()}


# 1e-4 as the bootstrap; 1e-2 takes resamples out of the block after 8 or 9 steps.
@pytest.mark.parametrize("tolerance", [1e-4, 1e-2])
def test_the_block_refit_gives_the_qualities_of_the_version_it_replaced(tolerance):
    arguments = _round()
    point, n_judges = arguments["point"], arguments["n_judges"]
    refitter, frozen = _Refitter(**arguments), _FrozenRefitter(**arguments)
    # The round holds what the refit treats apart.
    assert point.category_terms.sum() >= 4
    assert refitter.pools.n_pools >= 7 and refitter.pools.others.size >= 24
    assert not point.calibrated.all()
    assert (point.review_weight < 1).sum() >= 5
    rng = np.random.default_rng(3)
    drawn = np.stack([np.bincount(rng.integers(0, n_judges, n_judges), minlength=n_judges) for _ in range(60)],
                     axis=1).astype(float)
    new = refitter.qualities(drawn, iterations=10, tolerance=tolerance)
    old = frozen.qualities(drawn, iterations=10, tolerance=tolerance)
    unreviewed = np.isnan(old)
    assert unreviewed.any() and not unreviewed.all(axis=0).any()  # every resample misses some entries
    assert np.array_equal(np.isnan(new), unreviewed)
    points = np.std(arguments["totals"])
    np.testing.assert_allclose(new[~unreviewed], old[~unreviewed], rtol=1e-9, atol=1e-9 * points)
