"""Tests for `aggregate`'s raw statistics and input checks: disagreement, spread, median, groups, no reviews."""

import pytest

from judging.algorithms.aggregation import ReviewScore, aggregate


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


def test_every_reviewed_entry_needs_a_group():
    with pytest.raises(ValueError, match="without a group"):
        aggregate([ReviewScore(1, 10, 5.0)], bootstrap=0, groups={2: "a"})


def test_no_reviews():
    assert aggregate([]) == ([], [])
