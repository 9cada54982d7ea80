"""The sweep of stalled jobs (the beat task `worker.sweep_stalled_jobs`): see stalled_jobs.py for the rules."""

from __future__ import annotations

import logging

from ..models import AggregationRun, AssignmentRun, AwardJob
from .ceremony_jobs import award_job_stalled
from .round_jobs import aggregation_run_stalled, assignment_run_stalled

logger = logging.getLogger(__name__)


def jobs_sweep_stalled() -> dict[str, int]:
    """Send every stalled job to a worker again, or fail it when it has no attempt left; returns what it did.

    The beat task `worker.sweep_stalled_jobs` calls it. Each job is handled in its own transaction under its
    row lock, and checked again there: a job whose worker came back meanwhile is left alone.
    """
    done = {"requeued": 0, "failed": 0}
    for model, handle in ((AssignmentRun, assignment_run_stalled), (AggregationRun, aggregation_run_stalled),
                          (AwardJob, award_job_stalled)):
        for pk in model.objects.stalled().values_list("pk", flat=True):
            outcome = handle(run_id=pk)
            if outcome:
                done[outcome] += 1
                logger.warning("%s %s had no sign of its worker: %s", model.__name__, pk, outcome)
    return done
