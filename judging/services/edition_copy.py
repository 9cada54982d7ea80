"""A new edition made from an earlier one ("copy last year's"): its set-up, never its people or their work.

Copied, each row through the service that writes it (so each is validated and audited):
- the edition's settings an organiser does not type: conflicts (`conflict_same_country`), the tie-break rule and
  criterion, what the publication includes (`edition_create`, one `edition.create` entry);
- categories (`category_save`), the application form's current questions (`form_copy`);
- each category's prize tiers (`prize_tier_save`) and the edition-level awards (`edition_award_save`);
- the rounds' settings (`round_create`, then `round_scoring_settings_update` for the explanation card): name,
  position, categories, entries (all eligible or the previous round's shortlist, the previous round mapped to
  its copy), judges per entry, blind, reminders, committee vote. Deadlines move by the time between the two
  editions' openings; every copied round is scheduled and has no assignments;
- the rubrics, the edition's default and each category's own, with their criteria, guidance per level and stage
  weights (`rubric_copy`; a copied tie-break criterion then names a criterion of the new edition). The copies
  are not frozen: the new edition has no scores yet.

Not copied: applications, judges (profiles, roles, bids, conflicts), assignments, reviews and scores, results,
shortlists, calibration entries, decisions, ballots, minutes, jobs.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import Edition, User
from portal.services.editions import edition_create
from submissions.models import Category
from submissions.services.edition_setup import CATEGORY_FIELDS, category_save
from submissions.services.questions import form_copy

from ..models import EditionAward, JudgingRound, PrizeTier, Rubric
from .prizes import AWARD_FIELDS, TIER_FIELDS, edition_award_save, prize_tier_save
from .rounds import round_create, round_scoring_settings_update
from .rubrics import rubric_copy

# The edition's own settings a copy takes from its source (what the organiser types comes from `data`).
COPIED_EDITION_SETTINGS = ("conflict_same_country", "tie_break", "tie_break_criterion", "publish_scores",
                           "publish_dataset")


def ensure_can_copy(*, source: Edition, user: User) -> None:
    """Only the source's secretariat copies it (and only an organiser creates editions: `edition_create` says so)."""
    if not user.has_perm("portal.manage_edition", source):
        raise ValidationError({"copy_from": _("You can copy only an edition whose secretariat you are.")},
                              code="not_secretariat")


@transaction.atomic
def edition_copy(*, source: Edition, user: User, data: dict) -> Edition:
    """A new draft edition (`data`: as `edition_create`'s) with the set-up of `source`; see the module's docstring.

    One transaction: a refusal anywhere leaves nothing behind.
    """
    ensure_can_copy(source=source, user=user)
    settings = {name: getattr(source, name) for name in COPIED_EDITION_SETTINGS}
    target = edition_create(user=user, data={**settings, **data})
    categories = _copy_categories(source, target, user)
    _copy_form(source, target, categories, user)
    _copy_prizes(source, categories, target, user)
    _copy_rounds(source, target, categories, user)
    _copy_rubrics(source, target, categories, user)
    return target


def _copy_rubrics(source: Edition, target: Edition, categories: dict[int, Category], user: User) -> None:
    """The edition's default rubric and each category's own, onto the copied categories."""
    for rubric in Rubric.objects.filter(edition=source).order_by("category__position", "id"):
        category = categories[rubric.category_id] if rubric.category_id else None
        rubric_copy(source=rubric, edition=target, category=category, user=user)


def _copy_categories(source: Edition, target: Edition, user: User) -> dict[int, Category]:
    """The source's categories in the target; the map from each source category's id to its copy."""
    copies = {}
    for category in Category.objects.filter(edition=source).order_by("position", "id"):
        data = {name: getattr(category, name) for name in CATEGORY_FIELDS}
        data["allowed_kinds"] = list(category.allowed_kinds or [])
        copies[category.pk] = category_save(edition=target, user=user, data=data)
    return copies


def _copy_form(source: Edition, target: Edition, categories: dict[int, Category], user: User) -> None:
    form_copy(source=source, target=target, categories=categories, user=user)


def _copy_prizes(source: Edition, categories: dict[int, Category], target: Edition, user: User) -> None:
    for tier in PrizeTier.objects.filter(category__edition=source).order_by("category_id", "position"):
        prize_tier_save(category=categories[tier.category_id], user=user,
                        data={name: getattr(tier, name) for name in TIER_FIELDS})
    for award in EditionAward.objects.filter(edition=source).order_by("position", "id"):
        edition_award_save(edition=target, user=user, data={name: getattr(award, name) for name in AWARD_FIELDS})


def _copy_rounds(source: Edition, target: Edition, categories: dict[int, Category], user: User) -> None:
    """Each round's settings, in order (a shortlist round follows the copy of its previous round)."""
    shift = target.opens_at - source.opens_at
    copies: dict[int, JudgingRound] = {}
    rounds = JudgingRound.objects.filter(edition=source).order_by("position", "id").prefetch_related("categories")
    for judging_round in rounds:
        copy = round_create(
            edition=target, user=user, name=judging_round.name, position=judging_round.position,
            categories=[categories[category.pk] for category in judging_round.categories.all()],
            deadline=judging_round.deadline + shift, source=judging_round.source,
            previous_round=copies.get(judging_round.previous_round_id), judges_per_entry=judging_round.judges_per_entry,
            blind=judging_round.blind, reminder_hours=list(judging_round.reminder_hours or []),
            committee_vote=judging_round.committee_vote, connected_panels=judging_round.connected_panels,
        )
        if judging_round.explanation_to_applicants or judging_round.aggregation_method != copy.aggregation_method:
            copy = round_scoring_settings_update(round=copy, user=user,
                                                 explanation_to_applicants=judging_round.explanation_to_applicants,
                                                 aggregation_method=judging_round.aggregation_method)
        copies[judging_round.pk] = copy
