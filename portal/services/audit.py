"""The audit trail's one writer: every service records its change here, in the same transaction."""

import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms.models import model_to_dict

from portal.models import AuditEntry, User


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
