"""Prize tiers from ranks, each entry's probability of each tier from the bootstrap, and the boundary flags.

Tiers are given as boundaries (Seoul: ``(1, 3, 6)``: gold is rank 1, silver ranks 2-3, bronze 4-6; the last tier
index, ``len(boundaries)``, is "no prize"). The flag replaces method 1's neighbours-only check: an entry is
flagged when its interval crosses a cut, the point halfway between the last entry inside a tier and the first
outside it, so every entry that could plausibly sit on the other side is marked, not only the two neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def tier_of_ranks(ranks: np.ndarray, boundaries: Sequence[int]) -> np.ndarray:
    """The tier index of each rank: 0 for rank <= boundaries[0], ..., len(boundaries) for no prize."""
    return np.searchsorted(np.asarray(boundaries, dtype=np.int64), np.asarray(ranks), side="left")


def cuts(scores: np.ndarray, ranks: np.ndarray, boundaries: Sequence[int]) -> list[float]:
    """For each boundary with entries on both sides, the score halfway between the last inside and the first outside."""
    found = []
    for boundary in boundaries:
        inside, outside = scores[ranks <= boundary], scores[ranks > boundary]
        if inside.size and outside.size:
            found.append((float(inside.min()) + float(outside.max())) / 2)
    return found


def tier_flags(scores: np.ndarray, low: np.ndarray, high: np.ndarray, ranks: np.ndarray,
               boundaries: Sequence[int]) -> np.ndarray:
    """Entries (of one group) whose interval crosses a cut between two tiers, or that are tied across one."""
    flagged = np.zeros(scores.size, dtype=bool)
    for cut in cuts(scores, ranks, boundaries):
        flagged |= (low <= cut) & (cut <= high)
    for boundary in boundaries:
        # A tie straddling the boundary (more entries at rank <= b than b): the ranking cannot say who is in.
        inside = ranks <= boundary
        if inside.sum() > boundary:
            flagged |= ranks == ranks[inside].max()
    return flagged


def tier_probabilities(samples: np.ndarray, group_code: np.ndarray, boundaries: dict[int, Sequence[int]] | Sequence[int],
                       *, top: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """From bootstrap samples (resamples x entries; NaN where an entry was not scored in a resample): each entry's
    probability of each tier (entries x (tiers + 1), the last column "no prize") and of a rank within ``top``
    (default: the last boundary). Entries of a group are ranked against each other in every resample."""
    resamples, n_entries = samples.shape
    per_group = isinstance(boundaries, dict)
    most = max((len(b) for b in boundaries.values()), default=0) if per_group else len(boundaries)
    probability = np.zeros((n_entries, most + 1))
    in_top = np.zeros(n_entries)
    if not resamples:
        return probability, in_top
    for code in np.unique(group_code):
        group_boundaries = tuple(boundaries.get(int(code), ())) if per_group else tuple(boundaries)
        members = np.flatnonzero(group_code == code)
        block = samples[:, members]
        valid = ~np.isnan(block)
        counts = valid.sum(axis=0)
        limit = top if top is not None else (group_boundaries[-1] if group_boundaries else 0)
        # Only the first ranks of each resample decide anything (Seoul: 6 of hundreds), so only they are found and
        # ordered (a partition, then a sort of those few), not every entry ranked: the same counts, a tenth of the
        # time, and none where the group has no prizes. Unscored entries come last; equal scores, which
        # continuous fits almost never give, get distinct ranks in either order.
        reach = min(max(limit, group_boundaries[-1] if group_boundaries else 0), members.size)
        prized = np.zeros(members.size, dtype=np.int64)
        in_tier = {tier: np.zeros(members.size, dtype=np.int64) for tier in range(len(group_boundaries))}
        first = np.zeros(members.size, dtype=np.int64)
        if reach:
            lowered = np.where(valid, -block, np.inf)
            best = np.argpartition(lowered, reach - 1, axis=1)[:, :reach]
            best = np.take_along_axis(best, np.argsort(np.take_along_axis(lowered, best, axis=1), axis=1), axis=1)
            scored = np.take_along_axis(valid, best, axis=1)  # resamples x ranks 1..reach: an entry, if scored
            rank = np.arange(1, reach + 1)
            rank_tier = tier_of_ranks(rank, group_boundaries)
            for tier in range(len(group_boundaries)):
                at = rank_tier == tier
                in_tier[tier] = np.bincount(best[:, at][scored[:, at]], minlength=members.size)
                prized += in_tier[tier]
            at = rank <= limit
            first = np.bincount(best[:, at][scored[:, at]], minlength=members.size)
        for tier in range(len(group_boundaries) + 1):
            column = tier if tier < len(group_boundaries) else most
            hits = in_tier[tier] if tier < len(group_boundaries) else counts - prized
            probability[members, column] = np.where(counts > 0, hits / np.maximum(counts, 1), 0)
        in_top[members] = np.where(counts > 0, first / np.maximum(counts, 1), 0)
    return probability, in_top
