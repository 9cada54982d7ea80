"""Prize tiers, tier probabilities from bootstrap samples, and the cut-crossing flags."""

import numpy as np

from judging.algorithms.aggregation.tiers import cuts, tier_flags, tier_of_ranks, tier_probabilities


def test_ranks_fall_into_seouls_tiers():
    assert tier_of_ranks(np.array([1, 2, 3, 4, 6, 7, 50]), (1, 3, 6)).tolist() == [0, 1, 1, 2, 2, 3, 3]


def test_every_entry_whose_interval_crosses_a_cut_is_flagged_not_only_the_neighbours():
    scores = np.array([9.0, 8.0, 7.5, 7.4, 7.3, 5.0])
    ranks = np.array([1, 2, 3, 4, 5, 6])
    # One prize (rank 1 and 2 in the tier): the cut is halfway between 8.0 and 7.5.
    assert cuts(scores, ranks, (2,)) == [7.75]
    low = scores - np.array([0.1, 0.1, 0.1, 0.5, 0.1, 0.1])
    high = scores + np.array([0.1, 0.1, 0.3, 0.5, 0.1, 0.1])
    flags = tier_flags(scores, low, high, ranks, (2,))
    # Entry 3 (rank 4) is not a neighbour of the cut, but its interval reaches it.
    assert flags.tolist() == [False, False, True, True, False, False]


def test_a_tie_across_a_boundary_is_flagged():
    scores = np.array([9.0, 8.0, 8.0, 5.0])
    ranks = np.array([1, 2, 2, 4])
    flags = tier_flags(scores, scores, scores, ranks, (2,))
    assert flags.tolist() == [False, True, True, False]


def test_tier_probabilities_count_each_resamples_ranking():
    # Three entries in one group; in 3 of 4 resamples entry 0 is first, in 1 entry 1 is.
    samples = np.array([
        [3.0, 2.0, 1.0],
        [3.0, 2.0, 1.0],
        [3.0, 1.0, 2.0],
        [1.0, 3.0, 2.0],
    ])
    probability, top = tier_probabilities(samples, np.zeros(3, dtype=int), (1, 2))
    np.testing.assert_allclose(probability[0], [0.75, 0.0, 0.25])
    np.testing.assert_allclose(probability[1], [0.25, 0.5, 0.25])
    np.testing.assert_allclose(probability[2], [0.0, 0.5, 0.5])
    np.testing.assert_allclose(probability.sum(axis=1), 1.0)
    np.testing.assert_allclose(top, [0.75, 0.75, 0.5])


def test_an_entry_missing_from_a_resample_is_left_out_of_its_counts_and_groups_rank_apart():
    samples = np.array([[2.0, np.nan, 5.0, 1.0], [2.0, 1.0, 5.0, 6.0]])
    groups = np.array([0, 0, 1, 1])
    probability, _top = tier_probabilities(samples, groups, {0: (1,), 1: (1,)})
    np.testing.assert_allclose(probability[0], [1.0, 0.0])
    np.testing.assert_allclose(probability[1], [0.0, 1.0])  # only the resample where it was scored counts
    np.testing.assert_allclose(probability[2], [0.5, 0.5])
    np.testing.assert_allclose(probability[3], [0.5, 0.5])


def test_tier_probabilities_match_a_full_ranking_of_every_resample():
    # Only the first ranks are ordered (a partition): the counts are those of ranking every entry, by hand here.
    rng = np.random.default_rng(6)
    samples = rng.normal(size=(30, 50))
    samples[rng.random(samples.shape) < 0.2] = np.nan
    groups = np.arange(50) % 3
    boundaries = {0: (1, 3, 6), 1: (2,), 2: ()}
    probability, top = tier_probabilities(samples, groups, boundaries, top=4)
    expected, expected_top = np.zeros((50, 4)), np.zeros(50)
    scored = np.zeros(50)
    for row in samples:
        for code, cuts_ in boundaries.items():
            members = [i for i in np.flatnonzero(groups == code) if not np.isnan(row[i])]
            for rank, entry in enumerate(sorted(members, key=lambda i: -row[i]), start=1):
                tier = next((t for t, boundary in enumerate(cuts_) if rank <= boundary), None)
                expected[entry, 3 if tier is None else tier] += 1
                expected_top[entry] += rank <= 4
                scored[entry] += 1
    np.testing.assert_array_equal(probability, expected / scored[:, None])
    np.testing.assert_array_equal(top, expected_top / scored)
