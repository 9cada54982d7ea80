"""Tests for the least-squares fit: hand-computed offsets, a dense reference solve, pools, uncorrected judges."""

import numpy as np
import pytest

from judging.algorithms.aggregation import JudgeResult, ReviewScore, aggregate

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


def by_judge(results: list[JudgeResult]) -> dict[int, JudgeResult]:
    return {r.judge: r for r in results}


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


def test_hand_computed_cycle(by_entry):
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


def test_matches_dense_constrained_least_squares(random_design):
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


def test_judge_with_too_few_reviews_is_not_corrected(by_entry):
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


def test_disconnected_pools_are_centred_separately(by_entry):
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
