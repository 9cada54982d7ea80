"""Rounds, the assigner and every change to an assignment. One function per state change.

The assigner
------------
`round_problem(round)` reads the round from the database (one query per table) into the
pure solver's `AssignmentProblem`; `round_assign(run=...)` solves it and, in one
transaction under a lock on the round row, replaces the round's assignments that nobody
has started with the solution. What the solver must keep (fixed pairs):

* reviews already started (state in progress or submitted, or a review row exists);
* assignments made by hand (source manual) that are still not conflicted;
* calibration pairs: every active judge with expertise in a calibration entry's category
  who is not conflicted with it.

A pair the secretariat released is not offered to the solver again (it may be re-added by
hand). An entry with more fixed judges than the round wants (a calibration entry scored by the
whole category, or a judge added by hand on top of k) is complete: its pairs are kept
outside the flow and use up the judges' capacity. Capacity applies per round.

Re-running with unchanged input leaves the same set: the solver is deterministic, rows of
unchanged pairs are not touched (their ids and `notified_at` survive), and only rows
that nobody started are ever deleted. A run that finds its inputs changed between the
solve and the write solves again under the lock.

Assignment states move only here, through `_assignment_set_state`, which checks the move
against `ASSIGNMENT_TRANSITIONS` and writes its audit entry: `assignment_start` and
`assignment_submit` (called by scoring when the judge saves a first draft and submits),
`assignment_declare_conflict`, `assignment_release`, `assignment_move` (releases the old
row) and the replacement; rounds move scheduled → assigning (`round_start_assigning`) →
open (`round_open`). Closing a round (`round_close`) lives with aggregation for now.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.models import Edition, User
from portal.services import audit_log, snapshot
from submissions.models import Application

from ..models import Assignment, AssignmentRun, Conflict, JudgeProfile, JudgingRound, ReminderSent
from ..selectors.assignment import (
    ACTIVE_RUN_STATES,
    ACTIVE_STATES,
    FINISHED_RUN_STATES,
    STARTED_STATES,
    EntryTable,
    JudgeTable,
    describe_conflict,
    entry_active_judges,
    judge_round_loads,
    pair_scores,
    round_entries,
)
from ..selectors.scoring import entry_title
from ..algorithms.assignment import AssignmentProblem, AssignmentSolution, check_solution, solve_assignment

logger = logging.getLogger(__name__)

State = Assignment.State
RoundState = JudgingRound.State
RunState = AssignmentRun.State

# Rounds whose assignments may still change; closed and scored rounds are history.
CHANGEABLE_ROUND_STATES = (RoundState.SCHEDULED, RoundState.ASSIGNING, RoundState.OPEN)
# A run nobody has reported on for this long is taken as lost (the message vanished): a new run may start.
RUN_STALE_AFTER = timedelta(minutes=15)
# How often the assigner re-solves when its inputs change between the solve and the write.
_SOLVE_ATTEMPTS = 3
# How many judges' e-mails go out over one SMTP connection.
MAIL_BATCH = 50

# The solver's progress messages, as message ids the page translates when it shows them.
_SOLVER_MESSAGES = {
    "building flow network": gettext_noop("Building the flow network"),
    "solving with balanced loads": gettext_noop("Solving with balanced loads"),
    "solving with capacity loads": gettext_noop("Solving with capacity limits only"),
    "measuring shortfall": gettext_noop("Measuring which categories lack judges"),
    "computing the dual bound": gettext_noop("Proving the upper bound"),
    "done": gettext_noop("Solved"),
    "done: infeasible": gettext_noop("No feasible assignment"),
}
MESSAGE_READING = gettext_noop("Reading the round")
MESSAGE_SAVING = gettext_noop("Saving the assignment")
MESSAGE_DONE = gettext_noop("Done")
MESSAGE_INFEASIBLE = gettext_noop("No feasible assignment: some categories lack judges")
MESSAGE_FAILED = gettext_noop("Failed")
MESSAGE_WAITING = gettext_noop("Waiting for a worker")


def _lock_round(round_id: int) -> JudgingRound:
    """Every write to a round's assignments holds this row lock, so they happen one after another."""
    return JudgingRound.objects.select_for_update(of=("self",)).select_related("edition").get(pk=round_id)


def _ensure_changeable(judging_round: JudgingRound) -> None:
    if judging_round.state not in CHANGEABLE_ROUND_STATES:
        raise ValidationError(
            _("The round “%(round)s” is %(state)s: its assignments no longer change.")
            % {"round": judging_round.name, "state": judging_round.get_state_display().lower()},
            code="round_closed",
        )


def _assignment_snapshot(assignment: Assignment) -> dict:
    return {
        "round": assignment.round_id,
        "judge": assignment.judge_id,
        "judge_email": assignment.judge.user.email,
        "application": assignment.application_id,
        "state": assignment.state,
        "source": assignment.source,
        "affinity": assignment.affinity,
    }


# --- rounds ---------------------------------------------------------------------------------------------

ROUND_FIELDS = ("name", "position", "source", "previous_round", "judges_per_entry", "deadline", "blind",
                "reminder_hours")


def _check_round_categories(judging_round: JudgingRound, categories: Iterable) -> list:
    categories = list(categories)
    if not categories:
        raise ValidationError({"categories": _("A round covers at least one category.")})
    if any(category.edition_id != judging_round.edition_id for category in categories):
        raise ValidationError({"categories": _("A round covers categories of its own edition only.")})
    return categories


@transaction.atomic
def round_create(*, edition: Edition, user: User | None, name: str, categories: Iterable, deadline: datetime,
                 position: int = 1, source: str = JudgingRound.Source.ELIGIBLE,
                 previous_round: JudgingRound | None = None, judges_per_entry: int = 3, blind: bool = False,
                 reminder_hours: list[int] | None = None) -> JudgingRound:
    judging_round = JudgingRound(
        edition=edition, name=name.strip(), position=position, source=source, previous_round=previous_round,
        judges_per_entry=judges_per_entry, deadline=deadline, blind=blind, reminder_hours=reminder_hours or [],
    )
    categories = _check_round_categories(judging_round, categories)
    judging_round.full_clean()
    judging_round.save()
    judging_round.categories.set(categories)
    audit_log(actor=user, action="round.create", target=judging_round, edition=edition,
              after={**snapshot(judging_round), "categories": sorted(c.pk for c in categories)})
    return judging_round


@transaction.atomic
def round_update(*, round: JudgingRound, user: User | None, data: dict) -> JudgingRound:  # noqa: A002
    """Change a round's settings (not its state). `data` holds any of ROUND_FIELDS and `categories`.

    Only while the round can still change (scheduled, assigning, open: a deadline may move while judges
    score); a closed round's settings are those its results were computed under.
    """
    judging_round = _lock_round(round.pk)
    if judging_round.state not in CHANGEABLE_ROUND_STATES:
        raise ValidationError(
            _("The round “%(round)s” is %(state)s: its settings no longer change.")
            % {"round": judging_round.name, "state": judging_round.get_state_display().lower()},
            code="round_closed",
        )
    before = {**snapshot(judging_round), "categories": sorted(judging_round.categories.values_list("pk", flat=True))}
    for name in ROUND_FIELDS:
        if name in data:
            setattr(judging_round, name, data[name])
    judging_round.full_clean()
    judging_round.save()
    if "categories" in data:
        judging_round.categories.set(_check_round_categories(judging_round, data["categories"]))
    after = {**snapshot(judging_round), "categories": sorted(judging_round.categories.values_list("pk", flat=True))}
    if after != before:
        audit_log(actor=user, action="round.update", target=judging_round, edition_id=judging_round.edition_id,
                  before=before, after=after)
    return judging_round


def _round_move(judging_round: JudgingRound, to: str, *, user: User | None) -> JudgingRound:
    before = judging_round.state
    judging_round.state = to
    judging_round.save(update_fields=["state"])
    audit_log(actor=user, action=f"round.{to}", target=judging_round, edition_id=judging_round.edition_id,
              before={"state": before}, after={"state": to})
    return judging_round


@transaction.atomic
def round_start_assigning(*, round: JudgingRound, user: User | None) -> JudgingRound:  # noqa: A002
    """scheduled → assigning. A round already assigning or open stays as it is."""
    judging_round = _lock_round(round.pk)
    _ensure_changeable(judging_round)
    if judging_round.state == RoundState.SCHEDULED:
        _round_move(judging_round, RoundState.ASSIGNING, user=user)
    return judging_round


@transaction.atomic
def round_open(*, round: JudgingRound, user: User | None) -> JudgingRound:  # noqa: A002
    """assigning → open: judges may score, and each is e-mailed the entries they have."""
    from ..tasks.assignment import notify_judges

    judging_round = _lock_round(round.pk)
    if judging_round.state != RoundState.ASSIGNING:
        raise ValidationError(_("Only a round being assigned can be opened for scoring."), code="state")
    if AssignmentRun.objects.filter(round=judging_round, state__in=ACTIVE_RUN_STATES,
                                    created_at__gte=timezone.now() - RUN_STALE_AFTER).exists():
        raise ValidationError(_("Wait until the assigner has finished."), code="running")
    if not Assignment.objects.filter(round=judging_round, state__in=ACTIVE_STATES).exists():
        raise ValidationError(_("Nobody is assigned yet: run the assigner first."), code="empty")
    _round_move(judging_round, RoundState.OPEN, user=user)
    transaction.on_commit(lambda: notify_judges.apply_async(kwargs={"round_id": judging_round.pk}))
    return judging_round


# --- the solver's problem, from the database -------------------------------------------------------------


@dataclass(frozen=True)
class RoundProblem:
    """A round as the solver sees it, plus what maps the solution back to rows."""

    round_id: int
    problem: AssignmentProblem  # the entries that still need the flow, and the judges as columns
    entry_ids: np.ndarray  # (N,) application id of each problem row
    judge_ids: np.ndarray  # (M,) judge profile id of each problem column
    active_judges: np.ndarray  # (M,) bool; an inactive judge is a column only to keep their started reviews
    outside_pairs: np.ndarray  # (P, 2) (application id, judge id) of complete entries, kept without the flow
    outside_affinity: np.ndarray  # (P,)
    outside_load: np.ndarray  # (M,)
    calibration: frozenset[tuple[int, int]]  # (application id, judge id)
    started: int  # started reviews kept
    conflicted_started: tuple[int, ...]  # ids of started assignments that are now conflicted: cannot be kept
    entries: int  # all the round's entries, complete ones included
    fingerprint: str


def round_problem(round: JudgingRound) -> RoundProblem:  # noqa: A002
    """Build the round's assignment problem: about a dozen queries, whatever the number of entries and judges."""
    judging_round = round
    edition = judging_round.edition
    k = judging_round.judges_per_entry
    categories = list(judging_round.categories.order_by("position", "name", "pk").values_list("pk", "name"))
    entries = EntryTable.of(round_entries(round=judging_round))
    everyone = JudgeTable.of(JudgeProfile.objects.filter(edition_id=judging_round.edition_id))
    active_rows = list(
        Assignment.objects.filter(round=judging_round, state__in=ACTIVE_STATES).values_list(
            "pk", "application_id", "judge_id", "state", "source", "review__id"
        )
    )
    released_rows = list(
        Assignment.objects.filter(round=judging_round, state=State.RELEASED).values_list(
            "pk", "application_id", "judge_id")
    )
    calibration_ids = np.array(
        sorted(judging_round.calibration_entries.values_list("application_id", flat=True)), dtype=np.int64
    )

    started_rows = [r for r in active_rows if r[3] in STARTED_STATES or r[5] is not None]
    started_ids = {r[0] for r in started_rows}
    manual_rows = [r for r in active_rows if r[4] == Assignment.Source.MANUAL and r[0] not in started_ids]
    # Columns: the active judges, and inactive ones only as holders of reviews they started.
    started_judges = np.array(sorted({r[2] for r in started_rows}), dtype=np.int64)
    columns = everyone.active | np.isin(everyone.ids, started_judges)
    judges = JudgeTable(
        ids=everyone.ids[columns], user_ids=everyone.user_ids[columns],
        countries=tuple(c for c, keep in zip(everyone.countries, columns, strict=True) if keep),
        capacity=everyone.capacity[columns], active=everyone.active[columns],
    )
    n, m = entries.ids.size, judges.ids.size
    scores = pair_scores(edition=edition, entries=entries, judges=judges)
    allowed = scores.allowed

    def cells(rows: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matrix positions of assignment rows whose entry and judge are in the problem."""
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=np.int64)
        data = np.array([(r[1], r[2], r[0]) for r in rows], dtype=np.int64)
        row = np.clip(np.searchsorted(entries.ids, data[:, 0]), 0, max(n - 1, 0))
        column = np.clip(np.searchsorted(judges.ids, data[:, 1]), 0, max(m - 1, 0))
        inside = (entries.ids[row] == data[:, 0]) & (judges.ids[column] == data[:, 1]) if n and m else row < 0
        return row[inside], column[inside], data[inside, 2]

    # A pair the secretariat released is not given back by the assigner (only by hand).
    released = np.zeros((n, m), dtype=bool)
    released_row, released_column, _ids = cells(released_rows)
    released[released_row, released_column] = True

    fixed = np.zeros((n, m), dtype=bool)
    started_row, started_column, started_ids = cells(started_rows)
    still_allowed = allowed[started_row, started_column]
    conflicted_started = tuple(sorted(started_ids[~still_allowed].tolist()))
    fixed[started_row[still_allowed], started_column[still_allowed]] = True
    manual_row, manual_column, _ids = cells(manual_rows)
    keep_manual = allowed[manual_row, manual_column] & judges.active[manual_column]
    fixed[manual_row[keep_manual], manual_column[keep_manual]] = True
    calibration_rows = np.flatnonzero(np.isin(entries.ids, calibration_ids))
    calibration_cells = (scores.expert[calibration_rows] & allowed[calibration_rows] & ~released[calibration_rows]
                         & judges.active[None, :])
    fixed[calibration_rows] |= calibration_cells
    calibration_row, calibration_column = np.nonzero(calibration_cells)
    calibration = frozenset(
        zip(entries.ids[calibration_rows[calibration_row]].tolist(), judges.ids[calibration_column].tolist(),
            strict=True)
    )

    # Entries with more fixed judges than k are complete: kept as they are, outside the flow.
    complete = fixed.sum(axis=1) > k
    outside_row, outside_column = np.nonzero(fixed & complete[:, None])
    outside_pairs = np.column_stack([entries.ids[outside_row], judges.ids[outside_column]]).astype(np.int64)
    outside_affinity = scores.affinity[outside_row, outside_column].astype(np.int64)
    outside_load = np.bincount(outside_column, minlength=m).astype(np.int64)

    flow_rows = np.flatnonzero(~complete)
    flow_fixed = fixed[flow_rows]
    fixed_row, fixed_column = np.nonzero(flow_fixed)
    fixed_load = np.bincount(fixed_column, minlength=m).astype(np.int64)
    # Started reviews are kept even when the judge's capacity has since been lowered below them.
    capacity = np.where(judges.active, judges.capacity, 0) - outside_load
    capacity = np.maximum(np.maximum(capacity, 0), fixed_load)
    affinity = scores.affinity[flow_rows] if complete.any() else scores.affinity
    flow_allowed = (allowed[flow_rows] & ~released[flow_rows] & judges.active[None, :]) | flow_fixed
    category_index = {pk: i for i, (pk, _name) in enumerate(categories)}
    entry_group = np.array([category_index[c] for c in entries.category_ids[flow_rows].tolist()], dtype=np.int64)
    problem = AssignmentProblem(
        per_entry=k,
        capacity=capacity,
        affinity=affinity,
        allowed=flow_allowed,
        fixed=np.column_stack([fixed_row, fixed_column]).astype(np.int64),
        entry_group=entry_group,
        group_names=tuple(name for _pk, name in categories),
    )

    digest = hashlib.sha256()
    for part in (np.array([k, len(conflicted_started)]), entries.ids[flow_rows], judges.ids, judges.active, capacity,
                 affinity, np.packbits(flow_allowed), problem.fixed, outside_pairs, np.array(conflicted_started),
                 np.array(sorted(calibration), dtype=np.int64)):
        digest.update(np.ascontiguousarray(part).tobytes())
        digest.update(b"|")
    return RoundProblem(
        round_id=judging_round.pk,
        problem=problem,
        entry_ids=entries.ids[flow_rows],
        judge_ids=judges.ids,
        active_judges=judges.active,
        outside_pairs=outside_pairs,
        outside_affinity=outside_affinity,
        outside_load=outside_load,
        calibration=calibration,
        started=int(still_allowed.sum()),
        conflicted_started=conflicted_started,
        entries=n,
        fingerprint=digest.hexdigest(),
    )


# --- the assigner ----------------------------------------------------------------------------------------


class _InputsChanged(Exception):
    """The round changed between the solve and the write: solve again."""


@transaction.atomic
def assignment_run_create(*, round: JudgingRound, user: User | None,  # noqa: A002
                          enqueue: bool = True) -> AssignmentRun:
    """The "Run the assigner" button: a pending run, sent to a worker once this transaction commits.

    With enqueue=False the caller runs `round_assign` itself (the demo data, which must be ready at once).
    """
    from ..tasks.assignment import assign_round

    judging_round = _lock_round(round.pk)
    _ensure_changeable(judging_round)
    now = timezone.now()
    under_way = AssignmentRun.objects.filter(round=judging_round, state__in=ACTIVE_RUN_STATES)
    if under_way.filter(created_at__gte=now - RUN_STALE_AFTER).exists():
        raise ValidationError(_("The assigner is already running for this round."), code="running")
    # Older runs still "under way" lost their worker and their message: record that, so a late delivery stops.
    for stale in under_way:
        _run_finish(stale, RunState.FAILED, error=_("No worker finished this run; a newer run replaced it."))
    run = AssignmentRun(round=judging_round, created_by=user if user and user.is_authenticated else None,
                        message=MESSAGE_WAITING)
    run.full_clean(exclude=["created_by"])  # null when the system starts a run (the demo); the model forbids blank
    run.save()
    if judging_round.state == RoundState.SCHEDULED:
        _round_move(judging_round, RoundState.ASSIGNING, user=user)
    audit_log(actor=user, action="round.assign_requested", target=judging_round,
              edition_id=judging_round.edition_id, after={"run": run.pk})
    if enqueue:
        transaction.on_commit(lambda: assign_round.apply_async(kwargs={"run_id": run.pk}))
    return run


def _run_finish(run: AssignmentRun, state: str, **fields) -> AssignmentRun:
    for name, value in {"state": state, "finished_at": timezone.now(), **fields}.items():
        setattr(run, name, value)
    if state == RunState.FAILED:
        run.message = MESSAGE_FAILED
    run.save()
    return run


@transaction.atomic
def assignment_run_fail(*, run: AssignmentRun, error: str) -> AssignmentRun:
    """Mark a run failed for good (the task gave up) unless it finished meanwhile; the page shows the error."""
    run = AssignmentRun.objects.select_for_update().get(pk=run.pk)
    if run.state in FINISHED_RUN_STATES:
        return run
    return _run_finish(run, RunState.FAILED, error=error[:5000])


@transaction.atomic
def _run_claim(run_id: int) -> AssignmentRun | None:
    """Mark the run running; None when it has finished already (a duplicate delivery has nothing to do)."""
    run = AssignmentRun.objects.select_for_update().get(pk=run_id)
    if run.state in FINISHED_RUN_STATES:
        return None
    run.state, run.progress, run.message = RunState.RUNNING, 0, MESSAGE_READING
    run.save(update_fields=["state", "progress", "message"])
    return run


class _Progress:
    """Writes the run's progress as it goes; each write commits at once, so the page sees it."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id

    def __call__(self, percent: int, message: str) -> None:
        AssignmentRun.objects.filter(pk=self.run_id, state=RunState.RUNNING).update(
            progress=max(0, min(100, int(percent))), message=message[:300]
        )

    def solver(self, low: int, high: int) -> Callable[[int, str], None]:
        """The solver reports 0-100; map it onto [low, high] of the whole run."""

        def report(percent: int, message: str) -> None:
            self(low + (high - low) * percent // 100, _SOLVER_MESSAGES.get(message, message))

        return report


def round_assign(*, run: AssignmentRun) -> AssignmentRun:
    """Solve the run's round and replace its not-started assignments with the result, once.

    Safe to call again for the same run at any point (a duplicate delivery, or a retry
    after a worker died): a finished run returns at once, and the write is a single
    transaction that either happened completely or not at all.
    """
    clock = time.perf_counter()
    claimed = _run_claim(run.pk)
    if claimed is None:
        return AssignmentRun.objects.get(pk=run.pk)
    run = claimed
    progress = _Progress(run.pk)
    for _attempt in range(_SOLVE_ATTEMPTS):
        judging_round = JudgingRound.objects.select_related("edition").get(pk=run.round_id)
        if judging_round.state not in CHANGEABLE_ROUND_STATES:
            return assignment_run_fail(run=run, error=_("The round is closed: its assignments no longer change."))
        progress(2, MESSAGE_READING)
        built = round_problem(judging_round)
        if built.conflicted_started:
            return assignment_run_fail(run=run, error=_conflicted_started_message(built.conflicted_started))
        solution = solve_assignment(built.problem, on_progress=progress.solver(5, 90))
        violations = check_solution(built.problem, solution)
        if violations:  # never expected: the solver is exact; refuse to save rather than trust it
            return assignment_run_fail(run=run, error="; ".join(violations[:20]))
        progress(95, MESSAGE_SAVING)
        try:
            with transaction.atomic():
                return _run_record(run.pk, built, solution, seconds_from=clock)
        except _InputsChanged:
            logger.info("round %s changed while run %s was solving; solving again", run.round_id, run.pk)
            continue
    return assignment_run_fail(run=run, error=_("The round kept changing while the assigner ran; run it again."))


def _run_record(run_id: int, built: RoundProblem, solution: AssignmentSolution, *, seconds_from: float) -> AssignmentRun:
    """Inside one transaction: lock the round, check nothing moved, then write the result."""
    judging_round = _lock_round(built.round_id)
    run = AssignmentRun.objects.select_for_update().get(pk=run_id)
    if run.state in FINISHED_RUN_STATES:
        return run  # another delivery of this run finished it while we were solving
    if judging_round.state not in CHANGEABLE_ROUND_STATES:
        return _run_finish(run, RunState.FAILED, error=_("The round is closed: its assignments no longer change."))
    if round_problem(judging_round).fingerprint != built.fingerprint:
        raise _InputsChanged
    seconds = lambda: round(time.perf_counter() - seconds_from, 3)  # noqa: E731
    if not solution.feasible:
        return _run_finish(run, RunState.INFEASIBLE, progress=100, message=MESSAGE_INFEASIBLE,
                           shortfall=dict(solution.shortfall), kept=built.started, seconds=seconds(),
                           objective=None, bound=None, min_load=None, max_load=None)

    target = _target_pairs(built, solution)
    summary = _replace_assignments(judging_round, target)
    loads = solution.loads + built.outside_load
    active_loads = loads[built.active_judges]
    outside_total = int(built.outside_affinity.sum())
    run = _run_finish(
        run, RunState.SUCCEEDED, progress=100, message=MESSAGE_DONE,
        objective=solution.objective + outside_total, bound=solution.bound + outside_total,
        min_load=int(active_loads.min()) if active_loads.size else 0,
        max_load=int(active_loads.max()) if active_loads.size else 0,
        kept=built.started, shortfall={}, seconds=seconds(), error="",
    )
    audit_log(
        actor=run.created_by, action="round.assign", target=judging_round, edition_id=judging_round.edition_id,
        before={"assignments": summary["before"], "removed": summary["removed"][:500]},
        after={"run": run.pk, "assignments": summary["after"], "added": summary["added"], "kept": summary["kept"],
               "objective": run.objective, "bound": run.bound},
    )
    if judging_round.state == RoundState.OPEN and summary["added"]:
        from ..tasks.assignment import notify_judges

        transaction.on_commit(lambda: notify_judges.apply_async(kwargs={"round_id": judging_round.pk}))
    return run


def _target_pairs(built: RoundProblem, solution: AssignmentSolution) -> dict[tuple[int, int], int]:
    """(application id, judge id) -> affinity of every pair the round should have."""
    pairs = solution.pairs
    entry_ids = built.entry_ids[pairs[:, 0]].tolist()
    judge_ids = built.judge_ids[pairs[:, 1]].tolist()
    affinities = built.problem.affinity[pairs[:, 0], pairs[:, 1]].tolist()
    target = dict(zip(zip(entry_ids, judge_ids, strict=True), affinities, strict=True))
    for (application_id, judge_id), affinity in zip(built.outside_pairs.tolist(), built.outside_affinity.tolist(),
                                                     strict=True):
        target[(application_id, judge_id)] = affinity
    return target


def _replace_assignments(judging_round: JudgingRound, target: dict[tuple[int, int], int]) -> dict:
    """Make the round's active assignments equal `target`, touching only what differs. Needs the round lock."""
    calibration = set(judging_round.calibration_entries.values_list("application_id", flat=True))
    current = list(
        Assignment.objects.filter(round=judging_round, state__in=ACTIVE_STATES).values_list(
            "pk", "application_id", "judge_id", "state", "affinity", "review__id"
        )
    )
    present = {(application_id, judge_id) for _pk, application_id, judge_id, *_rest in current}
    removable = [
        (pk, application_id, judge_id) for pk, application_id, judge_id, state, _a, review_id in current
        if (application_id, judge_id) not in target and state == State.ASSIGNED and review_id is None
    ]
    if removable:
        deleted = Assignment.objects.filter(
            pk__in=[pk for pk, *_pair in removable], state=State.ASSIGNED, review__isnull=True
        ).delete()[1].get(Assignment._meta.label, 0)
        if deleted != len(removable):  # a judge started one of them a moment ago
            raise _InputsChanged
    stale_affinity = [
        Assignment(pk=pk, affinity=target[(application_id, judge_id)])
        for pk, application_id, judge_id, _state, affinity, _review in current
        if (application_id, judge_id) in target and target[(application_id, judge_id)] != affinity
    ]
    if stale_affinity:
        Assignment.objects.bulk_update(stale_affinity, ["affinity"], batch_size=1000)
    new = [
        Assignment(
            round=judging_round, judge_id=judge_id, application_id=application_id, state=State.ASSIGNED,
            source=Assignment.Source.CALIBRATION if application_id in calibration else Assignment.Source.SOLVER,
            affinity=affinity,  # queue_position stays 0: the judges' workbench places it (issue 5)
        )
        for (application_id, judge_id), affinity in sorted(target.items())
        if (application_id, judge_id) not in present
    ]
    try:
        with transaction.atomic():
            Assignment.objects.bulk_create(new, batch_size=1000)
    except IntegrityError as error:  # the partial unique constraint caught a concurrent write
        raise _InputsChanged from error
    return {
        "before": len(current),
        "after": len(current) - len(removable) + len(new),
        "added": len(new),
        "removed": [[application_id, judge_id] for _pk, application_id, judge_id in removable],
        "kept": len(current) - len(removable),
    }


def _conflicted_started_message(assignment_ids: tuple[int, ...]) -> str:
    rows = Assignment.objects.filter(pk__in=assignment_ids).select_related("judge__user", "application")[:20]
    names = "; ".join(f"{a.judge.user} – {a.application}" for a in rows)
    return _(
        "Reviews already started are now in conflict of interest, so they cannot be kept: %(pairs)s. "
        "Release them, then run the assigner again."
    ) % {"pairs": names}


# --- changes by hand -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgeLoad:
    judge: JudgeProfile
    before: int
    after: int

    @property
    def capacity(self) -> int:
        return self.judge.capacity


@dataclass(frozen=True)
class AssignmentChange:
    """What adding or moving one assignment does: shown before (preview) and after the change."""

    application: Application
    judge: JudgeProfile
    affinity: int  # of the new pair
    affinity_change: int  # on the round's total affinity
    loads: tuple[JudgeLoad, ...]
    entry_judges_before: int
    entry_judges_after: int
    problems: tuple[str, ...] = ()
    assignment: Assignment | None = None


def manual_change_check(*, round: JudgingRound, judge: JudgeProfile, application: Application,  # noqa: A002
                        moving: Assignment | None = None) -> AssignmentChange:
    """Read-only: the effect of giving `application` to `judge` (taking it from `moving`'s judge), and any refusal."""
    problems: list[str] = []
    if round.state not in CHANGEABLE_ROUND_STATES:
        problems.append(_("The round is closed: its assignments no longer change."))
    if judge.edition_id != round.edition_id:
        problems.append(_("This judge belongs to another edition."))
    elif not judge.active:
        problems.append(_("This judge is not active."))
    if not round_entries(round=round).filter(pk=application.pk).exists():
        problems.append(_("This application is not one of the round's entries."))
    if moving is not None:
        if moving.state not in ACTIVE_STATES:
            problems.append(_("Only an active assignment can be moved."))
        elif moving.state in STARTED_STATES or hasattr(moving, "review"):
            problems.append(_("The judge has started this review: release it instead of moving it."))
        if moving.judge_id == judge.pk:
            problems.append(_("Choose another judge than the current one."))
    if Assignment.objects.filter(round=round, judge=judge, application=application, state__in=ACTIVE_STATES).exists():
        problems.append(_("This judge already has this entry."))

    judges = [judge] + ([moving.judge] if moving is not None and moving.judge_id != judge.pk else [])
    table = JudgeTable.of(JudgeProfile.objects.filter(pk__in=[j.pk for j in judges]))
    scores = pair_scores(
        edition=round.edition, entries=EntryTable.of(Application.objects.filter(pk=application.pk)), judges=table
    )
    column = {pk: i for i, pk in enumerate(table.ids.tolist())}
    reasons = scores.reasons(0, column[judge.pk])
    if reasons:
        problems.insert(0, describe_conflict(reasons))
    affinity = int(scores.affinity[0, column[judge.pk]])
    removed = int(scores.affinity[0, column[moving.judge_id]]) if len(judges) > 1 else 0

    loads_now = judge_round_loads(round=round, judge_ids=[j.pk for j in judges])
    if loads_now.get(judge.pk, 0) + 1 > judge.capacity:
        problems.append(
            _("%(judge)s already has %(load)s entries, their capacity: raise it first.")
            % {"judge": judge.user, "load": loads_now.get(judge.pk, 0)}
        )
    loads = [JudgeLoad(judge=judge, before=loads_now.get(judge.pk, 0), after=loads_now.get(judge.pk, 0) + 1)]
    if len(judges) > 1:
        loads.append(JudgeLoad(judge=moving.judge, before=loads_now.get(moving.judge_id, 0),
                               after=loads_now.get(moving.judge_id, 0) - 1))
    entry_before = entry_active_judges(round=round, application=application)
    return AssignmentChange(
        application=application, judge=judge, affinity=affinity, affinity_change=affinity - removed,
        loads=tuple(loads), entry_judges_before=entry_before,
        entry_judges_after=entry_before + (0 if moving is not None else 1), problems=tuple(problems),
    )


@transaction.atomic
def assignment_add_manual(*, round: JudgingRound, judge: JudgeProfile, application: Application,  # noqa: A002
                          user: User | None) -> AssignmentChange:
    """Give `application` to `judge` by hand; refused when conflicted, at capacity or already there."""
    judging_round = _lock_round(round.pk)
    change = manual_change_check(round=judging_round, judge=judge, application=application)
    if change.problems:
        raise ValidationError(list(change.problems), code="refused")
    assignment = _assignment_create(judging_round, judge, application, affinity=change.affinity,
                                    source=Assignment.Source.MANUAL)
    audit_log(actor=user, action="assignment.add", target=assignment, edition_id=judging_round.edition_id,
              after={**_assignment_snapshot(assignment), "affinity_change": change.affinity_change})
    _notify_if_open(judging_round)
    return _with_assignment(change, assignment)


@transaction.atomic
def assignment_move(*, assignment: Assignment, to_judge: JudgeProfile, user: User | None) -> AssignmentChange:
    """Give a not-started assignment to another judge: the old row is released, a new one (by hand) created."""
    judging_round = _lock_round(assignment.round_id)
    assignment = Assignment.objects.select_related("judge__user", "application").get(pk=assignment.pk)
    change = manual_change_check(round=judging_round, judge=to_judge, application=assignment.application,
                                 moving=assignment)
    if change.problems:
        raise ValidationError(list(change.problems), code="refused")
    _assignment_set_state(assignment, State.RELEASED, user=user, action="assignment.release",
                          extra={"reason": _("Moved to %(judge)s") % {"judge": to_judge.user}})
    moved = _assignment_create(judging_round, to_judge, assignment.application, affinity=change.affinity,
                               source=Assignment.Source.MANUAL)
    audit_log(actor=user, action="assignment.move", target=moved, edition_id=judging_round.edition_id,
              before=_assignment_snapshot(assignment),
              after={**_assignment_snapshot(moved), "affinity_change": change.affinity_change})
    _notify_if_open(judging_round)
    return _with_assignment(change, moved)


@transaction.atomic
def assignment_release(*, assignment: Assignment, user: User | None, reason: str = "") -> Assignment:
    """The secretariat takes an assignment back (the entry then lacks a judge until one is added)."""
    _lock_round(assignment.round_id)
    assignment = Assignment.objects.select_related("judge__user").get(pk=assignment.pk)
    if assignment.state not in ACTIVE_STATES:
        raise ValidationError(_("This assignment is no longer active."), code="inactive")
    return _assignment_set_state(assignment, State.RELEASED, user=user, action="assignment.release",
                                 extra={"reason": reason} if reason else None)


@transaction.atomic
def assignment_declare_conflict(*, assignment: Assignment, user: User, reason: str) -> Assignment:
    """The judge declares a conflict of interest on an entry assigned to them; a replacement is sought after commit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, in a few words: the secretariat reads it.")})
    _lock_round(assignment.round_id)
    assignment = Assignment.objects.select_related("judge__user").get(pk=assignment.pk)
    if assignment.judge.user_id != user.pk:
        raise ValidationError(_("Only the judge it is assigned to declares a conflict on it."), code="not_judge")
    if assignment.state not in ACTIVE_STATES:
        raise ValidationError(_("This assignment is no longer active."), code="inactive")
    if not Conflict.objects.filter(judge_id=assignment.judge_id, application_id=assignment.application_id).exists():
        conflict = Conflict(judge_id=assignment.judge_id, application_id=assignment.application_id,
                            source=Conflict.Source.DECLARED, reason=reason, recorded_by=user)
        conflict.full_clean(exclude=["recorded_by"])
        conflict.save()
    return assignment_mark_conflicted(assignment=assignment, user=user, reason=reason)


@transaction.atomic
def assignment_mark_conflicted(*, assignment: Assignment, user: User | None, reason: str) -> Assignment:
    """An active assignment whose pair is now conflicted: conflict_declared, and a replacement is sought.

    Called inside the transaction of `assignment_declare_conflict` (the judge) or of
    `conflict_record` (the secretariat), after the Conflict row exists.
    """
    from ..tasks.assignment import replace_after_conflict

    _lock_round(assignment.round_id)
    assignment = Assignment.objects.select_related("judge__user").get(pk=assignment.pk)
    if assignment.state not in ACTIVE_STATES:
        return assignment
    assignment = _assignment_set_state(assignment, State.CONFLICT_DECLARED, user=user,
                                       action="assignment.conflict_declared", extra={"reason": reason})
    assignment_id = assignment.pk
    transaction.on_commit(lambda: replace_after_conflict.apply_async(kwargs={"assignment_id": assignment_id}))
    return assignment


# --- the judge's progress (called by scoring) ----------------------------------------------------------------


def _ensure_judge(assignment: Assignment, user: User) -> None:
    if assignment.judge.user_id != user.pk:
        raise ValidationError(_("This entry is not assigned to you."), code="not_assigned")


@transaction.atomic
def assignment_start(*, assignment: Assignment, user: User) -> Assignment:
    """assigned → in progress: the judge saved a first draft. One already in progress stays as it is.

    Scoring calls it inside its own transaction, after checking the judge may score now.
    """
    _ensure_judge(assignment, user)
    _lock_assignment_state(assignment)
    if assignment.state == State.IN_PROGRESS:
        return assignment
    return _assignment_set_state(assignment, State.IN_PROGRESS, user=user, action="assignment.in_progress")


@transaction.atomic
def assignment_submit(*, assignment: Assignment, user: User) -> Assignment:
    """assigned or in progress → submitted: the judge submitted the review. An update of a submitted review
    leaves it submitted (and writes no entry: the review's own audit entry records the update)."""
    _ensure_judge(assignment, user)
    _lock_assignment_state(assignment)
    if assignment.state == State.SUBMITTED:
        return assignment
    return _assignment_set_state(assignment, State.SUBMITTED, user=user, action="assignment.submitted")


# --- the one writer of an assignment's state ---------------------------------------------------------------

# Every move an assignment's state may make. Conflicted and released assignments are history: a judge
# given the entry again gets a new row.
ASSIGNMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    State.ASSIGNED: frozenset({State.IN_PROGRESS, State.SUBMITTED, State.CONFLICT_DECLARED, State.RELEASED}),
    State.IN_PROGRESS: frozenset({State.SUBMITTED, State.CONFLICT_DECLARED, State.RELEASED}),
    State.SUBMITTED: frozenset({State.CONFLICT_DECLARED, State.RELEASED}),
    State.CONFLICT_DECLARED: frozenset(),
    State.RELEASED: frozenset(),
}


def _lock_assignment_state(assignment: Assignment) -> None:
    """Lock the row and read its state as stored: the judge saving and the secretariat releasing queue up."""
    assignment.state = (
        Assignment.objects.select_for_update(of=("self",)).values_list("state", flat=True).get(pk=assignment.pk)
    )


def _assignment_set_state(assignment: Assignment, to: str, *, user: User | None, action: str,
                          extra: dict | None = None) -> Assignment:
    """The one place an assignment's state is written, with its audit entry; callers are the services of
    this module. Refuses a move that `ASSIGNMENT_TRANSITIONS` does not allow from the stored state."""
    _lock_assignment_state(assignment)
    if to not in ASSIGNMENT_TRANSITIONS[assignment.state]:
        raise ValidationError(
            _("This assignment is %(state)s: it cannot become %(to)s.")
            % {"state": assignment.get_state_display().lower(), "to": State(to).label.lower()},
            code="transition",
        )
    before = _assignment_snapshot(assignment)
    assignment.state = to
    assignment.full_clean()
    assignment.save(update_fields=["state", "updated_at"])
    audit_log(actor=user, action=action, target=assignment, edition_id=assignment.judge.edition_id,
              before=before, after={**_assignment_snapshot(assignment), **(extra or {})})
    return assignment


def _assignment_create(judging_round: JudgingRound, judge: JudgeProfile, application: Application, *,
                       affinity: int, source: str) -> Assignment:
    assignment = Assignment(
        round=judging_round, judge=judge, application=application, state=State.ASSIGNED, source=source,
        affinity=affinity,
    )
    assignment.full_clean()
    assignment.save()
    return assignment


def _with_assignment(change: AssignmentChange, assignment: Assignment) -> AssignmentChange:
    return AssignmentChange(**{**change.__dict__, "assignment": assignment})


def _notify_if_open(judging_round: JudgingRound) -> None:
    if judging_round.state == RoundState.OPEN:
        from ..tasks.assignment import notify_judges

        round_id = judging_round.pk
        transaction.on_commit(lambda: notify_judges.apply_async(kwargs={"round_id": round_id}))


# --- replacement after a declared conflict ---------------------------------------------------------------


@transaction.atomic
def assignment_replace(*, assignment: Assignment) -> Assignment | None:
    """Give the entry of a conflicted assignment to the best available judge; None when nobody fits.

    Best: highest affinity among active judges with spare capacity in the round, no
    conflict, not on the entry already and not released from it; then the lighter load;
    then the lower id.
    Idempotent: it only ever fills the entry up to the round's k judges.
    """
    judging_round = _lock_round(assignment.round_id)
    assignment = Assignment.objects.select_related("judge__user", "application").get(pk=assignment.pk)
    if assignment.state != State.CONFLICT_DECLARED or judging_round.state not in CHANGEABLE_ROUND_STATES:
        return None
    application = assignment.application
    on_entry_rows = list(
        Assignment.objects.filter(round=judging_round, application=application)
        .exclude(state=State.CONFLICT_DECLARED).values_list("judge_id", "state")
    )
    on_entry = {judge_id for judge_id, state in on_entry_rows if state in ACTIVE_STATES}
    if len(on_entry) >= judging_round.judges_per_entry:
        return None
    released = {judge_id for judge_id, state in on_entry_rows if state == State.RELEASED}
    judges = JudgeTable.of(JudgeProfile.objects.filter(edition_id=judging_round.edition_id, active=True))
    scores = pair_scores(edition=judging_round.edition, entries=EntryTable.of(Application.objects.filter(
        pk=application.pk)), judges=judges)
    loads_by_judge = judge_round_loads(round=judging_round)
    loads = np.array([loads_by_judge.get(pk, 0) for pk in judges.ids.tolist()], dtype=np.int64)
    candidates = scores.allowed[0] & (loads < judges.capacity) & ~np.isin(judges.ids, list(on_entry | released))
    if not candidates.any():
        audit_log(actor=None, action="assignment.replacement_unavailable", target=assignment,
                  edition_id=judging_round.edition_id,
                  after={"round": judging_round.pk, "application": application.pk,
                         "note": _("No active judge has spare capacity and no conflict with this entry: "
                                   "add one by hand or raise a capacity.")})
        return None
    pool = np.flatnonzero(candidates)
    # lexsort sorts by the last key first: affinity (high first), then load (low first), then id.
    best = pool[np.lexsort((judges.ids[pool], loads[pool], -scores.affinity[0, pool]))[0]]
    judge = JudgeProfile.objects.select_related("user").get(pk=int(judges.ids[best]))
    replacement = _assignment_create(judging_round, judge, application, affinity=int(scores.affinity[0, best]),
                                     source=Assignment.Source.REPLACEMENT)
    audit_log(actor=None, action="assignment.replace", target=replacement, edition_id=judging_round.edition_id,
              before=_assignment_snapshot(assignment), after=_assignment_snapshot(replacement))
    _notify_if_open(judging_round)
    return replacement


# --- e-mails to judges -----------------------------------------------------------------------------------


def _local_deadline(judging_round: JudgingRound) -> str:
    edition = judging_round.edition
    return f"{date_format(timezone.localtime(judging_round.deadline, edition.tz), 'j F Y, H:i')} ({edition.time_zone})"


def _mail_entries(judging_round: JudgingRound, assignments: list[Assignment]) -> list[dict]:
    """A judge's e-mail lines. In a blind round neither the organisation nor a title that names it is shown:
    titles go through `entry_title`, as on the judge's pages, because they often name the city."""
    return [
        {
            "number": assignment.application_id,
            "title": entry_title(application=assignment.application, judging_round=judging_round),
            "category": assignment.application.category.name,
            "organisation": None if judging_round.blind else assignment.application.organisation,
            "state": assignment.get_state_display(),
        }
        for assignment in assignments
    ]


def _mail(template: str, context: dict, to: str) -> mail.EmailMessage:
    return mail.EmailMessage(
        subject=render_to_string(f"judging/assignment/email/{template}_subject.txt", context).strip(),
        body=render_to_string(f"judging/assignment/email/{template}_body.txt", context),
        to=[to],
    )


def _batches(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def round_notify_judges(*, round: JudgingRound) -> int:  # noqa: A002
    """E-mail each judge of an open round the entries not yet announced to them. Returns the e-mails sent.

    Each judge's e-mail and the marking of its assignments happen in one transaction
    that holds those rows locked (skipping rows another run holds), so two runs never
    send the same entries and a crash before the commit leaves them to be sent again.
    """
    judging_round = JudgingRound.objects.select_related("edition").get(pk=round.pk)
    if judging_round.state != RoundState.OPEN:
        return 0
    pending = Assignment.objects.filter(round=judging_round, state__in=ACTIVE_STATES, notified_at__isnull=True)
    judge_ids = sorted(set(pending.values_list("judge_id", flat=True)))
    context = {"round": judging_round, "edition": judging_round.edition, "deadline": _local_deadline(judging_round),
               "url": f"{settings.PORTAL_BASE_URL}{reverse('portal:edition_workspace', args=[judging_round.edition.slug])}"}
    sent = 0
    for batch in _batches(judge_ids, MAIL_BATCH):
        with mail.get_connection() as connection:
            for judge_id in batch:
                with transaction.atomic():
                    rows = list(
                        pending.filter(judge_id=judge_id).select_for_update(skip_locked=True, of=("self",))
                        .select_related("judge__user", "application__organisation", "application__category")
                        .order_by("queue_position", "pk")
                    )
                    if not rows:
                        continue
                    judge = rows[0].judge
                    entries = _mail_entries(judging_round, rows)
                    message = _mail("assigned", {**context, "judge": judge, "entries": entries}, judge.user.email)
                    connection.send_messages([message])
                    Assignment.objects.filter(pk__in=[a.pk for a in rows]).update(notified_at=timezone.now())
                    sent += 1
    return sent


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind judges with open reviews, once per (round, judge, hours before), when that moment has passed.

    When several moments have passed at once (a round opened late), the judge gets one
    e-mail, and every passed moment is recorded as reminded.
    """
    now = now or timezone.now()
    sent = 0
    rounds = JudgingRound.objects.filter(state=RoundState.OPEN, deadline__gt=now).select_related("edition")
    for judging_round in rounds:
        due = sorted(h for h in set(judging_round.reminder_hours or []) if judging_round.deadline - timedelta(hours=h) <= now)
        if not due:
            continue
        open_reviews = Assignment.objects.filter(round=judging_round, state__in=(State.ASSIGNED, State.IN_PROGRESS))
        judge_ids = sorted(set(open_reviews.values_list("judge_id", flat=True)))
        context = {"round": judging_round, "edition": judging_round.edition,
                   "deadline": _local_deadline(judging_round), "hours": due[0],
                   "url": f"{settings.PORTAL_BASE_URL}{reverse('portal:edition_workspace', args=[judging_round.edition.slug])}"}
        for batch in _batches(judge_ids, MAIL_BATCH):
            with mail.get_connection() as connection:
                for judge_id in batch:
                    sent += _remind(judging_round, judge_id, due, open_reviews, context, connection)
    return sent


def _remind(judging_round: JudgingRound, judge_id: int, due: list[int], open_reviews, context: dict,
            connection) -> int:
    try:
        with transaction.atomic():
            already = set(ReminderSent.objects.filter(round=judging_round, judge_id=judge_id, hours_before__in=due)
                          .values_list("hours_before", flat=True))
            missing = [h for h in due if h not in already]
            if not missing:
                return 0
            # The unique key (round, judge, hours) stops a concurrent run here: it fails, rolls back, sends nothing.
            ReminderSent.objects.bulk_create(
                [ReminderSent(round=judging_round, judge_id=judge_id, hours_before=h) for h in missing]
            )
            rows = list(open_reviews.filter(judge_id=judge_id)
                        .select_related("judge__user", "application__organisation", "application__category")
                        .order_by("queue_position", "pk"))
            if not rows:
                return 0
            judge = rows[0].judge
            connection.send_messages([_mail("reminder", {**context, "judge": judge,
                                                         "entries": _mail_entries(judging_round, rows)},
                                            judge.user.email)])
            return 1
    except IntegrityError:
        return 0
