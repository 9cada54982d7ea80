"""The e-mails about applications, built here (recipients, subject, body, link) and written to the outbox
(`worker.outbox.email_record`, one row per recipient), which sends them; tasks only call these.

Each recipient reads the e-mail in their own language (`portal.services.notifications.recipient_language`).
"""

from itertools import groupby

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.services.notifications import absolute_url, recipient_language
from submissions.models import ApplicationSnapshot
from worker.outbox import email_record


def submission_confirmation_send(*, snapshot: ApplicationSnapshot) -> None:
    """E-mail every member of the organisation that `snapshot` was received, and note when it was sent.

    One outbox row per member, written in the transaction that notes the confirmation as sent: a second run
    writes none, a run that stopped half-way wrote none."""
    application = snapshot.application
    members = application.organisation.memberships.select_related("user").order_by("user__email")
    by_language = sorted(((recipient_language(m.user), m.user.email) for m in members))
    context = {"snapshot": snapshot, "application": application, "edition": application.edition,
               "url": absolute_url(reverse("submissions:application_detail", args=[application.pk]))}
    with transaction.atomic():
        # Rendered once per language, written once per member.
        for language, pairs in groupby(by_language, key=lambda pair: pair[0]):
            with translation.override(language):
                subject = render_to_string("submissions/email/confirmation_subject.txt", context).strip()
                body = render_to_string("submissions/email/confirmation_body.txt", context)
            for _language, email in pairs:
                email_record(to=email, subject=subject, body=body, edition_id=application.edition_id,
                             key=f"confirmation:{snapshot.pk}:{email.lower()}")
        ApplicationSnapshot.objects.filter(pk=snapshot.pk).update(confirmation_sent_at=timezone.now())
