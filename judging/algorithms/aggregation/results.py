"""`aggregate`: review totals in, per-entry scores, intervals and ranks and per-judge offsets out.

Raw statistics (mean, median, spread, disagreement) are computed here; the bias
correction is `least_squares`, the intervals `bootstrap`, the ranks `ranking`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import calibrated as calibrated_fit
from .bootstrap import bootstrap_intervals
from .calibrated_bootstrap import bootstrap_calibrated
from .least_squares import fit
from .ranking import boundary_overlaps, competition_ranks
from .tiers import tier_flags, tier_probabilities

# The methods by name, each with its version: a round records which one computed its results, and old results keep
# theirs. "offsets" (method 1): least squares on total = quality + judge offset. "calibrated" (method 2, the default
# for new rounds): judges' scales, leniencies (per category where they have enough reviews) and precisions, with
# shrinkage and robust weights (calibrated.py says why each part is there).
OFFSETS, CALIBRATED = "offsets", "calibrated"
METHODS = {
    OFFSETS: ("least-squares judge offsets", "1"),
    CALIBRATED: (calibrated_fit.METHOD, calibrated_fit.METHOD_VERSION),
}
METHOD, METHOD_VERSION = METHODS[OFFSETS]


@dataclass(frozen=True)
class ReviewScore:
    entry: int
    judge: int
    total: float  # the review's weighted total, already computed from the criteria


@dataclass
class EntryResult:
    entry: int
    n_reviews: int
    mean: float
    median: float
    corrected: float  # bias-corrected score: mean of (total - judge offset)
    spread: float  # max - min of the raw totals
    stdev: float  # sample standard deviation of the raw totals (0 for one review)
    disagreement: bool  # stdev > disagreement_threshold
    uncorrected_judges: int  # its judges whose offset could not be estimated
    interval: tuple[float, float]  # bootstrap percentile interval for ``corrected``
    rank: int  # competition rank within its group: 1, 2, 2, 4
    tied: bool
    boundary_overlap: bool  # method 1: interval overlaps a neighbour's across a prize boundary; method 2: interval
    # crosses a cut between two tiers (every entry that could sit on the other side)
    pool: int = -1  # judge pool its corrected score is relative to; -1: no corrected judge
    tier_probabilities: tuple[float, ...] = ()  # method 2: P(each prize tier), the last "no prize"
    top_probability: float | None = None  # method 2: P(rank within the last prize boundary)


@dataclass
class JudgeResult:
    judge: int
    n_reviews: int
    offset: float  # leniency (+) / severity (-); 0 when not corrected
    corrected: bool  # False: fewer than min_reviews reviews, or alone in their pool
    pool: int = -1  # connected pool of judges; -1 when not corrected
    scale: float = 1.0  # method 2: how widely the judge uses the scale (1: as the panel's average judge)
    weight: float | None = None  # method 2: the judge's share of the information behind the scores


def aggregate(
    reviews: Sequence[ReviewScore],
    *,
    min_reviews: int = 3,
    disagreement_threshold: float = 1.5,
    bootstrap: int = 200,
    confidence: float = 0.9,
    seed: int = 0,
    groups: Mapping[int, Hashable] | None = None,
    prize_boundaries: Sequence[int] | Mapping[Hashable, Sequence[int]] = (),
    method: str = OFFSETS,
) -> tuple[list[EntryResult], list[JudgeResult]]:
    """Aggregate review totals into per-entry scores, ranks and per-judge offsets.

    ``groups`` maps every reviewed entry to its group (category); ranks, ties and
    prize boundaries are per group. Without it all entries form one group.
    ``prize_boundaries`` (e.g. ``(1, 3, 6)``) are the ranks after which a prize tier
    ends, for every group, or a mapping from group to its own boundaries. ``bootstrap``
    resamples judges (with all their reviews) that many times for
    the ``confidence`` percentile interval; with ``bootstrap=0`` the interval is the
    point estimate itself (zero width).

    Entries come back ordered by group (in order of first appearance, entries taken by
    ascending id), then rank, then id; judges by ascending id.
    """
    if min_reviews < 1:
        raise ValueError("min_reviews must be at least 1")
    if bootstrap < 0:
        raise ValueError("bootstrap must be zero or more")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    _check_boundaries(prize_boundaries)
    if not reviews:
        return [], []

    n = len(reviews)
    return aggregate_arrays(
        np.fromiter((r.entry for r in reviews), dtype=np.int64, count=n),
        np.fromiter((r.judge for r in reviews), dtype=np.int64, count=n),
        np.fromiter((r.total for r in reviews), dtype=float, count=n),
        min_reviews=min_reviews,
        disagreement_threshold=disagreement_threshold,
        bootstrap=bootstrap,
        confidence=confidence,
        seed=seed,
        groups=groups,
        prize_boundaries=prize_boundaries,
        method=method,
    )


def aggregate_arrays(
    raw_entries: np.ndarray,
    raw_judges: np.ndarray,
    totals: np.ndarray,
    *,
    min_reviews: int = 3,
    disagreement_threshold: float = 1.5,
    bootstrap: int = 200,
    confidence: float = 0.9,
    seed: int = 0,
    groups: Mapping[int, Hashable] | None = None,
    prize_boundaries: Sequence[int] | Mapping[Hashable, Sequence[int]] = (),
    method: str = OFFSETS,
) -> tuple[list[EntryResult], list[JudgeResult]]:
    """:func:`aggregate` with the reviews as three equal-length arrays (entry ids, judge
    ids, totals) instead of ``ReviewScore`` objects: the services already hold arrays."""
    if min_reviews < 1:
        raise ValueError("min_reviews must be at least 1")
    if bootstrap < 0:
        raise ValueError("bootstrap must be zero or more")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    _check_boundaries(prize_boundaries)
    raw_entries = np.asarray(raw_entries, dtype=np.int64)
    raw_judges = np.asarray(raw_judges, dtype=np.int64)
    totals = np.asarray(totals, dtype=float)
    if not (raw_entries.shape == raw_judges.shape == totals.shape) or totals.ndim != 1:
        raise ValueError("entries, judges and totals must be one-dimensional and of equal length")
    if not totals.size:
        return [], []
    if not np.isfinite(totals).all():
        raise ValueError("every review total must be a finite number")

    entry_ids, entry_idx = np.unique(raw_entries, return_inverse=True)
    judge_ids, judge_idx = np.unique(raw_judges, return_inverse=True)
    n_entries, n_judges = entry_ids.size, judge_ids.size

    # Raw per-entry statistics from the totals sorted within each entry.
    order = np.lexsort((totals, entry_idx))
    sorted_totals = totals[order]
    n_reviews = np.bincount(entry_idx, minlength=n_entries)
    start = np.cumsum(n_reviews) - n_reviews
    mean = np.bincount(entry_idx, weights=totals, minlength=n_entries) / n_reviews
    median = (sorted_totals[start + (n_reviews - 1) // 2] + sorted_totals[start + n_reviews // 2]) / 2
    spread = sorted_totals[start + n_reviews - 1] - sorted_totals[start]
    squares = np.bincount(entry_idx, weights=(totals - mean[entry_idx]) ** 2, minlength=n_entries)
    stdev = np.sqrt(np.divide(squares, n_reviews - 1, out=np.zeros(n_entries), where=n_reviews > 1))

    judge_reviews = np.bincount(judge_idx, minlength=n_judges)
    eligible = judge_reviews >= min_reviews
    fit_args = dict(
        entry_idx=entry_idx,
        judge_idx=judge_idx,
        totals=totals,
        eligible=eligible,
        n_entries=n_entries,
        n_judges=n_judges,
    )
    codes: dict[Hashable, int] = {}
    if groups is None:
        group_code = np.zeros(n_entries, dtype=np.int64)
    else:
        missing = [int(e) for e in entry_ids if int(e) not in groups]
        if missing:
            raise ValueError(f"entries without a group: {missing[:10]}")
        group_code = np.array(
            [codes.setdefault(groups[int(e)], len(codes)) for e in entry_ids], dtype=np.int64
        )
    if isinstance(prize_boundaries, Mapping):
        prize_boundaries = {code: prize_boundaries.get(group, ()) for group, code in codes.items()}

    scale, weight = np.ones(n_judges), None
    probabilities = top_probability = None
    if method == CALIBRATED:
        point_fit = calibrated_fit.fit_calibrated(
            entry_idx=entry_idx, judge_idx=judge_idx, totals=totals, n_entries=n_entries, n_judges=n_judges,
            entry_group=group_code)
        corrected, offsets, estimated = point_fit.quality, point_fit.leniency, point_fit.calibrated
        judge_component, entry_component = point_fit.judge_component, point_fit.entry_component
        scale, weight = point_fit.scale, point_fit.weight
        low, high, samples = bootstrap_calibrated(
            point=point_fit, entry_idx=entry_idx, judge_idx=judge_idx, totals=totals, n_entries=n_entries,
            n_judges=n_judges, entry_group=group_code, resamples=bootstrap, confidence=confidence, seed=seed)
        if samples.shape[0]:
            probabilities, top_probability = tier_probabilities(
                samples, group_code, prize_boundaries if isinstance(prize_boundaries, Mapping)
                else {int(code): tuple(prize_boundaries) for code in np.unique(group_code)})
    else:
        point = fit(judge_weight=np.ones(n_judges), **fit_args)
        corrected, offsets, estimated = point.corrected, point.offsets, point.estimated
        judge_component, entry_component = point.judge_component, point.entry_component
        low, high = bootstrap_intervals(fit_args=fit_args, corrected=corrected, resamples=bootstrap,
                                        confidence=confidence, seed=seed)

    pairs = np.unique(entry_idx * n_judges + judge_idx)
    pair_entry, pair_judge = pairs // n_judges, pairs % n_judges
    uncorrected_judges = np.bincount(pair_entry[~estimated[pair_judge]], minlength=n_entries)

    # Pools numbered by number of corrected judges, largest first.
    pool_labels, pool_sizes = np.unique(judge_component[estimated], return_counts=True)
    pool_number = {
        int(label): number
        for number, label in enumerate(pool_labels[np.lexsort((pool_labels, -pool_sizes))])
    }
    judge_pool = [
        pool_number[int(c)] if est else -1
        for c, est in zip(judge_component, estimated, strict=True)
    ]
    entry_pool = [pool_number.get(int(c), -1) for c in entry_component]

    # An entry no calibrated judge could place (method 2 leaves none, but keep the contract): its raw mean.
    corrected = np.where(np.isfinite(corrected), corrected, mean)
    low, high = np.where(np.isfinite(low), low, corrected), np.where(np.isfinite(high), high, corrected)
    ranks, tied = competition_ranks(corrected, groups=group_code)
    if method == CALIBRATED:
        overlap = np.zeros(n_entries, dtype=bool)
        for code in np.unique(group_code):
            members = np.flatnonzero(group_code == code)
            group_boundaries = (prize_boundaries.get(int(code), ()) if isinstance(prize_boundaries, Mapping)
                                else prize_boundaries)
            overlap[members] = tier_flags(corrected[members], low[members], high[members], ranks[members],
                                          tuple(group_boundaries))
    else:
        overlap = boundary_overlaps(group_code, ranks, low, high, prize_boundaries)

    # Python lists first: indexing numpy arrays element by element costs a tenth of a second for 10,000 entries.
    order = np.lexsort((entry_ids, ranks, group_code))
    disagreement = stdev > disagreement_threshold
    columns = zip(
        *(array[order].tolist() for array in (
            entry_ids, n_reviews, mean, median, corrected, spread, stdev, disagreement, uncorrected_judges,
            low, high, ranks, tied, overlap, np.asarray(entry_pool, dtype=np.int64),
        )),
        strict=True,
    )
    entry_results = [
        EntryResult(
            entry=e, n_reviews=n, mean=m, median=md, corrected=c, spread=sp, stdev=sd, disagreement=d,
            uncorrected_judges=u, interval=(lo_, hi_), rank=r, tied=t, boundary_overlap=o, pool=p,
        )
        for e, n, m, md, c, sp, sd, d, u, lo_, hi_, r, t, o, p in columns
    ]
    if probabilities is not None:
        ordered_probabilities = np.round(probabilities[order], 4).tolist()
        ordered_top = np.round(top_probability[order], 4).tolist()
        for result, tiers, top in zip(entry_results, ordered_probabilities, ordered_top, strict=True):
            result.tier_probabilities, result.top_probability = tuple(tiers), top
    judge_results = [
        JudgeResult(
            judge=int(judge_ids[j]),
            n_reviews=int(judge_reviews[j]),
            offset=float(offsets[j]),
            corrected=bool(estimated[j]),
            pool=judge_pool[j],
            scale=float(scale[j]),
            weight=None if weight is None else float(weight[j]),
        )
        for j in range(n_judges)
    ]
    return entry_results, judge_results


def _check_boundaries(prize_boundaries: Sequence[int] | Mapping[Hashable, Sequence[int]]) -> None:
    lists = prize_boundaries.values() if isinstance(prize_boundaries, Mapping) else [prize_boundaries]
    if any(int(b) != b or b < 1 for boundaries in lists for b in boundaries):
        raise ValueError("prize boundaries must be positive whole ranks")
