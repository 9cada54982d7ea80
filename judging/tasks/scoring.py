"""The round's aggregation task. Thin: ids in, one service call."""

import logging

from celery import shared_task

from worker.base import PortalTask

from ..models import AggregationRun

logger = logging.getLogger(__name__)

__all__ = ["aggregate_round"]


# Retries exhausted (or an error nobody retries): PortalTask marks the run failed, so the secretariat can retry.
# A worker lost under it: the message comes back (late ack, reject on worker lost) or the stalled-job sweep sends
# it again; the computation is redone whole. 10,000 entries take seconds; the limits leave room for a slow machine.
@shared_task(name="judging.aggregate_round", base=PortalTask, bind=True, acks_late=True, reject_on_worker_lost=True,
             fails_run="judging.services.aggregation_runs.aggregation_run_fail")
def aggregate_round(self, *, run_id: int) -> str:
    """Recompute a round's results for one AggregationRun; a run that already succeeded is not redone."""
    from ..services.aggregation import aggregation_run_execute
    from ..services.stalled_jobs import job_pulse

    run = AggregationRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.info("aggregation run %s is gone; nothing to do", run_id)
        return "gone"
    with job_pulse(AggregationRun, run_id):
        return aggregation_run_execute(run=run, delivery=self.request.id).state
