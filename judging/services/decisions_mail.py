"""The decision e-mails: one notice per application that reached the committee, each written exactly once.

Every application that was submitted and not withdrawn gets one DecisionNotice. In one transaction a
notice is claimed (`sent_at` set by an UPDATE that only matches an unclaimed row) and one outbox e-mail
per member of the applying organisation is written (`worker.outbox.email_record`, keyed by notice and
address), in the member's own language; so a second run of the task, or a second worker, never writes it
again, and a run killed half-way leaves every notice either written whole or untouched. The outbox sends
each e-mail, retries a mail server that refuses it, and shows the ones that failed for good on the
edition's outbox page. No score or judge is named.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from portal.models import Edition, User
from worker.outbox import email_record

from ..models import AwardDecision, AwardJob, DecisionNotice
from ..selectors import ceremony as selectors

logger = logging.getLogger(__name__)

# How many applications' e-mails are written between two progress reports.
MAIL_BATCH = 50

MESSAGE_SENDING = gettext_noop("Sending the decision e-mails")


def _batches(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def results_url(edition: Edition) -> str:
    """The public results page (the public pages' URL names are not known here: the path is fixed)."""
    return f"{settings.PORTAL_BASE_URL}/editions/{edition.slug}/results/"


def _prizes(decisions: list[AwardDecision]) -> list[dict]:
    """What each decision gives, in the active language: a tier of a category, or an edition award and citation."""
    prizes = []
    for decision in decisions:
        if decision.tier_id:
            prizes.append({"tier": decision.tier.get_level_display(), "level": decision.tier.level,
                           "category": decision.category.name if decision.category_id else ""})
        else:
            prizes.append({"award": decision.award.name, "citation": decision.citation})
    return prizes


def decision_message(*, notice: DecisionNotice, user: User, decisions: list[AwardDecision],
                     edition: Edition, connection=None) -> mail.EmailMessage:
    """One member's decision e-mail, in their language (the site's default when they chose none)."""
    application = notice.application
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "edition": edition,
            "application": application,
            "organisation": application.organisation,
            "prizes": _prizes(decisions),
            "feedback_url": f"{settings.PORTAL_BASE_URL}{reverse('judging:scoring_feedback', args=[application.pk])}",
            "results_url": results_url(edition),
        }
        subject = render_to_string("judging/awards/email/decision_subject.txt", context).strip()
        body = render_to_string("judging/awards/email/decision_body.txt", context)
    return mail.EmailMessage(subject=subject, body=body, to=[user.email], connection=connection)


def _notices_create(edition: Edition) -> tuple[list[tuple], int]:
    """One notice per application that hears the decision (created once): every (notice id, sent_at), and how many."""
    application_ids = list(selectors.notified_applications(edition=edition).values_list("pk", flat=True))
    DecisionNotice.objects.bulk_create([DecisionNotice(application_id=pk) for pk in application_ids],
                                       ignore_conflicts=True)
    return list(DecisionNotice.objects.filter(application_id__in=application_ids)
                .values_list("pk", "sent_at").order_by("pk")), len(application_ids)


def _claim(notice: DecisionNotice) -> bool:
    """Take the notice for this run: True for exactly one caller until the claim is released."""
    return bool(DecisionNotice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(sent_at=timezone.now()))


def _write_notice(notice: DecisionNotice, *, members: list[User], decisions: list[AwardDecision],
                  edition: Edition) -> str | None:
    """Claim the notice and write its e-mails to the outbox, one per member, in one transaction.

    None when another run holds the notice; "" when written; else why it could not be (then it stays unclaimed).
    """
    with transaction.atomic():
        if not _claim(notice):
            return None  # another run writes it
        if not members:
            error = "The organisation has no member to write to."
            DecisionNotice.objects.filter(pk=notice.pk).update(sent_at=None, error=error)
            return f"#{notice.application_id} {notice.application.title}: {error}"
        reached = list(notice.recipients or [])
        for user in members:
            if user.email in reached:
                continue
            message = decision_message(notice=notice, user=user, decisions=decisions, edition=edition)
            email_record(to=user.email, subject=message.subject, body=message.body, edition_id=edition.pk,
                         key=f"decision:{notice.pk}:{user.email.lower()}")
            reached.append(user.email)
        DecisionNotice.objects.filter(pk=notice.pk).update(recipients=reached, error="")
    return ""


def decisions_send(*, job: AwardJob, progress: Callable[[int, str], None]) -> list[str]:
    """Write every decision e-mail of the job's edition not written yet to the outbox, in batches; returns the
    failures (an organisation without a member).

    `progress(percent, message)` is told after each batch (the job's state machine records it).

    Safe to run twice, or in two workers at once: each notice is sent by the run that claimed it.
    """
    edition = job.edition
    notices, total = _notices_create(edition)
    to_send = [pk for pk, sent_at in notices if sent_at is None]
    done = total - len(to_send)
    failures: list[str] = []
    progress(done * 100 // total if total else 100, MESSAGE_SENDING)
    for batch in _batches(to_send, MAIL_BATCH):
        rows = list(selectors.pending_notices(edition=edition, ids=batch))
        members = selectors.members_by_organisation(organisation_ids={n.application.organisation_id for n in rows})
        awards = selectors.awards_by_application(edition=edition, application_ids=[n.application_id for n in rows])
        for notice in rows:
            failure = _write_notice(notice, members=members.get(notice.application.organisation_id, []),
                                    decisions=awards.get(notice.application_id, []), edition=edition)
            if failure:
                failures.append(failure)
        done += len(batch)
        progress(done * 100 // total, MESSAGE_SENDING)
    return failures
