import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value, yield_hotp_counters_from_time

from tests.factories import EditionFactory, EditionRoleFactory, MembershipFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_enforced(settings):
    settings.PORTAL_MFA_REQUIRED = True


@pytest.mark.parametrize("role", ["secretariat", "judge", "chair"])
def test_privileged_roles_cannot_open_their_pages_before_setting_up_mfa(mfa_enforced, client, login, role):
    edition = EditionFactory()
    user = EditionRoleFactory(edition=edition, role=role).user
    login(user)
    response = client.get(f"/e/{edition.slug}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/totp/activate/?next=")


@pytest.mark.parametrize("role", ["secretariat", "judge", "chair"])
def test_privileged_roles_open_their_pages_once_mfa_is_set_up(mfa_enforced, client, role):
    edition = EditionFactory()
    user = EditionRoleFactory(edition=edition, role=role).user
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery-staple"})
    # With TOTP on, the password alone does not log in: allauth asks for the code.
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    code = f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get(f"/e/{edition.slug}/").status_code == 200


def test_observer_needs_no_mfa(mfa_enforced, client, login):
    edition = EditionFactory()
    login(EditionRoleFactory(edition=edition, role="observer").user)
    assert client.get(f"/e/{edition.slug}/").status_code == 200


def test_applicants_need_no_mfa(mfa_enforced, client, login):
    membership = MembershipFactory()
    login(membership.user)
    assert client.get(f"/organisations/{membership.organisation.pk}/").status_code == 200


@pytest.mark.parametrize("is_staff", [True, False])
def test_superusers_without_mfa_are_kept_out_of_the_admin(mfa_enforced, client, login, is_staff):
    user = VerifiedUserFactory(is_staff=is_staff, is_superuser=True)
    login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/totp/activate/")


def test_superusers_with_mfa_reach_the_admin(mfa_enforced, client):
    user = VerifiedUserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)  # as if the code had been entered
    assert client.get("/admin/").status_code == 200


def test_staff_with_mfa_are_still_refused_the_admin(mfa_enforced, client):
    user = EditionRoleFactory(role="secretariat", user__is_staff=True).user
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)  # as if the code had been entered
    response = client.get("/admin/", follow=True)
    assert (response.redirect_chain[-1][0], response.status_code) == ("/admin/login/?next=/admin/", 403)


def test_enforcement_off_lets_roles_in_without_mfa(settings, client, login):
    settings.PORTAL_MFA_REQUIRED = False
    edition = EditionFactory()
    login(EditionRoleFactory(edition=edition, role="judge").user)
    assert client.get(f"/e/{edition.slug}/").status_code == 200


def test_a_judge_sets_up_totp_and_then_reaches_the_role_pages(mfa_enforced, client, login):
    edition = EditionFactory()
    user = EditionRoleFactory(edition=edition, role="judge").user
    login(user)
    activate = client.get(f"/e/{edition.slug}/", follow=True)
    # allauth asks for the password again before a second factor is added.
    assert activate.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    response = client.post(
        activate.redirect_chain[-1][0], {"password": "correct-horse-battery-staple"}, follow=True
    )
    assert response.status_code == 200
    secret = response.context["form"].secret
    code = f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    assert client.get(f"/e/{edition.slug}/").status_code == 200
