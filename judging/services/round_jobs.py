"""The secretariat's buttons that start a worker's job on a round; each enqueues its task after commit.

- `assignment_run_create`: "Run the assigner" (the run is carried out by assignment_runs.py);
- `aggregation_request`: "Compute the results" (carried out by aggregation.py);
- `round_close`: open → closed, then the results are computed; closing the last round of the edition ends its
  judging (the edition moves to deliberation);
- `assignment_run_stalled`, `aggregation_run_stalled`: the sweep of stalled jobs (job_sweep.py) sends a run whose
  worker died to a worker again, or fails it when it has no attempt left;
- `assignment_run_retry`, `aggregation_retry`: the "Try again" button of a failed run, or of a stalled one (its
  worker gave no sign of life: it is marked failed first, as the sweep would): a new run, audited.

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
from .aggregation_runs import aggregation_run_lost_message, aggregation_run_move
from .assignment_runs import MESSAGE_WAITING, assignment_run_lost_message, assignment_run_move
from .edition_stages import edition_deliberation_refusal, edition_start_deliberation
from .locks import ensure_results_unlocked, round_lock
from .rounds import ensure_round_changeable, round_move, round_start_assigning
from .stalled_jobs import out_of_attempts

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
    alive = under_way.alive(ACTIVE_RUN_STATES).exclude(state=AssignmentRun.State.PENDING,
                                                       queued_at__lt=now - RUN_STALE_AFTER)
    if alive.exists():
        raise ValidationError(_("The assigner is already running for this round."), code="running")
    # Runs still "under way" lost their worker (stalled) or their message (queued too long): record that, so a late
    # delivery stops.
    for stale in under_way.select_for_update():
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
    if failed.is_stalled:
        assignment_run_move(failed, AssignmentRun.State.FAILED,
                            error=_("Its worker stopped giving signs of life; a new run replaced it."))
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
    if failed.is_stalled:
        aggregation_run_move(failed, AggregationRun.State.FAILED, finished_at=timezone.now(),
                             error=_("Its worker stopped giving signs of life; a new computation replaced it."))
    if failed.state != AggregationRun.State.FAILED:
        raise ValidationError(_("Only a failed run can be tried again."), code="not_failed")
    return aggregation_request(judging_round=failed.round, user=user, retry_of=failed)


@transaction.atomic
def assignment_run_stalled(*, run_id: int) -> str | None:
    """The sweep found the run stalled (its worker gave no sign of life): send it again, or fail it when it has
    no attempt left. Returns "requeued", "failed", or None when it is not stalled any more."""
    run = AssignmentRun.objects.select_for_update().select_related("round").filter(pk=run_id).first()
    if run is None or not run.is_stalled:
        return None
    before = {"run": run.pk, "state": run.state, "attempts": run.attempts, "heartbeat_at": str(run.last_sign)}
    if out_of_attempts(run):
        assignment_run_move(run, AssignmentRun.State.FAILED, error=assignment_run_lost_message(run))
        outcome = "failed"
    else:
        assignment_run_move(run, AssignmentRun.State.PENDING, progress=0, message=MESSAGE_WAITING, queued_at=timezone.now(),
                            delivery="")
        assign_round.delay_on_commit(run_id=run.pk)
        outcome = "requeued"
    audit_log(actor=None, action="round.assign_stalled", target=run.round, edition_id=run.round.edition_id,
              before=before, after={"run": run.pk, "state": run.state, "outcome": outcome})
    return outcome


@transaction.atomic
def aggregation_run_stalled(*, run_id: int) -> str | None:
    """The sweep found the run stalled: send it again, or fail it when it has no attempt left. Returns
    "requeued", "failed", or None when it is not stalled any more."""
    run = AggregationRun.objects.select_for_update().select_related("round").filter(pk=run_id).first()
    if run is None or not run.is_stalled:
        return None
    before = {"run": run.pk, "state": run.state, "attempts": run.attempts, "heartbeat_at": str(run.last_sign)}
    if out_of_attempts(run):
        aggregation_run_move(run, AggregationRun.State.FAILED, error=aggregation_run_lost_message(run), finished_at=timezone.now())
        outcome = "failed"
    else:
        aggregation_run_move(run, AggregationRun.State.PENDING, queued_at=timezone.now(), delivery="")
        aggregate_round.delay_on_commit(run_id=run.pk)
        outcome = "requeued"
    audit_log(actor=None, action="aggregation.stalled", target=run.round, edition_id=run.round.edition_id,
              before=before, after={"run": run.pk, "state": run.state, "outcome": outcome})
    return outcome
