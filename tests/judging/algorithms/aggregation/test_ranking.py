"""Tests for competition ranking (1, 2, 2, 4) within groups and the prize-boundary flags."""

import numpy as np

from judging.algorithms.aggregation import ReviewScore, aggregate, competition_ranks


def test_ties_share_a_rank_and_the_next_rank_skips(by_entry):
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


def test_competition_ranks_share_a_rank_and_skip_the_next():
    ranks, tied = competition_ranks([7.0, 9.0, 7.0, 3.0, 9.0 + 1e-9])
    assert (ranks.tolist(), tied.tolist()) == ([3, 1, 3, 5, 1], [True, True, True, False, True])


def test_competition_ranks_per_group_and_empty():
    ranks, tied = competition_ranks([1.0, 2.0, 3.0, 2.0], groups=[0, 1, 0, 1])
    assert (ranks.tolist(), tied.tolist()) == ([2, 1, 1, 1], [False, True, False, True])
    assert [a.tolist() for a in competition_ranks([])] == [[], []]
    assert competition_ranks(np.array([5.0]))[0].tolist() == [1]
