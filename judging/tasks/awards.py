"""The awards jobs' task (decision e-mails, certificates). Thin: ids in, one service call."""

import contextlib
import logging

from celery import shared_task
from django.db import DatabaseError

from worker.base import PortalTask

from ..models import AwardJob

logger = logging.getLogger(__name__)

__all__ = ["award_job_run"]


# 300 applicants' e-mails in batches of 50, or some 30 one-page PDFs, take a minute or two; the limits leave room
# for a slow mail server. Retries exhausted (or an error nobody retries): PortalTask marks the job failed. A worker
# lost under it: the message comes back (late ack, reject on worker lost) or the stalled-job sweep sends it again.
@shared_task(name="judging.award_job_run", base=PortalTask, bind=True, acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=1200, time_limit=1500, fails_run="judging.services.award_jobs.award_job_fail")
def award_job_run(self, *, run_id: int) -> str:
    """Carry out one AwardJob; a job already finished returns at once."""
    from ..services.award_jobs import award_job_execute, award_job_fail, award_job_release
    from ..services.stalled_jobs import job_pulse

    job = AwardJob.objects.filter(pk=run_id).first()
    if job is None:
        logger.info("award job %s is gone; nothing to do", run_id)
        return "gone"
    try:
        with job_pulse(AwardJob, run_id):
            return award_job_execute(job=job, delivery=self.request.id).state
    except PortalTask.autoretry_for:
        with contextlib.suppress(DatabaseError):  # the database may be the passing error
            award_job_release(job_id=run_id)  # the retry takes it again as a pending job
        raise  # retried with backoff; PortalTask marks the job failed (fails_run) if the retries run out
    except Exception as error:
        logger.exception("award job %s failed", run_id)
        award_job_fail(run_id=run_id, error=f"{type(error).__name__}: {error}")
        return AwardJob.State.FAILED
