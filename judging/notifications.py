"""E-mails to judges, built here and written to the outbox by the tasks: entries assigned, reminders, the receipt.

Each e-mail is one outbox row per judge (`worker.outbox.email_record`), written in the same transaction that marks
what it announces (assignments notified, a reminder sent), so a batch stopped half-way and run again mails nobody
twice and skips nobody; the outbox sends each row, retrying a mail server that is down.

Each e-mail is rendered from the templates in judging/templates/judging/*/email/, in the
recipient's language when the portal knows it (`_in_language_of`), and lists entries the way
the judge's pages do: in a blind round no organisation, and titles through `entry_title`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portal.formatting import local_time
from portal.services.notifications import recipient_language
from worker.outbox import email_record

from .models import Assignment, JudgingRound, ReminderSent, Review
from .selectors.assignment import ACTIVE_STATES
from .selectors.scoring import entry_title, organisation_people

State = Assignment.State
RoundState = JudgingRound.State

def _in_language_of(user):
    """Render in the recipient's language (their account's, else the site's), whatever page caused the e-mail."""
    return translation.override(recipient_language(user))


def _local_deadline(judging_round: JudgingRound) -> str:
    return local_time(judging_round.deadline, edition=judging_round.edition, with_zone=True)


def _workspace_url(judging_round: JudgingRound) -> str:
    return f"{settings.PORTAL_BASE_URL}{reverse('portal:edition_workspace', args=[judging_round.edition.slug])}"


def _mail_entries(judging_round: JudgingRound, assignments: list[Assignment]) -> list[dict]:
    """A judge's e-mail lines. In a blind round neither the organisation nor a title that names it is shown:
    titles go through `entry_title`, as on the judge's pages, because they often name the city or a person."""
    people = organisation_people(organisation_ids=[a.application.organisation_id for a in assignments]) \
        if judging_round.blind else {}
    return [
        {
            "number": assignment.application_id,
            "title": entry_title(application=assignment.application, judging_round=judging_round, people=people),
            "category": assignment.application.category.name,
            "organisation": None if judging_round.blind else assignment.application.organisation,
            "state": assignment.get_state_display(),
        }
        for assignment in assignments
    ]


def _mail(template: str, context: dict, to: str, *, key: str | None = None) -> int:
    """Write one e-mail to the judge `context["judge"]` (their profile) at `to`, in their language, to the outbox.
    Returns 1, or 0 when `key` says it was written before."""
    with _in_language_of(context["judge"].user):
        subject = render_to_string(f"judging/assignment/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"judging/assignment/email/{template}_body.txt", context)
    return int(email_record(to=to, subject=subject, body=body, edition_id=context["edition"].pk, key=key) is not None)


def round_notify_judges(*, round: JudgingRound) -> int:  # noqa: A002
    """E-mail each judge of an open round the entries not yet announced to them. Returns the e-mails written.

    Each judge's e-mail (an outbox row) and the marking of its assignments happen in one transaction
    that holds those rows locked (skipping rows another run holds), so two runs never
    write the same entries and a crash before the commit leaves them to be written again.
    """
    judging_round = JudgingRound.objects.select_related("edition").get(pk=round.pk)
    if judging_round.state != RoundState.OPEN:
        return 0
    pending = Assignment.objects.filter(round=judging_round, state__in=ACTIVE_STATES, notified_at__isnull=True)
    judge_ids = sorted(set(pending.values_list("judge_id", flat=True)))
    context = {"round": judging_round, "edition": judging_round.edition, "deadline": _local_deadline(judging_round),
               "url": _workspace_url(judging_round)}
    sent = 0
    for judge_id in judge_ids:
        with transaction.atomic():
            rows = list(
                pending.filter(judge_id=judge_id).select_for_update(skip_locked=True, of=("self",))
                .select_related("judge__user", "application__organisation", "application__category")
                .order_by("queue_position", "pk")
            )
            if not rows:
                continue
            judge = rows[0].judge
            entries = _mail_entries(judging_round, rows)
            sent += _mail("assigned", {**context, "judge": judge, "entries": entries}, judge.user.email)
            Assignment.objects.filter(pk__in=[a.pk for a in rows]).update(notified_at=timezone.now())
    return sent


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind judges with open reviews, once per (round, judge, hours before), when that moment has passed.

    When several moments have passed at once (a round opened late), the judge gets one
    e-mail, and every passed moment is recorded as reminded.
    """
    now = now or timezone.now()
    sent = 0
    rounds = JudgingRound.objects.filter(state=RoundState.OPEN, deadline__gt=now).select_related("edition")
    for judging_round in rounds:
        due = sorted(h for h in set(judging_round.reminder_hours or []) if judging_round.deadline - timedelta(hours=h) <= now)
        if not due:
            continue
        open_reviews = Assignment.objects.filter(round=judging_round, state__in=Assignment.OPEN_STATES)
        judge_ids = sorted(set(open_reviews.values_list("judge_id", flat=True)))
        context = {"round": judging_round, "edition": judging_round.edition,
                   "deadline": _local_deadline(judging_round), "hours": due[0],
                   "url": _workspace_url(judging_round)}
        for judge_id in judge_ids:
            sent += _remind(judging_round, judge_id, due, open_reviews, context)
    return sent


def _remind(judging_round: JudgingRound, judge_id: int, due: list[int], open_reviews, context: dict) -> int:
    try:
        with transaction.atomic():
            already = set(ReminderSent.objects.filter(round=judging_round, judge_id=judge_id, hours_before__in=due)
                          .values_list("hours_before", flat=True))
            missing = [h for h in due if h not in already]
            if not missing:
                return 0
            # The unique key (round, judge, hours) stops a concurrent run here: it fails, rolls back, sends nothing.
            ReminderSent.objects.bulk_create(
                [ReminderSent(round=judging_round, judge_id=judge_id, hours_before=h) for h in missing]
            )
            rows = list(open_reviews.filter(judge_id=judge_id)
                        .select_related("judge__user", "application__organisation", "application__category")
                        .order_by("queue_position", "pk"))
            if not rows:
                return 0
            judge = rows[0].judge
            # Written in the transaction that records the reminder: both, or neither.
            return _mail("reminder", {**context, "judge": judge, "entries": _mail_entries(judging_round, rows)},
                         judge.user.email, key=f"reminder:{judging_round.pk}:{judge_id}:{min(missing)}")
    except IntegrityError:
        return 0


def round_remind_judges(*, round: JudgingRound, judge_ids: list[int]) -> int:  # noqa: A002
    """The secretariat's "remind now": e-mail each of these judges the reviews still open for them in the round,
    if it is still open. A judge who has meanwhile submitted everything gets nothing. Returns the e-mails sent."""
    judging_round = JudgingRound.objects.select_related("edition").get(pk=round.pk)
    if judging_round.state != RoundState.OPEN:
        return 0
    open_reviews = Assignment.objects.filter(round=judging_round, judge_id__in=judge_ids,
                                             state__in=Assignment.OPEN_STATES)
    rows = list(open_reviews.select_related("judge__user", "application__organisation", "application__category")
                .order_by("judge_id", "queue_position", "pk"))
    by_judge: dict[int, list[Assignment]] = {}
    for assignment in rows:
        by_judge.setdefault(assignment.judge_id, []).append(assignment)
    context = {"round": judging_round, "edition": judging_round.edition, "deadline": _local_deadline(judging_round),
               "url": _workspace_url(judging_round)}
    sent = 0
    # One outbox row per judge; inside the task's run each is keyed to that run, so a run stopped half-way and
    # started again writes only the judges it had not reached.
    for judge_id in sorted(by_judge):
        assignments = by_judge[judge_id]
        judge = assignments[0].judge
        sent += _mail("reminder", {**context, "judge": judge, "entries": _mail_entries(judging_round, assignments)},
                      judge.user.email)
    return sent


def review_receipt_send(*, review_id: int) -> str:
    """Tell the judge their review was received. In a blind round the e-mail names no applicant either."""
    review = (
        Review.objects.select_related("assignment__round__edition", "assignment__judge__user",
                                      "assignment__application__organisation")
        .filter(pk=review_id, state=Review.State.SUBMITTED)
        .first()
    )
    if review is None:
        return "nothing to send"
    assignment = review.assignment
    judging_round = assignment.round
    judge = assignment.judge.user
    context = {
        "judge": judge,
        "title": entry_title(application=assignment.application, judging_round=judging_round),
        "round": judging_round,
        "edition": judging_round.edition,
        "submitted_at": timezone.localtime(review.submitted_at, judging_round.edition.tz),
        "deadline": timezone.localtime(judging_round.deadline, judging_round.edition.tz),
        "url": f"{settings.PORTAL_BASE_URL}{reverse('judging:scoring_review', args=[assignment.pk])}",
    }
    with _in_language_of(judge):
        subject = render_to_string("judging/scoring/email/receipt_subject.txt", context).strip()
        body = render_to_string("judging/scoring/email/receipt_body.txt", context)
    # Keyed to this submission of the review: a resubmission gets its own receipt, a second run of the task none.
    written = email_record(to=judge.email, subject=subject, body=body, edition_id=judging_round.edition_id,
                           key=f"review-receipt:{review.pk}:{review.submitted_at.isoformat()}")
    return "sent" if written else "already sent"
