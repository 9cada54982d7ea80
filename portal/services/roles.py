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
