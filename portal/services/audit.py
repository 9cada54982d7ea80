"""The audit trail's one writer: every service records its change here, in the same transaction."""

import contextvars
import json
from contextlib import contextmanager
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
    """Record one change. Call it inside the same transaction as the change it records.

    Inside `audit_batch()` the entry is kept and written with the batch's other entries in one INSERT at its end
    (its pk is set then, and so is the target's id when the target is saved later in the batch).
    """
    entry = AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        edition=edition,
        before=before,
        after=after,
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = "" if target.pk is None else str(target.pk)
        entry.target_repr = str(target)[:300]
    if edition is None and edition_id is not None:
        entry.edition_id = edition_id
    # The edition, the actor and the target's type are rows the caller holds: no query to check that they exist
    # (the foreign keys check it in the database anyway).
    entry.full_clean(exclude=["edition", "actor", "target_type"])
    batch = _batch.get()
    if batch is not None:
        batch.append((entry, target))
    else:
        entry.save()
    return entry


_batch: contextvars.ContextVar[list | None] = contextvars.ContextVar("audit_batch", default=None)


@contextmanager
def audit_batch():
    """Collect the audit entries written inside the block and insert them together at its end (one query).

    Use it inside the transaction of the change, around a service that writes several entries; when the block
    raises, nothing is written. A batch inside a batch joins the outer one.
    """
    if _batch.get() is not None:
        yield
        return
    entries: list[tuple[AuditEntry, models.Model | None]] = []
    token = _batch.set(entries)
    try:
        yield
    finally:
        _batch.reset(token)
    for entry, target in entries:
        if target is not None and not entry.target_id:
            entry.target_id = str(target.pk)  # a row the block created after recording its change
    if entries:
        AuditEntry.objects.bulk_create([entry for entry, _target in entries])
