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


# SMTP failures are retried by the outbox row (backoff, then failed and shown), not by Celery.
@shared_task(name="worker.send_email", base=PortalTask, autoretry_for=(), acks_late=True)
def send_email(*, email_id: int) -> str:
    """Send one e-mail row of the outbox to its one recipient. PortalTask has claimed the row."""
    from .outbox import email_send

    return email_send(message_id=email_id)


@shared_task(name="worker.outbox_relay", base=PortalTask, soft_time_limit=120, time_limit=150)
def outbox_relay() -> int:
    """Celery beat: send the outbox rows the broker refused earlier (or lost), now that it answers."""
    from .outbox import outbox_relay as relay

    return relay()
