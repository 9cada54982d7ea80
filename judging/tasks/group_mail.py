"""The task that writes a mail to a group into the outbox. Thin: ids in, one service call."""

import logging

from celery import shared_task

from worker.base import PortalTask

logger = logging.getLogger(__name__)

__all__ = ["group_mail_send"]


# A thousand recipients in batches of 50 take seconds; the outbox sends each e-mail afterwards. Retries exhausted (or
# an error nobody retries): PortalTask marks the mail failed, and its page offers to try again.
@shared_task(name="judging.group_mail_send", base=PortalTask, acks_late=True, soft_time_limit=600, time_limit=720,
             fails_run="judging.services.group_mail_sending.group_mail_fail")
def group_mail_send(*, run_id: int) -> str:
    """Write every recipient's e-mail of one GroupMail not written yet; a mail already written returns at once."""
    from ..services.group_mail_sending import group_mail_execute

    mail = group_mail_execute(mail_id=run_id)
    if mail is None:
        logger.info("group mail %s is gone; nothing to send", run_id)
        return "gone"
    return mail.state
