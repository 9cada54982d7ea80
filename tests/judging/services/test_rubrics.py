"""Rubrics: which one applies, stage weights, the weighted total, and freezing at the first score."""

import pytest
from django.core.exceptions import ValidationError

from judging.models import Criterion, Rubric, StageWeight
from judging.services import rubrics
from judging.services.scoring import ReviewInput, review_save_draft
from portal.models import AuditEntry
from tests.factories import CategoryFactory, EditionFactory, VerifiedUserFactory
from tests.factories.judging import CriterionFactory, RubricFactory, StageWeightFactory
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


def test_a_categorys_rubric_wins_over_the_editions_default():
    edition = EditionFactory()
    general, special = CategoryFactory(edition=edition), CategoryFactory(edition=edition)
    RubricFactory(edition=edition, name="Default")
    RubricFactory(edition=edition, category=special, name="Special")
    assert rubrics.rubric_for(edition_id=edition.pk, category_id=general.pk).name == "Default"
    assert rubrics.rubric_for(edition_id=edition.pk, category_id=special.pk).name == "Special"
    assert rubrics.rubric_for(edition_id=EditionFactory().pk, category_id=general.pk) is None


def test_the_weighted_total_normalises_scales_and_uses_the_stage_weight():
    rubric = RubricFactory()
    impact = CriterionFactory(rubric=rubric, scale_min=1, scale_max=10, weight=2)
    inclusion = CriterionFactory(rubric=rubric, scale_min=1, scale_max=5, weight=1)
    StageWeightFactory(criterion=impact, stage="concept", weight=0)
    criteria = list(rubrics.rubric_for(edition_id=rubric.edition_id, category_id=0).criteria.all())
    scores = {impact.pk: 10, inclusion.pk: 2}
    # impact 10 on 1–10 → 10; inclusion 2 on 1–5 → 2.5. Default: (2·10 + 1·2.5) / 3 = 7.5.
    assert rubrics.weighted_total(criteria=criteria, scores=scores, stage="pilot") == 7.5
    # At the concept stage impact weighs 0: the total is inclusion's alone.
    assert rubrics.weighted_total(criteria=criteria, scores=scores, stage="concept") == 2.5
    assert rubrics.weighted_total(criteria=criteria, scores={impact.pk: 10}, stage="pilot") is None


def test_weights_adding_up_to_zero_are_refused_and_reported():
    rubric = RubricFactory()
    only = CriterionFactory(rubric=rubric, weight=1)
    StageWeightFactory(criterion=only, stage="concept", weight=0)
    criteria = list(rubrics.rubric_for(edition_id=rubric.edition_id, category_id=0).criteria.all())
    with pytest.raises(ValidationError) as refused:
        rubrics.weighted_total(criteria=criteria, scores={only.pk: 5}, stage="concept")
    assert refused.value.code == "zero_weights"
    assert rubrics.rubric_problems(rubric) == ["The weights add up to zero for entries at the “Concept” stage."]


def test_an_unfrozen_rubric_changes_through_the_services_with_an_audit_trail():
    user = VerifiedUserFactory()
    rubric = RubricFactory(name="Draft rubric")
    criterion = rubrics.criterion_save(criterion=Criterion(rubric=rubric, name="Impact", scale_min=1, scale_max=10,
                                                           weight=3), user=user)
    rubrics.stage_weight_save(stage_weight=StageWeight(criterion=criterion, stage="pilot", weight=1), user=user)
    rubric.name = "Final rubric"
    rubrics.rubric_save(rubric=rubric, user=user)
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "criterion.save", "stage_weight.save", "rubric.save"
    ]
    assert AuditEntry.objects.get(action="rubric.save").before["name"] == "Draft rubric"


def test_the_first_score_freezes_the_rubric_and_every_change_is_then_refused():
    world = make_world(judges=1, entries=1)
    review_save_draft(assignment=world.assignment(0, 0), user=world.judges[0].user,
                      data=ReviewInput(scores={world.criteria[0].pk: 4}))
    rubric = Rubric.objects.get(pk=world.rubric.pk)
    assert rubric.frozen_at is not None
    user = world.role("secretariat")
    criterion = Criterion.objects.get(pk=world.criteria[0].pk)
    criterion.weight = 5
    attempts = [
        lambda: rubrics.criterion_save(criterion=criterion, user=user),
        lambda: rubrics.criterion_save(criterion=Criterion(rubric=rubric, name="New", weight=1), user=user),
        lambda: rubrics.criterion_delete(criterion=criterion, user=user),
        lambda: rubrics.stage_weight_save(stage_weight=StageWeight(criterion=criterion, stage="pilot", weight=2),
                                          user=user),
        lambda: rubrics.rubric_save(rubric=rubric, user=user),
        lambda: rubrics.rubric_delete(rubric=rubric, user=user),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.code == "frozen"
        assert "has been frozen since the first score was saved" in refused.value.messages[0]
    assert list(Criterion.objects.filter(rubric=rubric).values_list("weight", flat=True)) == [1, 1]
    assert StageWeight.objects.count() == 0


def test_a_stale_copy_of_an_unfrozen_rubric_cannot_slip_a_change_in():
    world = make_world(judges=1, entries=1)
    stale = Rubric.objects.get(pk=world.rubric.pk)
    review_save_draft(assignment=world.assignment(0, 0), user=world.judges[0].user,
                      data=ReviewInput(scores={world.criteria[0].pk: 4}))
    stale.name = "Sneaky"
    with pytest.raises(ValidationError):
        rubrics.rubric_save(rubric=stale, user=None)
    assert Rubric.objects.get(pk=stale.pk).name == "Main rubric"


# --- admin ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, login):
    login(VerifiedUserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_edits_an_unfrozen_rubric_through_the_services(admin_client):
    rubric = RubricFactory(name="Open rubric")
    response = admin_client.get(f"/admin/judging/rubric/{rubric.pk}/change/")
    assert response.status_code == 200 and 'name="name"' in response.content.decode()
    data = {
        "edition": rubric.edition_id, "category": "", "name": "Renamed rubric",
        "criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "0", "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000", "criteria-0-position": "0", "criteria-0-name": "Impact",
        "criteria-0-guidance": "", "criteria-0-scale_min": "1", "criteria-0-scale_max": "10", "criteria-0-weight": "2",
    }
    response = admin_client.post(f"/admin/judging/rubric/{rubric.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert (Rubric.objects.get(pk=rubric.pk).name, list(rubric.criteria.values_list("name", flat=True))) == (
        "Renamed rubric", ["Impact"])
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == ["criterion.save", "rubric.save"]


def test_the_admin_shows_a_frozen_rubric_read_only(admin_client):
    world = make_world(judges=1, entries=1)
    review_save_draft(assignment=world.assignment(0, 0), user=world.judges[0].user,
                      data=ReviewInput(scores={world.criteria[0].pk: 4}))
    response = admin_client.get(f"/admin/judging/rubric/{world.rubric.pk}/change/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="name"' not in body and "Main rubric" in body
    response = admin_client.post(f"/admin/judging/rubric/{world.rubric.pk}/change/", {"name": "Changed"})
    assert response.status_code == 403
    assert Rubric.objects.get(pk=world.rubric.pk).name == "Main rubric"


@pytest.mark.parametrize("model", ["review", "entryresult", "judgeresult", "shortlisting"])
def test_reviews_and_results_are_read_only_in_the_admin(admin_client, model):
    assert admin_client.get(f"/admin/judging/{model}/add/").status_code == 403
