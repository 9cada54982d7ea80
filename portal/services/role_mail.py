"""The e-mail of a role invitation, in the invitee's language; `portal.tasks.send_role_invitation` calls it."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.formatting import local_time
from portal.models import RoleInvitation, User

from .notifications import absolute_url, recipient_language


def role_invitation_email_send(*, invitation: RoleInvitation) -> None:
    """E-mail the invited address the link that accepts the invitation, and note when it went."""
    # Someone who already has an account reads it in their own language; a newcomer in the one chosen for them.
    account = User.objects.filter(email__iexact=invitation.email).first()
    with translation.override(recipient_language(account, fallback=invitation.language)):
        context = {
            "invitation": invitation, "role": invitation.get_role_display(),
            "url": absolute_url(reverse("portal:role_invitation_accept", args=[invitation.token])),
            "expires": local_time(invitation.expires_at, edition=invitation.edition, with_zone=True),
        }
        send_mail(
            subject=render_to_string("portal/email/role_invitation_subject.txt", context).strip(),
            message=render_to_string("portal/email/role_invitation_body.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    RoleInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
