import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from worker.base import PortalTask

from .models import ApplicationSnapshot, Invitation

logger = logging.getLogger(__name__)


@shared_task(name="submissions.send_submission_confirmation", base=PortalTask)
def send_submission_confirmation(*, snapshot_id: int) -> str:
    """E-mail the organisation's members that a snapshot was received. Sends at most once per snapshot."""
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
    application = snapshot.application
    recipients = sorted(application.organisation.memberships.values_list("user__email", flat=True))
    context = {"snapshot": snapshot, "application": application, "edition": application.edition,
               "url": f"{settings.PORTAL_BASE_URL}{reverse('submissions:application_detail', args=[application.pk])}"}
    send_mail(
        subject=render_to_string("submissions/email/confirmation_subject.txt", context).strip(),
        message=render_to_string("submissions/email/confirmation_body.txt", context),
        from_email=None,
        recipient_list=recipients,
    )
    # Marked after sending: a crash in between may send twice, never zero times.
    ApplicationSnapshot.objects.filter(pk=snapshot.pk).update(confirmation_sent_at=timezone.now())
    return "sent"


@shared_task(name="submissions.send_invitation", base=PortalTask)
def send_invitation(*, invitation_id: int) -> str:
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at:
        return "nothing to send"
    context = {"invitation": invitation,
               "url": f"{settings.PORTAL_BASE_URL}{reverse('submissions:invitation_accept', args=[invitation.token])}"}
    send_mail(
        subject=render_to_string("submissions/email/invitation_subject.txt", context).strip(),
        message=render_to_string("submissions/email/invitation_body.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return "sent"
