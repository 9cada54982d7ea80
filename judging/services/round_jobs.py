"""The secretariat's buttons that start a worker's job on a round; each enqueues its task after commit.

- `assignment_run_create`: "Run the assigner" (the run is carried out by assignment_runs.py);
- `aggregation_request`: "Compute the results" (carried out by aggregation.py);
- `round_close`: open → closed, then the results are computed; closing the last round of the edition ends its
  judging (the edition moves to deliberation);
- `assignment_run_retry`, `aggregation_retry`: the "Try again" button of a failed run: a new run, audited.

They live apart from the services the workers run, so that services import their tasks at module
level and tasks import the services they call, without either importing the other in a circle.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Edition, User
from portal.services import audit_log

from ..models import AggregationRun, AssignmentRun, JudgingRound
from ..selectors.assignment import ACTIVE_RUN_STATES, RUN_STALE_AFTER
from ..tasks.assignment import assign_round
from ..tasks.scoring import aggregate_round
from .assignment_runs import MESSAGE_WAITING, assignment_run_move
from .edition_stages import edition_deliberation_refusal, edition_start_deliberation
from .locks import ensure_results_unlocked, round_lock
from .rounds import ensure_round_changeable, round_move, round_start_assigning

RoundState = JudgingRound.State


@transaction.atomic
def assignment_run_create(*, round: JudgingRound, user: User | None,  # noqa: A002
                          enqueue: bool = True, retry_of: AssignmentRun | None = None) -> AssignmentRun:
    """The "Run the assigner" button: a pending run, sent to a worker once this transaction commits.

    With enqueue=False the caller runs `round_assign` itself (the demo data, which must be ready at once).
    """
    judging_round = round_lock(round.pk)
    ensure_round_changeable(judging_round)
    now = timezone.now()
    under_way = AssignmentRun.objects.filter(round=judging_round, state__in=ACTIVE_RUN_STATES)
    if under_way.filter(created_at__gte=now - RUN_STALE_AFTER).exists():
        raise ValidationError(_("The assigner is already running for this round."), code="running")
    # Older runs still "under way" lost their worker and their message: record that, so a late delivery stops.
    for stale in under_way:
        assignment_run_move(stale, AssignmentRun.State.FAILED,
                            error=_("No worker finished this run; a newer run replaced it."))
    run = AssignmentRun(round=judging_round, created_by=user if user and user.is_authenticated else None,
                        message=MESSAGE_WAITING)
    run.full_clean(exclude=["created_by"])  # null when the system starts a run (the demo); the model forbids blank
    run.save()
    round_start_assigning(round=judging_round, user=user)
    audit_log(actor=user, action="round.assign_retried" if retry_of else "round.assign_requested",
              target=judging_round, edition_id=judging_round.edition_id,
              before={"run": retry_of.pk, "state": retry_of.state} if retry_of else None, after={"run": run.pk})
    if enqueue:
        assign_round.delay_on_commit(run_id=run.pk)
    return run


@transaction.atomic
def assignment_run_retry(*, run: AssignmentRun, user: User | None) -> AssignmentRun:
    """A failed run's "Try again": a new run of the assigner for the same round (the failed one stays failed)."""
    failed = AssignmentRun.objects.select_for_update().get(pk=run.pk)
    if failed.state != AssignmentRun.State.FAILED:
        raise ValidationError(_("Only a failed run can be tried again."), code="not_failed")
    return assignment_run_create(round=failed.round, user=user, retry_of=failed)


@transaction.atomic
def aggregation_request(*, judging_round: JudgingRound, user: User | None,
                        retry_of: AggregationRun | None = None) -> AggregationRun:
    """Queue a recompute of the round's results (after commit). A run already waiting is reused, not doubled."""
    ensure_results_unlocked(judging_round)
    waiting = AggregationRun.objects.filter(round=judging_round, state=AggregationRun.State.PENDING).first()
    if waiting is not None:
        return waiting
    run = AggregationRun.objects.create(round=judging_round, created_by=user if user and user.is_authenticated else None)
    audit_log(actor=user, action="aggregation.retry" if retry_of else "aggregation.request", target=judging_round,
              edition_id=judging_round.edition_id,
              before={"run": retry_of.pk, "state": retry_of.state} if retry_of else None, after={"run": run.pk})
    aggregate_round.delay_on_commit(run_id=run.pk)
    return run


@transaction.atomic
def round_close(*, round: JudgingRound, user: User | None) -> JudgingRound:  # noqa: A002 - as round_open
    """open → closed: judges can no longer score or edit; the results are computed after commit."""
    judging_round = round_lock(round.pk)
    if judging_round.state != RoundState.OPEN:
        raise ValidationError(_("Only a round open for scoring can be closed."), code="state")
    ensure_results_unlocked(judging_round)
    round_move(judging_round, RoundState.CLOSED, user=user)
    # Results are computed as soon as no more scores can come in.
    aggregation_request(judging_round=judging_round, user=user)
    edition = judging_round.edition
    if edition.state == Edition.State.JUDGING and edition_deliberation_refusal(edition) is None:
        edition_start_deliberation(edition=edition, user=user)  # the last round closed: judging is over
        judging_round.edition.refresh_from_db(fields=["state"])
    return judging_round


@transaction.atomic
def aggregation_retry(*, run: AggregationRun, user: User | None) -> AggregationRun:
    """A failed computation's "Try again": a new run for the same round (the failed one stays failed)."""
    failed = AggregationRun.objects.select_for_update().select_related("round__edition").get(pk=run.pk)
    if failed.state != AggregationRun.State.FAILED:
        raise ValidationError(_("Only a failed run can be tried again."), code="not_failed")
    return aggregation_request(judging_round=failed.round, user=user, retry_of=failed)
