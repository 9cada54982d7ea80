"""The e-mail of a role invitation, in the invitee's language; `portal.tasks.send_role_invitation` calls it."""

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.formatting import local_time
from portal.models import RoleInvitation, User
from worker.outbox import email_record

from .notifications import absolute_url, recipient_language


def role_invitation_email_send(*, invitation: RoleInvitation) -> None:
    """Write the e-mail with the link that accepts the invitation to the outbox, and note when, in one transaction."""
    # Someone who already has an account reads it in their own language; a newcomer in the one chosen for them.
    account = User.objects.filter(email__iexact=invitation.email).first()
    with translation.override(recipient_language(account, fallback=invitation.language)):
        context = {
            "invitation": invitation, "role": invitation.get_role_display(),
            "url": absolute_url(reverse("portal:role_invitation_accept", args=[invitation.token])),
            "expires": local_time(invitation.expires_at, edition=invitation.edition, with_zone=True),
        }
        subject = render_to_string("portal/email/role_invitation_subject.txt", context).strip()
        body = render_to_string("portal/email/role_invitation_body.txt", context)
    with transaction.atomic():
        email_record(to=invitation.email, subject=subject, body=body, edition_id=invitation.edition_id)
        RoleInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
