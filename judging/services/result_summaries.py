"""A round's per-category summaries, written with its results (aggregation.round_aggregate, same transaction).

The leaderboard shows three figures of a whole category: how many entries it lists, how many assigned entries
have no result, and the score charts' bins. Counted at each page view they grew with the category; counted here
once per computation, a page reads one small row per category (`CategoryResultSummary`).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..algorithms.histogram import bin_counts
from ..models import Assignment, CategoryResultSummary, JudgingRound


def result_summaries_replace(*, judging_round: JudgingRound,
                             results: Iterable[tuple[int, int, float, float]]) -> list[CategoryResultSummary]:
    """Replace the round's summaries from its new results, (application id, category id, corrected, mean) each.

    Every category of the round gets a row (an empty one too, so that the page never counts); entries "without
    results" are those with an active assignment in the round and no result in this computation. Runs inside the
    caller's transaction, after the results are written.
    """
    by_category: dict[int, list[tuple[float, float]]] = {}
    with_result: set[int] = set()
    for application_id, category_id, corrected, mean in results:
        by_category.setdefault(category_id, []).append((corrected, mean))
        with_result.add(application_id)
    without: dict[int, int] = {}
    for application_id, category_id in (
        Assignment.objects.filter(round=judging_round, state__in=Assignment.ACTIVE_STATES).order_by()
        .values_list("application_id", "application__category_id").distinct()
    ):
        if application_id not in with_result:
            without[category_id] = without.get(category_id, 0) + 1
    category_ids = set(judging_round.categories.values_list("pk", flat=True)) | set(by_category) | set(without)
    rows = []
    for category_id in sorted(category_ids):
        scores = by_category.get(category_id, [])
        rows.append(CategoryResultSummary(
            round=judging_round, category_id=category_id, entries=len(scores),
            without_results=without.get(category_id, 0),
            corrected_bins=bin_counts(corrected for corrected, _mean in scores),
            raw_bins=bin_counts(mean for _corrected, mean in scores),
        ))
    CategoryResultSummary.objects.filter(round=judging_round).delete()
    return CategoryResultSummary.objects.bulk_create(rows)
