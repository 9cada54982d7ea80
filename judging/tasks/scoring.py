"""Scoring tasks: the round's aggregation and the judge's receipt. Thin: ids in, one service call."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from worker.base import PortalTask

from ..models import AggregationRun, Review

logger = logging.getLogger(__name__)

__all__ = ["aggregate_round", "send_review_receipt"]


class AggregationTask(PortalTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries exhausted (or an error nobody retries): the run shows it failed, so the secretariat can retry.
        run_id = (kwargs or {}).get("run_id")
        if run_id:
            AggregationRun.objects.filter(pk=run_id).exclude(state=AggregationRun.State.SUCCEEDED).update(
                state=AggregationRun.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
            )


@shared_task(name="judging.aggregate_round", base=AggregationTask)
def aggregate_round(*, run_id: int) -> str:
    """Recompute a round's results for one AggregationRun; a run that already succeeded is not redone."""
    from ..services.aggregation import aggregation_run_execute

    run = AggregationRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.info("aggregation run %s is gone; nothing to do", run_id)
        return "gone"
    return aggregation_run_execute(run=run).state


@shared_task(name="judging.send_review_receipt", base=PortalTask)
def send_review_receipt(*, review_id: int) -> str:
    """Tell the judge their review was received. In a blind round the e-mail names no applicant either."""
    from ..selectors.scoring import entry_title

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
    context = {
        "judge": assignment.judge.user,
        "title": entry_title(application=assignment.application, judging_round=judging_round),
        "round": judging_round,
        "edition": judging_round.edition,
        "submitted_at": timezone.localtime(review.submitted_at, judging_round.edition.tz),
        "deadline": timezone.localtime(judging_round.deadline, judging_round.edition.tz),
        "url": f"{settings.PORTAL_BASE_URL}{reverse('judging:scoring_review', args=[assignment.pk])}",
    }
    send_mail(
        subject=render_to_string("judging/scoring/email/receipt_subject.txt", context).strip(),
        message=render_to_string("judging/scoring/email/receipt_body.txt", context),
        from_email=None,
        recipient_list=[assignment.judge.user.email],
    )
    return "sent"
