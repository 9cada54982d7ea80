"""People in the admin: every change a superuser makes to an account's access is in the audit trail (the password
only as "changed"), roles and memberships go through their services, and accounts are never deleted here."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group, Permission

from portal.models import AuditEntry, EditionRole, Membership, User
from tests.factories import EditionFactory, EditionRoleFactory, OrganisationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-horse-battery-9"


@pytest.fixture
def superuser(client):
    user = VerifiedUserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _change_form(client, read_form, user) -> dict:
    page = client.get(f"/admin/portal/user/{user.pk}/change/")
    assert page.status_code == 200
    return {**read_form(page.content.decode()), "_save": "Save"}


def _trail(action: str) -> list[tuple]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk").values_list("actor__email", "target_id",
                                                                                      "before", "after"))


def test_each_change_of_access_is_audited_with_before_and_after(client, superuser, read_form):
    chair = VerifiedUserFactory(email="chair@example.org")
    group = Group.objects.create(name="Old secretariat")
    permission = Permission.objects.get(codename="view_auditentry")
    data = _change_form(client, read_form, chair)
    data.update(is_staff="on", is_superuser="on", is_organiser="on", groups=[group.pk],
                user_permissions=[permission.pk])
    data.pop("is_active")

    response = client.post(f"/admin/portal/user/{chair.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    me, target = superuser.email, str(chair.pk)
    assert _trail("user.change") == [
        (me, target, {"is_active": True}, {"is_active": False}),
        (me, target, {"is_staff": False}, {"is_staff": True}),
        (me, target, {"is_superuser": False}, {"is_superuser": True}),
        (me, target, {"groups": []}, {"groups": ["Old secretariat"]}),
        (me, target, {"user_permissions": []}, {"user_permissions": ["portal.view_auditentry"]}),
    ]
    assert _trail("organiser.grant") == [(me, target, None, {"user": "chair@example.org"})]
    chair.refresh_from_db()
    assert (chair.is_active, chair.is_superuser, chair.is_organiser) == (False, True, True)


def test_saving_an_unchanged_account_writes_nothing(client, superuser, read_form):
    chair = VerifiedUserFactory(is_organiser=True)
    response = client.post(f"/admin/portal/user/{chair.pk}/change/", _change_form(client, read_form, chair))
    assert response.status_code == 302
    assert AuditEntry.objects.count() == 0


def test_revoking_the_organiser_flag_goes_through_its_service(client, superuser, read_form):
    organiser = VerifiedUserFactory(is_organiser=True)
    data = _change_form(client, read_form, organiser)
    data.pop("is_organiser")
    client.post(f"/admin/portal/user/{organiser.pk}/change/", data)
    assert [entry.action for entry in AuditEntry.objects.all()] == ["organiser.revoke"]
    assert User.objects.get(pk=organiser.pk).is_organiser is False


def test_setting_someone_elses_password_is_audited_without_the_hash(client, superuser):
    chair = VerifiedUserFactory()
    old_hash = chair.password
    response = client.post(f"/admin/portal/user/{chair.pk}/password/", {
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:3000]
    chair.refresh_from_db()
    assert chair.password != old_hash and chair.check_password(NEW_PASSWORD)
    assert _trail("user.password") == [(superuser.email, str(chair.pk), None, {"password": "changed"})]


def test_a_refused_password_writes_nothing(client, superuser):
    chair = VerifiedUserFactory()
    response = client.post(f"/admin/portal/user/{chair.pk}/password/", {
        "password1": NEW_PASSWORD, "password2": "something else", "usable_password": "true"})
    assert response.status_code == 200
    assert AuditEntry.objects.count() == 0


def test_the_superusers_own_password_change_is_audited(client, superuser, password):
    response = client.post("/admin/password_change/", {
        "old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _trail("user.password") == [(superuser.email, str(superuser.pk), None, {"password": "changed"})]


def test_an_account_added_in_the_admin_is_audited_without_its_password(client, superuser):
    response = client.post("/admin/portal/user/add/", {
        "email": "new.judge@example.org", "name": "New Judge", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
        "usable_password": "true", "edition_roles-TOTAL_FORMS": 0, "edition_roles-INITIAL_FORMS": 0, "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="new.judge@example.org")
    assert _trail("user.create") == [(superuser.email, str(user.pk), None, {
        "email": "new.judge@example.org", "name": "New Judge", "is_active": True, "is_staff": False,
        "is_superuser": False, "groups": [], "user_permissions": []})]


def test_accounts_are_never_deleted_in_the_admin(client, superuser):
    chair = VerifiedUserFactory()
    assert client.post(f"/admin/portal/user/{chair.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=chair.pk).exists()


def test_roles_granted_and_revoked_on_the_users_page_go_through_the_services(client, superuser, read_form):
    edition, other = EditionFactory(), EditionFactory()
    judge_role = EditionRoleFactory(edition=other, role="judge")
    person = judge_role.user
    data = _change_form(client, read_form, person)
    data.update({"edition_roles-1-edition": str(edition.pk), "edition_roles-1-role": "chair",
                 "edition_roles-1-user": str(person.pk), "edition_roles-TOTAL_FORMS": "2",
                 "edition_roles-0-DELETE": "on"})

    response = client.post(f"/admin/portal/user/{person.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(EditionRole.objects.filter(user=person).values_list("edition", "role")) == [(edition.pk, "chair")]
    assert [(entry.action, entry.edition_id) for entry in AuditEntry.objects.order_by("pk")] == [
        ("role.grant", edition.pk), ("role.revoke", other.pk)]


def test_the_edition_role_pages_grant_and_revoke_through_the_services(client, superuser):
    edition, person = EditionFactory(), VerifiedUserFactory()
    response = client.post("/admin/portal/editionrole/add/", {"edition": edition.pk, "user": person.pk,
                                                               "role": "observer", "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:3000]
    role = EditionRole.objects.get(user=person)
    assert client.post(f"/admin/portal/editionrole/{role.pk}/change/", {"role": "chair"}).status_code == 403
    client.post(f"/admin/portal/editionrole/{role.pk}/delete/", {"post": "yes"})
    assert not EditionRole.objects.filter(user=person).exists()
    assert [(entry.action, entry.actor) for entry in AuditEntry.objects.order_by("pk")] == [
        ("role.grant", superuser), ("role.revoke", superuser)]


def test_memberships_are_added_through_the_service_and_never_changed_here(client, superuser):
    organisation, person = OrganisationFactory(), VerifiedUserFactory()
    response = client.post("/admin/portal/membership/add/", {"organisation": organisation.pk, "user": person.pk,
                                                             "role": "member", "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:3000]
    membership = Membership.objects.get(user=person)
    assert [(entry.action, entry.actor, entry.target_id) for entry in AuditEntry.objects.all()] == [
        ("membership.add", superuser, str(membership.pk))]
    assert client.post(f"/admin/portal/membership/{membership.pk}/change/", {"role": "owner"}).status_code == 403
    assert client.post(f"/admin/portal/membership/{membership.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Membership.objects.get(user=person).role == "member"


def test_removing_a_lost_second_factor_is_audited_and_the_secret_never_shown(client, superuser):
    judge = VerifiedUserFactory(email="judge@example.org")
    secret = generate_totp_secret()
    authenticator = TOTP.activate(judge, secret).instance
    page = client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/")
    assert page.status_code == 200 and secret not in page.content.decode()
    response = client.post(f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=judge).exists()
    assert _trail("mfa.remove") == [(superuser.email, str(judge.pk), {"user": "judge@example.org",
                                                                      "authenticator": "totp"}, None)]
