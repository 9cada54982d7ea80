"""Celery tasks of the assigner: thin wrappers that take ids, fetch, and call one service each.

All are idempotent: a duplicate delivery or a retry after a worker died does nothing twice.
They are leaves: the services they call are imported inside each function.
"""

import contextlib
import logging

from celery import shared_task
from django.db import DatabaseError

from worker.base import PortalTask

from ..models import Assignment, AssignmentRun

logger = logging.getLogger(__name__)

__all__ = ["assign_round", "replace_after_conflict"]


# 10,000 entries x 800 judges solve in about 7 s here; a slow or busy machine takes far longer. The broker's
# visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS) must outlast time_limit: see config/settings/base.py.
@shared_task(name="judging.assign_round", base=PortalTask, bind=True, acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=1500, time_limit=1800, fails_run="judging.services.assignment_runs.assignment_run_fail")
def assign_round(self, *, run_id: int) -> str:
    """Solve one AssignmentRun and save its result. A run already finished returns at once; a run whose worker
    died is taken over (its heartbeat stops while this one's pulse beats)."""
    from ..services.assignment_runs import assignment_run_fail, assignment_run_release, round_assign
    from ..services.stalled_jobs import job_pulse

    run = AssignmentRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.info("assignment run %s is gone; nothing to do", run_id)
        return "gone"
    try:
        with job_pulse(AssignmentRun, run_id):
            run = round_assign(run=run, delivery=self.request.id)
    except PortalTask.autoretry_for:
        with contextlib.suppress(DatabaseError):  # the database may be the passing error
            assignment_run_release(run_id=run_id)  # the retry takes it again as a pending run
        raise  # retried with backoff; PortalTask marks the run failed (fails_run) if the retries run out
    except Exception as error:
        logger.exception("assignment run %s failed", run_id)
        assignment_run_fail(run_id=run_id, error=f"{type(error).__name__}: {error}")
        return AssignmentRun.State.FAILED
    return run.state


@shared_task(name="judging.replace_after_conflict", base=PortalTask, acks_late=True)
def replace_after_conflict(*, assignment_id: int) -> str:
    """Find the best available judge for the entry of an assignment whose judge declared a conflict."""
    from ..services.assignments import assignment_replace

    assignment = Assignment.objects.filter(pk=assignment_id).first()
    if assignment is None:
        logger.info("assignment %s is gone; nothing to replace", assignment_id)
        return "gone"
    replacement = assignment_replace(assignment=assignment)
    return f"replaced by assignment {replacement.pk}" if replacement else "no replacement"
