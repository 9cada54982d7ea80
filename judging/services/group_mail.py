"""Mail to a group: the edition's mail templates (create, change, delete), sending a mail to a group, trying a
failed mail or one recipient's e-mail again. Every write is audited in the edition.

Sending fixes the recipients (the group as the secretariat previewed it) and copies the template's words, then
enqueues `judging.group_mail_send` once the transaction commits; the task writes each recipient's e-mail to the
outbox exactly once (group_mail_sending.py). The compose page's token makes the same form sent twice (a double
click, a reload) one mail: the second request finds the first's mail and sends nothing.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.models import Edition, User
from portal.services import audit_log
from portal.services.notifications import recipient_language
from worker.models import OutboxMessage
from worker.services import message_retry

from ..models import GroupMail, GroupMailRecipient, MailTemplate
from ..selectors.group_mail import GroupCriteria, group_members
from ..tasks.group_mail import group_mail_send
from .group_mail_texts import TEXT_FIELDS, ensure_texts

State = GroupMail.State


def _actor(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _texts(template: MailTemplate) -> dict[str, str]:
    return {name: getattr(template, name) for name in TEXT_FIELDS}


# --- templates ------------------------------------------------------------------------------------------------


@transaction.atomic
def mail_template_save(*, template: MailTemplate, user: User | None) -> MailTemplate:
    """Create or change a template; refused when a text names an unknown placeholder or both languages are empty."""
    if not (template.subject_en or template.subject_ko) or not (template.body_en or template.body_ko):
        raise ValidationError(_("Write the subject and the body in English or in Korean (or both)."), code="empty")
    ensure_texts(_texts(template))
    before = None
    if template.pk:
        stored = MailTemplate.objects.select_for_update().get(pk=template.pk)
        before = {"name": stored.name, **_texts(stored)}
    else:
        template.created_by = _actor(user)
    template.full_clean(exclude=["created_by"])
    template.save()
    audit_log(actor=user, action="group_mail.template_changed" if before else "group_mail.template_created",
              target=template, edition_id=template.edition_id, before=before,
              after={"name": template.name, **_texts(template)})
    return template


@transaction.atomic
def mail_template_delete(*, template: MailTemplate, user: User | None) -> None:
    """Delete a template; the mails sent with it keep their words (copied when sent)."""
    audit_log(actor=user, action="group_mail.template_deleted", target=template, edition_id=template.edition_id,
              before={"name": template.name, **_texts(template)})
    template.delete()


# --- sending --------------------------------------------------------------------------------------------------


@transaction.atomic
def group_mail_start(*, edition: Edition, template: MailTemplate, criteria: GroupCriteria, token: uuid.UUID,
                     user: User | None) -> tuple[GroupMail, bool]:
    """Send `template` to the group `criteria` selects: the mail and True, or, when this token was sent already,
    that mail and False (nothing sent again). Refused for a template of another edition, a placeholder the
    audience may not use, or an empty group."""
    existing = GroupMail.objects.filter(token=token).first()
    if existing is not None:
        if existing.edition_id != edition.pk:
            raise ValidationError(_("This form belongs to another edition: open the page again."), code="token")
        return existing, False
    if template.edition_id != edition.pk:
        raise ValidationError({"template": _("Choose a template of this edition.")}, code="template")
    ensure_texts(_texts(template), audience=criteria.audience)
    members = group_members(edition=edition, criteria=criteria)
    if not members:
        raise ValidationError(_("Nobody is in this group: change the filter."), code="empty")
    try:
        with transaction.atomic():
            mail = GroupMail.objects.create(
                edition=edition, template=template, token=token, audience=criteria.audience,
                criteria=criteria.as_json(), total=0, created_by=_actor(user), **_texts(template))
    except IntegrityError:  # the same form, sent at the same moment by a second click: the first one's mail
        return GroupMail.objects.get(token=token), False
    seen: set[tuple[str, int | None]] = set()
    recipients = []
    for member in members:
        key = (member.user.email.lower(), member.application.pk if member.application else None)
        if key in seen:
            continue
        seen.add(key)
        recipients.append(GroupMailRecipient(group_mail=mail, user=member.user, email=member.user.email,
                                             name=member.user.name, language=recipient_language(member.user),
                                             application=member.application))
    GroupMailRecipient.objects.bulk_create(recipients)
    GroupMail.objects.filter(pk=mail.pk).update(total=len(recipients))
    mail.total = len(recipients)
    audit_log(actor=user, action="group_mail.sent", target=mail, edition=edition,
              after={"mail": mail.pk, "template": template.name, "group": mail.criteria, "recipients": mail.total})
    group_mail_send.delay_on_commit(run_id=mail.pk)
    return mail, True


@transaction.atomic
def group_mail_retry(*, mail: GroupMail, user: User | None) -> GroupMail:
    """A failed mail is written again: the recipients already written are not written twice."""
    mail = GroupMail.objects.select_for_update().get(pk=mail.pk)
    if mail.state != State.FAILED:
        raise ValidationError(_("Only a failed mail can be tried again."), code="state")
    before = {"state": mail.state, "error": mail.error}
    GroupMail.objects.filter(pk=mail.pk).update(state=State.PENDING, error="", finished_at=None)
    mail.refresh_from_db()
    audit_log(actor=user, action="group_mail.retried", target=mail, edition_id=mail.edition_id, before=before,
              after={"state": mail.state})
    group_mail_send.delay_on_commit(run_id=mail.pk)
    return mail


def group_mail_recipient_retry(*, recipient: GroupMailRecipient, user: User | None) -> OutboxMessage:
    """One recipient's failed (or waiting) e-mail is sent again now (the outbox's own retry, audited)."""
    if recipient.outbox_message is None:
        raise ValidationError(_("This e-mail is not written yet: the mail is still being sent."), code="unwritten")
    return message_retry(message=recipient.outbox_message, user=user)
