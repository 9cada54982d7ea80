"""The dashboard per role: each person sees their own part, never another role's text or another person's data."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.urls import reverse

from judging.models import Assignment
from judging.services.scoring import ReviewInput, review_submit
from portal.dashboard import Panel, dashboard_panels, register_dashboard_panel
from tests.factories import (
    PASSWORD_FOR_TESTS,
    ApplicationFactory,
    CategoryFactory,
    EditionFactory,
    EditionRoleFactory,
    MembershipFactory,
    VerifiedUserFactory,
)
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db

APPLICANT_TEXTS = ("My applications", "You do not belong to an organisation yet")
JUDGE_TEXTS = ("My entries to score",)
COCKPIT_TEXTS = ("Open the cockpit",)


@dataclass
class Scene:
    world: object
    open_edition: object
    alpha: object  # applicant A's membership
    beta: object  # applicant B's membership


@pytest.fixture
def scene():
    """An edition in judging (two judges, three entries) and an open call with two applicants' applications."""
    world = make_world(judges=2, entries=3, pairs=[(0, 0), (0, 1), (0, 2), (1, 0)])
    review_submit(assignment=world.assignment(0, 0), user=world.judges[0].user, notify=False,
                  data=ReviewInput(scores={c.pk: 5 for c in world.criteria}))
    open_edition = EditionFactory(name="Open Call Prize")
    category = CategoryFactory(edition=open_edition, name="Human-centric")
    alpha = MembershipFactory(organisation__name="Alpha Town")
    beta = MembershipFactory(organisation__name="Beta Town")
    ApplicationFactory(edition=open_edition, category=category, organisation=alpha.organisation, title="Alpha Draft")
    ApplicationFactory(edition=open_edition, category=category, organisation=alpha.organisation,
                       title="Alpha Submitted", status="submitted")
    ApplicationFactory(edition=open_edition, category=category, organisation=beta.organisation, title="Beta Secret",
                       status="eligible")
    return Scene(world, open_edition, alpha, beta)


def _body(client, login, user) -> str:
    login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    # The page's own content: the site's menu names every page ("My applications") for everyone.
    body = response.content.decode()
    return body[body.index("<main"):body.index("</main>")]


def _has_none(body: str, texts) -> bool:
    return not any(text in body for text in texts)


def test_the_applicant_sees_their_own_applications_with_status_deadline_and_next_step(client, login, scene):
    body = _body(client, login, scene.alpha.user)
    assert "My applications" in body
    assert "Alpha Draft" in body and "Alpha Submitted" in body
    assert "Complete and submit it before the deadline." in body
    assert "Nothing to do: the secretariat screens it next." in body
    assert "(Asia/Seoul)" in body  # the deadline in the edition's zone
    assert "Beta Secret" not in body and "Beta Town" not in body
    assert _has_none(body, JUDGE_TEXTS + COCKPIT_TEXTS)
    assert "Entry 1" not in body


def test_applicant_b_never_sees_applicant_as_applications(client, login, scene):
    body = _body(client, login, scene.beta.user)
    assert "Beta Secret" in body
    assert "Alpha Draft" not in body and "Alpha Submitted" not in body


def test_a_newcomer_is_told_to_create_an_organisation(client, login, scene):
    body = _body(client, login, VerifiedUserFactory())
    assert "You do not belong to an organisation yet. Create one to apply." in body
    assert _has_none(body, JUDGE_TEXTS + COCKPIT_TEXTS + ("My applications",))


def test_the_judge_has_their_queue_one_click_away_and_no_applicant_text(client, login, scene):
    judge = scene.world.judges[0].user
    body = _body(client, login, judge)
    queue = reverse("judging:scoring_workbench", args=[scene.world.edition.slug, scene.world.round.pk])
    assert f'href="{queue}"' in body
    # Two to do, no draft, one of three done.
    assert ('<td class="num" data-label="To do">2</td><td class="num" data-label="Draft">0</td>'
            '<td class="num" data-label="Done">1/3</td>') in body
    assert _has_none(body, APPLICANT_TEXTS + COCKPIT_TEXTS)
    assert "Alpha Draft" not in body and "Beta Secret" not in body
    # Anyone may still apply: a quiet link, not the applicant's sentence.
    assert "Applying for an organisation as well?" in body


def test_a_judge_sees_only_their_own_counts(client, login, scene):
    body = _body(client, login, scene.world.judges[1].user)
    assert ('<td class="num" data-label="To do">1</td><td class="num" data-label="Draft">0</td>'
            '<td class="num" data-label="Done">0/1</td>') in body


def test_a_judge_without_assignments_is_told_so(client, login, scene):
    judge = EditionRoleFactory(edition=scene.world.edition, role="judge").user
    body = _body(client, login, judge)
    assert f"{scene.world.edition.name}: no entries are assigned to you yet." in body
    assert _has_none(body, APPLICANT_TEXTS)


@pytest.mark.parametrize("role", ["secretariat", "chair", "observer", "committee"])
def test_the_committee_roles_get_a_link_to_each_editions_cockpit(client, login, scene, role):
    user = EditionRoleFactory(edition=scene.world.edition, role=role).user
    EditionRoleFactory(edition=scene.open_edition, role=role, user=user)
    body = _body(client, login, user)
    for edition in (scene.world.edition, scene.open_edition):
        assert f'href="{reverse("portal:edition_workspace", args=[edition.slug])}"' in body
    assert body.count("Open the cockpit") == 2
    assert _has_none(body, APPLICANT_TEXTS + JUDGE_TEXTS)
    assert "Alpha Draft" not in body and "Entry 1" not in body


def test_a_judge_who_also_applies_sees_both_parts(client, login, scene):
    judge = scene.world.judges[0].user
    MembershipFactory(organisation=scene.alpha.organisation, user=judge)
    body = _body(client, login, judge)
    assert "My entries to score" in body and "Alpha Draft" in body
    assert "You do not belong to an organisation yet" not in body


def test_login_lands_on_the_dashboard(client, scene):
    assert settings.LOGIN_REDIRECT_URL == "portal:dashboard"
    response = client.post("/accounts/login/", {"login": scene.world.judges[0].user.email,
                                                "password": PASSWORD_FOR_TESTS})
    assert response.status_code == 302
    assert response.url == "/dashboard/"


# --- query counts ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rows", [1, 12])
def test_the_applicants_dashboard_costs_the_same_queries_for_one_and_many_applications(
        client, login, rows, django_assert_num_queries):
    membership = MembershipFactory()
    for _ in range(rows):
        ApplicationFactory(organisation=membership.organisation, edition=EditionFactory())
    login(membership.user)
    # Session, user, roles, memberships, the applications (one query however many), the judge's queues (none).
    with django_assert_num_queries(7):
        assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize("rounds", [1, 4])
def test_the_judges_dashboard_costs_the_same_queries_for_one_and_many_rounds(
        client, login, rounds, django_assert_num_queries):
    first = make_world(judges=1, entries=3)
    user = first.judges[0].user
    for _ in range(rounds - 1):
        world = make_world(judges=0, entries=2, pairs=[])
        EditionRoleFactory(edition=world.edition, role="judge", user=user)
        from tests.factories import AssignmentFactory, JudgeProfileFactory

        profile = JudgeProfileFactory(edition=world.edition, user=user)
        for entry in world.entries:
            AssignmentFactory(round=world.round, judge=profile, application=entry)
    assert Assignment.objects.filter(judge__user=user).count() == 3 + 2 * (rounds - 1)
    login(user)
    # As the applicant's, with the judge's queues read in one query for every round of every edition.
    with django_assert_num_queries(8):
        assert client.get("/dashboard/").status_code == 200


# --- the registry ---------------------------------------------------------------------------------------------

def test_providers_run_in_order_once_each_and_a_none_is_left_out(monkeypatch):
    from portal import dashboard

    monkeypatch.setattr(dashboard, "_dashboard", [])
    calls = []

    def nothing(*, user, roles_by_edition):
        calls.append("nothing")
        return None

    def second(*, user, roles_by_edition):
        calls.append("second")
        return Panel("second.html", {"user": user})

    def first(*, user, roles_by_edition):
        calls.append("first")
        return Panel("first.html")

    register_dashboard_panel(second, order=20)
    register_dashboard_panel(nothing, order=30)
    register_dashboard_panel(first, order=10)
    register_dashboard_panel(second, order=20)  # AppConfig.ready may run twice
    panels = dashboard_panels(user="someone", roles_by_edition=[])
    assert calls == ["first", "second", "nothing"]
    assert panels == [Panel("first.html"), Panel("second.html", {"user": "someone"})]


def test_an_organiser_is_offered_to_create_an_edition_and_nobody_else_is(client, login, scene):
    organiser = VerifiedUserFactory(is_organiser=True)
    login(organiser)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert (reverse("judging:edition_create") in page, "You do not belong to an organisation yet" in page) == (
        True, False)
    for user in (scene.alpha.user, scene.world.judges[0].user):
        client.logout()
        login(user)
        assert reverse("judging:edition_create") not in client.get(reverse("portal:dashboard")).content.decode()
