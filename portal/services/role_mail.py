"""The e-mail of a role invitation, in the invitee's language; `portal.tasks.send_role_invitation` calls it."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import RoleInvitation

from .notifications import absolute_url


def role_invitation_email_send(*, invitation: RoleInvitation) -> None:
    """E-mail the invited address the link that accepts the invitation, and note when it went."""
    with translation.override(invitation.language):
        context = {
            "invitation": invitation, "role": invitation.get_role_display(),
            "url": absolute_url(reverse("portal:role_invitation_accept", args=[invitation.token])),
            "expires": timezone.localtime(invitation.expires_at, invitation.edition.tz).strftime("%Y-%m-%d %H:%M"),
        }
        send_mail(
            subject=render_to_string("portal/email/role_invitation_subject.txt", context).strip(),
            message=render_to_string("portal/email/role_invitation_body.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    RoleInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
