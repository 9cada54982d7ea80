"""Reads for rounds, judges and assignments, with their joins applied; and the pair scores the assigner uses.

`pair_scores` turns the database into (entries x judges) arrays with one query per table,
never one per pair: the affinity of every pair and, per kind, which pairs are conflicted.
The assigner, the automatic replacement and the hand-made changes all read conflicts
from it, so they can never disagree about what a conflicted pair is.

Affinity scale (integers; higher is better)
-------------------------------------------
    +10  the entry's category is among the judge's expertise
     +5  the judge bid "eager"   on the entry (or, without an entry bid, on its category)
     +2  the judge bid "willing"
     -5  the judge bid "not willing"
A bid on the entry overrides a bid on its category. A bid of "conflict" (on the entry or
its category) is not a score but a conflict: the pair is never assigned. So an expert
eager judge scores 15, a non-expert unwilling one -5; the assigner maximises the total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import AuditEntry, Edition, Membership
from submissions.models import Application

from ..models import Assignment, AssignmentRun, Bid, Conflict, JudgeProfile, JudgingRound

EXPERTISE_POINTS = 10
BID_POINTS = {Bid.Level.EAGER: 5, Bid.Level.WILLING: 2, Bid.Level.NOT_WILLING: -5}

# An entry of an "all eligible entries" round passed screening; later stages (shortlists, awards) are judging's
# records, not statuses, so re-running an early round after later ones does not lose entries.
ROUND_ENTRY_STATUSES = (Application.Status.ELIGIBLE,)
ACTIVE_STATES = tuple(Assignment.ACTIVE_STATES)
STARTED_STATES = tuple(Assignment.STARTED_STATES)
ACTIVE_RUN_STATES = (AssignmentRun.State.PENDING, AssignmentRun.State.RUNNING)
FINISHED_RUN_STATES = (AssignmentRun.State.SUCCEEDED, AssignmentRun.State.INFEASIBLE, AssignmentRun.State.FAILED)
# A run queued this long that no worker took is taken as lost (the message vanished): a new run may start.
RUN_STALE_AFTER = timedelta(minutes=15)

# Why a pair is conflicted, in the order the messages list them.
CONFLICT_KINDS = {
    "member": gettext_lazy("the judge is a member of the applying organisation"),
    "affiliation": gettext_lazy("the applying organisation is among the judge's affiliations"),
    "country": gettext_lazy("the judge is from the applicant's country (this edition forbids it)"),
    "declared": gettext_lazy("the judge declared a conflict of interest"),
    "recorded": gettext_lazy("the secretariat recorded a conflict of interest"),
    "bid": gettext_lazy("the judge bid “conflict”"),
}
# The largest list of ids we pass to an SQL IN (...); above it we filter by edition instead.
_FEW = 200


# --- rounds and their entries ---------------------------------------------------------------------------


def edition_rounds(*, edition: Edition) -> QuerySet[JudgingRound]:
    return (
        JudgingRound.objects.filter(edition=edition)
        .prefetch_related("categories")
        .annotate(active_assignments=Count("assignments", filter=Q(assignments__state__in=ACTIVE_STATES)))
        .order_by("position")
    )


def round_entries(*, round: JudgingRound) -> QuerySet[Application]:  # noqa: A002 - the model's name for it
    """The applications a round judges: eligible ones in its categories, or the shortlist of the round before."""
    entries = Application.objects.filter(edition_id=round.edition_id, category__in=round.categories.all())
    if round.source == JudgingRound.Source.SHORTLIST:
        return entries.filter(shortlistings__round_id=round.previous_round_id).exclude(
            status=Application.Status.WITHDRAWN
        )
    return entries.filter(status__in=ROUND_ENTRY_STATUSES)


def round_assignments(*, round: JudgingRound) -> QuerySet[Assignment]:  # noqa: A002
    return (
        Assignment.objects.filter(round=round)
        .select_related("judge__user", "application__organisation", "application__category")
        .order_by("application_id", "judge_id", "id")  # the index assignment_entry_order: a page costs the same
    )


def round_judges(*, round: JudgingRound) -> QuerySet[JudgeProfile]:  # noqa: A002
    """The edition's judges, each with `load`: their active assignments in this round."""
    return (
        JudgeProfile.objects.filter(edition_id=round.edition_id)
        .select_related("user")
        .prefetch_related("expertise")
        .annotate(load=_count_of(Assignment.objects.filter(round=round, state__in=ACTIVE_STATES), "judge_id"))
        .order_by("-active", "user__email")
    )


def round_active_judges(*, round: JudgingRound) -> QuerySet[JudgeProfile]:  # noqa: A002
    return round_judges(round=round).filter(active=True)


def round_last_runs(*, round: JudgingRound) -> tuple[AssignmentRun | None, AssignmentRun | None]:  # noqa: A002
    """(the run under way, if any; the last finished run, if any), from one query."""
    active = finished = None
    for run in AssignmentRun.objects.filter(round=round).order_by("-created_at", "-id")[:10]:
        if active is None and finished is None and run.state in ACTIVE_RUN_STATES:
            active = run
        elif finished is None and run.state in FINISHED_RUN_STATES:
            finished = run
            break
    return active, finished


def round_has_running_assigner(*, round: JudgingRound) -> bool:  # noqa: A002
    """Whether a run of the assigner is under way and not yet taken as lost: running with a live worker (not
    stalled, see judging/models/jobs.py), or queued for less than RUN_STALE_AFTER."""
    return (AssignmentRun.objects.alive(ACTIVE_RUN_STATES).filter(round=round)
            .exclude(state=AssignmentRun.State.PENDING, queued_at__lt=timezone.now() - RUN_STALE_AFTER).exists())


def round_replacement_notes(*, round: JudgingRound, limit: int = 10) -> list[AuditEntry]:  # noqa: A002
    """Declared conflicts the automatic replacement could not fill, newest first: the secretariat must act."""
    return list(
        AuditEntry.objects.filter(
            edition_id=round.edition_id, action="assignment.replacement_unavailable", after__round=round.pk
        ).order_by("-created_at", "-id")[:limit]
    )


def judge_round_loads(*, round: JudgingRound, judge_ids: Iterable[int] | None = None) -> dict[int, int]:  # noqa: A002
    assignments = Assignment.objects.filter(round=round, state__in=ACTIVE_STATES)
    if judge_ids is not None:
        assignments = assignments.filter(judge_id__in=list(judge_ids))
    return dict(assignments.values("judge_id").annotate(n=Count("id")).values_list("judge_id", "n"))


def entry_active_judges(*, round: JudgingRound, application: Application) -> int:  # noqa: A002
    return Assignment.objects.filter(round=round, application=application, state__in=ACTIVE_STATES).count()


# --- pair scores: affinity and conflicts as arrays -------------------------------------------------------


@dataclass(frozen=True)
class EntryTable:
    """Applications as parallel arrays (rows of the pair matrices)."""

    ids: np.ndarray  # (N,) application ids, ascending
    category_ids: np.ndarray  # (N,)
    organisation_ids: np.ndarray  # (N,)
    countries: tuple[str, ...]  # (N,) the applying organisation's country code

    @classmethod
    def from_rows(cls, rows: list[tuple[int, int, int, str]]) -> EntryTable:
        rows = sorted(rows)
        return cls(
            ids=np.array([r[0] for r in rows], dtype=np.int64),
            category_ids=np.array([r[1] for r in rows], dtype=np.int64),
            organisation_ids=np.array([r[2] for r in rows], dtype=np.int64),
            countries=tuple(str(r[3] or "") for r in rows),
        )

    @classmethod
    def of(cls, applications: QuerySet[Application]) -> EntryTable:
        return cls.from_rows(list(applications.values_list("id", "category_id", "organisation_id", "organisation__country")))


@dataclass(frozen=True)
class JudgeTable:
    """Judge profiles as parallel arrays (columns of the pair matrices)."""

    ids: np.ndarray  # (M,) judge profile ids, ascending
    user_ids: np.ndarray
    countries: tuple[str, ...]
    capacity: np.ndarray
    active: np.ndarray  # bool

    @classmethod
    def of(cls, judges: QuerySet[JudgeProfile]) -> JudgeTable:
        rows = sorted(judges.values_list("id", "user_id", "country", "capacity", "active"))
        return cls(
            ids=np.array([r[0] for r in rows], dtype=np.int64),
            user_ids=np.array([r[1] for r in rows], dtype=np.int64),
            countries=tuple(str(r[2] or "") for r in rows),
            capacity=np.array([r[3] for r in rows], dtype=np.int64),
            active=np.array([r[4] for r in rows], dtype=bool),
        )


@dataclass
class PairScores:
    affinity: np.ndarray  # (N, M) int64, the scale in the module docstring
    expert: np.ndarray  # (N, M) bool: the entry's category is among the judge's expertise
    conflicts: dict[str, np.ndarray] = field(default_factory=dict)  # kind -> (N, M) bool

    @property
    def allowed(self) -> np.ndarray:
        conflicted = np.zeros(self.affinity.shape, dtype=bool)
        for matrix in self.conflicts.values():
            conflicted |= matrix
        return ~conflicted

    def reasons(self, row: int, column: int) -> list[str]:
        return [str(CONFLICT_KINDS[kind]) for kind, matrix in self.conflicts.items() if matrix[row, column]]


def _index(ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of `values` in the ascending `ids`, and a mask of those that are present at all."""
    values = np.asarray(values, dtype=np.int64)
    if ids.size == 0 or values.size == 0:
        return np.zeros(values.size, dtype=np.int64), np.zeros(values.size, dtype=bool)
    positions = np.clip(np.searchsorted(ids, values), 0, ids.size - 1)
    return positions, ids[positions] == values


def _cells(rows, first_ids: np.ndarray, second_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matrix cells of (first id, second id, ...) rows: (first positions, second positions, kept-row mask).

    Rows naming an id outside the matrix are dropped (the mask says which were kept).
    """
    rows = list(rows)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=bool)
    data = np.array([(r[0], r[1]) for r in rows], dtype=np.int64).reshape(-1, 2)
    first, first_ok = _index(first_ids, data[:, 0])
    second, second_ok = _index(second_ids, data[:, 1])
    keep = first_ok & second_ok
    return first[keep], second[keep], keep


def pair_scores(*, edition: Edition, entries: EntryTable, judges: JudgeTable) -> PairScores:
    """Affinity and conflicts for every (entry, judge) pair: five queries, whatever the size."""
    n, m = entries.ids.size, judges.ids.size
    few_entries, few_judges = n <= _FEW, m <= _FEW
    judge_scope = Q(judge_id__in=judges.ids.tolist()) if few_judges else Q(judge__edition=edition)
    entry_scope = Q(application_id__in=entries.ids.tolist()) if few_entries else Q()

    # Expertise: (M, C) over the categories that occur among the entries.
    categories, entry_category = np.unique(entries.category_ids, return_inverse=True)
    expertise_rows = JudgeProfile.expertise.through.objects.filter(
        **({"judgeprofile_id__in": judges.ids.tolist()} if few_judges else {"judgeprofile__edition": edition}),
        category_id__in=categories.tolist(),
    ).values_list("judgeprofile_id", "category_id")
    judge_expertise = np.zeros((m, categories.size), dtype=bool)
    rows, columns, _kept = _cells(expertise_rows, judges.ids, categories)
    judge_expertise[rows, columns] = True
    expert = judge_expertise[:, entry_category].T.reshape(n, m)
    affinity = np.where(expert, EXPERTISE_POINTS, 0).astype(np.int64)

    # Bids: on a category first, then the entry's own bid overrides the score.
    bid_rows = list(
        Bid.objects.filter(judge_scope)
        .filter(Q(category_id__in=categories.tolist()) | (Q(application__isnull=False) & entry_scope))
        .values_list("judge_id", "application_id", "category_id", "level")
    )
    category_bids = [row for row in bid_rows if row[1] is None]
    entry_bids = [(application_id, judge_id, level) for judge_id, application_id, _c, level in bid_rows
                  if application_id is not None]
    category_points = np.zeros((m, categories.size), dtype=np.int64)
    category_conflict = np.zeros((m, categories.size), dtype=bool)
    rows, columns, kept = _cells([(j, c) for j, _a, c, _l in category_bids], judges.ids, categories)
    levels = np.array([level for *_ids, level in category_bids], dtype=object)[kept]
    category_points[rows, columns] = _points(levels)
    category_conflict[rows, columns] = levels == Bid.Level.CONFLICT
    bid_points = category_points[:, entry_category].T.reshape(n, m).copy()
    bid_conflict = category_conflict[:, entry_category].T.reshape(n, m).copy()
    rows, columns, kept = _cells(entry_bids, entries.ids, judges.ids)
    levels = np.array([level for *_ids, level in entry_bids], dtype=object)[kept]
    bid_points[rows, columns] = _points(levels)
    bid_conflict[rows, columns] |= levels == Bid.Level.CONFLICT
    affinity += bid_points

    conflicts: dict[str, np.ndarray] = {}
    # Organisation: the judge's user is a member of it, or it is among the judge's affiliations.
    organisations, entry_organisation = np.unique(entries.organisation_ids, return_inverse=True)
    user_to_judge = {user_id: j for j, user_id in enumerate(judges.user_ids.tolist())}
    member_rows = Membership.objects.filter(
        **({"user_id__in": judges.user_ids.tolist()} if few_judges else {"user__judge_profiles__edition": edition}),
        **({"organisation_id__in": organisations.tolist()} if few_entries else {}),
    ).values_list("user_id", "organisation_id")
    affiliation_rows = JudgeProfile.affiliations.through.objects.filter(
        **({"judgeprofile_id__in": judges.ids.tolist()} if few_judges else {"judgeprofile__edition": edition}),
        **({"organisation_id__in": organisations.tolist()} if few_entries else {}),
    ).values_list("judgeprofile_id", "organisation_id")
    member_rows = [
        (int(judges.ids[j]), organisation_id)
        for user_id, organisation_id in member_rows
        if (j := user_to_judge.get(user_id)) is not None
    ]
    for kind, judge_organisation_rows in (("member", member_rows), ("affiliation", affiliation_rows)):
        by_organisation = np.zeros((m, organisations.size), dtype=bool)
        rows, columns, _kept = _cells(judge_organisation_rows, judges.ids, organisations)
        by_organisation[rows, columns] = True
        conflicts[kind] = by_organisation[:, entry_organisation].T.reshape(n, m)

    # Country: only when the edition says so, and only for judges whose country is known.
    country = np.zeros((n, m), dtype=bool)
    if edition.conflict_same_country and n and m:
        codes = {code: i for i, code in enumerate(sorted(set(entries.countries) | set(judges.countries)))}
        entry_code = np.array([codes[c] for c in entries.countries])
        judge_code = np.array([codes[c] if c else -1 for c in judges.countries])
        country = entry_code[:, None] == judge_code[None, :]
    conflicts["country"] = country

    # Conflicts on record, declared by the judge or recorded by the secretariat.
    recorded_rows = list(Conflict.objects.filter(judge_scope).filter(entry_scope).values_list(
        "application_id", "judge_id", "source"))
    for kind, source in (("declared", Conflict.Source.DECLARED), ("recorded", Conflict.Source.SECRETARIAT)):
        matrix = np.zeros((n, m), dtype=bool)
        rows, columns, _kept = _cells([(a, j) for a, j, s in recorded_rows if s == source], entries.ids, judges.ids)
        matrix[rows, columns] = True
        conflicts[kind] = matrix
    conflicts["bid"] = bid_conflict
    return PairScores(affinity=affinity, expert=expert, conflicts=conflicts)


def _points(levels: np.ndarray) -> np.ndarray:
    return np.array([BID_POINTS.get(level, 0) for level in levels], dtype=np.int64)


def pair_conflict_reasons(*, judge: JudgeProfile, application: Application) -> list[str]:
    """Every reason why `judge` may not judge `application`; [] when the pair is free."""
    scores = pair_scores(
        edition=judge.edition,
        entries=EntryTable.of(Application.objects.filter(pk=application.pk)),
        judges=JudgeTable.of(JudgeProfile.objects.filter(pk=judge.pk)),
    )
    return scores.reasons(0, 0)


def pair_affinity(*, judge: JudgeProfile, application: Application) -> tuple[int, list[str]]:
    """(affinity, conflict reasons) of one pair."""
    scores = pair_scores(
        edition=judge.edition,
        entries=EntryTable.of(Application.objects.filter(pk=application.pk)),
        judges=JudgeTable.of(JudgeProfile.objects.filter(pk=judge.pk)),
    )
    return int(scores.affinity[0, 0]), scores.reasons(0, 0)


def describe_conflict(reasons: list[str]) -> str:
    return _("Refused: this pair has a conflict of interest (%(reasons)s).") % {"reasons": "; ".join(reasons)}


def _count_of(queryset: QuerySet, key: str):
    """A correlated COUNT of `queryset`'s rows per `key` = the outer row: read for the rows shown, not a join of
    every judge's rows (two counted joins multiply each other's rows)."""
    counted = queryset.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def edition_judges(*, edition: Edition) -> QuerySet[JudgeProfile]:
    """The edition's judges for the secretariat's list: expertise, affiliations counted, active assignments."""
    return (
        JudgeProfile.objects.filter(edition=edition)
        .select_related("user")
        .prefetch_related("expertise")
        .annotate(
            affiliation_count=_count_of(JudgeProfile.affiliations.through.objects.all(), "judgeprofile_id"),
            load=_count_of(Assignment.objects.filter(state__in=ACTIVE_STATES), "judge_id"),
        )
        .order_by("-active", "user__email")
    )
