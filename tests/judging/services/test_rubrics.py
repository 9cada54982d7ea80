"""Rubrics: which one applies, stage weights, the weighted total, and freezing at the first score."""

from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from judging.models import Criterion, JudgingRound, Rubric, StageWeight
from judging.services import rubrics
from judging.services.scoring import ReviewInput, review_save_draft
from portal.models import AuditEntry
from tests.factories import CategoryFactory, EditionFactory, VerifiedUserFactory
from tests.factories.judging import (
    AssignmentFactory,
    CriterionFactory,
    JudgingRoundFactory,
    RubricFactory,
    StageWeightFactory,
)
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


# --- the rubric editor (issue 10): levels, order, stage profiles, copies, gaps ------------------------------------


def _criterion(rubric, **fields):
    return rubrics.criterion_save(criterion=Criterion(rubric=rubric, **{
        "name": "Impact", "scale_min": 1, "scale_max": 10, "weight": 1, **fields}), user=None)


def test_levels_are_saved_in_order_and_shown_in_the_audit_trail():
    rubric = RubricFactory()
    levels = [{"score_from": 1, "score_to": 3, "description": "Little evidence"},
              {"score_from": 4, "score_to": 10, "description": "Measured impact"}]
    criterion = _criterion(rubric, levels=levels)
    assert Criterion.objects.get(pk=criterion.pk).levels == levels
    assert AuditEntry.objects.get(action="criterion.save").after["levels"] == levels


@pytest.mark.parametrize(("levels", "message"), [
    ([{"score_from": 0, "score_to": 3, "description": "Low"}], "Level 1 (0–3) lies outside the scale 1–10."),
    ([{"score_from": 5, "score_to": 3, "description": "Low"}],
     "Level 1: the range starts above where it ends (5–3)."),
    ([{"score_from": 1, "score_to": 5, "description": "Low"}, {"score_from": 5, "score_to": 10, "description": "Hi"}],
     "Level 2 overlaps the level before it: list levels from the lowest score up, without overlaps."),
    ([{"score_from": 1, "score_to": 5, "description": "  "}], "Level 1 needs whole scores and a description."),
    ([{"score_from": 1, "score_to": 5, "description": "", "description_ko": " "}],
     "Level 1 needs whole scores and a description."),
    ([{"from": 1}], "Level 1 is not a score range with a description."),
    ("1-3 low", "The levels must be a list."),
])
def test_levels_that_do_not_fit_the_scale_are_refused(levels, message):
    with pytest.raises(ValidationError) as refused:
        _criterion(RubricFactory(), levels=levels)
    assert refused.value.message_dict == {NON_FIELD_ERRORS: [message]}
    assert Criterion.objects.count() == 0


def test_a_levels_guidance_is_written_in_either_language_and_read_in_the_readers():
    from judging.models.rubrics import level_description

    levels = [{"score_from": 1, "score_to": 3, "description": "", "description_ko": "근거가 적음"},
              {"score_from": 4, "score_to": 10, "description": "Measured impact", "description_ko": "측정된 효과"}]
    criterion = _criterion(RubricFactory(), levels=levels)
    stored = Criterion.objects.get(pk=criterion.pk).levels
    assert [level_description(level, "en") for level in stored] == ["근거가 적음", "Measured impact"]
    assert [level_description(level, "ko") for level in stored] == ["근거가 적음", "측정된 효과"]


def test_criteria_move_up_and_down_and_each_moved_one_is_audited():
    rubric = RubricFactory()
    first, second, third = (_criterion(rubric, name=name, position=i) for i, name in enumerate("ABC"))
    assert rubrics.criterion_move(criterion=third, offset=-1, user=None) is True
    assert list(rubric.criteria.order_by("position").values_list("name", flat=True)) == ["A", "C", "B"]
    assert rubrics.criterion_move(criterion=first, offset=-1, user=None) is False
    assert sorted(AuditEntry.objects.filter(action="criterion.move").values_list("after__position", flat=True)) \
        == [1, 2]


def test_stage_weights_are_set_changed_and_cleared_back_to_the_default():
    rubric = RubricFactory()
    impact, reach = _criterion(rubric, name="Impact"), _criterion(rubric, name="Reach")
    assert rubrics.rubric_stage_weights_set(rubric=rubric, weights={(impact.pk, "pilot"): Decimal("2"),
                                                                    (reach.pk, "pilot"): None}, user=None) == 1
    assert rubrics.rubric_stage_weights_set(rubric=rubric, weights={(impact.pk, "pilot"): Decimal("2"),
                                                                    (impact.pk, "scaled"): Decimal("0.5")},
                                            user=None) == 1
    assert sorted(StageWeight.objects.values_list("criterion__name", "stage", "weight")) == [
        ("Impact", "pilot", Decimal("2")), ("Impact", "scaled", Decimal("0.5"))]
    assert rubrics.rubric_stage_weights_set(rubric=rubric, weights={(impact.pk, "pilot"): None}, user=None) == 1
    assert list(StageWeight.objects.values_list("stage", flat=True)) == ["scaled"]
    assert list(AuditEntry.objects.filter(action__startswith="stage_weight").order_by("id")
                .values_list("action", flat=True)) == ["stage_weight.save", "stage_weight.save",
                                                       "stage_weight.delete"]


def test_a_rubric_is_copied_with_its_levels_order_and_stage_weights_into_another_edition():
    source = RubricFactory(name="Criteria 2025")
    levels = [{"score_from": 1, "score_to": 2, "description": "Weak"}]
    impact = _criterion(source, name="Impact", position=1, levels=levels, weight=3, guidance="Measured?")
    _criterion(source, name="Reach", position=0, scale_min=1, scale_max=5)
    StageWeightFactory(criterion=impact, stage="concept", weight=1)
    edition = EditionFactory()
    category = CategoryFactory(edition=edition)
    user = VerifiedUserFactory()
    copy = rubrics.rubric_copy(source=source, edition=edition, category=category, user=user)
    assert (copy.edition, copy.category, copy.name) == (edition, category, "Criteria 2025")
    assert list(copy.criteria.order_by("position").values_list(
        "name", "guidance", "scale_min", "scale_max", "weight", "levels")) == [
        ("Reach", "", 1, 5, Decimal("1"), []), ("Impact", "Measured?", 1, 10, Decimal("3"), levels)]
    assert list(StageWeight.objects.filter(criterion__rubric=copy).values_list("criterion__name", "stage", "weight")) \
        == [("Impact", "concept", Decimal("1"))]
    assert source.criteria.count() == 2  # the source is untouched
    entry = AuditEntry.objects.get(action="rubric.copy")
    assert (entry.actor, entry.edition_id, entry.after) == (user, edition.pk, {
        "source": f"Criteria 2025 · {source.edition.name}", "criteria": 2})
    assert AuditEntry.objects.filter(action="criterion.save", edition=edition).count() == 2


def test_a_copy_goes_only_into_an_empty_unfrozen_rubric_of_the_edition():
    source = RubricFactory()
    _criterion(source)
    target = RubricFactory()
    _criterion(target, name="Already here")
    refusals = [
        (lambda: rubrics.rubric_copy(source=source, edition=target.edition, user=None), "not_empty"),
        (lambda: rubrics.rubric_copy(source=source, edition=target.edition, category=CategoryFactory(), user=None),
         "category"),
        (lambda: rubrics.rubric_copy(source=source, edition=source.edition, user=None), "same"),
    ]
    for attempt, code in refusals:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.code == code
    assert list(target.criteria.values_list("name", flat=True)) == ["Already here"]


def test_a_frozen_rubric_refuses_moves_stage_profiles_and_copies_and_says_why():
    world = make_world(judges=1, entries=1)
    review_save_draft(assignment=world.assignment(0, 0), user=world.judges[0].user,
                      data=ReviewInput(scores={world.criteria[0].pk: 4}))
    rubric = Rubric.objects.get(pk=world.rubric.pk)
    source = RubricFactory()
    _criterion(source)
    criterion = world.criteria[0]
    attempts = [
        lambda: rubrics.criterion_move(criterion=criterion, offset=1, user=None),
        lambda: rubrics.rubric_stage_weights_set(rubric=rubric, weights={(criterion.pk, "pilot"): 2}, user=None),
        lambda: rubrics.rubric_copy(source=source, edition=rubric.edition, user=None),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.code == "frozen"
        assert refused.value.messages[0].endswith("because earlier scores would then mean something else.")
    assert StageWeight.objects.count() == 0


def _round(edition, *categories):
    return JudgingRoundFactory(edition=edition, categories=list(categories))


def test_round_rubric_gaps_name_each_category_and_rubric_that_is_not_ready():
    edition = EditionFactory()
    human = CategoryFactory(edition=edition, name="Human-centric", position=1)
    tech = CategoryFactory(edition=edition, name="Tech-innovative", position=2)
    judging_round = _round(edition, human, tech)
    assert rubrics.round_rubric_gaps(judging_round) == [
        "Category “Human-centric” has no rubric and the edition has no default rubric.",
        "Category “Tech-innovative” has no rubric and the edition has no default rubric.",
    ]
    own = RubricFactory(edition=edition, category=tech, name="Tech rubric")
    default = RubricFactory(edition=edition, name="Default rubric")
    assert rubrics.round_rubric_gaps(judging_round) == ["Rubric “Default rubric” has no criteria.",
                                                        "Rubric “Tech rubric” has no criteria."]
    CriterionFactory(rubric=own)
    only = CriterionFactory(rubric=default, weight=1)
    StageWeightFactory(criterion=only, stage="scaled", weight=0)
    assert rubrics.round_rubric_gaps(judging_round) == [
        "Rubric “Default rubric”: The weights add up to zero for entries at the “Scaled” stage."]
    StageWeight.objects.all().delete()
    assert rubrics.round_rubric_gaps(judging_round) == []
    # Another edition's rubrics never fill this round's gaps.
    other = _round(EditionFactory(), CategoryFactory(name="Safety"))
    assert rubrics.round_rubric_gaps(other) == [
        "Category “Safety” has no rubric and the edition has no default rubric."]


def test_a_round_does_not_open_without_a_complete_rubric_and_says_what_is_missing():
    from judging.services.rounds import round_open
    from tests.factories.assignment import eligible, judge, one_category_round

    edition, category, judging_round = one_category_round(k=1, state=JudgingRound.State.ASSIGNING)
    AssignmentFactory(round=judging_round, judge=judge(edition, expertise=[category]),
                      application=eligible(edition, category))
    Rubric.objects.filter(edition=edition).delete()
    with pytest.raises(ValidationError) as refused:
        round_open(round=judging_round, user=None)
    assert (refused.value.code, refused.value.messages) == ("rubric", [
        "The round cannot open until each of its categories has a complete rubric: Category “Human-centric” has "
        "no rubric and the edition has no default rubric."])
    assert JudgingRound.objects.get(pk=judging_round.pk).state == JudgingRound.State.ASSIGNING
    CriterionFactory(rubric=RubricFactory(edition=edition))
    assert round_open(round=judging_round, user=None).state == JudgingRound.State.OPEN
