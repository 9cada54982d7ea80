"""The e-mails about applications, built here (recipients, subject, body, link) and sent; tasks only call these.

Each recipient reads the e-mail in their own language (`portal.services.notifications.recipient_language`).
"""

from itertools import groupby

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.services.notifications import absolute_url, recipient_language
from submissions.models import ApplicationSnapshot


def submission_confirmation_send(*, snapshot: ApplicationSnapshot) -> None:
    """E-mail every member of the organisation that `snapshot` was received, and note when it was sent."""
    application = snapshot.application
    members = application.organisation.memberships.select_related("user").order_by("user__email")
    by_language = sorted(((recipient_language(m.user), m.user.email) for m in members))
    context = {"snapshot": snapshot, "application": application, "edition": application.edition,
               "url": absolute_url(reverse("submissions:application_detail", args=[application.pk]))}
    # One e-mail per language, to the members who read it.
    for language, pairs in groupby(by_language, key=lambda pair: pair[0]):
        with translation.override(language):
            send_mail(
                subject=render_to_string("submissions/email/confirmation_subject.txt", context).strip(),
                message=render_to_string("submissions/email/confirmation_body.txt", context),
                from_email=None,
                recipient_list=[email for _language, email in pairs],
            )
    # Marked after sending: a crash in between may send twice, never zero times.
    ApplicationSnapshot.objects.filter(pk=snapshot.pk).update(confirmation_sent_at=timezone.now())
