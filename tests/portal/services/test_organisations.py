"""Organisations' invitations: only owners invite; only the invited address joins, once."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from portal.models import Membership
from portal.services import organisations as services
from tests.factories import MembershipFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return MembershipFactory(organisation__kind="city").user


def test_invitations_join_the_invited_address_only(owner, django_capture_on_commit_callbacks):
    organisation = owner.organisations.get()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.organisation_invite(organisation=organisation, email="Colleague@City.example", actor=owner)
    assert [message.to for message in mail.outbox] == [["colleague@city.example"]]
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="Log in with that address"):
        services.invitation_accept(invitation=invitation, user=VerifiedUserFactory(email="someone@else.example"))
    colleague = VerifiedUserFactory(email="colleague@city.example")
    membership = services.invitation_accept(invitation=invitation, user=colleague)
    assert (membership.organisation, membership.role) == (organisation, Membership.Role.MEMBER)
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(invitation=invitation, user=colleague)


def test_only_owners_invite(owner):
    organisation = owner.organisations.get()
    member = MembershipFactory(organisation=organisation, role="member").user
    with pytest.raises(ValidationError, match="Only an owner"):
        services.organisation_invite(organisation=organisation, email="x@example.org", actor=member)


def test_the_invitation_is_written_in_the_invitees_language_else_the_inviters(owner, django_capture_on_commit_callbacks):
    organisation = owner.organisations.get()
    VerifiedUserFactory(email="korean@city.example", language="ko")
    owner.language = "en"
    owner.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_invite(organisation=organisation, email="korean@city.example", actor=owner)
        services.organisation_invite(organisation=organisation, email="new@city.example", actor=owner)
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {
        "korean@city.example": f"수상 포털에서 {organisation.name}에 초대되었습니다",
        "new@city.example": f"You are invited to join {organisation.name} on the award portal",
    }
