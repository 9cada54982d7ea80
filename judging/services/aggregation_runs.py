"""Runs of the aggregation as a worker carries them out (`round_jobs` requests them).

A run's state moves only through `aggregation_run_move`, checked against
`AGGREGATION_RUN_TRANSITIONS` in the same UPDATE that writes it (a run already finished is
never taken back). `aggregation.aggregation_run_execute` drives a run;
`aggregation_run_fail` is what the task calls when it gives up. A worker killed under a run leaves the
results as they were (they are replaced in one transaction): the broker's redelivery of the same message, or
the sweep of stalled jobs (`aggregation_run_stalled` in round_jobs.py), computes them again, and the second
computation writes what one clean run would.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AggregationRun
from .stalled_jobs import DUPLICATE, TAKE_OVER, claim_kind, out_of_attempts, taken_fields

RunState = AggregationRun.State

# Every move a run's state may make. A running run goes back to pending when a passing database error
# makes the task retry it, or when its worker stalled and it is sent again; a run that succeeded is final. A
# failed run stays failed for its workers (`aggregation_run_claim`): "Try again" is a new run.
AGGREGATION_RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    RunState.PENDING: frozenset({RunState.RUNNING, RunState.FAILED}),
    RunState.RUNNING: frozenset({RunState.RUNNING, RunState.PENDING, RunState.SUCCEEDED, RunState.FAILED}),
    RunState.FAILED: frozenset({RunState.RUNNING, RunState.FAILED}),
    RunState.SUCCEEDED: frozenset(),
}


def aggregation_run_move(run: AggregationRun, to: str, **fields) -> bool:
    """The one writer of an aggregation run's state; False (and nothing written) when the stored state
    does not allow the move."""
    sources = [state for state, targets in AGGREGATION_RUN_TRANSITIONS.items() if to in targets]
    moved = AggregationRun.objects.filter(pk=run.pk, state__in=sources).update(state=to, **fields)
    if moved:
        for name, value in {"state": to, **fields}.items():
            setattr(run, name, value)
    return bool(moved)


def aggregation_run_progress(run: AggregationRun, percent: int) -> None:
    run.progress = percent
    AggregationRun.objects.filter(pk=run.pk).update(progress=percent, heartbeat_at=timezone.now())


def aggregation_run_lost_message(run: AggregationRun) -> str:
    return _("The worker computing the results stopped before it finished (it was started %(attempts)s times); "
             "the results are as they were before. Try again.") % {"attempts": run.attempts}


@transaction.atomic
def aggregation_run_claim(*, run_id: int, delivery: str | None = None) -> AggregationRun | None:
    """Mark the run running for this delivery; None when there is nothing to do: it succeeded or failed already,
    or it lost its worker too often (then it is failed). A duplicate delivery gets the run as it is."""
    run = AggregationRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.state in (RunState.SUCCEEDED, RunState.FAILED):
        return None
    kind = claim_kind(run, delivery=delivery)
    if kind == DUPLICATE:
        return run  # computes too: the results are replaced whole under the round's lock, the same both times
    if kind == TAKE_OVER and out_of_attempts(run):
        aggregation_run_move(run, RunState.FAILED, error=aggregation_run_lost_message(run), finished_at=timezone.now())
        return None
    aggregation_run_move(run, RunState.RUNNING, progress=1, error="", **taken_fields(run, delivery=delivery))
    return run


def aggregation_run_fail(*, run_id: int, error: str) -> AggregationRun | None:
    """The task gave up (retries exhausted, or an error nobody retries): the run shows it failed, so the
    secretariat can retry. A run that succeeded meanwhile stays as it is."""
    run = AggregationRun.objects.filter(pk=run_id).first()
    if run is not None:
        aggregation_run_move(run, RunState.FAILED, error=error[:2000], finished_at=timezone.now())
    return run
