"""A round's per-category assignment summaries, counted by every write that changes which assignments are active.

The round's page shows, per category, the panels the judges form, how many judges and assignments there are and
how many entries have enough judges. Counted at each page view they grew with the round; counted here, in the
transaction of the change and under the round's lock (which every such write holds), a page reads one small row
per category (`CategoryAssignmentSummary`). The counting itself is the selector's
(`selectors.design.category_assignment_counts`).

The writers that call it: `assignments._assignment_create` (by hand, a move, a replacement) and
`assignments.assignment_set_state` when an assignment stops being active (release, move, conflict), for the
entry's category; `assignment_runs._run_record` (the assigner) and `rounds.round_create`/`round_update` (its
categories), for the whole round. A state change between active states (the judge starts or submits) changes
nothing counted here. Bulk writers outside the services (bench and load commands) call it when they are done.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import CategoryAssignmentSummary, JudgingRound
from ..selectors.design import category_assignment_counts


def assignment_summaries_refresh(*, judging_round: JudgingRound,
                                 category_ids: Iterable[int] | None = None) -> list[CategoryAssignmentSummary]:
    """Count the round's assignments again and store the summaries: of every category of the round (and any
    other its assignments are in), or only of `category_ids`. Inside the caller's transaction, under the round's
    lock; three queries (four for the whole round)."""
    stale = CategoryAssignmentSummary.objects.filter(round=judging_round)
    if category_ids is None:
        counted = category_assignment_counts(round=judging_round)
        category_ids = set(judging_round.categories.values_list("pk", flat=True)) | set(counted)
    else:
        category_ids = set(category_ids)
        counted = category_assignment_counts(round=judging_round, category_ids=category_ids)
        stale = stale.filter(category_id__in=category_ids)
    stale.delete()
    return CategoryAssignmentSummary.objects.bulk_create([
        counted.get(category_id) or CategoryAssignmentSummary(round=judging_round, category_id=category_id)
        for category_id in sorted(category_ids)
    ])
