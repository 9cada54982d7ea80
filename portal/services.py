"""Writes for users, organisations, roles and the audit trail. Views, admin and tasks call these."""

import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.forms.models import model_to_dict

from .models import AuditEntry, EditionRole, Membership, Organisation, User


class _AuditEncoder(DjangoJSONEncoder):
    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def snapshot(instance: models.Model, *, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of a model's own fields (not its many-to-many ones), for the audit trail's before/after."""
    names = fields or [field.name for field in instance._meta.concrete_fields]
    return json.loads(json.dumps(model_to_dict(instance, fields=names), cls=_AuditEncoder))


def audit_log(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    edition=None,
    edition_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Record one change. Call it inside the same transaction as the change it records."""
    entry = AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        edition=edition,
        before=before,
        after=after,
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
        entry.target_repr = str(target)[:300]
    if edition is None and edition_id is not None:
        entry.edition_id = edition_id
    entry.full_clean()
    entry.save()
    return entry


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
