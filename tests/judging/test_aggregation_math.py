import numpy as np
import pytest

from judging.services import aggregation_math
from judging.services.aggregation_math import (
    EntryResult,
    JudgeResult,
    ReviewScore,
    aggregate,
    kendall_tau,
    simulate,
)

A, B, C = 1, 2, 3
J1, J2, J3 = 10, 20, 30

# Three entries, three judges, each entry seen by two judges in a cycle. Judge 30 is
# two points more lenient than the others; the raw means are all 6.
#
#            J1  J2  J3   raw mean
#   A         6   6   .   6
#   B         .   5   7   6
#   C         5   .   7   6
#
# The fit is exact: A gives o1 = o2, B gives o3 - o2 = 2, C gives o3 - o1 = 2, and with
# o1 + o2 + o3 = 0:  o1 = o2 = -2/3,  o3 = +4/3.
# Corrected = mean of (total - offset):
#   A = (6 + 2/3 + 6 + 2/3) / 2 = 20/3
#   B = (5 + 2/3 + 7 - 4/3) / 2 = 17/3
#   C = (7 - 4/3 + 5 + 2/3) / 2 = 17/3
# so A ranks 1 and B, C share rank 2.
CYCLE = [
    ReviewScore(A, J1, 6.0),
    ReviewScore(A, J2, 6.0),
    ReviewScore(B, J2, 5.0),
    ReviewScore(B, J3, 7.0),
    ReviewScore(C, J3, 7.0),
    ReviewScore(C, J1, 5.0),
]


def by_entry(results: list[EntryResult]) -> dict[int, EntryResult]:
    return {r.entry: r for r in results}


def by_judge(results: list[JudgeResult]) -> dict[int, JudgeResult]:
    return {r.judge: r for r in results}


def random_design(rng, *, n_entries, judge_ids, per_entry, entry_offset=0):
    """Reviews with true quality + leniency + noise, each entry seen by distinct judges."""
    quality = rng.normal(6, 1, n_entries)
    leniency = {j: rng.normal(0, 1) for j in judge_ids}
    reviews = []
    for i in range(n_entries):
        for j in rng.choice(judge_ids, per_entry, replace=False):
            total = quality[i] + leniency[int(j)] + rng.normal(0, 0.5)
            reviews.append(ReviewScore(entry_offset + i, int(j), float(total)))
    return reviews


def constrained_least_squares(reviews, pools):
    """Reference: dense KKT solve of min |y - q_e - o_j|^2 with sum(o) = 0 per pool."""
    entries = sorted({r.entry for r in reviews})
    judges = sorted({r.judge for r in reviews})
    n_e, n_j = len(entries), len(judges)
    x = np.zeros((len(reviews), n_e + n_j))
    y = np.array([r.total for r in reviews])
    for row, r in enumerate(reviews):
        x[row, entries.index(r.entry)] = 1
        x[row, n_e + judges.index(r.judge)] = 1
    constraints = np.zeros((len(pools), n_e + n_j))
    for row, pool in enumerate(pools):
        for j in pool:
            constraints[row, n_e + judges.index(j)] = 1
    kkt = np.block([[x.T @ x, constraints.T], [constraints, np.zeros((len(pools), len(pools)))]])
    rhs = np.concatenate([x.T @ y, np.zeros(len(pools))])
    solution = np.linalg.solve(kkt, rhs)
    return dict(zip(judges, solution[n_e : n_e + n_j], strict=True))


def test_hand_computed_cycle():
    entries, judges = aggregate(CYCLE, min_reviews=2, bootstrap=0)
    e, j = by_entry(entries), by_judge(judges)

    assert j[J1].offset == pytest.approx(-2 / 3)
    assert j[J2].offset == pytest.approx(-2 / 3)
    assert j[J3].offset == pytest.approx(4 / 3)
    assert [j[x].corrected for x in (J1, J2, J3)] == [True, True, True]
    assert [j[x].n_reviews for x in (J1, J2, J3)] == [2, 2, 2]

    assert e[A].corrected == pytest.approx(20 / 3)
    assert e[B].corrected == pytest.approx(17 / 3)
    assert e[C].corrected == pytest.approx(17 / 3)
    assert [e[x].mean for x in (A, B, C)] == [6.0, 6.0, 6.0]
    assert [e[x].median for x in (A, B, C)] == [6.0, 6.0, 6.0]
    assert [e[x].spread for x in (A, B, C)] == [0.0, 2.0, 2.0]
    assert e[B].stdev == pytest.approx(2**0.5)
    assert [(e[x].rank, e[x].tied) for x in (A, B, C)] == [(1, False), (2, True), (2, True)]
    assert [e[x].uncorrected_judges for x in (A, B, C)] == [0, 0, 0]
    assert [r.entry for r in entries] == [A, B, C]  # ranking order
    assert e[A].interval == (e[A].corrected, e[A].corrected)  # bootstrap=0: zero width


def test_matches_dense_constrained_least_squares():
    rng = np.random.default_rng(7)
    pool_a = [101, 102, 103, 104, 105, 106]
    pool_b = [201, 202, 203, 204]
    reviews = random_design(rng, n_entries=20, judge_ids=pool_a, per_entry=3)
    reviews += random_design(rng, n_entries=12, judge_ids=pool_b, per_entry=2, entry_offset=100)

    entries, judges = aggregate(reviews, bootstrap=0)

    expected = constrained_least_squares(reviews, [pool_a, pool_b])
    assert {r.judge: r.offset for r in judges} == pytest.approx(expected)
    for r in entries:
        own = [x for x in reviews if x.entry == r.entry]
        assert r.corrected == pytest.approx(np.mean([x.total - expected[x.judge] for x in own]))


def test_judge_with_too_few_reviews_is_not_corrected():
    late_judge = 40
    reviews = [*CYCLE, ReviewScore(A, late_judge, 9.0)]

    entries, judges = aggregate(reviews, min_reviews=2, bootstrap=0)
    e, j = by_entry(entries), by_judge(judges)

    assert j[late_judge] == JudgeResult(judge=late_judge, n_reviews=1, offset=0.0, corrected=False, pool=-1)
    # The other offsets are estimated without the uncorrected judge...
    assert j[J1].offset == pytest.approx(-2 / 3)
    assert j[J3].offset == pytest.approx(4 / 3)
    # ...but its review still counts toward A: (6 + 2/3 + 6 + 2/3 + 9) / 3 = 67/9.
    assert e[A].corrected == pytest.approx(67 / 9)
    assert e[A].n_reviews == 3
    assert e[A].mean == pytest.approx(7.0)
    assert e[A].uncorrected_judges == 1
    assert e[B].uncorrected_judges == 0


def test_disconnected_pools_are_centred_separately():
    # Pool one is the cycle; pool two is the same design on entries 4-6 with judges
    # 40, 50, 60, where judge 40 is 3 points *severe*: offsets (-2, +1, +1).
    #            J40 J50 J60
    #   4         4   7   .
    #   5         .   6   6
    #   6         5   .   8
    # 4: o50 - o40 = 3;  5: o50 = o60;  6: o60 - o40 = 3;  sum 0 -> (-2, 1, 1).
    # A lone judge (70) reviewing entries 7-9 has nobody to be compared with.
    second = [
        ReviewScore(4, 40, 4.0),
        ReviewScore(4, 50, 7.0),
        ReviewScore(5, 50, 6.0),
        ReviewScore(5, 60, 6.0),
        ReviewScore(6, 60, 8.0),
        ReviewScore(6, 40, 5.0),
    ]
    lone = [ReviewScore(e, 70, 5.0 + e) for e in (7, 8, 9)]

    entries, judges = aggregate(CYCLE + second + lone, min_reviews=2, bootstrap=0)
    e, j = by_entry(entries), by_judge(judges)

    assert {x: j[x].offset for x in (40, 50, 60)} == pytest.approx({40: -2.0, 50: 1.0, 60: 1.0})
    assert {x: j[x].offset for x in (J1, J2, J3)} == pytest.approx({J1: -2 / 3, J2: -2 / 3, J3: 4 / 3})
    assert {x: j[x].pool for x in (J1, J2, J3, 40, 50, 60)} == {J1: 0, J2: 0, J3: 0, 40: 1, 50: 1, 60: 1}
    assert j[70] == JudgeResult(judge=70, n_reviews=3, offset=0.0, corrected=False, pool=-1)

    # 4: (4 + 2 + 7 - 1) / 2 = 6;  5: (6 - 1 + 6 - 1) / 2 = 5;  6: (8 - 1 + 5 + 2) / 2 = 7
    assert {x: e[x].corrected for x in (4, 5, 6)} == pytest.approx({4: 6.0, 5: 5.0, 6: 7.0})
    assert {x: e[x].corrected for x in (7, 8, 9)} == pytest.approx({7: 12.0, 8: 13.0, 9: 14.0})
    assert [e[x].pool for x in (A, 4, 7)] == [0, 1, -1]
    assert [e[x].uncorrected_judges for x in (A, 4, 7)] == [0, 0, 1]


@pytest.mark.parametrize(("threshold", "flagged"), [(1.4, True), (1.42, False), (1.5, False)])
def test_disagreement_flag_around_threshold(threshold, flagged):
    # Totals 5 and 7: sample standard deviation sqrt(2) = 1.414...
    reviews = [ReviewScore(1, 10, 5.0), ReviewScore(1, 20, 7.0)]

    (entry,), _ = aggregate(reviews, disagreement_threshold=threshold, bootstrap=0)

    assert entry.stdev == pytest.approx(2**0.5)
    assert entry.disagreement is flagged


def test_single_review_has_no_spread_or_disagreement():
    (entry,), _ = aggregate([ReviewScore(1, 10, 8.0)], disagreement_threshold=0.0, bootstrap=0)

    assert (entry.n_reviews, entry.stdev, entry.spread, entry.disagreement) == (1, 0.0, 0.0, False)
    assert (entry.mean, entry.median, entry.corrected) == (8.0, 8.0, 8.0)


def test_median_with_even_and_odd_counts():
    reviews = [ReviewScore(1, j, t) for j, t in ((10, 9.0), (20, 1.0), (30, 4.0))]
    reviews += [ReviewScore(2, j, t) for j, t in ((10, 2.0), (20, 8.0), (30, 3.0), (40, 10.0))]

    entries, _ = aggregate(reviews, bootstrap=0)

    assert {r.entry: r.median for r in entries} == {1: 4.0, 2: 5.5}
    assert {r.entry: r.spread for r in entries} == {1: 8.0, 2: 8.0}


def test_ties_share_a_rank_and_the_next_rank_skips():
    # Every judge scores every entry, so corrected = raw mean: 7, 7, 5.
    # 0.1 + 0.2 != 0.3 in floating point; rounding to 6 decimals still ties them.
    scores = {1: (6.0, 8.0), 2: (6.1 + 0.2, 7.7), 3: (5.0, 5.0), 4: (0.1 + 0.2, 0.0), 5: (0.3, 0.0)}
    reviews = [
        ReviewScore(entry, judge, total)
        for entry, totals in scores.items()
        for judge, total in zip((10, 20), totals, strict=True)
    ]

    entries, _ = aggregate(reviews, bootstrap=0, groups={1: "x", 2: "x", 3: "x", 4: "y", 5: "y"})
    e = by_entry(entries)

    assert {x: (e[x].rank, e[x].tied) for x in scores} == {
        1: (1, True),
        2: (1, True),
        3: (3, False),
        4: (1, True),
        5: (1, True),
    }
    assert [r.entry for r in entries] == [1, 2, 3, 4, 5]


def test_ranks_are_per_group():
    reviews = [ReviewScore(entry, 10, total) for entry, total in ((1, 9.0), (2, 3.0), (3, 4.0), (4, 8.0))]

    entries, _ = aggregate(reviews, bootstrap=0, groups={1: "a", 2: "b", 3: "a", 4: "b"})

    assert [(r.entry, r.rank) for r in entries] == [(1, 1), (3, 2), (4, 1), (2, 2)]


def test_every_reviewed_entry_needs_a_group():
    with pytest.raises(ValueError, match="without a group"):
        aggregate([ReviewScore(1, 10, 5.0)], bootstrap=0, groups={2: "a"})


def test_no_reviews():
    assert aggregate([]) == ([], [])


def test_bootstrap_interval_contains_estimate_and_is_deterministic():
    rng = np.random.default_rng(11)
    reviews = random_design(rng, n_entries=30, judge_ids=list(range(1, 9)), per_entry=3)

    first, _ = aggregate(reviews, bootstrap=100, seed=5)
    again, _ = aggregate(reviews, bootstrap=100, seed=5)
    other, _ = aggregate(reviews, bootstrap=100, seed=6)

    assert first == again
    assert [r.interval for r in first] != [r.interval for r in other]
    for r in first:
        low, high = r.interval
        assert low <= r.corrected <= high
        assert high > low


def test_wider_confidence_gives_wider_intervals():
    rng = np.random.default_rng(12)
    reviews = random_design(rng, n_entries=20, judge_ids=list(range(1, 7)), per_entry=3)

    narrow, _ = aggregate(reviews, bootstrap=200, confidence=0.5)
    wide, _ = aggregate(reviews, bootstrap=200, confidence=0.95)

    for n, w in zip(narrow, wide, strict=True):
        assert w.interval[0] <= n.interval[0] and n.interval[1] <= w.interval[1]


def complete_design(means: dict[int, float]) -> list[ReviewScore]:
    # Four judges score every entry; each judge adds the same fixed deviations so the
    # bootstrap over judges has something to vary.
    deviations = {10: -0.6, 20: 0.4, 30: -0.2, 40: 0.5}
    wobble = {10: 0.3, 20: -0.3, 30: 0.2, 40: -0.2}
    return [
        ReviewScore(entry, judge, mean + deviations[judge] + wobble[judge] * (entry % 2))
        for entry, mean in means.items()
        for judge in deviations
    ]


def test_boundary_overlap_when_neighbours_are_close():
    # Boundary after rank 1: entries 1 (rank 1) and 2 (rank 2) are 0.1 apart.
    reviews = complete_design({1: 9.0, 2: 8.9, 3: 5.0, 4: 4.0})

    entries, _ = aggregate(reviews, bootstrap=200, prize_boundaries=(1,))

    assert {r.entry: r.rank for r in entries} == {1: 1, 2: 2, 3: 3, 4: 4}
    assert {r.entry: r.boundary_overlap for r in entries} == {1: True, 2: True, 3: False, 4: False}


def test_no_boundary_overlap_when_neighbours_are_far_apart():
    reviews = complete_design({1: 9.0, 2: 5.0, 3: 4.9, 4: 1.0})

    entries, _ = aggregate(reviews, bootstrap=200, prize_boundaries=(1, 3))

    assert {r.entry: r.boundary_overlap for r in entries} == {1: False, 2: False, 3: False, 4: False}
    # 2 and 3 are close but both inside the tier ending at rank 3: not a boundary.


def test_tie_straddling_a_boundary_is_flagged():
    # Ranks 1, 1, 3 with one prize: the tie decides who wins, whatever the intervals.
    reviews = [ReviewScore(entry, 10, total) for entry, total in ((1, 8.0), (2, 8.0), (3, 2.0))]

    entries, _ = aggregate(reviews, bootstrap=0, prize_boundaries=(1,))

    assert {r.entry: (r.rank, r.boundary_overlap) for r in entries} == {
        1: (1, True),
        2: (1, True),
        3: (3, False),
    }


def test_boundary_beyond_the_group_is_ignored():
    reviews = [ReviewScore(entry, 10, float(entry)) for entry in (1, 2)]

    entries, _ = aggregate(reviews, bootstrap=0, prize_boundaries=(2, 5))

    assert [r.boundary_overlap for r in entries] == [False, False]


def test_kendall_tau():
    assert kendall_tau([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert kendall_tau([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)
    assert kendall_tau([1, 2, 3], [1, 3, 2]) == pytest.approx(1 / 3)


def expertise_assigner(rng, entries, judges, per_entry, entry_category):
    """Random but valid: each judge covers their home category, every third judge also
    the next one; each entry gets distinct judges, least-loaded first, ties at random."""
    categories = int(entry_category.max()) + 1
    covers = [{j % categories} | ({(j + 1) % categories} if j % 3 == 0 else set()) for j in range(judges)]
    load = np.zeros(judges)
    pairs = []
    for entry in rng.permutation(entries):
        eligible = np.array([j for j in range(judges) if entry_category[entry] in covers[j]])
        chosen = eligible[np.lexsort((rng.random(eligible.size), load[eligible]))[:per_entry]]
        load[chosen] += 1
        pairs.extend((entry, j) for j in chosen)
    return np.array(pairs)


def test_expertise_assigner_is_valid():
    rng = np.random.default_rng(0)
    category = np.arange(40) % 2
    pairs = expertise_assigner(rng, 40, 8, 3, category)

    assert pairs.shape == (120, 2)
    assert len({tuple(p) for p in pairs}) == 120
    assert sorted(np.bincount(pairs[:, 0]).tolist()) == [3] * 40


def test_simulate_corrected_beats_raw_mean():
    result = simulate(
        entries=120, judges=12, per_entry=3, trials=10, seed=3, assign=expertise_assigner
    )

    assert set(result) == {
        "entries",
        "judges",
        "per_entry",
        "trials",
        "tau_raw",
        "tau_corrected",
        "top_recovered_raw",
        "top_recovered_corrected",
        "top_overlap_raw",
        "top_overlap_corrected",
    }
    assert (result["entries"], result["judges"], result["per_entry"], result["trials"]) == (120, 12, 3, 10)
    assert result["tau_corrected"] > result["tau_raw"]
    assert result["top_overlap_corrected"] > result["top_overlap_raw"]
    # Exact recovery of a whole top 6 is too rare an event to compare on 10 trials; it is only a share here.
    assert 0 <= result["top_recovered_raw"] <= 1 and 0 <= result["top_recovered_corrected"] <= 1


def test_simulate_with_noiseless_judges_recovers_the_truth_only_when_corrected(monkeypatch):
    """Scores exactly quality + leniency: least squares undoes the leniency; the raw mean cannot."""
    monkeypatch.setattr(aggregation_math, "NOISE_SD_RANGE", (0.0, 0.0))
    result = simulate(entries=60, judges=12, per_entry=3, trials=3, seed=5, assign=expertise_assigner)

    assert (result["tau_corrected"], result["top_recovered_corrected"], result["top_overlap_corrected"]) == (1, 1, 1)
    assert result["tau_raw"] < 0.95 and result["top_overlap_raw"] < 1


def test_simulate_rejects_a_wrong_assignment():
    def short(rng, entries, judges, per_entry, entry_category):
        return np.zeros((entries, 2), dtype=int)

    with pytest.raises(ValueError, match="shape"):
        simulate(entries=4, judges=2, per_entry=2, trials=1, seed=0, assign=short)


def _design_arrays(reviews, min_reviews=3):
    entry_ids, entry_idx = np.unique([r.entry for r in reviews], return_inverse=True)
    judge_ids, judge_idx = np.unique([r.judge for r in reviews], return_inverse=True)
    return dict(
        entry_idx=entry_idx,
        judge_idx=judge_idx,
        totals=np.array([r.total for r in reviews]),
        eligible=np.bincount(judge_idx) >= min_reviews,
        n_entries=entry_ids.size,
        n_judges=judge_ids.size,
    )


def _awkward_design():
    """Two separate pools, a judge with too few reviews, a lone judge, a judge scoring one entry twice."""
    rng = np.random.default_rng(7)
    reviews = random_design(rng, n_entries=40, judge_ids=list(range(1, 9)), per_entry=3)
    reviews += random_design(rng, n_entries=15, judge_ids=[20, 21, 22], per_entry=2, entry_offset=100)
    reviews += [ReviewScore(200, 30, 6.0), ReviewScore(201, 30, 7.5), ReviewScore(202, 30, 5.0)]  # lone judge
    reviews += [ReviewScore(0, 40, 9.0), ReviewScore(1, 40, 3.0)]  # too few reviews to be corrected
    reviews += [ReviewScore(3, 1, 8.0)]  # judge 1 scores entry 3 a second time
    return reviews


@pytest.mark.parametrize("solver", ["dense", "sparse", "fallback"])
def test_bootstrap_refits_agree_with_the_reference_fit(solver):
    # The bootstrap refits reuse the design's structure; they must give `_fit`'s corrected scores.
    from judging.services import aggregation_math

    args = _design_arrays(_awkward_design())
    refitter = aggregation_math._Refitter(**args)
    if solver == "fallback":
        refitter.fallback = True
    else:
        refitter.sparse = solver == "sparse"
    rng = np.random.default_rng(3)
    n = args["n_judges"]
    weights = np.array(
        [np.ones(n), np.zeros(n)]
        + [np.bincount(rng.integers(0, n, n), minlength=n).astype(float) for _ in range(30)]
    )
    got = refitter.corrected(weights)
    for row, w in enumerate(weights):
        expected = aggregation_math._fit(judge_weight=w, **args).corrected
        np.testing.assert_array_equal(np.isnan(got[row]), np.isnan(expected))
        np.testing.assert_allclose(got[row], expected, rtol=0, atol=1e-9, equal_nan=True)
        offsets = refitter.offsets(w)
        np.testing.assert_allclose(offsets, aggregation_math._fit(judge_weight=w, **args).offsets, atol=1e-9)


def test_bootstrap_refit_falls_back_when_entries_have_very_many_judges(monkeypatch):
    from judging.services import aggregation_math

    monkeypatch.setattr(aggregation_math, "_PAIR_MAX", 10)
    reviews = _awkward_design()
    args = _design_arrays(reviews)
    assert aggregation_math._Refitter(**args).fallback
    monkeypatch.undo()
    fast = aggregate(reviews, bootstrap=20, seed=5)
    monkeypatch.setattr(aggregation_math, "_PAIR_MAX", 10)
    slow = aggregate(reviews, bootstrap=20, seed=5)
    for a, b in zip(fast[0], slow[0], strict=True):
        assert a.entry == b.entry and a.rank == b.rank
        assert a.interval == pytest.approx(b.interval, abs=1e-9)
