"""Webhooks: an event is written as one delivery per subscribed webhook in the transaction that caused it, then
POSTed, signed, by a task; a refused or unreachable receiver is tried again with backoff, then marked failed and
shown to the secretariat with "Try again".

Sending (the signature, backoff, the relay) is in portal.services.webhook_delivery.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Edition, Webhook, WebhookDelivery
from ..tasks import deliver_webhook
from .audit import audit_log, snapshot
from .webhook_delivery import url_refusal

State = WebhookDelivery.State


# --- the secretariat's settings -------------------------------------------------------------------------------


def _check(url: str, events: list[str]) -> None:
    errors = {}
    refusal = url_refusal(url)
    if refusal:
        errors["url"] = refusal
    unknown = set(events) - set(Webhook.Event.values)
    if not events or unknown:
        errors["events"] = _("Choose at least one event.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def webhook_create(*, edition: Edition, url: str, events: list[str], user) -> Webhook:
    _check(url, events)
    webhook = Webhook.objects.create(edition=edition, url=url, events=sorted(events), created_by=user)
    audit_log(actor=user, action="webhook.create", target=webhook, edition=edition,
              after=snapshot(webhook, fields=["url", "events", "is_active"]))
    return webhook


@transaction.atomic
def webhook_update(*, webhook: Webhook, url: str, events: list[str], is_active: bool, user) -> Webhook:
    _check(url, events)
    before = snapshot(webhook, fields=["url", "events", "is_active"])
    webhook.url, webhook.events, webhook.is_active = url, sorted(events), is_active
    webhook.save(update_fields=["url", "events", "is_active"])
    audit_log(actor=user, action="webhook.update", target=webhook, edition=webhook.edition_id and webhook.edition,
              before=before, after=snapshot(webhook, fields=["url", "events", "is_active"]))
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook, user) -> None:
    audit_log(actor=user, action="webhook.delete", target=webhook, edition=webhook.edition,
              before=snapshot(webhook, fields=["url", "events", "is_active"]))
    webhook.delete()


@transaction.atomic
def webhook_secret_rotate(*, webhook: Webhook, user) -> Webhook:
    from ..models.webhooks import new_secret

    webhook.secret = new_secret()
    webhook.save(update_fields=["secret"])
    audit_log(actor=user, action="webhook.rotate_secret", target=webhook, edition=webhook.edition)
    return webhook


# --- events and deliveries ------------------------------------------------------------------------------------


def emit(*, edition_id: int, event: str, data: dict) -> list[WebhookDelivery]:
    """Record the event for every active webhook of the edition that asked for it, in the caller's transaction;
    after commit each delivery is sent by a task (through the outbox: nothing lost when the broker is down)."""
    deliveries = []
    for webhook in Webhook.objects.filter(edition_id=edition_id, is_active=True):
        if event not in webhook.events:
            continue
        delivery = WebhookDelivery.objects.create(
            webhook=webhook, event=event, next_attempt_at=timezone.now(),
            payload=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
        )
        deliver_webhook.delay_on_commit(delivery_id=delivery.pk)
        deliveries.append(delivery)
    return deliveries


@transaction.atomic
def delivery_retry(*, delivery: WebhookDelivery, user) -> None:
    """The secretariat's "Try again": a failed (or waiting) delivery is sent now, with its attempts reset."""
    if delivery.state == State.DELIVERED:
        raise ValidationError(_("This delivery has already been received."))
    delivery.state, delivery.attempts, delivery.next_attempt_at = State.PENDING, 0, timezone.now()
    delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
    audit_log(actor=user, action="webhook.retry", target=delivery.webhook, edition=delivery.webhook.edition,
              after={"delivery": delivery.pk, "event": delivery.event})
    deliver_webhook.delay_on_commit(delivery_id=delivery.pk)
