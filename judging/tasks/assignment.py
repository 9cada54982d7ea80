"""Celery tasks of the assigner: thin wrappers that take ids, fetch, and call one service each.

All are idempotent: a duplicate delivery or a retry after a worker died does nothing twice.
"""

import logging

from celery import shared_task

from worker.base import PortalTask

from ..models import Assignment, AssignmentRun, JudgingRound
from ..services import assignment as services

logger = logging.getLogger(__name__)

__all__ = ["assign_round", "notify_judges", "replace_after_conflict", "send_reminders"]


class AssignRoundTask(PortalTask):
    """When the retries for passing errors run out, the run is marked failed so the page says so."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        run = AssignmentRun.objects.filter(pk=(kwargs or {}).get("run_id")).first()
        if run is not None:
            services.assignment_run_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        super().on_failure(exc, task_id, args, kwargs, einfo)


@shared_task(name="judging.assign_round", base=AssignRoundTask, acks_late=True)
def assign_round(*, run_id: int) -> str:
    """Solve one AssignmentRun and save its result. A run already finished returns at once."""
    run = AssignmentRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.info("assignment run %s is gone; nothing to do", run_id)
        return "gone"
    try:
        run = services.round_assign(run=run)
    except PortalTask.autoretry_for:
        raise  # retried with backoff; on_failure marks the run failed if the retries run out
    except Exception as error:
        logger.exception("assignment run %s failed", run_id)
        services.assignment_run_fail(run=run, error=f"{type(error).__name__}: {error}")
        return AssignmentRun.State.FAILED
    return run.state


@shared_task(name="judging.replace_after_conflict", base=PortalTask, acks_late=True)
def replace_after_conflict(*, assignment_id: int) -> str:
    """Find the best available judge for the entry of an assignment whose judge declared a conflict."""
    assignment = Assignment.objects.filter(pk=assignment_id).first()
    if assignment is None:
        logger.info("assignment %s is gone; nothing to replace", assignment_id)
        return "gone"
    replacement = services.assignment_replace(assignment=assignment)
    return f"replaced by assignment {replacement.pk}" if replacement else "no replacement"


@shared_task(name="judging.notify_judges", base=PortalTask, acks_late=True)
def notify_judges(*, round_id: int) -> int:
    """E-mail every judge of an open round the entries not yet announced to them, in batches."""
    judging_round = JudgingRound.objects.filter(pk=round_id).first()
    if judging_round is None:
        logger.info("round %s is gone; nobody to notify", round_id)
        return 0
    return services.round_notify_judges(round=judging_round)


@shared_task(name="judging.send_reminders", base=PortalTask, acks_late=True)
def send_reminders() -> int:
    """Celery beat, hourly: reminders before the deadlines of open rounds."""
    return services.reminders_send()
