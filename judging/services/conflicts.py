"""Conflicts of interest on assignments: the judge declares one, or the secretariat's record finds one.

The assignment becomes conflict_declared (through `assignments.assignment_set_state`) and a worker
seeks a replacement after commit (`assignments.assignment_replace`, via the task). Recording and
removing a conflict without an assignment is in judges.py.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User

from ..models import Assignment, Conflict
from ..selectors.assignment import ACTIVE_STATES
from ..tasks.assignment import replace_after_conflict
from .assignments import assignment_set_state
from .locks import round_lock

State = Assignment.State


@transaction.atomic
def assignment_declare_conflict(*, assignment: Assignment, user: User, reason: str) -> Assignment:
    """The judge declares a conflict of interest on an entry assigned to them; a replacement is sought after commit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, in a few words: the secretariat reads it.")})
    round_lock(assignment.round_id)
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
    round_lock(assignment.round_id)
    assignment = Assignment.objects.select_related("judge__user").get(pk=assignment.pk)
    if assignment.state not in ACTIVE_STATES:
        return assignment
    assignment = assignment_set_state(assignment, State.CONFLICT_DECLARED, user=user,
                                      action="assignment.conflict_declared", extra={"reason": reason})
    replace_after_conflict.delay_on_commit(assignment_id=assignment.pk)
    return assignment
