"""How the mail pages say things: a group's criteria in words, and each recipient's delivery state."""

from django.utils.translation import gettext as _

from portal.formatting import local_time
from submissions.models import Application
from worker.models import OutboxMessage

from ..models import GroupMail
from ..selectors.group_mail import JUDGES_DONE, JUDGES_LATE

OutboxState = OutboxMessage.State


def describe_group(criteria: dict, labels: dict) -> list[str]:
    """The group in words, one line per filter applied ("Applicants", "Status: Submitted, Eligible", ...)."""
    applicants = criteria.get("audience") == GroupMail.Audience.APPLICANTS
    lines = [str(GroupMail.Audience(criteria.get("audience", GroupMail.Audience.APPLICANTS)).label)]
    statuses = dict(Application.Status.choices)
    if applicants and criteria.get("statuses"):
        lines.append(_("Status: %(list)s") % {"list": ", ".join(str(statuses.get(s, s)) for s in criteria["statuses"])})
    if criteria.get("category_ids"):
        names = [labels["categories"].get(pk, f"#{pk}") for pk in criteria["category_ids"]]
        lines.append(_("Category: %(list)s") % {"list": ", ".join(names)})
    judging_round = labels["rounds"].get(criteria.get("round_id")) if criteria.get("round_id") else None
    if applicants and criteria.get("shortlisted"):
        lines.append(_("Shortlisted in %(round)s") % {"round": judging_round.name} if judging_round
                     else _("Shortlisted in any round"))
    elif criteria.get("round_id"):
        lines.append(_("Round: %(round)s") % {"round": judging_round.name if judging_round else _("deleted")})
    if criteria.get("judge_progress") == JUDGES_LATE:
        lines.append(_("Late: reviews still open after the deadline"))
    elif criteria.get("judge_progress") == JUDGES_DONE:
        lines.append(_("Done: every review submitted"))
    return lines


def recipient_state(recipient) -> tuple[str, str]:
    """(css state, words) of one recipient's e-mail: not written yet, on its way, sent, failed."""
    message = recipient.outbox_message
    if recipient.written_at is None:
        return "queued", _("Not written yet")
    if message is None:
        return "unknown", _("Removed from the outbox")
    if message.state == OutboxState.DONE:
        return "sent", _("Sent")
    if message.state == OutboxState.FAILED:
        return "failed", _("Failed")
    if message.attempts:
        return "retrying", _("Refused; tried again later")
    return "sending", _("On its way")


def recipient_rows(recipients, *, edition) -> list[dict]:
    rows = []
    for recipient in recipients:
        state, words = recipient_state(recipient)
        message = recipient.outbox_message
        rows.append({
            "recipient": recipient, "state": state, "words": words,
            "error": message.last_error if message is not None else "",
            "attempts": message.attempts if message is not None else 0,
            "sent_at": local_time(message.done_at, edition=edition) if message is not None and message.done_at
            else "",
            "can_retry": message is not None and message.state in (OutboxState.FAILED, OutboxState.PENDING)
            and bool(message.attempts or message.state == OutboxState.FAILED),
        })
    return rows
