"""The portal's background tasks: thin leaves that fetch by id and call one service."""

import logging

from celery import shared_task

from worker.base import PortalTask

from .models import Invitation, RoleInvitation

logger = logging.getLogger(__name__)


# The name is the one it had when invitations lived in submissions: messages queued before the move still run.
@shared_task(name="submissions.send_invitation", base=PortalTask)
def send_invitation(*, invitation_id: int) -> str:
    from .services.notifications import invitation_email_send

    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at:
        logger.info("invitation %s is gone or accepted; nothing to send", invitation_id)
        return "nothing to send"
    invitation_email_send(invitation=invitation)
    return "sent"


@shared_task(name="portal.send_role_invitation", base=PortalTask)
def send_role_invitation(*, invitation_id: int) -> str:
    from .services.role_mail import role_invitation_email_send

    invitation = (RoleInvitation.objects.select_related("edition", "invited_by").filter(pk=invitation_id).first())
    if invitation is None or not invitation.is_pending:
        logger.info("role invitation %s is gone, used, revoked or expired; nothing to send", invitation_id)
        return "nothing to send"
    role_invitation_email_send(invitation=invitation)
    return "sent"


@shared_task(name="portal.deliver_webhook", base=PortalTask)
def deliver_webhook(*, delivery_id: int) -> str:
    from .services.webhook_delivery import deliver

    return deliver(delivery_id=delivery_id)


@shared_task(name="portal.webhook_relay", base=PortalTask)
def webhook_relay() -> int:
    """Beat: deliveries whose receiver was down are tried again when due."""
    from .services.webhook_delivery import due_deliveries_send

    return due_deliveries_send()
