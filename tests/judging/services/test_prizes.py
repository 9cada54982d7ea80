"""Prize tiers, edition awards and the award settings: audited, locked once finalised, kept while decisions use them."""

import importlib

import pytest
from django.core.exceptions import ValidationError

from judging.models import EditionAward, PrizeTier
from judging.services import prizes
from portal.models import AuditEntry, Edition
from tests.factories import (
    ApplicationFactory,
    AwardDecisionFactory,
    CategoryFactory,
    CriterionFactory,
    EditionAwardFactory,
    EditionFactory,
    PrizeTierFactory,
    RubricFactory,
    UserFactory,
)
from tests.factories.ceremony import lock_edition

pytestmark = pytest.mark.django_db

conversion = importlib.import_module("judging.migrations.0007_prize_tiers")


def test_the_migration_turns_boundaries_into_tiers():
    assert conversion.tiers_from_boundaries([1, 3, 6]) == [("gold", 1), ("silver", 2), ("bronze", 3)]
    assert conversion.tiers_from_boundaries([1]) == [("winner", 1)]
    assert conversion.tiers_from_boundaries([2, 5]) == [("gold", 2), ("silver", 3)]
    assert conversion.tiers_from_boundaries([]) == []
    # Rows (category, round position, boundaries): each category takes its highest-position round's.
    rows = [(10, 1, [1, 3, 6]), (10, 2, [1]), (11, 1, [1, 3, 6]), (12, 1, [])]
    assert conversion.tier_rows(rows) == [
        (10, "winner", 1, 1), (11, "gold", 1, 1), (11, "silver", 2, 2), (11, "bronze", 3, 3)]
    # A category with no round is in no row, and gets no tiers.
    assert conversion.tier_rows([]) == []


def test_a_tier_is_created_changed_and_deleted_with_an_audit_entry_each():
    category, user = CategoryFactory(), UserFactory()
    tier = prizes.prize_tier_save(category=category, user=user, data={"level": "gold", "places": 1, "position": 1})
    prizes.prize_tier_save(category=category, user=user, tier=tier, data={"places": 2})
    assert PrizeTier.objects.get().places == 2
    prizes.prize_tier_delete(tier=tier, user=user)
    assert PrizeTier.objects.count() == 0
    assert [(e.action, e.before, e.after) for e in AuditEntry.objects.order_by("id")] == [
        ("prize_tier.save", None, {"level": "gold", "places": 1, "position": 1}),
        ("prize_tier.save", {"level": "gold", "places": 1, "position": 1},
         {"level": "gold", "places": 2, "position": 1}),
        ("prize_tier.delete", {"level": "gold", "places": 2, "position": 1}, None),
    ]


def test_a_category_has_each_level_once_and_at_least_one_place():
    tier = PrizeTierFactory()
    with pytest.raises(ValidationError):
        prizes.prize_tier_save(category=tier.category, user=None, data={"level": "gold", "places": 1, "position": 2})
    with pytest.raises(ValidationError):
        prizes.prize_tier_save(category=tier.category, user=None, data={"level": "silver", "places": 0, "position": 2})


def _give(award):
    application = ApplicationFactory(edition=award.edition, status="eligible")
    return AwardDecisionFactory(tier=None, category=None, award=award, edition=award.edition,
                                application=application, citation="For courage")


def test_a_tier_or_award_the_committee_used_is_not_deleted():
    decision = AwardDecisionFactory()
    with pytest.raises(ValidationError, match="already decided places"):
        prizes.prize_tier_delete(tier=decision.tier, user=None)
    award = EditionAwardFactory(edition=decision.edition)
    _give(award)
    with pytest.raises(ValidationError, match="already given"):
        prizes.edition_award_delete(award=award, user=None)
    assert (PrizeTier.objects.count(), EditionAward.objects.count()) == (1, 1)


@pytest.mark.parametrize("state", [Edition.State.FINALISED, Edition.State.PUBLISHED])
def test_nothing_changes_once_the_edition_is_finalised(state):
    tier = PrizeTierFactory(category=CategoryFactory(edition=EditionFactory(state=Edition.State.DELIBERATION)))
    award = EditionAwardFactory(edition=tier.category.edition)
    lock_edition(tier.category.edition, state)
    calls = [
        lambda: prizes.prize_tier_save(category=tier.category, user=None, tier=tier, data={"places": 3}),
        lambda: prizes.prize_tier_delete(tier=tier, user=None),
        lambda: prizes.edition_award_save(edition=award.edition, user=None, data={"name": "x"}),
        lambda: prizes.edition_award_delete(award=award, user=None),
        lambda: prizes.edition_award_settings_update(edition=award.edition, user=None, data={"publish_scores": True}),
    ]
    for call in calls:
        with pytest.raises(ValidationError, match="finalised"):
            call()
    assert AuditEntry.objects.count() == 0


def test_an_edition_award_respects_the_recipients_already_given():
    award = prizes.edition_award_save(edition=EditionFactory(), user=None, data={
        "kind": "special_mention", "name": "Special mention", "max_recipients": None, "position": 1})
    decision = _give(award)
    _give(award)
    with pytest.raises(ValidationError) as refused:
        prizes.edition_award_save(edition=award.edition, award=award, user=None, data={"max_recipients": 1})
    assert "max_recipients" in refused.value.error_dict
    assert (EditionAward.objects.get().max_recipients, decision.award_id) == (None, award.pk)


def test_the_tie_break_criterion_is_one_of_the_rubric_criteria():
    edition = EditionFactory()
    CriterionFactory(rubric=RubricFactory(edition=edition), name="Impact")
    with pytest.raises(ValidationError) as refused:
        prizes.edition_award_settings_update(edition=edition, user=None,
                                             data={"tie_break": "criterion", "tie_break_criterion": "Beauty"})
    assert list(refused.value.error_dict) == ["tie_break_criterion"]
    edition = prizes.edition_award_settings_update(edition=edition, user=None, data={
        "tie_break": "criterion", "tie_break_criterion": "Impact", "publish_scores": True, "publish_dataset": False})
    assert (edition.tie_break, edition.tie_break_criterion, edition.publish_scores) == ("criterion", "Impact", True)
    # Back to the chair's casting decision: no criterion is kept.
    edition = prizes.edition_award_settings_update(edition=edition, user=None, data={"tie_break": "chair"})
    assert (edition.tie_break, edition.tie_break_criterion) == ("chair", "")
    assert AuditEntry.objects.filter(action="edition.award_settings").count() == 2
