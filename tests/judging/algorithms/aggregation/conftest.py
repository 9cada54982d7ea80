"""Builders for the aggregation tests: random designs with a known truth, results keyed by entry."""

import pytest

from judging.algorithms.aggregation import EntryResult, ReviewScore


def _by_entry(results: list[EntryResult]) -> dict[int, EntryResult]:
    return {r.entry: r for r in results}


def _random_design(rng, *, n_entries, judge_ids, per_entry, entry_offset=0):
    """Reviews with true quality + leniency + noise, each entry seen by distinct judges."""
    quality = rng.normal(6, 1, n_entries)
    leniency = {j: rng.normal(0, 1) for j in judge_ids}
    reviews = []
    for i in range(n_entries):
        for j in rng.choice(judge_ids, per_entry, replace=False):
            total = quality[i] + leniency[int(j)] + rng.normal(0, 0.5)
            reviews.append(ReviewScore(entry_offset + i, int(j), float(total)))
    return reviews


@pytest.fixture
def by_entry():
    """by_entry(results) -> {entry id: EntryResult}."""
    return _by_entry


@pytest.fixture
def random_design():
    """random_design(rng, *, n_entries, judge_ids, per_entry, entry_offset=0) -> reviews: quality + leniency + noise."""
    return _random_design
