"""Tasks that send judges their e-mails; judging.notifications builds every e-mail. Thin: ids in, one call."""

import logging

from celery import shared_task

from worker.base import PortalTask

from ..models import JudgingRound

logger = logging.getLogger(__name__)

__all__ = ["notify_judges", "remind_judges", "send_reminders", "send_review_receipt"]


@shared_task(name="judging.notify_judges", base=PortalTask, acks_late=True)
def notify_judges(*, round_id: int) -> int:
    """E-mail every judge of an open round the entries not yet announced to them, in batches."""
    from ..notifications import round_notify_judges

    judging_round = JudgingRound.objects.filter(pk=round_id).first()
    if judging_round is None:
        logger.info("round %s is gone; nobody to notify", round_id)
        return 0
    return round_notify_judges(round=judging_round)


@shared_task(name="judging.send_reminders", base=PortalTask, acks_late=True)
def send_reminders() -> int:
    """Celery beat, hourly: reminders before the deadlines of open rounds."""
    from ..notifications import reminders_send

    return reminders_send()


@shared_task(name="judging.send_review_receipt", base=PortalTask)
def send_review_receipt(*, review_id: int) -> str:
    """Tell the judge their review was received. In a blind round the e-mail names no applicant either."""
    from ..notifications import review_receipt_send

    return review_receipt_send(review_id=review_id)


@shared_task(name="judging.remind_judges", base=PortalTask, acks_late=True)
def remind_judges(*, round_id: int, judge_ids: list[int]) -> int:
    """The secretariat's "remind now": e-mail these judges of the round their reviews still open."""
    from ..notifications import round_remind_judges

    judging_round = JudgingRound.objects.filter(pk=round_id).first()
    if judging_round is None:
        logger.info("round %s is gone; nobody to remind", round_id)
        return 0
    return round_remind_judges(round=judging_round, judge_ids=judge_ids)
