"""Every change to an assignment: the judge's progress, changes by hand, conflicts and the replacement.

An assignment's state moves only through `assignment_set_state`, which checks the move against
`ASSIGNMENT_TRANSITIONS` and writes its audit entry: `assignment_start` and `assignment_submit`
(the judge's progress; scoring, which holds the row lock already, calls `assignment_set_state(locked=True)`
for the same moves), `conflicts.assignment_mark_conflicted`
(a declared or recorded conflict), `assignment_release`, `assignment_move` (releases the old
row). New rows come from `_assignment_create` (by hand, replacement) or the assigner's run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_log
from submissions.models import Application

from ..models import Assignment, JudgeProfile, JudgingRound
from ..selectors.assignment import (
    ACTIVE_STATES,
    STARTED_STATES,
    EntryTable,
    JudgeTable,
    describe_conflict,
    entry_active_judges,
    judge_round_loads,
    pair_scores,
    round_entries,
)
from ..tasks.notifications import notify_judges
from .assignment_summaries import assignment_summaries_refresh
from .locks import edition_checked, ensure_edition_unlocked, round_lock
from .queues import queue_order_ensure
from .rounds import CHANGEABLE_ROUND_STATES

State = Assignment.State
RoundState = JudgingRound.State


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
    judging_round = round_lock(round.pk)
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
    judging_round = round_lock(assignment.round_id)
    assignment = Assignment.objects.select_related("judge__user", "application").get(pk=assignment.pk)
    change = manual_change_check(round=judging_round, judge=to_judge, application=assignment.application,
                                 moving=assignment)
    if change.problems:
        raise ValidationError(list(change.problems), code="refused")
    assignment_set_state(assignment, State.RELEASED, user=user, action="assignment.release",
                         extra={"reason": _("Moved to %(judge)s") % {"judge": to_judge.user}},
                         summarise=False)  # the new row below counts the entry's category once
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
    round_lock(assignment.round_id)
    assignment = Assignment.objects.select_related("judge__user").get(pk=assignment.pk)
    if assignment.state not in ACTIVE_STATES:
        raise ValidationError(_("This assignment is no longer active."), code="inactive")
    return assignment_set_state(assignment, State.RELEASED, user=user, action="assignment.release",
                                extra={"reason": reason} if reason else None)


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
    return assignment_set_state(assignment, State.IN_PROGRESS, user=user, action="assignment.in_progress")


@transaction.atomic
def assignment_submit(*, assignment: Assignment, user: User) -> Assignment:
    """assigned or in progress → submitted: the judge submitted the review. An update of a submitted review
    leaves it submitted (and writes no entry: the review's own audit entry records the update)."""
    _ensure_judge(assignment, user)
    _lock_assignment_state(assignment)
    if assignment.state == State.SUBMITTED:
        return assignment
    return assignment_set_state(assignment, State.SUBMITTED, user=user, action="assignment.submitted")


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


def assignment_set_state(assignment: Assignment, to: str, *, user: User | None, action: str,
                         extra: dict | None = None, locked: bool = False, summarise: bool = True) -> Assignment:
    """The one place an assignment's state is written, with its audit entry; callers are the services of
    this module, conflicts.py and scoring.py. Refuses a move that `ASSIGNMENT_TRANSITIONS` does not allow from the
    stored state.

    `locked`: the caller holds the row lock, read the state under it and checked the edition lock in this
    transaction (scoring's save): neither is read again.

    An assignment that stops being active changes the round's summaries: its category is counted again
    (assignment_summaries.py; callers hold the round's lock), unless `summarise` is False because the caller
    counts it right after (a move). A move between active states (the judge's progress) changes no count.
    """
    if not locked:
        _lock_assignment_state(assignment)
        ensure_edition_unlocked(assignment.round.edition)
    if to not in ASSIGNMENT_TRANSITIONS[assignment.state]:
        raise ValidationError(
            _("This assignment is %(state)s: it cannot become %(to)s.")
            % {"state": assignment.get_state_display().lower(), "to": State(to).label.lower()},
            code="transition",
        )
    before = _assignment_snapshot(assignment)
    assignment.state = to
    # Its round, judge and entry are the stored row's (no query to check they exist); and no allowed move can
    # break the one-active-row-per-judge-and-entry constraint (a move keeps a row active or makes it inactive).
    assignment.full_clean(exclude=["round", "judge", "application"], validate_constraints=False)
    with edition_checked(assignment):  # checked above, or by the caller (`locked`), in this transaction
        assignment.save(update_fields=["state", "updated_at"])
    if summarise and (before["state"] in ACTIVE_STATES) != (to in ACTIVE_STATES):
        assignment_summaries_refresh(judging_round=assignment.round, category_ids=[_category_id(assignment)])
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
    queue_order_ensure(judge=judge, judging_round=judging_round)
    assignment_summaries_refresh(judging_round=judging_round, category_ids=[application.category_id])
    return assignment


def _category_id(assignment: Assignment) -> int:
    """The category of the assignment's entry: from the entry when it was read with it, else one query."""
    if Assignment.application.is_cached(assignment):
        return assignment.application.category_id
    return Application.objects.filter(pk=assignment.application_id).values_list("category_id", flat=True).get()


def _with_assignment(change: AssignmentChange, assignment: Assignment) -> AssignmentChange:
    return AssignmentChange(**{**change.__dict__, "assignment": assignment})


def _notify_if_open(judging_round: JudgingRound) -> None:
    if judging_round.state == RoundState.OPEN:
        notify_judges.delay_on_commit(round_id=judging_round.pk)


# --- replacement after a declared conflict ---------------------------------------------------------------


@transaction.atomic
def assignment_replace(*, assignment: Assignment) -> Assignment | None:
    """Give the entry of a conflicted assignment to the best available judge; None when nobody fits.

    Best: highest affinity among active judges with spare capacity in the round, no
    conflict, not on the entry already and not released from it; then the lighter load;
    then the lower id.
    Idempotent: it only ever fills the entry up to the round's k judges.
    """
    judging_round = round_lock(assignment.round_id)
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

