"""The rubric editor's pages for every role, with another edition's rubric present that must never leak or change."""

from decimal import Decimal

import pytest

from judging.models import Criterion, JudgingRound, Rubric, StageWeight
from judging.services.rubrics import rubric_freeze
from portal.models import AuditEntry, EditionRole
from tests.factories import CategoryFactory, EditionFactory, EditionRoleFactory, MembershipFactory
from tests.factories.judging import CriterionFactory, RubricFactory, StageWeightFactory
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editions():
    """Edition A (with a default rubric and a category) and edition B, whose rubric is secret to A's people."""
    world = make_world(judges=1, entries=1, state=JudgingRound.State.ASSIGNING)
    Criterion.objects.filter(rubric=world.rubric).update(levels=[
        {"score_from": 0, "score_to": 4, "description": "Little evidence of impact"}])
    other = EditionFactory(name="Other Prize")
    other_rubric = RubricFactory(edition=other, name="Secret rubric of B")
    CriterionFactory(rubric=other_rubric, name="Secret criterion of B")
    return world, other_rubric


def _user(world, other_rubric, who: str):
    if who == "applicant":
        return MembershipFactory(organisation=world.entries[0].organisation).user
    if who == "judge":
        return world.judges[0].user
    if who == "other secretariat":
        return EditionRoleFactory(edition=other_rubric.edition, role=EditionRole.Role.SECRETARIAT).user
    return world.role(who)


ROLES = {"secretariat": (200, True), "chair": (200, False), "observer": (200, False),
         "judge": (403, False), "applicant": (403, False), "other secretariat": (403, False)}


@pytest.mark.parametrize("who", sorted(ROLES))
def test_each_role_reads_the_rubrics_as_it_may(client, login, two_editions, who):
    world, other_rubric = two_editions
    login(_user(world, other_rubric, who))
    status, writes = ROLES[who]
    slug = world.edition.slug
    for url in (f"/e/{slug}/rubrics/", f"/e/{slug}/rubrics/{world.rubric.pk}/",
                f"/e/{slug}/rubrics/{world.rubric.pk}/preview/",
                f"/e/{slug}/rubrics/{world.rubric.pk}/criteria/{world.criteria[0].pk}/"):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == status, url
        assert ("Main rubric" in body, "Secret" in body) == (status == 200, False), url
    detail = client.get(f"/e/{slug}/rubrics/{world.rubric.pk}/").content.decode()
    assert ('name="scale_max"' in detail, "Move down" in detail) == (writes, writes)
    response = client.post(f"/e/{slug}/rubrics/{world.rubric.pk}/", {"rubric-name_en": "Renamed"})
    assert response.status_code == (302 if writes else 403)
    assert Rubric.objects.get(pk=world.rubric.pk).name == ("Renamed" if writes else "Main rubric")


def test_one_editions_secretariat_cannot_reach_another_editions_rubric_by_its_url(client, login, two_editions):
    world, other_rubric = two_editions
    login(world.role("secretariat"))
    other_criterion = other_rubric.criteria.get()
    slug, other_slug = world.edition.slug, other_rubric.edition.slug
    # Through A's slug B's rubric does not exist; through B's slug A's secretariat has no permission.
    for prefix, status in ((f"/e/{slug}", 404), (f"/e/{other_slug}", 403)):
        base = f"{prefix}/rubrics/{other_rubric.pk}"
        assert client.get(f"{base}/").status_code == status
        assert client.get(f"{base}/preview/").status_code == status
        for url, data in ((f"{base}/", {"rubric-name_en": "Hijacked"}), (f"{base}/delete/", {}),
                          (f"{base}/criteria/new/", {"name_en": "Injected", "scale_min": 1, "scale_max": 5, "weight": 1}),
                          (f"{base}/criteria/{other_criterion.pk}/", {"name_en": "Hijacked"}),
                          (f"{base}/criteria/{other_criterion.pk}/move/", {"direction": "up"}),
                          (f"{base}/criteria/{other_criterion.pk}/delete/", {}),
                          (f"{base}/weights/", {f"w_{other_criterion.pk}_pilot": "9"})):
            assert client.post(url, data).status_code == status, url
    # A's criterion through A's rubric URL is fine; B's criterion under A's rubric is not found.
    assert client.get(f"/e/{slug}/rubrics/{world.rubric.pk}/criteria/{other_criterion.pk}/").status_code == 404
    # Copying B's rubric: A's secretariat does not read it, so it is not a choice.
    response = client.post(f"/e/{slug}/rubrics/copy/", {"copy-source": other_rubric.pk,
                                                                       "copy-category": world.category.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert (Rubric.objects.get(pk=other_rubric.pk).name, list(other_rubric.criteria.values_list("name", flat=True)),
            StageWeight.objects.count(), Rubric.objects.filter(edition=world.edition).count()) == (
        "Secret rubric of B", ["Secret criterion of B"], 0, 1)
    assert AuditEntry.objects.filter(edition=other_rubric.edition).count() == 0


def _levels(rows):
    data = {"levels-TOTAL_FORMS": str(len(rows)), "levels-INITIAL_FORMS": "0", "levels-MIN_NUM_FORMS": "0",
            "levels-MAX_NUM_FORMS": "1000"}
    for i, (low, high, text) in enumerate(rows):
        data |= {f"levels-{i}-score_from": low, f"levels-{i}-score_to": high, f"levels-{i}-description": text}
    return data


def test_the_secretariat_writes_a_categorys_rubric_with_levels_order_and_stage_weights(client, login, two_editions):
    world, _other = two_editions
    login(world.role("secretariat"))
    slug = world.edition.slug
    response = client.post(f"/e/{slug}/rubrics/new/", {"name_en": "Human-centric criteria",
                                                        "category": world.category.pk})
    rubric = Rubric.objects.get(category=world.category)
    assert response.headers["Location"] == f"/e/{slug}/rubrics/{rubric.pk}/"
    for category, message in ((world.category.pk, "This category already has its own rubric."),
                              ("", "The edition already has a default rubric.")):
        response = client.post(f"/e/{slug}/rubrics/new/", {"name_en": "Second", "category": category})
        assert response.status_code == 400 and message in response.content.decode()
    base = f"/e/{slug}/rubrics/{rubric.pk}"
    # A level outside the scale is refused beside the form, and what was typed stays.
    response = client.post(f"{base}/criteria/new/", {"name_en": "Inclusion", "guidance_en": "Who benefits?", "scale_min": 1,
                                                     "scale_max": 5, "weight": "2",
                                                     **_levels([(1, 9, "Everyone, measured"), ("", "", "")])})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Level 1 (1–9) lies outside the scale 1–5." in body and "Everyone, measured" in body
    assert "Who benefits?" in body and rubric.criteria.count() == 0
    # A half-filled level row is refused too.
    response = client.post(f"{base}/criteria/new/", {"name_en": "Inclusion", "scale_min": 1, "scale_max": 5,
                                                     "weight": "2", **_levels([(1, "", "")])})
    assert "Give the range and its description, or leave the whole row empty." in response.content.decode()
    for name, levels in (("Inclusion", [(4, 5, "Everyone, measured"), (1, 3, "Few")]), ("Impact", [])):
        response = client.post(f"{base}/criteria/new/", {"name_en": name, "scale_min": 1, "scale_max": 5, "weight": "1",
                                                         **_levels(levels)})
        assert response.status_code == 302
    inclusion, impact = rubric.criteria.order_by("position")
    assert inclusion.levels == [{"score_from": 1, "score_to": 3, "description": "Few"},
                                {"score_from": 4, "score_to": 5, "description": "Everyone, measured"}]
    assert client.post(f"{base}/criteria/{impact.pk}/move/", {"direction": "up"}).status_code == 302
    assert list(rubric.criteria.order_by("position").values_list("name", flat=True)) == ["Impact", "Inclusion"]
    response = client.post(f"{base}/weights/", {f"w_{impact.pk}_pilot": "3", f"w_{inclusion.pk}_pilot": ""})
    assert response.status_code == 302
    assert list(StageWeight.objects.values_list("criterion__name", "stage", "weight")) == [("Impact", "pilot", 3)]
    page = client.get(f"{base}/").content.decode()
    assert "75 %" in page and "25 %" in page  # pilot: 3 of 4; the other stages split 50 %
    response = client.post(f"{base}/weights/", {f"w_{impact.pk}_pilot": "-1"})
    assert response.status_code == 400 and 'value="-1"' in response.content.decode()
    # A smaller scale that the stored levels no longer fit: refused at the top of the form, nothing lost.
    response = client.post(f"{base}/criteria/{inclusion.pk}/", {
        "name_en": "Inclusion and reach", "scale_min": 1, "scale_max": 4, "weight": "1",
        **_levels([(1, 3, "Few"), (4, 5, "Everyone, measured")])})
    assert response.status_code == 400
    assert "Level 2 (4–5) lies outside the scale 1–4." in response.content.decode()
    # The same smaller scale with levels that fit it is saved.
    response = client.post(f"{base}/criteria/{inclusion.pk}/", {
        "name_en": "Inclusion and reach", "scale_min": 1, "scale_max": 4, "weight": "1", **_levels([(4, 4, "All")])})
    assert response.status_code == 302
    assert Criterion.objects.get(pk=inclusion.pk).levels == [{"score_from": 4, "score_to": 4, "description": "All"}]
    response = client.post(f"{base}/criteria/{inclusion.pk}/", {
        "name_en": "Inclusion and reach", "scale_min": 1, "scale_max": 5, "weight": "1", **_levels([])})
    assert response.status_code == 302
    assert Criterion.objects.get(pk=inclusion.pk).levels == []
    assert client.post(f"{base}/criteria/{inclusion.pk}/delete/").status_code == 302
    assert list(rubric.criteria.values_list("name", flat=True)) == ["Impact"]
    actions = list(AuditEntry.objects.filter(edition=world.edition).order_by("id").values_list("action", flat=True))
    assert actions == ["rubric.save", "criterion.save", "criterion.save", "criterion.move", "criterion.move",
                       "stage_weight.save", "criterion.save", "criterion.save", "criterion.delete"]
    trail = client.get(f"/e/{slug}/audit/").content.decode()
    for label in ("Rubric saved", "Criterion saved", "Criterion moved in the rubric&#x27;s order",
                  "Stage weights saved", "Criterion deleted"):
        assert label in trail


def test_a_rubric_is_copied_from_an_earlier_edition_the_secretariat_also_ran(client, login, two_editions):
    world, other_rubric = two_editions
    user = world.role("secretariat")
    EditionRoleFactory(edition=other_rubric.edition, user=user, role=EditionRole.Role.SECRETARIAT)
    StageWeightFactory(criterion=other_rubric.criteria.get(), stage="scaled", weight=4)
    login(user)
    response = client.post(f"/e/{world.edition.slug}/rubrics/copy/", {"copy-source": other_rubric.pk,
                                                                       "copy-category": world.category.pk})
    copy = Rubric.objects.get(category=world.category)
    assert response.headers["Location"] == f"/e/{world.edition.slug}/rubrics/{copy.pk}/"
    assert list(copy.criteria.values_list("name", "stage_weights__stage", "stage_weights__weight")) == [
        ("Secret criterion of B", "scaled", 4)]
    # The default rubric already has criteria: a copy into it is refused with the reason.
    response = client.post(f"/e/{world.edition.slug}/rubrics/copy/", {"copy-source": other_rubric.pk,
                                                                       "copy-category": ""})
    assert response.status_code == 400
    assert "already has criteria" in response.content.decode()


def test_a_frozen_rubric_is_shown_read_only_with_the_reason_and_refuses_changes(client, login, two_editions):
    world, _other = two_editions
    rubric_freeze(rubric=world.rubric)  # as the first saved score does
    login(world.role("secretariat"))
    base = f"/e/{world.edition.slug}/rubrics/{world.rubric.pk}"
    page = client.get(f"{base}/").content.decode()
    assert "has been frozen since the first score was saved" in page
    assert "earlier scores would then mean something else" in page
    assert ('name="scale_max"' in page, "Move down" in page, 'name="w_' in page) == (False, False, False)
    response = client.post(f"{base}/criteria/new/", {"name_en": "Late", "scale_min": 1, "scale_max": 5, "weight": "1",
                                                     **_levels([])})
    assert response.status_code == 400
    assert "earlier scores would then mean something else" in response.content.decode()
    response = client.post(f"{base}/criteria/{world.criteria[0].pk}/move/", {"direction": "down"}, follow=True)
    assert "earlier scores would then mean something else" in response.content.decode()
    assert list(world.rubric.criteria.order_by("position").values_list("name", flat=True)) == [
        "Criterion 1", "Criterion 2"]


def test_the_preview_is_the_judges_form_disabled_with_the_level_guidance(client, login, two_editions):
    world, _other = two_editions
    login(world.role("chair"))
    body = client.get(f"/e/{world.edition.slug}/rubrics/{world.rubric.pk}/preview/").content.decode()
    assert '<fieldset disabled class="review-fields">' in body
    assert body.count('class="form-block criterion"') == 2
    assert "Little evidence of impact" in body and "Score for Criterion 1 (0–10)" in body


def test_the_round_page_lists_what_its_rubrics_lack_before_the_open_button(client, login, two_editions):
    world, _other = two_editions
    tech = CategoryFactory(edition=world.edition, name="Tech-innovative")
    RubricFactory(edition=world.edition, category=tech, name="Tech rubric")
    world.round.categories.add(tech)
    login(world.role("observer"))
    body = client.get(f"/e/{world.edition.slug}/rounds/{world.round.pk}/").content.decode()
    assert "Rubric “Tech rubric” has no criteria." in body
    CriterionFactory(rubric=Rubric.objects.get(category=tech))
    body = client.get(f"/e/{world.edition.slug}/rounds/{world.round.pk}/").content.decode()
    assert 'id="rubric-gaps"' not in body


@pytest.mark.parametrize("many", [False, True])
def test_the_rubric_list_and_a_rubric_cost_the_same_queries_with_one_or_many_rows(
        client, login, two_editions, many, django_assert_num_queries):
    world, _other = two_editions
    for i in range(4 if many else 0):
        category = CategoryFactory(edition=world.edition, name=f"Extra {i}")
        rubric = RubricFactory(edition=world.edition, category=category)
        for _ in range(3):
            StageWeightFactory(criterion=CriterionFactory(rubric=rubric, levels=[
                {"score_from": 1, "score_to": 2, "description": "Low"}]))
        CriterionFactory(rubric=world.rubric)
    login(world.role("secretariat"))
    with django_assert_num_queries(11):
        response = client.get(f"/e/{world.edition.slug}/rubrics/")
    assert response.status_code == 200
    with django_assert_num_queries(10):
        response = client.get(f"/e/{world.edition.slug}/rubrics/{world.rubric.pk}/")
    assert response.status_code == 200
    assert len(response.context["criteria"]) == (6 if many else 2)


def test_the_weights_table_shows_a_default_weight_of_ten_as_10_not_1e1():
    from judging.forms.rubrics import StageWeightsForm
    from tests.factories.judging import CriterionFactory

    criterion = CriterionFactory(weight=Decimal("10.000"))
    form = StageWeightsForm(criteria=[criterion])
    placeholders = {field.field.widget.attrs["placeholder"] for field in form}
    assert placeholders == {"10"}
