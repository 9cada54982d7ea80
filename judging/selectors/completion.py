"""Review completion for the cockpit and the dashboard: per round, per judge, and who is late.

Every function reads in a fixed number of queries (one or two), whatever the number of rounds,
judges and assignments: counts are aggregated by the database, not by walking assignments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from portal.models import Edition

from ..models import Assignment, JudgingRound

State = Assignment.State
OPEN_STATES = Assignment.OPEN_STATES


def late_from(judging_round: JudgingRound) -> datetime:
    """When a judge with open reviews counts as late: the round's first reminder point, or its deadline."""
    hours = [h for h in (judging_round.reminder_hours or []) if isinstance(h, int) and h > 0]
    return judging_round.deadline - timedelta(hours=max(hours)) if hours else judging_round.deadline


@dataclass
class JudgeCompletion:
    judge_id: int
    name: str
    email: str
    assigned: int
    done: int
    late: bool = False

    @property
    def open(self) -> int:
        return self.assigned - self.done


@dataclass
class RoundCompletion:
    round: JudgingRound
    judges: list[JudgeCompletion] = field(default_factory=list)
    late_from: datetime | None = None
    deadline_text: str = ""

    @property
    def assigned(self) -> int:
        return sum(judge.assigned for judge in self.judges)

    @property
    def done(self) -> int:
        return sum(judge.done for judge in self.judges)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0

    @property
    def late_judges(self) -> list[JudgeCompletion]:
        return [judge for judge in self.judges if judge.late]

    @property
    def can_remind(self) -> bool:
        return self.round.state == JudgingRound.State.OPEN and any(judge.open for judge in self.judges)


def edition_completion(*, edition: Edition, judge_user=None, now: datetime | None = None) -> list[RoundCompletion]:
    """Each round of the edition with each judge's done/assigned (active assignments), in two queries.

    With `judge_user`, only that person's own line in each round (a judge sees their own part only).
    A judge with open reviews is late in an open round once its first reminder point (or deadline) has passed.
    """
    now = now or timezone.now()
    rounds = list(JudgingRound.objects.filter(edition=edition).order_by("position"))
    by_round = {judging_round.pk: RoundCompletion(judging_round, late_from=late_from(judging_round))
                for judging_round in rounds}
    for judging_round in rounds:
        judging_round.edition = edition
    counts = (
        Assignment.objects.filter(round__edition=edition, state__in=Assignment.ACTIVE_STATES)
        .values("round_id", "judge_id", "judge__user__name", "judge__user__email")
        .annotate(assigned=Count("id"), done=Count("id", filter=Q(state=State.SUBMITTED)))
        .order_by("round_id", "judge__user__name", "judge__user__email", "judge_id")
    )
    if judge_user is not None:
        counts = counts.filter(judge__user=judge_user)
    for row in counts:
        completion = by_round[row["round_id"]]
        judging_round = completion.round
        late = (judging_round.state == JudgingRound.State.OPEN and row["done"] < row["assigned"]
                and now >= completion.late_from)
        completion.judges.append(JudgeCompletion(row["judge_id"], row["judge__user__name"],
                                                 row["judge__user__email"], row["assigned"], row["done"], late))
    completions = [by_round[judging_round.pk] for judging_round in rounds]
    if judge_user is not None:
        completions = [completion for completion in completions if completion.judges]
    return completions


@dataclass
class QueueSummary:
    round_id: int
    round_name: str
    round_state: str
    deadline: datetime
    edition_slug: str
    edition_name: str
    time_zone: str
    to_do: int
    draft: int
    done: int
    deadline_text: str = ""

    @property
    def edition(self) -> Edition:
        """An unsaved stand-in with the name and zone the formatting of deadlines needs (no query)."""
        return Edition(slug=self.edition_slug, name=self.edition_name, time_zone=self.time_zone)

    @property
    def total(self) -> int:
        return self.to_do + self.draft + self.done


def user_queues(*, user) -> list[QueueSummary]:
    """Every round in which the user has active assignments, in any edition, with counts: one query."""
    rows = (
        Assignment.objects.filter(judge__user=user, state__in=Assignment.ACTIVE_STATES)
        .values("round_id", "round__name", "round__state", "round__deadline", "round__edition__slug",
                "round__edition__name", "round__edition__time_zone")
        .annotate(
            to_do=Count("id", filter=Q(state=State.ASSIGNED)),
            draft=Count("id", filter=Q(state=State.IN_PROGRESS)),
            done=Count("id", filter=Q(state=State.SUBMITTED)),
        )
        .order_by("-round__deadline", "round_id")
    )
    return [
        QueueSummary(row["round_id"], row["round__name"], row["round__state"], row["round__deadline"],
                     row["round__edition__slug"], row["round__edition__name"], row["round__edition__time_zone"],
                     row["to_do"], row["draft"], row["done"])
        for row in rows
    ]
