"""Writes for the roles people hold in an edition."""

from django.db import transaction

from portal.models import EditionRole, User

from .audit import audit_log


@transaction.atomic
def role_grant(*, edition, user: User, role: str, actor: User | None = None) -> EditionRole:
    edition_role, created = EditionRole.objects.get_or_create(edition=edition, user=user, role=role)
    if created:
        audit_log(actor=actor, action="role.grant", target=edition_role, edition=edition,
                  after={"user": user.email, "role": role})
    return edition_role


@transaction.atomic
def role_revoke(*, edition, user: User, role: str, actor: User | None = None) -> None:
    deleted, _ = EditionRole.objects.filter(edition=edition, user=user, role=role).delete()
    if deleted:
        audit_log(actor=actor, action="role.revoke", edition=edition, before={"user": user.email, "role": role})


@transaction.atomic
def organiser_grant(*, user: User, actor: User | None = None) -> User:
    """Let `user` create editions. Audited (without an edition: the grant is installation-wide)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_organiser:
        user.is_organiser = True
        user.save(update_fields=["is_organiser"])
        audit_log(actor=actor, action="organiser.grant", target=user, after={"user": user.email})
    return user


@transaction.atomic
def organiser_revoke(*, user: User, actor: User | None = None) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_organiser:
        user.is_organiser = False
        user.save(update_fields=["is_organiser"])
        audit_log(actor=actor, action="organiser.revoke", target=user, before={"user": user.email})
    return user


@transaction.atomic
def authenticator_remove(*, authenticator, actor: User | None) -> None:
    """Remove one of a person's second factors (a lost phone): they set MFA up again at their next privileged page.
    Audited with the type only, never the secret."""
    user = authenticator.user
    audit_log(actor=actor, action="mfa.remove", target=user,
              before={"user": user.email, "authenticator": authenticator.type})
    authenticator.delete()
