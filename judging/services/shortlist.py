"""Shortlisting: which entries of a round go on to the next one.

Two ways in, both audited: the top n of each category by corrected score (`shortlist_top`),
or an entry picked by hand with a written reason (`shortlist_add`). Ties are never broken
silently: when entries share the rank at the cut, they all go through, and the result
says how many more than n that made. The Shortlisting rows are the shortlist; a round
whose entries are "the shortlist of the previous round" reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_log
from submissions.models import Application

from ..models import EntryResult, JudgingRound, Shortlisting
from .locks import ensure_edition_unlocked

SHORTLIST_STATES = (JudgingRound.State.CLOSED, JudgingRound.State.SCORED)


@dataclass
class ShortlistOutcome:
    added: int  # new rows
    kept: int  # already on the shortlist
    ties_beyond: dict[int, int]  # category id -> entries taken beyond n because they tie at the cut


def _ensure_shortlist_editable(judging_round: JudgingRound) -> None:
    ensure_edition_unlocked(judging_round.edition,
                            message=_("The edition is finalised: the shortlist no longer changes."))
    if judging_round.state not in SHORTLIST_STATES:
        raise ValidationError(
            _("A shortlist is drawn once the round has closed (this one is %(state)s).")
            % {"state": judging_round.get_state_display().lower()},
            code="round_open",
        )


@transaction.atomic
def shortlist_top(*, judging_round: JudgingRound, per_category: int, user: User) -> ShortlistOutcome:
    """Put the top `per_category` entries of each category (by corrected rank, ties included) on the shortlist."""
    _ensure_shortlist_editable(judging_round)
    if per_category < 1:
        raise ValidationError({"per_category": _("Take at least one entry per category.")})
    results = list(
        EntryResult.objects.filter(round=judging_round, rank__lte=per_category)
        .order_by("category_id", "rank", "application_id")
        .values_list("category_id", "application_id", "rank")
    )
    if not results and not EntryResult.objects.filter(round=judging_round).exists():
        raise ValidationError(_("There are no results yet: compute them first."), code="no_results")
    existing = set(Shortlisting.objects.filter(round=judging_round).values_list("application_id", flat=True))
    new = [
        Shortlisting(round=judging_round, application_id=application_id, by_rank=True,
                     reason=_("Rank %(rank)s in its category (top %(n)s).") % {"rank": rank, "n": per_category},
                     decided_by=user)
        for _category, application_id, rank in results if application_id not in existing
    ]
    Shortlisting.objects.bulk_create(new)
    per_category_count: dict[int, int] = {}
    for category_id, _application, _rank in results:
        per_category_count[category_id] = per_category_count.get(category_id, 0) + 1
    ties_beyond = {category: count - per_category for category, count in per_category_count.items()
                   if count > per_category}
    audit_log(actor=user, action="shortlist.top", target=judging_round, edition_id=judging_round.edition_id,
              after={"per_category": per_category, "added": sorted(row.application_id for row in new),
                     "ties_beyond": {str(k): v for k, v in ties_beyond.items()}})
    return ShortlistOutcome(added=len(new), kept=len(results) - len(new), ties_beyond=ties_beyond)


@transaction.atomic
def shortlist_add(*, judging_round: JudgingRound, application: Application, user: User, reason: str) -> Shortlisting:
    """Put one entry on the shortlist by hand; the reason is required and kept."""
    _ensure_shortlist_editable(judging_round)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this entry goes through: a hand-picked entry needs a reason.")})
    if application.edition_id != judging_round.edition_id or not judging_round.categories.filter(
        pk=application.category_id
    ).exists():
        raise ValidationError({"application": _("Only an entry of one of the round's categories can be shortlisted.")})
    if Shortlisting.objects.filter(round=judging_round, application=application).exists():
        raise ValidationError({"application": _("This entry is already on the shortlist.")}, code="duplicate")
    shortlisting = Shortlisting(round=judging_round, application=application, by_rank=False, reason=reason,
                                decided_by=user)
    shortlisting.full_clean()
    shortlisting.save()
    audit_log(actor=user, action="shortlist.add", target=application, edition_id=judging_round.edition_id,
              after={"round": judging_round.pk, "reason": reason})
    return shortlisting


@transaction.atomic
def shortlist_remove(*, shortlisting: Shortlisting, user: User, reason: str) -> None:
    """Take an entry off the shortlist, with a reason."""
    _ensure_shortlist_editable(shortlisting.round)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this entry comes off the shortlist.")})
    audit_log(actor=user, action="shortlist.remove", target=shortlisting.application,
              edition_id=shortlisting.round.edition_id,
              before={"round": shortlisting.round_id, "by_rank": shortlisting.by_rank, "reason": shortlisting.reason},
              after={"reason": reason})
    shortlisting.delete()
