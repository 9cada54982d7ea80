import logging
import socket

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .base import PortalTask
from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


@shared_task(name="worker.heartbeat", base=PortalTask, bind=True)
def heartbeat(self, *, note: str = "") -> dict:
    """Record that a worker is alive; the admin shows the last beat of each host. Idempotent per host."""
    hostname = self.request.hostname or socket.gethostname()
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(hostname=hostname).update(last_seen=now, beats=F("beats") + 1)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(hostname=hostname, defaults={"last_seen": now, "beats": 1})
    logger.info("heartbeat from %s %s", hostname, note)
    return {"hostname": hostname, "at": now.isoformat()}


@shared_task(name="worker.sweep_stalled_jobs", base=PortalTask, soft_time_limit=50, time_limit=60)
def sweep_stalled_jobs() -> dict:
    """Celery beat, every PORTAL_JOB_SWEEP_SECONDS: a job whose worker died is sent again or marked failed."""
    from judging.services.job_sweep import jobs_sweep_stalled

    return jobs_sweep_stalled()
