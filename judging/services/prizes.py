"""Prizes as data: a category's tiers, the edition's awards without a ranking, and its award settings.

The secretariat configures them on the awards set-up page. Every change is audited and refused once the
edition is finalised; a tier or award the committee's decisions already use cannot be deleted.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.bilingual import with_languages
from portal.models import Edition, User
from portal.services import audit_log, snapshot
from submissions.models import Category

from ..models import Criterion, EditionAward, PrizeTier
from .locks import ensure_edition_unlocked

TIER_FIELDS = ("level", "places", "position")
AWARD_FIELDS = ("kind", *with_languages("name", "description"), "max_recipients", "position")
SETTINGS_FIELDS = ("tie_break", "tie_break_criterion", "publish_scores", "publish_dataset")


def _locked_message() -> str:
    return _("The edition is finalised: its prizes no longer change.")


@transaction.atomic
def prize_tier_save(*, category: Category, user: User | None, data: dict, tier: PrizeTier | None = None) -> PrizeTier:
    """Create a tier of the category's prizes (level, places, position) or change `tier`."""
    ensure_edition_unlocked(category.edition, message=_locked_message())
    if tier is not None and tier.category_id != category.pk:
        raise ValidationError(_("This tier belongs to another category."))
    tier = tier or PrizeTier(category=category)
    before = snapshot(tier, fields=list(TIER_FIELDS)) if tier.pk else None
    for name in TIER_FIELDS:
        if name in data:
            setattr(tier, name, data[name])
    if tier.pk and tier.places < before["places"] and tier.decisions.count() > tier.places:
        raise ValidationError({"places": _("The committee has already filled %(n)s places of this tier; revoke "
                                           "decisions before reducing it.") % {"n": tier.decisions.count()}})
    tier.full_clean()
    tier.save()
    after = snapshot(tier, fields=list(TIER_FIELDS))
    if after != before:
        audit_log(actor=user, action="prize_tier.save", target=tier, edition_id=category.edition_id,
                  before=before, after=after)
    return tier


@transaction.atomic
def prize_tier_delete(*, tier: PrizeTier, user: User | None) -> None:
    edition = tier.category.edition
    ensure_edition_unlocked(edition, message=_locked_message())
    if tier.decisions.exists():
        raise ValidationError(_("The committee has already decided places in this tier (%(tier)s); revoke those "
                                "decisions before deleting it.") % {"tier": tier.get_level_display()})
    audit_log(actor=user, action="prize_tier.delete", target=tier, edition_id=edition.pk,
              before=snapshot(tier, fields=list(TIER_FIELDS)), after=None)
    tier.delete()


@transaction.atomic
def edition_award_save(*, edition: Edition, user: User | None, data: dict,
                       award: EditionAward | None = None) -> EditionAward:
    """Create an edition-level award (leadership award, special mention, other) or change `award`."""
    ensure_edition_unlocked(edition, message=_locked_message())
    if award is not None and award.edition_id != edition.pk:
        raise ValidationError(_("This award belongs to another edition."))
    award = award or EditionAward(edition=edition)
    before = snapshot(award, fields=list(AWARD_FIELDS)) if award.pk else None
    for name in AWARD_FIELDS:
        if name in data:
            setattr(award, name, data[name])
    given = award.decisions.count() if award.pk else 0
    if award.max_recipients is not None and given > award.max_recipients:
        raise ValidationError({"max_recipients": _("The committee has already given this award %(n)s times.")
                               % {"n": given}})
    award.full_clean()
    award.save()
    after = snapshot(award, fields=list(AWARD_FIELDS))
    if after != before:
        audit_log(actor=user, action="edition_award.save", target=award, edition_id=edition.pk,
                  before=before, after=after)
    return award


@transaction.atomic
def edition_award_delete(*, award: EditionAward, user: User | None) -> None:
    ensure_edition_unlocked(award.edition, message=_locked_message())
    if award.decisions.exists():
        raise ValidationError(_("The committee has already given “%(name)s”; revoke those decisions before deleting "
                                "it.") % {"name": award.name})
    audit_log(actor=user, action="edition_award.delete", target=award, edition_id=award.edition_id,
              before=snapshot(award, fields=list(AWARD_FIELDS)), after=None)
    award.delete()


def criterion_names(*, edition: Edition) -> list[str]:
    """The names of the criteria of the edition's rubrics, in rubric order: the tie-break criterion's choices."""
    names = Criterion.objects.filter(rubric__edition=edition).order_by("rubric_id", "position", "id")
    return list(dict.fromkeys(names.values_list("name", flat=True)))


@transaction.atomic
def edition_award_settings_update(*, edition: Edition, user: User | None, data: dict) -> Edition:
    """The edition's tie-break rule and what its publication includes (scores, the verifiable dataset)."""
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    ensure_edition_unlocked(edition, message=_locked_message())
    before = snapshot(edition, fields=list(SETTINGS_FIELDS))
    for name in SETTINGS_FIELDS:
        if name in data:
            setattr(edition, name, data[name])
    if edition.tie_break == Edition.TieBreak.CRITERION:
        if edition.tie_break_criterion not in criterion_names(edition=edition):
            raise ValidationError({"tie_break_criterion": _("Choose one of the rubric's criteria.")})
    else:
        edition.tie_break_criterion = ""
    edition.full_clean()
    after = snapshot(edition, fields=list(SETTINGS_FIELDS))
    if after != before:
        edition.save(update_fields=list(SETTINGS_FIELDS))
        audit_log(actor=user, action="edition.award_settings", target=edition, edition_id=edition.pk,
                  before=before, after=after)
    return edition
