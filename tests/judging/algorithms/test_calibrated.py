"""Method 2, the calibrated fit, on cases small enough to work out by hand."""

import numpy as np
import pytest

from judging.algorithms.aggregation.calibrated import Settings, fit_calibrated
from judging.algorithms.aggregation.calibrated_bootstrap import bootstrap_calibrated


def _full_design(qualities, leniency, scale):
    """Every judge scores every entry, without noise: total = leniency + scale * quality."""
    entries, judges = len(qualities), len(leniency)
    e = np.repeat(np.arange(entries), judges)
    j = np.tile(np.arange(judges), entries)
    y = np.asarray(leniency)[j] + np.asarray(scale)[j] * np.asarray(qualities)[e]
    return e, j, y


def test_a_noiseless_panel_with_different_scales_is_recovered_exactly():
    # Judge 0 compresses (6-8 for everything), judge 1 uses the whole scale, judge 2 is lenient.
    quality = np.array([2.0, 4.0, 5.0, 7.0, 9.0])
    leniency, scale = np.array([5.0, -1.0, 2.0]), np.array([0.4, 1.25, 2.0])
    e, j, y = _full_design(quality, leniency, scale)
    fit = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=5, n_judges=3,
                         settings=Settings(iterations=400, tolerance=1e-13))
    # On the average judge's points scale: scales with geometric mean 1, leniencies with mean 0.
    geometric = np.exp(np.log(scale).mean())
    b = scale / geometric
    q = quality * geometric
    shift = (leniency.mean()) / b.mean()
    np.testing.assert_allclose(fit.scale, b, rtol=1e-6)
    np.testing.assert_allclose(fit.quality, q + shift, rtol=1e-6)
    np.testing.assert_allclose(fit.leniency, leniency - b * shift, atol=1e-6)
    # Every total is explained: leniency + scale x quality.
    np.testing.assert_allclose(fit.leniency[j] + fit.scale[j] * fit.quality[e], y, atol=1e-6)


def test_the_raw_mean_and_the_offsets_get_the_compressing_judges_order_wrong_where_the_calibrated_fit_does_not():
    # Entries 0-3 are judged by the compressing judge A and by B; entries 4-7 by C and B; B uses the scale fully.
    quality = np.array([1.0, 3.0, 5.0, 9.0, 2.0, 4.0, 6.0, 8.0])
    e = np.array([0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7])
    j = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1])
    leniency, scale = np.array([6.0, 0.0, 0.0]), np.array([0.2, 1.0, 1.0])
    y = leniency[j] + scale[j] * quality[e]
    fit = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=8, n_judges=3,
                         settings=Settings(iterations=400, tolerance=1e-12))
    assert list(np.argsort(-fit.quality)) == list(np.argsort(-quality))


def test_an_outlying_review_is_down_weighted():
    rng = np.random.default_rng(3)
    quality = rng.normal(6, 1.5, 30)
    e = np.repeat(np.arange(30), 4)
    j = np.tile(np.arange(4), 30)
    y = quality[e] + rng.normal(0, 0.3, e.size)
    outlier = 17  # one review of entry 4 by judge 1, five points off
    y[outlier] -= 5.0
    fit = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=30, n_judges=4)
    assert fit.review_weight[outlier] < 0.3
    assert np.median(np.delete(fit.review_weight, outlier)) == 1.0
    # The entry's score moved far less than the plain mean, which takes a quarter of the five points.
    assert abs(fit.quality[4] - quality[4]) < abs(y[e == 4].mean() - quality[4]) / 3


def test_a_judge_with_two_reviews_is_shrunk_toward_the_panel_where_a_z_score_stretches_them():
    rng = np.random.default_rng(5)
    quality = rng.normal(6, 1.5, 40)
    e = np.repeat(np.arange(40), 3)
    j = np.tile(np.arange(3), 40)
    y = quality[e] + rng.normal(0, 0.5, e.size)
    # A fourth judge scores two entries close in quality, 4 points apart: a z-score would call that their range.
    pair = np.argsort(quality)[19:21]
    e = np.concatenate([e, pair])
    j = np.concatenate([j, [3, 3]])
    y = np.concatenate([y, [quality[pair[0]] - 2.0, quality[pair[1]] + 2.0]])
    fit = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=40, n_judges=4)
    difference = abs(quality[pair[1]] - quality[pair[0]])
    unshrunk = (4.0 + difference) / max(difference, 1e-9)
    assert fit.calibrated[3]
    assert 1.0 <= fit.scale[3] < 1.0 + 0.5 * (unshrunk - 1.0)
    # The two entries keep close scores: their order is not decided by one judge's wide spread.
    assert abs(fit.quality[pair[1]] - fit.quality[pair[0]]) < difference + 1.5
    # Their weight is small: noisy and few.
    assert fit.weight[3] < 0.05


def test_the_bootstrap_intervals_contain_the_point_and_are_narrower_with_more_judges():
    rng = np.random.default_rng(9)

    def interval_width(judges: int) -> float:
        quality = rng.normal(6, 1.5, 30)
        e = np.repeat(np.arange(30), judges)
        j = np.tile(np.arange(judges), 30)
        y = quality[e] + rng.normal(0, 0.8, e.size)
        point = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=30, n_judges=judges)
        low, high, samples = bootstrap_calibrated(point=point, entry_idx=e, judge_idx=j, totals=y, n_entries=30,
                                                  n_judges=judges, entry_group=None, resamples=100,
                                                  confidence=0.9, seed=1)
        assert samples.shape == (100, 30)
        assert np.all(low <= point.quality + 1e-9) and np.all(point.quality <= high + 1e-9)
        return float(np.mean(high - low))

    assert interval_width(12) < interval_width(3)


def test_a_judge_lenient_in_one_category_and_severe_in_another_is_corrected_per_category():
    rng = np.random.default_rng(11)
    entries = 60
    category = (np.arange(entries) // 6) % 2  # blocks of six: every pair of judges in both categories
    quality = rng.normal(6, 1.5, entries)
    # Two judges per entry, the pairs in rotation: judge 0 sees a third of the entries of each category.
    pairs = np.array([(0, 1), (2, 3), (0, 2), (1, 3), (0, 3), (1, 2)])
    e = np.repeat(np.arange(entries), 2)
    j = pairs[np.arange(entries) % 6].ravel()
    extra = np.zeros((4, 2))
    extra[0] = (1.5, -1.5)  # judge 0: lenient in category 0, severe in category 1
    y = quality[e] + extra[j, category[e]] + rng.normal(0, 0.3, e.size)
    fit = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=entries, n_judges=4, entry_group=category)
    judge0 = j == 0
    by_category = [fit.category_leniency[judge0 & (category[e] == c)].mean() for c in (0, 1)]
    assert by_category[0] > 0.8 and by_category[1] < -0.8
    # Within each category (entries are ranked per category, so each category's level is free):
    def error(estimate):
        gap = estimate - quality
        return np.abs(gap - np.array([gap[category == c].mean() for c in (0, 1)])[category]).mean()

    raw = np.bincount(e, weights=y) / 2
    assert error(fit.quality) < error(raw) / 2


@pytest.mark.parametrize("weights", [np.array([0.0, 2.0, 1.0, 1.0]), np.array([1.0, 1.0, 1.0, 1.0])])
def test_a_judge_drawn_zero_times_takes_no_part(weights):
    rng = np.random.default_rng(2)
    quality = rng.normal(6, 1, 10)
    e = np.repeat(np.arange(10), 4)
    j = np.tile(np.arange(4), 10)
    y = quality[e] + np.array([3.0, 0, 0, 0])[j] + rng.normal(0, 0.2, e.size)
    fit = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=10, n_judges=4, judge_weight=weights)
    assert fit.calibrated[0] == (weights[0] > 0)
    assert np.all(np.isfinite(fit.quality))


def test_resamples_refitted_together_give_what_each_gives_refitted_alone(monkeypatch):
    import judging.algorithms.aggregation.calibrated_bootstrap as module

    rng = np.random.default_rng(21)
    entries, judges = 90, 12
    group = np.arange(entries) % 3
    e = np.repeat(np.arange(entries), 3)
    j = np.array([rng.choice(np.arange(judges)[(np.arange(judges) % 2) == (i % 2)], 3, replace=False)
                  for i in range(entries)]).ravel()  # two pools of judges, odd and even entries
    j[:6] = 11  # a judge with few reviews in the other pool's entries too
    y = rng.normal(6, 1.5, entries)[e] + rng.normal(0, 0.5, judges)[j] + rng.normal(0, 0.6, e.size)
    point = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=entries, n_judges=judges, entry_group=group)
    arguments = dict(point=point, entry_idx=e, judge_idx=j, totals=y, n_entries=entries, n_judges=judges,
                     entry_group=group, resamples=40, confidence=0.9, seed=3)
    together = bootstrap_calibrated(**arguments)
    monkeypatch.setattr(module, "BLOCK_CELLS", 1)  # one resample per block
    alone = bootstrap_calibrated(**arguments)
    assert np.array_equal(np.isnan(together[2]), np.isnan(alone[2]))
    assert np.nanmax(np.abs(together[2] - alone[2])) < 1e-9
    assert np.isnan(together[2]).any()  # some resample drew none of an entry's judges: it has no quality there


def test_a_judge_drawn_twice_is_one_review_counted_twice_for_the_leverage_of_their_residuals():
    # The degrees of freedom of a weighted mean: with reviews weighted m on an entry (sum S), each of equal noise
    # s^2, E[sum m r^2] = s^2 (S - sum m^2 / S) = s^2 sum m (1 - h), h = m / S. With m = (2, 1, 1, 0) on every entry
    # of 20: h = 1/2 for the judge drawn twice (not 1/4 per copy, as if two judges with noises of their own), 1/4
    # for the others, and sum m (1 - h) = 2.5 per entry where 1/4 per copy would give 3.
    from judging.algorithms.aggregation.calibrated_bootstrap import _Refitter

    rng = np.random.default_rng(5)
    e = np.repeat(np.arange(20), 4)
    j = np.tile(np.arange(4), 20)
    y = rng.normal(6, 1.5, 20)[e] + rng.normal(0, 0.5, e.size)
    point = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=20, n_judges=4)
    point.review_weight[:] = 1.0  # every review at full weight, so r = 1 in the sums below
    refitter = _Refitter(point, entry_idx=e, judge_idx=j, totals=y, n_entries=20, n_judges=4, entry_group=None,
                         settings=Settings())
    m = np.array([[1.0, 2.0], [1.0, 1.0], [1.0, 1.0], [1.0, 0.0]])  # every judge once, then judge 0 twice, 3 never
    lever = np.ones((4, 2))  # c = b^2 / s^2 = 1 for every judge
    share = m.sum(axis=0)  # each entry's sum of m c: 4 in both resamples
    inverse = np.tile(1.0 / share, (20, 1))
    s0 = m * refitter.r_sum[:, None]
    leverage = refitter._leverage(m, lever, inverse, s0)
    assert leverage[:, 0] == pytest.approx([0.25] * 4)
    assert leverage[:, 1] == pytest.approx([0.5, 0.25, 0.25, 0.0])
    for column in range(2):
        by_hand = 20 * (share[column] - (m[:, column] ** 2).sum() / share[column])
        assert (s0[:, column] * (1 - leverage[:, column])).sum() == pytest.approx(by_hand)


def test_a_categorys_level_carries_the_leniencies_its_judges_do_not_show_there():
    from judging.algorithms.aggregation.category_level import unobserved_leniency

    # Four judges in one pool: 0 and 1 score the 20 entries of category 0 only; 2 and 3 score seven of them (which
    # links them to 0 and 1, too few for a leniency of their own there) and the 10 entries of category 1.
    category = np.array([0] * 20 + [1] * 10)
    e = np.concatenate([np.repeat(np.arange(20), 2), np.repeat(np.arange(7), 2), np.repeat(np.arange(20, 30), 2)])
    j = np.concatenate([np.tile([0, 1], 20), np.tile([2, 3], 7), np.tile([2, 3], 10)])
    rng = np.random.default_rng(4)
    y = rng.normal(6, 1.5, 30)[e] + rng.normal(0, 0.4, e.size)
    settings = Settings()
    point = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=30, n_judges=4, entry_group=category,
                           settings=settings)
    assert point.calibrated.all() and np.unique(point.judge_component).size == 1
    assert not point.category_terms.any()  # no judge has ten reviews in two categories: tau is the prior's
    arguments = dict(entry_idx=e, judge_idx=j, totals=y, entry_group=category, n_entries=30, n_judges=4,
                     settings=settings, resamples=5)
    shift = unobserved_leniency(point, rng=np.random.default_rng(7), **arguments)
    # In each category two of the four judges have fewer than eight reviews: sd = tau sqrt(2) / 4, one draw per
    # category and resample, the same for all its entries.
    sd = settings.category_sd * np.std(y) * np.sqrt(2) / 4
    draws = np.random.default_rng(7).standard_normal((5, 1, 2))
    np.testing.assert_allclose(shift[:, category == 0], np.repeat(draws[:, 0, :1] * sd, 20, axis=1))
    np.testing.assert_allclose(shift[:, category == 1], np.repeat(draws[:, 0, 1:] * sd, 10, axis=1))
    # No groups (one category): no term at all.
    assert not unobserved_leniency(point, rng=np.random.default_rng(7), **{**arguments, "entry_group": None}).any()


@pytest.mark.parametrize("extra_sd", [0.0, 1.0])
def test_the_spread_of_unseen_category_leniencies_is_what_the_judges_show_where_they_have_their_own(extra_sd):
    from judging.algorithms.aggregation.category_level import category_leniency_spread

    rng = np.random.default_rng(13)
    entries, judges = 400, 30
    category = np.arange(entries) % 2
    e = np.repeat(np.arange(entries), 3)
    j = np.concatenate([rng.choice(judges, 3, replace=False) for _ in range(entries)])  # ~20 reviews per category
    extra = rng.normal(0, extra_sd, (judges, 2))
    y = rng.normal(6, 1.5, entries)[e] + rng.normal(0, 0.5, judges)[j] + extra[j, category[e]] + rng.normal(
        0, 0.4, e.size)
    point = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=entries, n_judges=judges,
                           entry_group=category)
    assert point.category_terms.sum() >= 50
    reviews = np.bincount(j * 2 + category[e], minlength=judges * 2).reshape(judges, 2)
    tau = category_leniency_spread(point, reviews, settings=Settings(), points=float(np.std(y)))
    prior = Settings().category_sd * np.std(y)
    if extra_sd:
        assert 0.7 < tau < 1.2
    else:  # judges who show no category leniency: what their estimates show is noise, far below the prior's
        assert tau < 0.2 and prior > 0.6


def test_the_resamples_are_put_on_the_point_fits_scale_with_their_level_order_and_gaps_kept():
    from judging.algorithms.aggregation.calibrated_bootstrap import _align_scales

    rng = np.random.default_rng(8)
    quality = rng.normal(6, 1.5, 40)
    component = (np.arange(40) >= 30).astype(np.int64)  # two pools: 30 entries and 10
    slopes = np.array([0.7, 1.0, 1.4])
    samples = 2.0 + slopes[:, None] * quality[None, :] + rng.normal(0, 0.1, (3, 40))
    samples[1, 4] = np.nan  # unscored in one resample
    before = samples.copy()
    _align_scales(samples, quality, component)
    assert np.array_equal(np.isnan(samples), np.isnan(before))
    for row in range(3):
        for members in (np.arange(30), np.arange(30, 40)):
            scored = members[np.isfinite(before[row, members])]
            slope = np.polyfit(quality[scored], samples[row, scored], 1)[0]
            assert slope == pytest.approx(1.0, abs=1e-9)
            assert samples[row, scored].mean() == pytest.approx(before[row, scored].mean())
            assert np.array_equal(np.argsort(samples[row, scored]), np.argsort(before[row, scored]))
