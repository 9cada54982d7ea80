"""The e-mails about applications, built here (recipients, subject, body, link) and sent; tasks only call these.

The User has no language of its own yet, so every e-mail is written in the site's default
language (settings.LANGUAGE_CODE), whatever language the applicant's pages were in.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.services.notifications import absolute_url
from submissions.models import ApplicationSnapshot


def submission_confirmation_send(*, snapshot: ApplicationSnapshot) -> None:
    """E-mail every member of the organisation that `snapshot` was received, and note when it was sent."""
    application = snapshot.application
    recipients = sorted(application.organisation.memberships.values_list("user__email", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        context = {"snapshot": snapshot, "application": application, "edition": application.edition,
                   "url": absolute_url(reverse("submissions:application_detail", args=[application.pk]))}
        send_mail(
            subject=render_to_string("submissions/email/confirmation_subject.txt", context).strip(),
            message=render_to_string("submissions/email/confirmation_body.txt", context),
            from_email=None,
            recipient_list=recipients,
        )
    # Marked after sending: a crash in between may send twice, never zero times.
    ApplicationSnapshot.objects.filter(pk=snapshot.pk).update(confirmation_sent_at=timezone.now())
