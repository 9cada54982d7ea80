"""Runs of the aggregation as a worker carries them out (`round_jobs` requests them).

A run's state moves only through `aggregation_run_move`, checked against
`AGGREGATION_RUN_TRANSITIONS` in the same UPDATE that writes it (a run already finished is
never taken back). `aggregation.aggregation_run_execute` drives a run;
`aggregation_run_fail` is what the task calls when it gives up.
"""

from __future__ import annotations

from django.utils import timezone

from ..models import AggregationRun

RunState = AggregationRun.State

# Every move a run's state may make. A running run goes back to pending when a passing database error
# makes the task retry it; a failed run may run again (a retry); a run that succeeded is final.
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
    AggregationRun.objects.filter(pk=run.pk).update(progress=percent)


def aggregation_run_fail(*, run_id: int, error: str) -> AggregationRun | None:
    """The task gave up (retries exhausted, or an error nobody retries): the run shows it failed, so the
    secretariat can retry. A run that succeeded meanwhile stays as it is."""
    run = AggregationRun.objects.filter(pk=run_id).first()
    if run is not None:
        aggregation_run_move(run, RunState.FAILED, error=error[:2000], finished_at=timezone.now())
    return run
