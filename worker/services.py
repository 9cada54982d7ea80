"""The secretariat's one write on the outbox: "Try again" (audited)."""

import functools

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services import audit_log

from .models import OutboxMessage
from .outbox import dispatch

State = OutboxMessage.State


@transaction.atomic
def message_retry(*, message: OutboxMessage, user: User | None) -> OutboxMessage:
    """A failed (or waiting) row is sent again now, its attempts counted from zero; audited in the edition."""
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if locked.state not in (State.FAILED, State.PENDING):
        raise ValidationError(_("Only a failed or waiting message can be sent again."), code="state")
    before = {"state": locked.state, "attempts": locked.attempts, "error": locked.last_error}
    locked.state, locked.attempts, locked.next_attempt_at = State.PENDING, 0, timezone.now()
    locked.save(update_fields=["state", "attempts", "next_attempt_at"])
    audit_log(actor=user, action="outbox.retry", target=locked, edition_id=locked.edition_id,
              before=before, after={"state": State.PENDING})
    transaction.on_commit(functools.partial(dispatch, [locked.pk]))
    return locked
