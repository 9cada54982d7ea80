"""The secretariat's invitations to a role in an edition: invite, resend, revoke, accept. Every write audited.

The e-mail goes out after the commit (`send_role_invitation.delay_on_commit`), in the invitation's language.
Accepting gives the role through `role_grant`, so a judge invitation makes the judge profile too.
"""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Edition, EditionRole, RoleInvitation, User
from portal.tasks import send_role_invitation

from .audit import audit_log
from .roles import role_grant

# Long enough for a busy judge to find the mail, short enough that an old link is not a standing key.
INVITATION_DAYS = 14


def _state(invitation: RoleInvitation) -> dict:
    return {"email": invitation.email, "name": invitation.name, "role": invitation.role,
            "language": invitation.language, "expires": invitation.expires_at.isoformat()}


def invitation_refusal(*, edition: Edition, email: str, role: str,
                       other_than: RoleInvitation | None = None) -> ValidationError | None:
    """Why `email` cannot be invited to `role` now (already holds it, already invited), or None. `other_than`: an
    invitation not to count (the one being resent)."""
    if EditionRole.objects.filter(edition=edition, role=role, user__email__iexact=email).exists():
        return ValidationError({"email": _("%(email)s already holds this role in this edition.") % {"email": email}},
                               code="holds_role")
    pending = RoleInvitation.objects.filter(edition=edition, role=role, email__iexact=email, accepted_at__isnull=True,
                                            revoked_at__isnull=True, expires_at__gt=timezone.now())
    if other_than is not None:
        pending = pending.exclude(pk=other_than.pk)
    if pending.exists():
        return ValidationError(
            {"email": _("%(email)s already has a pending invitation to this role: resend it instead.")
             % {"email": email}}, code="pending")
    return None


@transaction.atomic
def role_invite(*, edition: Edition, email: str, role: str, actor: User, name: str = "", language: str = "",
                message: str = "") -> RoleInvitation:
    """Invite `email` to `role` in `edition`; the e-mail leaves once the transaction commits."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}, code="email") from None
    refusal = invitation_refusal(edition=edition, email=email, role=role)
    if refusal is not None:
        raise refusal
    invitation = RoleInvitation(
        edition=edition, email=email, name=(name or "").strip(), role=role,
        language=language or settings.LANGUAGE_CODE, message=(message or "").strip(),
        token=secrets.token_urlsafe(32), invited_by=actor,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_log(actor=actor, action="role_invitation.create", target=invitation, edition=edition,
              after=_state(invitation))
    send_role_invitation.delay_on_commit(invitation_id=invitation.pk)
    return invitation


def _locked_pending(invitation: RoleInvitation, *, allow_expired: bool = False) -> RoleInvitation:
    invitation = RoleInvitation.objects.select_for_update().select_related("edition").get(pk=invitation.pk)
    status = invitation.status()
    if status == RoleInvitation.Status.ACCEPTED:
        raise ValidationError(_("This invitation has already been accepted."), code="accepted")
    if status == RoleInvitation.Status.REVOKED:
        raise ValidationError(_("This invitation was withdrawn by the secretariat."), code="revoked")
    if status == RoleInvitation.Status.EXPIRED and not allow_expired:
        raise ValidationError(_("This invitation has expired."), code="expired")
    return invitation


@transaction.atomic
def role_invitation_resend(*, invitation: RoleInvitation, actor: User) -> RoleInvitation:
    """Send the mail again with the same link, valid for another INVITATION_DAYS (an expired one too)."""
    invitation = _locked_pending(invitation, allow_expired=True)
    # An expired invitation may meanwhile have been replaced by a new one, or its address given the role.
    refusal = invitation_refusal(edition=invitation.edition, email=invitation.email, role=invitation.role,
                                 other_than=invitation)
    if refusal is not None:
        raise refusal
    before = _state(invitation)
    invitation.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
    invitation.save(update_fields=["expires_at"])
    audit_log(actor=actor, action="role_invitation.resend", target=invitation, edition=invitation.edition,
              before=before, after=_state(invitation))
    send_role_invitation.delay_on_commit(invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def role_invitation_revoke(*, invitation: RoleInvitation, actor: User) -> RoleInvitation:
    """Withdraw a pending (or expired) invitation: its link stops working."""
    invitation = _locked_pending(invitation, allow_expired=True)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_log(actor=actor, action="role_invitation.revoke", target=invitation, edition=invitation.edition,
              before=_state(invitation))
    return invitation


@transaction.atomic
def role_invitation_accept(*, invitation: RoleInvitation, user: User) -> EditionRole:
    """`user` (logged in with the invited address) accepts: the invitation is used and the role given."""
    invitation = _locked_pending(invitation)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(invited)s, but you are logged in as %(email)s. Log out and open the "
              "link again, or ask the secretariat to invite this address.")
            % {"invited": invitation.email, "email": user.email}, code="wrong_address",
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_log(actor=user, action="role_invitation.accept", target=invitation, edition=invitation.edition,
              after={"email": invitation.email, "role": invitation.role,
                     "invited_by": invitation.invited_by.email if invitation.invited_by else None})
    return role_grant(edition=invitation.edition, user=user, role=invitation.role, actor=user)


@transaction.atomic
def role_invitation_accept_new_account(*, invitation: RoleInvitation, name: str, password: str) -> User:
    """A person without an account accepts: the account is made with the invited address already verified
    (the link proved they read that mailbox), then the invitation is accepted. Returns the new user."""
    _locked_pending(invitation)
    email = invitation.email.lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account already uses %(email)s: log in to accept.") % {"email": email},
                              code="account_exists")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter your name.")}, code="name")
    user = User(email=email, name=name, language=invitation.language)
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    audit_log(actor=user, action="account.create", target=user, edition=invitation.edition,
              after={"email": email, "name": name, "via": "role invitation"})
    role_invitation_accept(invitation=invitation, user=user)
    return user
