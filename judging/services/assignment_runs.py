"""Runs of the assigner as a worker carries them out: claim, solve via the solver, record, fail; progress.

`round_jobs.assignment_run_create` queues a run (the "Run the assigner" button); the task calls
`round_assign(run=...)`, which solves the round's problem (assignment_problem.py) and, in one
transaction under a lock on the round row, replaces the round's assignments that nobody
has started with the solution. Re-running with unchanged input leaves the same set: the
solver is deterministic, rows of unchanged pairs are not touched (their ids and
`notified_at` survive), and only rows that nobody started are ever deleted. A run that
finds its inputs changed between the solve and the write solves again under the lock.

A run's state moves only through `assignment_run_move`, checked against `RUN_TRANSITIONS`. A worker killed
under a run leaves nothing half-written (the write is one transaction): the broker's redelivery of the same
message, or the sweep of stalled jobs (`assignment_run_stalled` in round_jobs.py), runs it again, and the
second run writes what one clean run would.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.services import audit_log

from ..algorithms.assignment import AssignmentSolution, check_solution, solve_assignment
from ..models import Assignment, AssignmentRun, JudgingRound
from ..selectors.assignment import ACTIVE_STATES, FINISHED_RUN_STATES
from ..tasks.notifications import notify_judges
from .assignment_panels import connect_round_panels
from .assignment_problem import RoundProblem, round_problem
from .assignment_summaries import assignment_summaries_refresh
from .locks import edition_is_locked, lock_message, round_lock
from .queues import queues_place
from .rounds import CHANGEABLE_ROUND_STATES
from .stalled_jobs import DUPLICATE, TAKE_OVER, claim_kind, out_of_attempts, taken_fields

logger = logging.getLogger(__name__)

State = Assignment.State
RoundState = JudgingRound.State
RunState = AssignmentRun.State

# How often the assigner re-solves when its inputs change between the solve and the write.
_SOLVE_ATTEMPTS = 3

# Every move a run's state may make. A run claimed again (its worker died) stays running; a run goes back to
# pending when it is sent to a worker again (its worker stalled, or a passing error retries it); finished runs stay.
RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    RunState.PENDING: frozenset({RunState.RUNNING, RunState.FAILED}),
    RunState.RUNNING: frozenset({RunState.RUNNING, RunState.PENDING, RunState.SUCCEEDED, RunState.INFEASIBLE,
                                 RunState.FAILED}),
    RunState.SUCCEEDED: frozenset(),
    RunState.INFEASIBLE: frozenset(),
    RunState.FAILED: frozenset(),
}

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


class _InputsChanged(Exception):
    """The round changed between the solve and the write: solve again."""


def assignment_run_move(run: AssignmentRun, to: str, **fields) -> AssignmentRun:
    """The one writer of a run's state: lock the row, check the move, save it with `fields`. In a transaction."""
    stored = AssignmentRun.objects.select_for_update().values_list("state", flat=True).get(pk=run.pk)
    if to not in RUN_TRANSITIONS[stored]:
        raise ValidationError(f"assignment run {run.pk} is {stored}: it cannot become {to}", code="transition")
    if to in FINISHED_RUN_STATES:
        fields = {"finished_at": timezone.now(), **fields}
    if to == RunState.FAILED:
        fields["message"] = MESSAGE_FAILED
    for name, value in {"state": to, **fields}.items():
        setattr(run, name, value)
    run.save()
    return run


@transaction.atomic
def assignment_run_fail(*, run_id: int, error: str) -> AssignmentRun | None:
    """Mark a run failed for good (the task gave up) unless it finished meanwhile; the page shows the error.

    The keyword signature is the one PortalTask's `fails_run` calls; None when the run is gone.
    """
    run = AssignmentRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.state in FINISHED_RUN_STATES:
        return run
    return assignment_run_move(run, RunState.FAILED, error=error[:5000])


def _run_fail(run: AssignmentRun, *, error: str) -> AssignmentRun:
    return assignment_run_fail(run_id=run.pk, error=error)


def assignment_run_lost_message(run: AssignmentRun) -> str:
    return _("The worker carrying out this run stopped before it finished (it was started %(attempts)s times); "
             "nothing of it was saved. Try again.") % {"attempts": run.attempts}


@transaction.atomic
def _run_claim(run_id: int, delivery: str | None = None) -> AssignmentRun | None:
    """Mark the run running for this delivery; None when there is nothing to do: the run has finished, or it
    lost its worker too often (then it is failed). A duplicate delivery gets the run as it is."""
    run = AssignmentRun.objects.select_for_update().get(pk=run_id)
    if run.state in FINISHED_RUN_STATES:
        return None
    kind = claim_kind(run, delivery=delivery)
    if kind == DUPLICATE:
        return run  # solves too; `_run_record` lets only the first write count
    if kind == TAKE_OVER and out_of_attempts(run):
        assignment_run_move(run, RunState.FAILED, error=assignment_run_lost_message(run))
        return None
    return assignment_run_move(run, RunState.RUNNING, progress=0, message=MESSAGE_READING,
                               **taken_fields(run, delivery=delivery))


@transaction.atomic
def assignment_run_release(*, run_id: int) -> None:
    """A passing error stopped the run and the task retries it: back to pending, so the retry takes it."""
    run = AssignmentRun.objects.select_for_update().filter(pk=run_id, state=RunState.RUNNING).first()
    if run is not None:
        assignment_run_move(run, RunState.PENDING, message=MESSAGE_WAITING, queued_at=timezone.now())


class _Progress:
    """Writes the run's progress as it goes; each write commits at once, so the page sees it."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id

    def __call__(self, percent: int, message: str) -> None:
        AssignmentRun.objects.filter(pk=self.run_id, state=RunState.RUNNING).update(
            progress=max(0, min(100, int(percent))), message=message[:300], heartbeat_at=timezone.now()
        )

    def solver(self, low: int, high: int) -> Callable[[int, str], None]:
        """The solver reports 0-100; map it onto [low, high] of the whole run."""

        def report(percent: int, message: str) -> None:
            self(low + (high - low) * percent // 100, _SOLVER_MESSAGES.get(message, message))

        return report


def round_assign(*, run: AssignmentRun, delivery: str | None = None) -> AssignmentRun:
    """Solve the run's round and replace its not-started assignments with the result, once.

    Safe to call again for the same run at any point (a duplicate delivery, or a retry
    after a worker died): a finished run returns at once, the same message coming back
    (`delivery` is the broker message's id) or a stalled run is taken over, and the write is a
    single transaction that either happened completely or not at all.
    """
    clock = time.perf_counter()
    if edition_is_locked(JudgingRound.objects.select_related("edition").get(pk=run.round_id).edition):
        return _run_fail(run, error=lock_message())  # finalised while the run waited: nothing changes
    claimed = _run_claim(run.pk, delivery)
    if claimed is None:
        return AssignmentRun.objects.get(pk=run.pk)
    run = claimed
    progress = _Progress(run.pk)
    for _attempt in range(_SOLVE_ATTEMPTS):
        judging_round = JudgingRound.objects.select_related("edition").get(pk=run.round_id)
        if judging_round.state not in CHANGEABLE_ROUND_STATES:
            return _run_fail(run, error=_("The round is closed: its assignments no longer change."))
        progress(2, MESSAGE_READING)
        built = round_problem(judging_round)
        if built.conflicted_started:
            return _run_fail(run, error=_conflicted_started_message(built.conflicted_started))
        solution = solve_assignment(built.problem, on_progress=progress.solver(5, 90))
        violations = check_solution(built.problem, solution)
        if violations:  # never expected: the solver is exact; refuse to save rather than trust it
            return _run_fail(run, error="; ".join(violations[:20]))
        panels = {}
        if judging_round.connected_panels and solution.feasible:
            solution, panels = connect_round_panels(built, solution)
        progress(95, MESSAGE_SAVING)
        try:
            with transaction.atomic():
                return _run_record(run.pk, built, solution, seconds_from=clock, panels=panels)
        except _InputsChanged:
            logger.info("round %s changed while run %s was solving; solving again", run.round_id, run.pk)
            continue
    return _run_fail(run, error=_("The round kept changing while the assigner ran; run it again."))


def _run_record(run_id: int, built: RoundProblem, solution: AssignmentSolution, *, seconds_from: float,
                panels: dict | None = None) -> AssignmentRun:
    """Inside one transaction: lock the round, check nothing moved, then write the result."""
    judging_round = round_lock(built.round_id)
    run = AssignmentRun.objects.select_for_update().get(pk=run_id)
    if run.state in FINISHED_RUN_STATES:
        return run  # another delivery of this run finished it while we were solving
    if judging_round.state not in CHANGEABLE_ROUND_STATES:
        return assignment_run_move(run, RunState.FAILED,
                                   error=_("The round is closed: its assignments no longer change."))
    if round_problem(judging_round).fingerprint != built.fingerprint:
        raise _InputsChanged
    seconds = lambda: round(time.perf_counter() - seconds_from, 3)  # noqa: E731
    if not solution.feasible:
        return assignment_run_move(run, RunState.INFEASIBLE, progress=100, message=MESSAGE_INFEASIBLE,
                                   shortfall=dict(solution.shortfall), kept=built.started, seconds=seconds(),
                                   objective=None, bound=None, min_load=None, max_load=None)

    target = _target_pairs(built, solution)
    summary = _replace_assignments(judging_round, target)
    assignment_summaries_refresh(judging_round=judging_round)
    loads = solution.loads + built.outside_load
    active_loads = loads[built.active_judges]
    outside_total = int(built.outside_affinity.sum())
    run = assignment_run_move(
        run, RunState.SUCCEEDED, progress=100, message=MESSAGE_DONE,
        objective=solution.objective + outside_total, bound=solution.bound + outside_total,
        min_load=int(active_loads.min()) if active_loads.size else 0,
        max_load=int(active_loads.max()) if active_loads.size else 0,
        kept=built.started, shortfall={}, seconds=seconds(), error="", panels=panels or {},
    )
    audit_log(
        actor=run.created_by, action="round.assign", target=judging_round, edition_id=judging_round.edition_id,
        before={"assignments": summary["before"], "removed": summary["removed"][:500]},
        after={"run": run.pk, "assignments": summary["after"], "added": summary["added"], "kept": summary["kept"],
               "objective": run.objective, "bound": run.bound, **({"panels": panels} if panels else {})},
    )
    if judging_round.state == RoundState.OPEN and summary["added"]:
        notify_judges.delay_on_commit(round_id=judging_round.pk)
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
            affinity=affinity,  # queue_position 0 until queues_place below
        )
        for (application_id, judge_id), affinity in sorted(target.items())
        if (application_id, judge_id) not in present
    ]
    try:
        with transaction.atomic():
            Assignment.objects.bulk_create(new, batch_size=1000)
    except IntegrityError as error:  # the partial unique constraint caught a concurrent write
        raise _InputsChanged from error
    queues_place(judging_round=judging_round, judge_ids={assignment.judge_id for assignment in new})
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

