"""The committee's deliberation: one service call per decision, each audited with who, when, before and after.

The committee accepts a category's proposal, puts an entry in a tier's place (a departure from the proposal
needs a written reason), leaves a place empty, moves an entry to another category's consideration, invokes the
edition's tie-break rule on a tie, gives the edition's awards with a citation, revokes a decision and keeps
minutes. Every call is refused once the edition is finalised, and unless the edition is judging (the final
round's results may already be in) or in deliberation.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import Edition, EditionRole, User
from portal.services import audit_log
from submissions.models import Application, Category

from ..models import AwardDecision, CategoryConsideration, Criterion, DeliberationMinutes, EditionAward, PrizeTier
from ..selectors.awards import Candidate, CategoryProposal, TieNote, award_proposal
from .locks import ensure_edition_unlocked
from .minutes_files import minutes_file_check

DELIBERATION_STATES = (Edition.State.JUDGING, Edition.State.DELIBERATION)


def ensure_deliberating(edition: Edition) -> Edition:
    """Lock the edition's row and refuse unless the committee may decide now."""
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    ensure_edition_unlocked(edition, message=_("The edition is finalised: the committee's decisions no longer "
                                               "change."))
    if edition.state not in DELIBERATION_STATES:
        raise ValidationError(_("The committee decides the prizes while the edition is judging or in deliberation; "
                                "it is %(state)s.") % {"state": edition.get_state_display()}, code="state")
    return edition


def decision_snapshot(decision: AwardDecision | None) -> dict | None:
    if decision is None:
        return None
    return {
        "application": decision.application_id, "category": decision.category_id, "tier": decision.tier_id,
        "award": decision.award_id, "citation": decision.citation, "proposed_rank": decision.proposed_rank,
        "departs": decision.departs, "reason": decision.reason, "tie_break": decision.tie_break,
    }


def _record(decision: AwardDecision, *, user: User | None, action: str) -> AwardDecision:
    decision.decided_by = user if user is not None and user.is_authenticated else None
    decision.full_clean(exclude=["decided_by"])  # empty for a decision a script takes (the demo)
    decision.save()
    audit_log(actor=user, action=action, target=decision, edition_id=decision.edition_id, before=None,
              after=decision_snapshot(decision))
    return decision


def _category_proposal(edition: Edition, category: Category) -> CategoryProposal:
    found = award_proposal(edition=edition).category(category.pk)
    if found is None:
        raise ValidationError(_("This category belongs to another edition."))
    return found


def _tie_label(tie: TieNote) -> str:
    return _("%(n)s entries tie for %(places)s %(tier)s places") % {
        "n": len(tie.entries), "places": tie.places, "tier": tie.tier.get_level_display()}


@transaction.atomic
def proposal_accept(*, edition: Edition, category: Category, user: User | None) -> list[AwardDecision]:
    """Turn the category's proposal into decisions for every place not yet decided."""
    edition = ensure_deliberating(edition)
    proposal = _category_proposal(edition, category)
    if not proposal.results_ready:
        raise ValidationError(_("The final round's results for %(category)s are not computed yet.")
                              % {"category": category.name})
    if proposal.ties:
        raise ValidationError(_("%(tie)s: the committee decides the tie first, by the tie-break rule or by hand "
                                "with a reason.") % {"tie": _tie_label(proposal.ties[0])}, code="tie")
    made = []
    for tier in proposal.tiers:
        for candidate in tier.proposed:
            made.append(_record(AwardDecision(
                edition=edition, category=category, tier=tier.tier, application=candidate.application,
                proposed_rank=candidate.rank, departs=False,
            ), user=user, action="award.accept"))
    if not made:
        raise ValidationError(_("Nothing left to accept in %(category)s: every place is decided.")
                              % {"category": category.name})
    return made


def _check_candidate(application: Application, tier: PrizeTier, edition: Edition) -> None:
    if application.edition_id != edition.pk or application.status != Application.Status.ELIGIBLE:
        raise ValidationError({"application": _("Only eligible entries of this edition can be awarded.")})
    considered_in = getattr(getattr(application, "category_consideration", None), "category_id", None)
    home = considered_in or application.category_id
    if home != tier.category_id:
        raise ValidationError({"application": _(
            "This entry is considered in another category; move it to %(category)s's consideration first."
        ) % {"category": tier.category.name}})
    existing = AwardDecision.objects.filter(edition=edition, application=application, tier__isnull=False).first()
    if existing is not None:
        raise ValidationError({"application": _("This entry already has a prize (%(tier)s, %(category)s); revoke "
                                                "it first.") % {"tier": existing.tier.get_level_display(),
                                                                "category": existing.category.name}})


def _tier_with_room(tier: PrizeTier, proposal: CategoryProposal):
    tier_proposal = proposal.tier(tier.pk)
    if tier_proposal is None or tier_proposal.undecided == 0:
        raise ValidationError(_("All %(n)s %(tier)s places are decided; revoke one first.")
                              % {"n": tier.places, "tier": tier.get_level_display()})
    return tier_proposal


@transaction.atomic
def award_decide(*, edition: Edition, tier: PrizeTier, application: Application, user: User | None,
                 reason: str = "") -> AwardDecision:
    """Put an entry in one of the tier's places. Choosing an entry the proposal does not put there departs from
    the ranking (written reason required); choosing one of a tie's entries by hand needs a reason too."""
    edition = ensure_deliberating(edition)
    if tier.category.edition_id != edition.pk:
        raise ValidationError(_("This tier belongs to another edition."))
    _check_candidate(application, tier, edition)
    proposal = _category_proposal(edition, tier.category)
    tier_proposal = _tier_with_room(tier, proposal)
    proposed = any(c.application.pk == application.pk for c in tier_proposal.proposed)
    in_tie = tier_proposal.tie is not None and any(c.application.pk == application.pk
                                                   for c in tier_proposal.tie.entries)
    if not proposed and not reason.strip():
        raise ValidationError({"reason": _("Choosing one of tied entries by hand needs a written reason.") if in_tie
                               else _("Every departure from the ranking needs a written reason.")})
    return _record(AwardDecision(
        edition=edition, category=tier.category, tier=tier, application=application,
        proposed_rank=_rank_of(application, proposal), departs=not proposed and not in_tie, reason=reason.strip(),
    ), user=user, action="award.decide")


def _rank_of(application: Application, proposal: CategoryProposal) -> int | None:
    candidate = next((c for c in [*proposal.candidates, *proposal.moved_away]
                      if c.application.pk == application.pk), None)
    return candidate.rank if candidate else None


@transaction.atomic
def tier_place_leave_empty(*, tier: PrizeTier, user: User | None, reason: str) -> AwardDecision:
    """Leave one of the tier's places without a prize ("no prize in this tier"), with the committee's reason."""
    edition = ensure_deliberating(tier.category.edition)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the committee leaves this place empty.")})
    _tier_with_room(tier, _category_proposal(edition, tier.category))
    return _record(AwardDecision(edition=edition, category=tier.category, tier=tier, application=None,
                                 departs=True, reason=reason.strip()), user=user, action="award.leave_empty")


@transaction.atomic
def entry_move_category(*, application: Application, category: Category, user: User | None,
                        reason: str) -> CategoryConsideration | None:
    """Consider the entry for another category's prizes (its own category stays as it is). Moving it back to
    its own category ends the move. Refused while the entry holds a category prize."""
    edition = ensure_deliberating(application.edition)
    if category.edition_id != edition.pk:
        raise ValidationError({"category": _("Choose a category of this edition.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Every departure from the ranking needs a written reason.")})
    if AwardDecision.objects.filter(application=application, tier__isnull=False).exists():
        raise ValidationError(_("This entry already has a prize; revoke it before moving the entry."))
    current = CategoryConsideration.objects.filter(application=application).first()
    before = {"category": current.category_id if current else application.category_id}
    if category.pk == application.category_id:
        if current is not None:
            current.delete()
        consideration = None
    else:
        consideration = current or CategoryConsideration(edition=edition, application=application)
        consideration.category = category
        consideration.reason = reason.strip()
        consideration.decided_by = user if user is not None and user.is_authenticated else None
        consideration.full_clean(exclude=["decided_by"])
        consideration.save()
    if before["category"] != category.pk:
        audit_log(actor=user, action="award.move_category", target=application, edition_id=edition.pk,
                  before=before, after={"category": category.pk, "reason": reason.strip()})
    return consideration


@transaction.atomic
def edition_award_give(*, award: EditionAward, application: Application, citation: str,
                       user: User | None) -> AwardDecision:
    """Give an edition-level award (leadership award, special mention) to an entry, with its public citation."""
    edition = ensure_deliberating(award.edition)
    if not citation.strip():
        raise ValidationError({"citation": _("Write the award's citation.")})
    if application.edition_id != edition.pk or application.status != Application.Status.ELIGIBLE:
        raise ValidationError({"application": _("Only eligible entries of this edition can be awarded.")})
    given = AwardDecision.objects.filter(award=award)
    if given.filter(application=application).exists():
        raise ValidationError({"application": _("This entry already has this award.")})
    if award.max_recipients is not None and given.count() >= award.max_recipients:
        raise ValidationError(_("“%(name)s” goes to at most %(n)s recipients; revoke one first.")
                              % {"name": award.name, "n": award.max_recipients})
    return _record(AwardDecision(edition=edition, award=award, application=application, citation=citation.strip()),
                   user=user, action="award.give")


@transaction.atomic
def award_decision_revoke(*, decision: AwardDecision, user: User | None, reason: str) -> None:
    edition = ensure_deliberating(decision.edition)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the decision is revoked.")})
    audit_log(actor=user, action="award.revoke", target=decision, edition_id=edition.pk,
              before=decision_snapshot(decision), after={"revoked": True, "reason": reason.strip()})
    decision.delete()


@transaction.atomic
def tie_break_apply(*, edition: Edition, category: Category, tier: PrizeTier, user: User | None,
                    application: Application | None = None, reason: str = "") -> list[AwardDecision]:
    """Invoke the edition's tie-break rule on the tie at the tier's end.

    By criterion: the tied entries with the higher median on the named criterion take the tie's places (refused
    when the criterion does not separate them at the cut). By the chair's casting decision: the chair names
    `application` (one of the tied entries) and gives a reason; it takes one place.
    """
    edition = ensure_deliberating(edition)
    if tier.category_id != category.pk or category.edition_id != edition.pk:
        raise ValidationError(_("This tier belongs to another category."))
    tie = getattr(_category_proposal(edition, category).tier(tier.pk), "tie", None)
    if tie is None:
        raise ValidationError(_("There is no tie at the end of this tier to break."))
    if tie.carried:
        raise ValidationError(_("This tie began in the tier above: decide it there first."))
    if edition.tie_break == Edition.TieBreak.CRITERION:
        winners = _by_criterion(edition, tie)
        label = _("criterion “%(name)s” (higher median)") % {"name": edition.tie_break_criterion}
        decision_reason = ""
    else:
        if not EditionRole.objects.filter(edition=edition, user_id=getattr(user, "pk", None),
                                          role=EditionRole.Role.CHAIR).exists():
            raise ValidationError(_("The tie-break rule is the chair's casting decision: only the chair applies it."))
        winners = [c for c in tie.entries if application is not None and c.application.pk == application.pk]
        if not winners:
            raise ValidationError({"application": _("Choose one of the tied entries.")})
        if not reason.strip():
            raise ValidationError({"reason": _("The chair's casting decision needs a written reason.")})
        label, decision_reason = _("the chair's casting decision"), reason.strip()
    return [_record(AwardDecision(
        edition=edition, category=category, tier=tier, application=winner.application, proposed_rank=winner.rank,
        departs=False, reason=decision_reason, tie_break=str(label)[:200],
    ), user=user, action="award.tie_break") for winner in winners]


def _by_criterion(edition: Edition, tie: TieNote) -> list[Candidate]:
    ids = {str(pk) for pk in Criterion.objects.filter(
        rubric__edition=edition, name=edition.tie_break_criterion).values_list("pk", flat=True)}
    if not ids:
        raise ValidationError(_("The edition's tie-break criterion is not one of its rubric's criteria."))

    def median(candidate: Candidate) -> float:
        medians = candidate.result.criterion_medians or {}
        found = [medians[key]["median"] for key in ids if key in medians]
        return float(found[0]) if found else float("-inf")

    ordered = sorted(tie.entries, key=median, reverse=True)
    if median(ordered[tie.places - 1]) == median(ordered[tie.places]):
        raise ValidationError(_("The entries are tied on “%(name)s” too; the committee decides by hand, with a "
                                "reason.") % {"name": edition.tie_break_criterion})
    return ordered[:tie.places]


@transaction.atomic
def minutes_add(*, edition: Edition, user: User | None, held_on: datetime.date, text: str,
                file=None) -> DeliberationMinutes:
    """Keep the minutes of a committee meeting, with an optional file (PDF, DOCX, ODT up to 20 MB)."""
    edition = ensure_deliberating(edition)
    if not text.strip():
        raise ValidationError({"text": _("Write the minutes.")})
    minutes = DeliberationMinutes(edition=edition, held_on=held_on, text=text.strip(),
                                  written_by=user if user is not None and user.is_authenticated else None)
    if file is not None:
        extension = minutes_file_check(file)
        file.name = f"minutes-{held_on.isoformat()}{extension}"
        minutes.file = file
    minutes.full_clean(exclude=["written_by"])
    minutes.save()
    audit_log(actor=user, action="minutes.add", target=minutes, edition_id=edition.pk, before=None,
              after={"held_on": held_on.isoformat(), "file": minutes.file.name or ""})
    return minutes
