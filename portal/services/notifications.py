"""The portal's e-mails, built here (recipients, subject, body, link) and written to the outbox
(`worker.outbox.email_record`, one row per recipient), which sends them; tasks only call these.

Every e-mail is written in its recipient's language (`User.language`, set when they switch language), else in
the site's default; never in the language of the page that caused it, which is the sender's.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.models import Invitation, User
from worker.outbox import email_record


def recipient_language(user: User | None, *, fallback: str = "") -> str:
    """The language to write to `user` in: theirs when their account records one, else `fallback`, else the site's."""
    return (user.language if user is not None else "") or fallback or settings.LANGUAGE_CODE


def absolute_url(path: str) -> str:
    """A link for an e-mail: the portal's public address and `path`."""
    return f"{settings.PORTAL_BASE_URL}{path}"


def invitation_email_send(*, invitation: Invitation) -> None:
    """E-mail the invited address the link that accepts the invitation."""
    # The invitee's account may not exist yet: then the inviter's language is the best guess.
    invitee = User.objects.filter(email__iexact=invitation.email).first()
    inviter_language = invitation.invited_by.language if invitation.invited_by is not None else ""
    with translation.override(recipient_language(invitee, fallback=inviter_language)):
        context = {"invitation": invitation,
                   "url": absolute_url(reverse("portal:invitation_accept", args=[invitation.token]))}
        email_record(
            to=invitation.email,
            subject=render_to_string("portal/email/invitation_subject.txt", context).strip(),
            body=render_to_string("portal/email/invitation_body.txt", context),
        )
