"""Competition ranking ("1, 2, 2, 4") within groups, and the entries whose interval straddles a prize boundary.

`competition_ranks` is the one implementation: the aggregation ranks each category with it,
the leaderboard's peer bands rank their rows with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

# Corrected scores equal after rounding to this many decimals share a rank.
RANK_DECIMALS = 6


def competition_ranks(scores: Sequence[float] | np.ndarray, *, groups: Sequence[int] | np.ndarray | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Competition ranks (1, 2, 2, 4) and who is tied, in the order of ``scores``.

    Rank 1 = highest score within each group (``groups``: an integer code per score; all one group
    without it); scores equal after rounding to RANK_DECIMALS decimals share a rank.
    """
    scores = np.asarray(scores, dtype=float)
    group_code = np.zeros(scores.size, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    key = np.round(scores, RANK_DECIMALS)
    order = np.lexsort((-key, group_code))
    g, s = group_code[order], key[order]
    n = order.size
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = g[1:] != g[:-1]
    new_value = new_group.copy()
    new_value[1:] |= s[1:] != s[:-1]
    position = np.arange(n)
    group_start = np.maximum.accumulate(np.where(new_group, position, 0))
    run_start = np.maximum.accumulate(np.where(new_value, position, 0))
    rank_sorted = run_start - group_start + 1
    run_id = np.cumsum(new_value) - 1
    tied_sorted = np.bincount(run_id)[run_id] > 1
    ranks = np.empty(n, dtype=np.int64)
    tied = np.empty(n, dtype=bool)
    ranks[order], tied[order] = rank_sorted, tied_sorted
    return ranks, tied


def boundary_overlaps(
    group_code: np.ndarray,
    ranks: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    boundaries: Sequence[int] | Mapping[int, Sequence[int]],
) -> np.ndarray:
    """Flag entries whose interval overlaps a neighbour's across a prize boundary.

    ``boundaries`` apply to every group, or (a mapping from group code) each group has its own.

    For a boundary b, the tier holds ranks <= b. The last entries inside (those with
    the largest rank <= b) and the first outside (the smallest rank > b) are compared
    pairwise; overlapping intervals flag both. A tie that straddles the boundary (more
    than b entries with rank <= b) flags the tied entries themselves: the ranking
    cannot say which of them is in the tier.
    """
    flagged = np.zeros(ranks.size, dtype=bool)
    if not boundaries:
        return flagged
    for code in np.unique(group_code):
        group_boundaries = boundaries.get(int(code), ()) if isinstance(boundaries, Mapping) else boundaries
        members = np.flatnonzero(group_code == code)
        members = members[np.argsort(ranks[members], kind="stable")]
        member_ranks = ranks[members]
        for b in group_boundaries:
            inside = int(np.searchsorted(member_ranks, b, side="right"))
            if inside == 0 or inside == members.size:
                continue
            last = members[member_ranks == member_ranks[inside - 1]]
            first = members[member_ranks == member_ranks[inside]]
            if inside > b and last.size > 1:
                flagged[last] = True
            overlap = (low[last][:, None] <= high[first][None, :]) & (
                low[first][None, :] <= high[last][:, None]
            )
            flagged[last[overlap.any(axis=1)]] = True
            flagged[first[overlap.any(axis=0)]] = True
    return flagged
