"""Calibration entries: entries every judge of their category scores first, tying the judges' pools together.

Chosen before the round opens (the assigner then gives each to every judge of its category); the round page
advises them where a category's judges would otherwise form panels that share no entry (selectors/design.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_log
from submissions.models import Application

from ..models import CalibrationEntry, JudgingRound
from .locks import ensure_edition_unlocked


def _ensure_calibration_editable(judging_round: JudgingRound) -> None:
    ensure_edition_unlocked(judging_round.edition)
    if judging_round.state not in (JudgingRound.State.SCHEDULED, JudgingRound.State.ASSIGNING):
        raise ValidationError(
            _("Calibration entries are chosen before the round opens, so that the assigner can give them to every "
              "judge of their category. This round is %(state)s.") % {"state": judging_round.get_state_display().lower()},
            code="round_started",
        )


@transaction.atomic
def calibration_mark(*, judging_round: JudgingRound, application: Application, user: User) -> CalibrationEntry:
    """Mark an entry as a calibration entry of the round: every judge of its category scores it, first."""
    _ensure_calibration_editable(judging_round)
    if application.edition_id != judging_round.edition_id or not judging_round.categories.filter(
        pk=application.category_id
    ).exists():
        raise ValidationError(_("Only an entry of one of the round's categories can calibrate it."), code="category")
    entry, created = CalibrationEntry.objects.get_or_create(round=judging_round, application=application)
    if created:
        audit_log(actor=user, action="calibration.mark", target=application, edition_id=judging_round.edition_id,
                  after={"round": judging_round.pk, "application": application.pk})
    return entry


@transaction.atomic
def calibration_unmark(*, judging_round: JudgingRound, application: Application, user: User) -> None:
    _ensure_calibration_editable(judging_round)
    deleted, _unused = CalibrationEntry.objects.filter(round=judging_round, application=application).delete()
    if deleted:
        audit_log(actor=user, action="calibration.unmark", target=application, edition_id=judging_round.edition_id,
                  before={"round": judging_round.pk, "application": application.pk})
