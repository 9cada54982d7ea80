"""An owner invites a colleague by e-mail; the colleague accepts with the invited address."""

import re

import pytest
from django.core import mail

from portal.models import Invitation, Membership
from tests.factories import MembershipFactory, VerifiedUserFactory
from tests.factories.portal import InvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return MembershipFactory(organisation__name="Alpha Town", role="owner")


def test_the_organisation_page_offers_owners_an_invitation_link(client, login, owner):
    member = MembershipFactory(organisation=owner.organisation, role="member")
    url = f"/organisations/{owner.organisation.pk}/"
    invite = f'href="/organisations/{owner.organisation.pk}/invite/"'
    login(owner.user)
    assert invite in client.get(url).content.decode()
    client.logout()
    login(member.user)
    assert invite not in client.get(url).content.decode()


def test_an_owner_invites_a_colleague_who_receives_the_link(client, login, owner, django_capture_on_commit_callbacks):
    login(owner.user)
    assert client.get(f"/organisations/{owner.organisation.pk}/invite/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/organisations/{owner.organisation.pk}/invite/",
                               {"email": "New.Colleague@Example.org"})
    assert response.status_code == 302
    assert response.url == f"/organisations/{owner.organisation.pk}/"
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.invited_by) == ("new.colleague@example.org", owner.user)
    assert [message.to for message in mail.outbox] == [["new.colleague@example.org"]]
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body
    assert "Invitation sent to new.colleague@example.org." in client.get(response.url).content.decode()


def test_inviting_a_member_again_is_refused_beside_the_field(client, login, owner):
    MembershipFactory(organisation=owner.organisation, user__email="already@example.org", role="member")
    login(owner.user)
    response = client.post(f"/organisations/{owner.organisation.pk}/invite/", {"email": "already@example.org"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["already@example.org is already a member."]}
    assert 'value="already@example.org"' in response.content.decode()
    assert Invitation.objects.count() == 0


def test_a_bad_address_is_shown_with_its_error(client, login, owner):
    login(owner.user)
    response = client.post(f"/organisations/{owner.organisation.pk}/invite/", {"email": "not-an-address"})
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}


def test_members_who_are_not_owners_and_strangers_cannot_invite(client, login, owner):
    member = MembershipFactory(organisation=owner.organisation, role="member")
    url = f"/organisations/{owner.organisation.pk}/invite/"
    login(member.user)
    response = client.post(url, {"email": "x@example.org"})
    assert response.status_code == 403
    assert "Only an owner of the organisation can invite colleagues." in response.content.decode()
    client.logout()
    login(MembershipFactory(organisation__name="Beta City").user)
    response = client.get(url)
    assert response.status_code == 403
    assert "Alpha Town" not in response.content.decode()
    assert Invitation.objects.count() == 0


def test_inviting_needs_login(client, owner):
    response = client.get(f"/organisations/{owner.organisation.pk}/invite/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_invited_person_accepts_and_becomes_a_member(client, login, owner):
    invitee = VerifiedUserFactory(email="invitee@example.org")
    invitation = InvitationFactory(organisation=owner.organisation, email="invitee@example.org", invited_by=owner.user)
    login(invitee)
    page = client.get(f"/invitations/{invitation.token}/").content.decode()
    assert "Join Alpha Town" in page and "You are logged in as invitee@example.org." in page
    response = client.post(f"/invitations/{invitation.token}/")
    assert response.status_code == 302
    assert response.url == f"/organisations/{owner.organisation.pk}/"
    assert Membership.objects.get(user=invitee).role == "member"
    assert "You are now a member of Alpha Town." in client.get(response.url).content.decode()
    response = client.post(f"/invitations/{invitation.token}/")
    assert "This invitation has already been used." in response.content.decode()


def test_someone_else_cannot_accept_the_invitation(client, login, owner):
    invitation = InvitationFactory(organisation=owner.organisation, email="invitee@example.org")
    intruder = VerifiedUserFactory(email="intruder@example.org")
    login(intruder)
    response = client.post(f"/invitations/{invitation.token}/")
    assert response.status_code == 200
    assert response.context["error"] == (
        "This invitation was sent to invitee@example.org. Log in with that address to accept it."
    )
    assert not Membership.objects.filter(user=intruder).exists()


def test_accepting_needs_login_and_an_unknown_token_is_a_404(client, login):
    invitation = InvitationFactory()
    response = client.get(f"/invitations/{invitation.token}/")
    assert response.status_code == 302
    assert re.match(r"^/accounts/login/\?next=/invitations/", response.url)
    login(VerifiedUserFactory())
    assert client.get("/invitations/no-such-token/").status_code == 404
