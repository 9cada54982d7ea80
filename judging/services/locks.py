"""The guards every judging write shares: the edition's final lock and the round's row lock.

Once the chair has finalised an edition (and after publication) nothing of its judging changes:
every service that writes scores, bids, calibration entries, the shortlist or results asks
`ensure_edition_unlocked` first, with the sentence the person sees.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.models import Edition

from ..models import JudgingRound

LOCKED_EDITION_STATES = (Edition.State.FINALISED, Edition.State.PUBLISHED)


def edition_is_locked(edition: Edition) -> bool:
    return edition.state in LOCKED_EDITION_STATES


def ensure_edition_unlocked(edition: Edition, *, message: str | None = None, code: str = "finalised") -> None:
    """Refuse any change in a finalised or published edition; `message` says what no longer changes."""
    if edition_is_locked(edition):
        raise ValidationError(message or _("The edition is finalised: nothing in it changes any more."), code=code)


def ensure_results_unlocked(judging_round: JudgingRound) -> None:
    """Once the chair has finalised the edition, its results are locked for good: no recompute changes them."""
    ensure_edition_unlocked(judging_round.edition,
                            message=_("The edition is finalised: its results are locked for good."))


def round_lock(round_id: int) -> JudgingRound:
    """Every write to a round's state or assignments holds this row lock, so they happen one after another."""
    return JudgingRound.objects.select_for_update(of=("self",)).select_related("edition").get(pk=round_id)
