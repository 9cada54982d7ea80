import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from portal.models import AuditEntry, Membership, Organisation
from tests.factories import (
    AuditEntryFactory,
    EditionFactory,
    EditionRoleFactory,
    MembershipFactory,
    OrganisationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db


def test_home_lists_editions_but_not_drafts(client):
    EditionFactory(name="Open Prize")
    EditionFactory(name="Secret Draft Prize", state="draft")
    response = client.get("/")
    assert response.status_code == 200
    assert [edition.name for edition in response.context["editions"]] == ["Open Prize"]
    assert "Secret Draft Prize" not in response.content.decode()


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_dashboard_needs_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_dashboard_shows_only_my_organisations_and_roles(client, login):
    mine = MembershipFactory(organisation__name="My Town")
    MembershipFactory(organisation__name="Their Town")
    EditionRoleFactory(user=mine.user, role="judge", edition__name="Judged Prize")
    EditionRoleFactory(role="judge", edition__name="Someone Else's Prize")
    login(mine.user)
    response = client.get("/dashboard/")
    body = response.content.decode()
    assert [m.organisation.name for m in response.context["memberships"]] == ["My Town"]
    assert [edition.name for edition, _ in response.context["roles_by_edition"]] == ["Judged Prize"]
    assert "Their Town" not in body and "Someone Else" not in body


def test_organisation_page_for_members_only(client, login):
    membership = MembershipFactory(organisation__name="Visible Town")
    stranger = MembershipFactory(organisation__name="Other Town").user
    url = f"/organisations/{membership.organisation.pk}/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    login(stranger)
    response = client.get(url)
    assert response.status_code == 403
    assert "Visible Town" not in response.content.decode()
    assert "Only members of this organisation can see it." in response.content.decode()
    client.logout()
    login(membership.user)
    assert client.get(url).status_code == 200


def test_unknown_organisation_is_a_404_page_that_explains(client, login):
    login(VerifiedUserFactory())
    response = client.get("/organisations/999999/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


def test_create_organisation_makes_me_owner_and_is_audited(client, login):
    user = VerifiedUserFactory()
    login(user)
    response = client.post(
        "/organisations/new/",
        {"name": "Smallville", "kind": "city", "country": "KE", "city": "Smallville", "population_band": "lt100k"},
    )
    organisation = Organisation.objects.get(name="Smallville")
    assert response.status_code == 302
    assert Membership.objects.get(organisation=organisation).user == user
    assert Membership.objects.get(organisation=organisation).role == "owner"
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["organisation.create"]


def test_create_organisation_with_bad_input_keeps_what_was_typed(client, login):
    OrganisationFactory(name="Taken Town", country="KR")
    login(VerifiedUserFactory())
    response = client.post(
        "/organisations/new/",
        {"name": "Taken Town", "kind": "city", "country": "KR", "city": "Busan", "population_band": "gt5m"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    body = response.content.decode()
    assert 'value="Taken Town"' in body and 'value="Busan"' in body
    response = client.post("/organisations/new/", {"name": "", "kind": "nonsense", "country": "KR", "city": "Daegu"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "kind", "population_band"}
    assert 'value="Daegu"' in response.content.decode()


@pytest.mark.parametrize("role", ["secretariat", "judge", "chair", "observer"])
def test_edition_workspace_for_every_role(client, login, role):
    edition = EditionFactory()
    login(EditionRoleFactory(edition=edition, role=role).user)
    response = client.get(f"/e/{edition.slug}/")
    assert response.status_code == 200
    assert response.context["edition"] == edition


def test_edition_workspace_refuses_applicants_and_roles_of_other_editions(client, login):
    edition = EditionFactory()
    other = EditionRoleFactory(role="secretariat").user
    login(other)
    assert client.get(f"/e/{edition.slug}/").status_code == 403
    client.logout()
    login(MembershipFactory().user)
    response = client.get(f"/e/{edition.slug}/")
    assert response.status_code == 403
    assert "Your roles in this edition do not include this page." in response.content.decode()


def test_judges_do_not_see_who_holds_which_role(client, login):
    edition = EditionFactory()
    EditionRoleFactory(edition=edition, role="judge", user__email="fellow-judge@example.org")
    login(EditionRoleFactory(edition=edition, role="judge").user)
    assert "fellow-judge@example.org" not in client.get(f"/e/{edition.slug}/").content.decode()


@pytest.mark.parametrize(("role", "status"), [("secretariat", 200), ("chair", 200), ("observer", 200), ("judge", 403)])
def test_audit_trail_access(client, login, role, status):
    edition = EditionFactory()
    AuditEntryFactory(edition=edition, action="score.change")
    login(EditionRoleFactory(edition=edition, role=role).user)
    response = client.get(f"/e/{edition.slug}/audit/")
    assert response.status_code == status
    assert ("score.change" in response.content.decode()) is (status == 200)


def test_audit_trail_shows_only_its_edition(client, login):
    edition = EditionFactory()
    AuditEntryFactory(edition=edition, action="mine.action")
    AuditEntryFactory(action="other.edition.action")
    login(EditionRoleFactory(edition=edition, role="observer").user)
    response = client.get(f"/e/{edition.slug}/audit/")
    assert [entry.action for entry in response.context["page"]] == ["mine.action"]


@pytest.mark.parametrize("rows", [1, 121])
def test_audit_trail_query_count_does_not_grow_with_rows(client, login, django_assert_num_queries, rows):
    edition = EditionFactory()
    login(EditionRoleFactory(edition=edition, role="observer").user)
    AuditEntryFactory.create_batch(rows, edition=edition)
    AuditEntryFactory(action="other.edition.action")  # another edition's entry, never listed here
    url = f"/e/{edition.slug}/audit/"
    client.get(url)  # warm the session and content-type caches
    with django_assert_num_queries(8):  # + the people of the edition, for the person filter
        response = client.get(url)
    assert len(response.context["page"].object_list) == min(rows, 50)
    assert response.context["page"].paginator.num_pages == {1: 1, 121: 3}[rows]
    assert "other.edition.action" not in [entry.action for entry in response.context["page"].object_list]


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_secretariat_staff_are_refused_the_admin_with_a_reason(client, login):
    """The old demo set-up (staff status and a group with every permission) no longer opens the admin."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="Secretariat")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=["portal", "submissions"]))
    user = EditionRoleFactory(role="secretariat", user__is_staff=True).user
    user.groups.add(group)
    login(user)
    for url in ["/admin/", "/admin/portal/edition/", "/admin/portal/organisation/", "/admin/portal/auditentry/"]:
        response = client.get(url, follow=True)
        assert (response.redirect_chain[-1][0], response.status_code) == (f"/admin/login/?next={url}", 403), url
        assert "The admin is for superusers only" in response.content.decode()


def test_applicants_cannot_use_the_admin(client, login):
    login(MembershipFactory().user)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/").status_code == 403


def test_server_error_page_explains_itself():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_language_switch_to_korean(client):
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="ko">' in body
    assert "수상 포털" in body


def test_the_autosave_code_lives_in_one_script_both_forms_use():
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "static"
    users = {path.relative_to(static).as_posix(): path.read_text() for path in static.glob("*/js/*.js")}
    assert sorted(name for name, text in users.items() if "localStorage." in text) == ["portal/js/autosave.js"]
    assert sorted(name for name, text in users.items() if "window.portalAutosave" in text) == [
        "judging/js/workbench.js", "portal/js/autosave.js", "submissions/js/application-form.js"]
