"""Sending webhook deliveries: the signed POST, its outcome, backoff, and the relay of due ones. Called by the
tasks (portal.tasks); recording events and the secretariat's settings are in portal.services.webhooks.

Signature (the receiver checks it, see README): header `X-Portal-Signature: t=<unix time>,v1=<hex>` where hex is
HMAC-SHA256 of `<t>.<raw body>` with the webhook's secret (the scheme Stripe and GitHub users know; the time
bounds replays). `X-Portal-Delivery` stays the same across retries so a receiver can drop a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from datetime import timedelta
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import WebhookDelivery

State = WebhookDelivery.State
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min, then failed: about an hour of a receiver being down
BACKOFF_BASE_SECONDS = 30


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_valid(*, secret: str, header: str, body: bytes, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (and our tests): the timestamp is recent and the HMAC matches."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, header.strip())


def url_refusal(url: str) -> str | None:
    """Why the portal will not post to this address, or None. Only https to a public address: a webhook must not
    reach the portal's own network (the database, Redis, a cloud's metadata service)."""
    parsed = urlparse(url)
    allow_private = getattr(settings, "PORTAL_WEBHOOK_ALLOW_PRIVATE", False)
    if parsed.scheme != "https" and not (allow_private and parsed.scheme == "http"):
        return _("The address must start with https://.")
    if not parsed.hostname:
        return _("The address has no host name.")
    if allow_private:
        return None
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parsed.hostname, parsed.port or 443)}
    except (socket.gaierror, UnicodeError):
        return _("The host name %(host)s could not be found.") % {"host": parsed.hostname}
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return _("%(host)s is a private or local address; webhooks go to public addresses only.") % {
                "host": parsed.hostname}
    return None


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps({
        "id": delivery.pk, "event": delivery.event, "created_at": delivery.created_at.isoformat(),
        "edition": delivery.webhook.edition.slug, "data": delivery.payload,
    }, ensure_ascii=False, separators=(",", ":")).encode()


def deliver(*, delivery_id: int) -> str:
    """POST one delivery if it is due; record the outcome. Safe to run twice: a delivered row is left alone, and
    the row is locked while it is sent."""
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update().select_related("webhook__edition")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.state != State.PENDING:
            return "nothing to send"
        webhook = delivery.webhook
        body = body_of(delivery)
        refusal = url_refusal(webhook.url) if webhook.is_active else _("The webhook is switched off.")
        status_code, error = None, refusal or ""
        if not refusal:
            headers = {
                "Content-Type": "application/json", "User-Agent": "award-portal-webhooks/1",
                "X-Portal-Event": delivery.event, "X-Portal-Delivery": str(delivery.pk),
                "X-Portal-Signature": signature(secret=webhook.secret, timestamp=int(time.time()), body=body),
            }
            try:
                response = requests.post(webhook.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS,
                                         allow_redirects=False)
                status_code = response.status_code
                if not 200 <= status_code < 300:
                    error = _("The receiver answered %(status)s.") % {"status": status_code}
            except requests.RequestException as exception:
                error = f"{type(exception).__name__}: {exception}"[:500]
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = status_code, error
        if not error:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = State.DELIVERED, timezone.now(), None
        elif delivery.attempts >= MAX_ATTEMPTS or refusal:
            delivery.state, delivery.next_attempt_at = State.FAILED, None
        else:
            wait = BACKOFF_BASE_SECONDS * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=wait)
        delivery.save(update_fields=["attempts", "last_status_code", "last_error", "state", "delivered_at",
                                     "next_attempt_at"])
        return delivery.state


def due_deliveries_send(*, limit: int = 200) -> int:
    """The beat's relay: send the deliveries whose next attempt is due (a receiver that was down)."""
    due = list(WebhookDelivery.objects.filter(state=State.PENDING, next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for pk in due:
        deliver(delivery_id=pk)
    return len(due)
