"""A mail to a group as the worker writes it (the `judging.group_mail_send` task's one call), exactly once per
recipient.

The recipients are fixed when the mail is sent (group_mail.py). Here each batch of recipients not written yet is
taken under row locks (skipping rows another run holds), each one's e-mail is rendered in their language and written
to the outbox (`worker.outbox.email_record`, keyed `group-mail:<recipient id>`), and the recipient notes its outbox
row, all in one transaction: a run stopped half-way and run again writes only whom it had not reached, two runs at
once never write the same recipient, and the outbox key stops a second row whatever happens. The outbox sends each
e-mail after commit, retries a refusing mail server with backoff, and marks it failed for good after its attempts;
the mail's page shows each recipient's state.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.models import User
from worker.models import OutboxMessage
from worker.outbox import email_record

from ..models import GroupMail, GroupMailRecipient, JudgingRound
from ..selectors.group_mail import GroupCriteria, GroupMember
from .group_mail_texts import render_for

State = GroupMail.State

# How many recipients' e-mails are written in one transaction, between two progress reports.
MAIL_BATCH = 50


def recipient_key(recipient: GroupMailRecipient) -> str:
    return f"group-mail:{recipient.pk}"


def group_mail_fail(*, run_id: int, error: str) -> None:
    """The task gave up (PortalTask's `fails_run`): the mail shows the error and offers to try again."""
    GroupMail.objects.filter(pk=run_id, state__in=[State.PENDING, State.RUNNING]).update(
        state=State.FAILED, error=error[:5000], finished_at=timezone.now())


def _progress(mail: GroupMail) -> int:
    if not mail.total:
        return 100
    written = GroupMailRecipient.objects.filter(group_mail=mail, outbox_message__isnull=False).count()
    return written * 100 // mail.total


def _write_batch(mail: GroupMail, judging_round: JudgingRound | None) -> int:
    """Write the e-mails of the next batch of recipients not written yet; returns how many recipients it took."""
    with transaction.atomic():
        batch = list(GroupMailRecipient.objects.filter(group_mail=mail, outbox_message__isnull=True)
                     .select_for_update(skip_locked=True, of=("self",))
                     .select_related("user", "application__organisation", "application__category")
                     .order_by("pk")[:MAIL_BATCH])
        for recipient in batch:
            if recipient.user is None:  # the account was deleted since: write to the address as it was
                recipient.user = User(email=recipient.email, name=recipient.name, language=recipient.language)
            recipient.user.language = recipient.language  # the language fixed when the mail was sent (not saved)
            member = GroupMember(user=recipient.user, application=recipient.application)
            _language, subject, body = render_for(member, texts=mail, edition=mail.edition, audience=mail.audience,
                                                  judging_round=judging_round)
            key = recipient_key(recipient)
            message = email_record(to=recipient.email, subject=subject, body=body, edition_id=mail.edition_id,
                                   key=key) or OutboxMessage.objects.get(key=key)
            GroupMailRecipient.objects.filter(pk=recipient.pk).update(outbox_message=message,
                                                                       written_at=timezone.now())
    return len(batch)


def group_mail_execute(*, mail_id: int) -> GroupMail | None:
    """Write every recipient's e-mail not written yet, in batches, reporting progress; None when the mail is gone.
    A mail already finished (or failed: its page retries it) returns as it is. Safe to run twice or at once."""
    if not GroupMail.objects.filter(pk=mail_id, state__in=[State.PENDING, State.RUNNING]).update(
            state=State.RUNNING):
        return GroupMail.objects.filter(pk=mail_id).first()
    mail = GroupMail.objects.select_related("edition").get(pk=mail_id)
    criteria = GroupCriteria.from_json(mail.criteria)
    judging_round = (JudgingRound.objects.filter(pk=criteria.round_id, edition=mail.edition).first()
                     if criteria.round_id else None)
    while _write_batch(mail, judging_round):
        GroupMail.objects.filter(pk=mail.pk, state=State.RUNNING).update(progress=_progress(mail))
    if GroupMailRecipient.objects.filter(group_mail=mail, outbox_message__isnull=True).exists():
        return mail  # another run holds the rest and finishes the mail
    GroupMail.objects.filter(pk=mail.pk, state=State.RUNNING).update(
        state=State.SUCCEEDED, progress=100, finished_at=timezone.now())
    mail.refresh_from_db()
    return mail
