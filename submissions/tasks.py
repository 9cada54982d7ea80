"""Background tasks about applications: thin leaves that fetch by id and call one service."""

import logging

from celery import shared_task

from worker.base import PortalTask

from .models import ApplicationSnapshot

logger = logging.getLogger(__name__)


@shared_task(name="submissions.send_submission_confirmation", base=PortalTask)
def send_submission_confirmation(*, snapshot_id: int) -> str:
    """E-mail the organisation's members that a snapshot was received. Sends at most once per snapshot."""
    from .services.notifications import submission_confirmation_send

    snapshot = (
        ApplicationSnapshot.objects.select_related("application__edition", "application__organisation", "submitted_by")
        .filter(pk=snapshot_id)
        .first()
    )
    if snapshot is None:
        logger.info("snapshot %s is gone; nothing to confirm", snapshot_id)
        return "gone"
    if snapshot.confirmation_sent_at:
        return "already sent"
    submission_confirmation_send(snapshot=snapshot)
    return "sent"


@shared_task(name="submissions.retention_sweep", base=PortalTask, soft_time_limit=600, time_limit=660)
def retention_sweep() -> dict:
    """Celery beat, daily: the drafts and files of unsuccessful entries of editions past their retention period.
    Idempotent: what was removed is not found again."""
    from .services.data_protection import retention_sweep as sweep

    return sweep()
