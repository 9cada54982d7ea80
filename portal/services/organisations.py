"""Writes for organisations, their members, and owners' invitations of colleagues."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Invitation, Membership, Organisation, User
from portal.tasks import send_invitation

from .audit import audit_log, snapshot


@transaction.atomic
def organisation_create(*, user: User, name: str, kind: str, country: str, city: str = "",
                        population_band: str = Organisation.PopulationBand.NOT_APPLICABLE,
                        website: str = "") -> Organisation:
    """Create an organisation with `user` as its owner."""
    organisation = Organisation(
        name=name.strip(), kind=kind, country=country, city=city.strip(),
        population_band=population_band, website=website,
    )
    organisation.full_clean()
    organisation.save()
    membership = Membership(organisation=organisation, user=user, role=Membership.Role.OWNER)
    membership.full_clean()
    membership.save()
    audit_log(actor=user, action="organisation.create", target=organisation, after=snapshot(organisation))
    return organisation


@transaction.atomic
def membership_add(*, organisation: Organisation, user: User, role: str = Membership.Role.MEMBER,
                   actor: User | None = None) -> Membership:
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    if created:
        # Names, not ids: the trail is read by people, and ids differ between databases.
        audit_log(actor=actor, action="membership.add", target=membership,
                  after={"user": user.email, "organisation": str(organisation), "role": membership.role})
    return membership


# --- invitations -----------------------------------------------------------------------------------------

@transaction.atomic
def organisation_invite(*, organisation: Organisation, email: str, actor: User) -> Invitation:
    if not Membership.objects.filter(organisation=organisation, user=actor, role=Membership.Role.OWNER).exists():
        raise ValidationError(_("Only an owner of the organisation can invite colleagues."))
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s is already a member.") % {"email": email}})
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, token=secrets.token_urlsafe(32), invited_by=actor
    )
    audit_log(actor=actor, action="organisation.invite", target=organisation, after={"email": email})
    send_invitation.delay_on_commit(invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.") % {"email": invitation.email}
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership_add(organisation=invitation.organisation, user=user, actor=user)
