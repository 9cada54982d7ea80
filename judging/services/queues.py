"""A judge's queue: the fixed order in which they meet their entries of a round.

Positions are written when assignments are made (the assigner's run, a manual addition or move, a
replacement), by the services that make them, so reading the queue never writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import transaction

from ..models import Assignment, CalibrationEntry, JudgeProfile, JudgingRound


def queue_key(*, round_id: int, judge_id: int, application_id: int) -> str:
    """A judge's own random but fixed rank for an entry: a hash of (round, judge, entry).

    Each entry's place depends only on those three ids, so an entry added later (a replacement) slots in
    without reshuffling the rest, and two judges read the same entries in unrelated orders.
    """
    return hashlib.sha256(f"{round_id}:{judge_id}:{application_id}".encode()).hexdigest()


@transaction.atomic
def queue_order_ensure(*, judge: JudgeProfile, judging_round: JudgingRound) -> int:
    """Give the judge's active assignments in the round their queue positions, calibration entries first.

    Positions start at 1; 0 means "not placed yet" (assignments are created with 0 and placed right after). One query when
    every assignment is placed already; returns how many positions changed.
    """
    active = Assignment.objects.filter(round=judging_round, judge=judge, state__in=Assignment.ACTIVE_STATES)
    if not active.filter(queue_position=0).exists():
        return 0
    assignments = list(active.select_for_update().only("id", "application_id", "queue_position"))
    calibration = set(
        CalibrationEntry.objects.filter(round=judging_round).values_list("application_id", flat=True)
    )
    ordered = sorted(
        assignments,
        key=lambda a: (a.application_id not in calibration,
                       queue_key(round_id=judging_round.pk, judge_id=judge.pk, application_id=a.application_id)),
    )
    changed = []
    for position, assignment in enumerate(ordered, start=1):
        if assignment.queue_position != position:
            assignment.queue_position = position
            changed.append(assignment)
    Assignment.objects.bulk_update(changed, ["queue_position"])
    return len(changed)


def queues_place(*, judging_round: JudgingRound, judge_ids: Iterable[int]) -> int:
    """Place the new assignments of these judges in their queues (see `queue_order_ensure`)."""
    judges = JudgeProfile.objects.filter(pk__in=set(judge_ids))
    return sum(queue_order_ensure(judge=judge, judging_round=judging_round) for judge in judges)
