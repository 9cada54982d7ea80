"""The round's aggregation task. Thin: ids in, one service call."""

import logging

from celery import shared_task

from worker.base import PortalTask

from ..models import AggregationRun

logger = logging.getLogger(__name__)

__all__ = ["aggregate_round"]


# Retries exhausted (or an error nobody retries): PortalTask marks the run failed, so the secretariat can retry.
@shared_task(name="judging.aggregate_round", base=PortalTask,
             fails_run="judging.services.aggregation_runs.aggregation_run_fail")
def aggregate_round(*, run_id: int) -> str:
    """Recompute a round's results for one AggregationRun; a run that already succeeded is not redone."""
    from ..services.aggregation import aggregation_run_execute

    run = AggregationRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.info("aggregation run %s is gone; nothing to do", run_id)
        return "gone"
    return aggregation_run_execute(run=run).state
