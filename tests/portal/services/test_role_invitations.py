"""Role invitations: invite, resend, revoke, accept with or without an account; the e-mail after commit, in the
invitee's language; used, withdrawn, expired or misaddressed links refused."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.models import AuditEntry, EditionRole, RoleInvitation, User
from portal.services import role_invitations as services
from portal.tasks import send_role_invitation
from tests.factories import EditionRoleFactory, RoleInvitationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat():
    return EditionRoleFactory(role="secretariat").user


def edition_of(user):
    return user.edition_roles.get().edition


def test_an_invitation_is_mailed_after_commit_in_the_invitees_language(secretariat, django_capture_on_commit_callbacks):
    edition = edition_of(secretariat)
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = services.role_invite(edition=edition, email=" Kim@Example.ORG ", role="judge", actor=secretariat,
                                          name="Kim Min-ji", language="ko", message="심사를 부탁드립니다.")
    assert mail.outbox == []  # nothing leaves before the commit
    with django_capture_on_commit_callbacks(execute=True):  # the task's own outbox e-mail is sent on its commit
        for callback in callbacks:
            callback()
    assert [message.to for message in mail.outbox] == [["kim@example.org"]]
    body, subject = mail.outbox[0].body, mail.outbox[0].subject
    assert f"/roles/invitations/{invitation.token}/" in body
    assert "심사를 부탁드립니다." in body
    assert "초대" in subject and edition.name in subject  # written in Korean
    invitation.refresh_from_db()
    assert invitation.sent_at is not None and invitation.status() == "pending"
    assert AuditEntry.objects.get().action == "role_invitation.create"


@pytest.mark.parametrize(("email", "message"), [
    ("not an address", "Enter a valid e-mail address"),
    ("holder@example.org", "already holds this role"),
    ("pending@example.org", "already has a pending invitation"),
])
def test_an_invitation_that_makes_no_sense_is_refused(secretariat, email, message):
    edition = edition_of(secretariat)
    EditionRoleFactory(edition=edition, role="judge", user__email="holder@example.org")
    RoleInvitationFactory(edition=edition, role="judge", email="pending@example.org")
    with pytest.raises(ValidationError, match=message):
        services.role_invite(edition=edition, email=email, role="judge", actor=secretariat)
    assert RoleInvitation.objects.count() == 1


def test_the_same_address_may_be_invited_to_another_role_or_again_after_expiry(secretariat):
    edition = edition_of(secretariat)
    RoleInvitationFactory(edition=edition, role="judge", email="x@example.org",
                          expires_at=timezone.now() - timedelta(days=1))
    services.role_invite(edition=edition, email="x@example.org", role="judge", actor=secretariat)
    services.role_invite(edition=edition, email="x@example.org", role="observer", actor=secretariat)
    assert RoleInvitation.objects.count() == 3


def test_an_existing_account_accepts_with_its_own_address_only():
    invitation = RoleInvitationFactory(email="chair@example.org", role="chair")
    with pytest.raises(ValidationError, match="was sent to chair@example.org, but you are logged in as") as refused:
        services.role_invitation_accept(invitation=invitation, user=VerifiedUserFactory(email="other@example.org"))
    assert refused.value.code == "wrong_address"
    chair = VerifiedUserFactory(email="Chair@example.org")
    edition_role = services.role_invitation_accept(invitation=invitation, user=chair)
    assert (edition_role.edition, edition_role.user, edition_role.role) == (invitation.edition, chair, "chair")
    invitation.refresh_from_db()
    assert (invitation.status(), invitation.accepted_by) == ("accepted", chair)
    assert list(AuditEntry.objects.order_by("id").values_list("action", "actor")) == [
        ("role_invitation.accept", chair.pk), ("role.grant", chair.pk)]
    with pytest.raises(ValidationError, match="already been accepted"):
        services.role_invitation_accept(invitation=invitation, user=chair)


def test_a_new_person_gets_an_account_with_the_address_verified():
    invitation = RoleInvitationFactory(email="new@example.org", role="observer", language="ko")
    user = services.role_invitation_accept_new_account(invitation=invitation, name=" Lee Jun ",
                                                       password="a-long-enough-passphrase")
    assert (user.email, user.name, user.language, user.check_password("a-long-enough-passphrase")) == (
        "new@example.org", "Lee Jun", "ko", True)
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("new@example.org", True, True)]
    assert list(EditionRole.objects.filter(user=user).values_list("edition", "role")) == [
        (invitation.edition_id, "observer")]


@pytest.mark.parametrize(("name", "password", "message"), [
    ("", "a-long-enough-passphrase", "Enter your name"),
    ("Lee", "short", "too short"),
    ("Lee", "new@example.org", "too similar"),
])
def test_a_new_account_needs_a_name_and_a_sound_password(name, password, message):
    invitation = RoleInvitationFactory(email="new@example.org")
    with pytest.raises(ValidationError, match=message):
        services.role_invitation_accept_new_account(invitation=invitation, name=name, password=password)
    assert not User.objects.filter(email="new@example.org").exists()
    assert RoleInvitation.objects.get().status() == "pending"


def test_a_new_account_is_not_made_over_an_existing_one():
    VerifiedUserFactory(email="taken@example.org")
    invitation = RoleInvitationFactory(email="taken@example.org")
    with pytest.raises(ValidationError, match="log in to accept"):
        services.role_invitation_accept_new_account(invitation=invitation, name="X", password="a-long-passphrase-1")


@pytest.mark.parametrize(("state", "message"), [
    ({"revoked_at": timezone.now()}, "withdrawn"),
    ({"expires_at": timezone.now() - timedelta(minutes=1)}, "expired"),
    ({"accepted_at": timezone.now()}, "already been accepted"),
])
def test_a_used_revoked_or_expired_invitation_cannot_be_accepted(state, message):
    invitation = RoleInvitationFactory(email="late@example.org", **state)
    with pytest.raises(ValidationError, match=message):
        services.role_invitation_accept(invitation=invitation, user=VerifiedUserFactory(email="late@example.org"))
    with pytest.raises(ValidationError, match=message):
        services.role_invitation_accept_new_account(invitation=invitation, name="X", password="a-long-passphrase-1")
    assert not EditionRole.objects.exists()


def test_resend_extends_an_expired_invitation_and_mails_it_again(secretariat, django_capture_on_commit_callbacks):
    invitation = RoleInvitationFactory(edition=edition_of(secretariat), expires_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.role_invitation_resend(invitation=invitation, actor=secretariat)
    invitation.refresh_from_db()
    assert invitation.status() == "pending"
    assert [message.to for message in mail.outbox] == [[invitation.email]]
    assert AuditEntry.objects.get().action == "role_invitation.resend"


def test_an_expired_invitation_replaced_by_a_new_one_is_not_resent(secretariat, django_capture_on_commit_callbacks):
    edition = edition_of(secretariat)
    expired = RoleInvitationFactory(edition=edition, email="kim@example.org", role="judge",
                                    expires_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.role_invite(edition=edition, email="kim@example.org", role="judge", actor=secretariat)
        with pytest.raises(ValidationError, match="already has a pending invitation to this role"):
            services.role_invitation_resend(invitation=expired, actor=secretariat)
    expired.refresh_from_db()
    assert expired.status() == "expired"
    assert len(mail.outbox) == 1  # the new invitation's only


def test_revoke_kills_the_link_and_a_revoked_one_is_not_sent(secretariat, django_capture_on_commit_callbacks):
    invitation = RoleInvitationFactory(edition=edition_of(secretariat))
    services.role_invitation_revoke(invitation=invitation, actor=secretariat)
    invitation.refresh_from_db()
    assert invitation.status() == "revoked"
    with pytest.raises(ValidationError, match="withdrawn"):
        services.role_invitation_resend(invitation=invitation, actor=secretariat)
    assert send_role_invitation(invitation_id=invitation.pk) == "nothing to send"
    assert mail.outbox == []
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["role_invitation.revoke"]
