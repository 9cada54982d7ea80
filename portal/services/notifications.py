"""The portal's e-mails, built here (recipients, subject, body, link) and sent; tasks only call these.

The User has no language of its own yet, so every e-mail is written in the site's default
language (settings.LANGUAGE_CODE), whatever language the sender's page was in.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.models import Invitation


def absolute_url(path: str) -> str:
    """A link for an e-mail: the portal's public address and `path`."""
    return f"{settings.PORTAL_BASE_URL}{path}"


def invitation_email_send(*, invitation: Invitation) -> None:
    """E-mail the invited address the link that accepts the invitation."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"invitation": invitation,
                   "url": absolute_url(reverse("portal:invitation_accept", args=[invitation.token]))}
        send_mail(
            subject=render_to_string("portal/email/invitation_subject.txt", context).strip(),
            message=render_to_string("portal/email/invitation_body.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
