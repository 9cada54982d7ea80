"""Reads of the outbox for the edition's page."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from .models import OutboxMessage

State = OutboxMessage.State
# What the secretariat has to look at: everything not done yet.
OPEN_STATES = (State.FAILED, State.PENDING, State.SENT, State.RUNNING)

# The tasks named as the secretariat knows them; an unknown task shows its technical name.
TASK_LABELS = {
    "judging.assign_round": _("Assigner run"),
    "judging.aggregate_round": _("Results computation"),
    "judging.award_job_run": _("Ceremony job (decision e-mails, certificates, exports)"),
    "judging.notify_judges": _("E-mails to judges about their entries"),
    "judging.remind_judges": _("Reminders to judges"),
    "judging.send_review_receipt": _("Review receipt to a judge"),
    "judging.replace_after_conflict": _("Replacement of a conflicted judge"),
    "submissions.send_submission_confirmation": _("Confirmation of a submission"),
    "portal.send_role_invitation": _("Role invitation"),
    "judging.group_mail_send": _("Mail to a group"),
}


def task_label(task_name: str) -> str:
    return str(TASK_LABELS.get(task_name, task_name))


def edition_outbox(*, edition) -> QuerySet[OutboxMessage]:
    """The edition's tasks and e-mails not done yet, failed first, newest first (one query per page)."""
    return (OutboxMessage.objects.filter(edition=edition, state__in=OPEN_STATES)
            .defer("body", "kwargs")
            .annotate(failed_first=Case(When(state=State.FAILED, then=Value(0)), default=Value(1),
                                        output_field=IntegerField()))
            .order_by("failed_first", "-created_at", "-pk"))


def edition_outbox_counts(*, edition) -> dict[str, int]:
    """How many of the edition's rows are failed and waiting (one query)."""
    counts = OutboxMessage.objects.filter(edition=edition).aggregate(
        failed=Count("pk", filter=Q(state=State.FAILED)),
        waiting=Count("pk", filter=Q(state__in=[State.PENDING, State.SENT, State.RUNNING])),
    )
    return {key: value or 0 for key, value in counts.items()}


def runs_waiting_for_the_broker(*, task_name: str, run_ids: list[int]) -> set[int]:
    """Which of these runs' tasks are still in the outbox, not yet taken by a worker: such a run is queued, not
    lost, and is sent when the broker is back (a page may say so; nothing should replace it as stale)."""
    return set(OutboxMessage.objects.filter(task_name=task_name, state__in=[State.PENDING, State.SENT],
                                            kwargs__run_id__in=run_ids).values_list("kwargs__run_id", flat=True))
