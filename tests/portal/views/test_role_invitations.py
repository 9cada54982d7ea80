"""Accepting a role invitation from its link: new person, existing account, wrong address, dead links, MFA next."""

from datetime import timedelta

import pytest
from django.utils import timezone

from judging.models import JudgeProfile
from portal.models import EditionRole, User
from tests.factories import RoleInvitationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase"


def url(invitation) -> str:
    return f"/roles/invitations/{invitation.token}/"


def test_a_new_person_sets_a_password_and_lands_in_the_edition(client):
    invitation = RoleInvitationFactory(email="new@example.org", role="observer", name="Suggested Name")
    page = client.get(url(invitation)).content.decode()
    assert "Your account's e-mail address is new@example.org" in page and 'value="Suggested Name"' in page

    response = client.post(url(invitation), {"name": "Ada", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert response.url == f"/e/{invitation.edition.slug}/"
    user = User.objects.get(email="new@example.org")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert list(EditionRole.objects.filter(user=user).values_list("role", flat=True)) == ["observer"]
    assert client.get(response.url).status_code == 200


def test_bad_input_is_explained_and_the_name_kept(client):
    invitation = RoleInvitationFactory(email="new@example.org")
    response = client.post(url(invitation), {"name": "Ada", "password1": PASSWORD, "password2": PASSWORD + "x"})
    assert response.status_code == 400
    assert "The two passwords differ." in response.content.decode() and 'value="Ada"' in response.content.decode()
    response = client.post(url(invitation), {"name": "Ada", "password1": "short", "password2": "short"})
    assert response.status_code == 400 and "too short" in response.content.decode()
    assert not User.objects.filter(email="new@example.org").exists()


def test_a_judge_is_sent_to_mfa_set_up_first(client, settings):
    settings.PORTAL_MFA_REQUIRED = True
    invitation = RoleInvitationFactory(email="judge@example.org", role="judge")
    response = client.post(url(invitation), {"name": "Judge", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert response.url == f"/accounts/2fa/totp/activate/?next=%2Fe%2F{invitation.edition.slug}%2F"
    assert JudgeProfile.objects.filter(user__email="judge@example.org", edition=invitation.edition,
                                       active=True).exists()
    assert client.get(response.url).status_code == 200


def test_an_observer_needs_no_mfa_step(client, settings):
    settings.PORTAL_MFA_REQUIRED = True
    invitation = RoleInvitationFactory(email="obs@example.org", role="observer")
    response = client.post(url(invitation), {"name": "Obs", "password1": PASSWORD, "password2": PASSWORD})
    assert response.url == f"/e/{invitation.edition.slug}/"


def test_an_existing_account_logs_in_first_then_accepts(client, login):
    invitation = RoleInvitationFactory(email="known@example.org", role="chair")
    user = VerifiedUserFactory(email="known@example.org")
    page = client.get(url(invitation)).content.decode()
    assert "An account already uses known@example.org" in page
    assert f'href="/accounts/login/?next=%2Froles%2Finvitations%2F{invitation.token}%2F"' in page
    assert not EditionRole.objects.exists()

    login(user)
    assert "Accept the invitation" in client.get(url(invitation)).content.decode()
    response = client.post(url(invitation))
    assert response.url == f"/e/{invitation.edition.slug}/"
    assert list(EditionRole.objects.values_list("user", "role")) == [(user.pk, "chair")]


def test_the_wrong_account_is_told_so_and_gets_nothing(client, login):
    invitation = RoleInvitationFactory(email="invited@example.org", role="chair")
    login(VerifiedUserFactory(email="someone@example.org"))
    page = client.get(url(invitation)).content.decode()
    assert "was sent to invited@example.org, but you are logged in as someone@example.org" in page
    assert "Accept the invitation" not in page
    client.post(url(invitation))
    assert not EditionRole.objects.exists()


@pytest.mark.parametrize(("state", "heading"), [
    ({"accepted_at": timezone.now()}, "This invitation has already been accepted"),
    ({"revoked_at": timezone.now()}, "This invitation was withdrawn"),
    ({"expires_at": timezone.now() - timedelta(hours=1)}, "This invitation has expired"),
])
def test_dead_links_get_a_clear_page(client, state, heading):
    invitation = RoleInvitationFactory(email="late@example.org", **state)
    for response in (client.get(url(invitation)),
                     client.post(url(invitation), {"name": "X", "password1": PASSWORD, "password2": PASSWORD})):
        assert response.status_code == 410
        assert heading in response.content.decode()
    assert not User.objects.filter(email="late@example.org").exists()


def test_an_unknown_link_gets_a_clear_page(client):
    response = client.get("/roles/invitations/no-such-token/")
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
