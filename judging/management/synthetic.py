"""Synthetic judge-assignment instances for the benchmarks and simulations beside these commands (not production)."""

from __future__ import annotations

import math

import numpy as np

from judging.algorithms.assignment import AssignmentProblem


def synthetic_problem(
    *,
    entries: int,
    judges: int,
    per_entry: int,
    categories: int = 4,
    seed: int = 0,
    same_country: bool = False,
    countries: int = 12,
) -> AssignmentProblem:
    """A realistic random instance for benchmarks and simulations (deterministic per seed).

    Each judge knows 1-2 categories; bids are eager/willing/not willing/conflict with
    small probabilities; 2% of pairs are random conflicts (same organisation, declared);
    optionally judges never see entries from their own country.
    """
    expertise_points, eager, willing, not_willing = 10, 5, 2, -5
    rng = np.random.default_rng(seed)
    entry_category = rng.integers(0, categories, size=entries)

    expertise = np.zeros((judges, categories), dtype=bool)
    expertise[np.arange(judges), rng.integers(0, categories, size=judges)] = True
    has_second = rng.random(judges) < 0.5
    second = rng.integers(0, categories, size=judges)
    expertise[np.arange(judges)[has_second], second[has_second]] = True

    affinity = np.where(expertise[:, entry_category].T, expertise_points, 0).astype(np.int64)
    bid = rng.random((entries, judges), dtype=np.float32)
    affinity += np.select(
        [bid < 0.03, bid < 0.08, bid < 0.11], [eager, willing, not_willing], default=0
    ).astype(np.int64)
    conflict_bid = (bid >= 0.11) & (bid < 0.115)
    del bid
    allowed = ~conflict_bid & (rng.random((entries, judges), dtype=np.float32) >= 0.02)
    if same_country:
        entry_country = rng.integers(0, countries, size=entries)
        judge_country = rng.integers(0, countries, size=judges)
        allowed &= entry_country[:, None] != judge_country[None, :]

    capacity = np.full(judges, math.ceil(entries * per_entry / max(judges, 1) * 1.2), dtype=np.int64)
    return AssignmentProblem(
        per_entry=per_entry,
        capacity=capacity,
        affinity=affinity,
        allowed=allowed,
        entry_group=entry_category,
        group_names=tuple(f"category {c + 1}" for c in range(categories)),
    )
