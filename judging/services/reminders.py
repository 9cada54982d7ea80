"""The secretariat's "remind now": e-mail the judges of an open round who still have reviews to submit."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User
from portal.services.audit import audit_log

from ..models import Assignment, JudgingRound
from ..selectors.completion import OPEN_STATES
from ..tasks.notifications import remind_judges


@transaction.atomic
def round_remind_late_judges(*, round: JudgingRound, user: User) -> int:  # noqa: A002
    """Queue a reminder for every judge of the round with open (assigned or in progress) reviews; return how many.

    Refused unless the round is open for scoring. The e-mails go out after the commit (`delay_on_commit`); the
    audit entry names the judges reminded. Nobody to remind is no error: it returns 0 and records nothing.
    """
    judging_round = JudgingRound.objects.select_for_update().select_related("edition").get(pk=round.pk)
    if judging_round.state != JudgingRound.State.OPEN:
        raise ValidationError(
            _("Reminders go out only while a round is open for scoring; “%(round)s” is %(state)s.")
            % {"round": judging_round.name, "state": judging_round.get_state_display().lower()},
            code="round_not_open",
        )
    judge_ids = sorted(set(
        Assignment.objects.filter(round=judging_round, state__in=OPEN_STATES).values_list("judge_id", flat=True)
    ))
    if not judge_ids:
        return 0
    audit_log(actor=user, action="round.remind", target=judging_round, edition=judging_round.edition,
              before=None, after={"judges": judge_ids, "count": len(judge_ids)})
    remind_judges.delay_on_commit(round_id=judging_round.pk, judge_ids=judge_ids)
    return len(judge_ids)
