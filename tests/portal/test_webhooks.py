"""Webhooks: an event recorded with the change that caused it, POSTed signed to a real local receiver, tried
again with backoff when the receiver is down, failed for good after the last attempt and retried by hand; the
pages are the secretariat's alone."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from judging.models import JudgingRound
from judging.services.edition_stages import edition_publish
from judging.services.rounds import round_move
from portal.models import AuditEntry, Edition, EditionRole, Webhook, WebhookDelivery
from portal.services import webhook_delivery as webhooks
from tests.factories.judging import JudgingRoundFactory
from tests.factories.portal import (
    EditionFactory,
    EditionRoleFactory,
    MembershipFactory,
    VerifiedUserFactory,
    WebhookDeliveryFactory,
    WebhookFactory,
)
from tests.factories.submissions import CategoryFactory, submitted_application

pytestmark = pytest.mark.django_db
State = WebhookDelivery.State
Event = Webhook.Event


class Receiver:
    """A real HTTP server on loopback that records each POST and answers with the next queued status."""

    def __init__(self):
        self.received, self.statuses = [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.PORTAL_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback
    made = Receiver()
    yield made
    made.close()


def test_a_signature_verifies_and_a_changed_body_or_an_old_time_does_not():
    now = int(time.time())
    header = webhooks.signature(secret="s", timestamp=now, body=b'{"a":1}')
    assert webhooks.signature_valid(secret="s", header=header, body=b'{"a":1}')
    assert not webhooks.signature_valid(secret="s", header=header, body=b'{"a":2}')
    assert not webhooks.signature_valid(secret="other", header=header, body=b'{"a":1}')
    old = webhooks.signature(secret="s", timestamp=now - 600, body=b"{}")
    assert not webhooks.signature_valid(secret="s", header=old, body=b"{}")
    assert not webhooks.signature_valid(secret="s", header="garbage", body=b"{}")


def test_a_submission_is_sent_signed_to_the_webhooks_that_asked_for_it_only(receiver, django_capture_on_commit_callbacks):
    category = CategoryFactory(edition=EditionFactory(state=Edition.State.OPEN))
    edition = category.edition
    wanted = WebhookFactory(edition=edition, url=receiver.url, events=[Event.APPLICATION_SUBMITTED])
    WebhookFactory(edition=edition, url=receiver.url + "/rounds", events=[Event.ROUND_CLOSED])
    WebhookFactory(edition=edition, url=receiver.url + "/off", is_active=False)
    WebhookFactory(url=receiver.url + "/other-edition")
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted_application(category=category)
    # Written with the submission, sent by its task once the transaction committed.
    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook == wanted and delivery.event == Event.APPLICATION_SUBMITTED
    assert delivery.state == State.DELIVERED and delivery.attempts == 1
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert webhooks.signature_valid(secret=wanted.secret, header=headers["X-Portal-Signature"], body=body)
    assert headers["X-Portal-Event"] == "application.submitted" and headers["X-Portal-Delivery"] == str(delivery.pk)
    message = json.loads(body)
    assert message["edition"] == edition.slug and message["event"] == "application.submitted"
    assert message["data"]["application_id"] == application.pk and message["data"]["category"] == category.slug
    assert message["data"]["screening_url"].endswith(f"/e/{edition.slug}/screening/{application.pk}/")
    # Sent once: a second run of the task finds it delivered.
    assert webhooks.deliver(delivery_id=delivery.pk) == "nothing to send" and len(receiver.received) == 1


def test_a_closed_round_and_a_publication_are_events_too(receiver):
    judging = EditionFactory(state=Edition.State.JUDGING)
    judging_round = JudgingRoundFactory(edition=judging, state=JudgingRound.State.OPEN,
                                        categories=[CategoryFactory(edition=judging, slug="safety")])
    closed_hook = WebhookFactory(edition=judging, url=receiver.url)
    round_move(judging_round, JudgingRound.State.CLOSED, user=None)
    finalised = EditionFactory(state=Edition.State.FINALISED)
    published_hook = WebhookFactory(edition=finalised, url=receiver.url)
    edition_publish(edition=finalised, user=VerifiedUserFactory())
    closed, published = closed_hook.deliveries.get(), published_hook.deliveries.get()
    assert closed.event == Event.ROUND_CLOSED and closed.payload["categories"] == ["safety"]
    assert closed.payload["round_id"] == judging_round.pk
    assert published.event == Event.EDITION_PUBLISHED
    assert published.payload["api_url"].endswith(f"/api/v1/editions/{finalised.slug}/results")


def test_a_receiver_that_is_down_is_tried_again_with_backoff_with_the_same_delivery_id(receiver):
    receiver.statuses = [503]
    delivery = WebhookDeliveryFactory(webhook=WebhookFactory(url=receiver.url), next_attempt_at=timezone.now())
    assert webhooks.deliver(delivery_id=delivery.pk) == State.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_status_code == 503 and "503" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert webhooks.due_deliveries_send() == 0  # not due yet
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert webhooks.due_deliveries_send() == 1
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED and delivery.attempts == 2 and delivery.delivered_at
    assert [h["X-Portal-Delivery"] for h, _ in receiver.received] == [str(delivery.pk)] * 2


def test_after_the_last_attempt_a_delivery_fails_and_the_secretariat_tries_it_again(client, login, receiver):
    receiver.statuses = [500] * webhooks.MAX_ATTEMPTS
    delivery = WebhookDeliveryFactory(webhook=WebhookFactory(url=receiver.url), next_attempt_at=timezone.now())
    for _ in range(webhooks.MAX_ATTEMPTS):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        webhooks.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED and delivery.attempts == webhooks.MAX_ATTEMPTS
    edition = delivery.webhook.edition
    login(EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT).user)
    page = client.get(f"/e/{edition.slug}/webhooks/{delivery.webhook.pk}/").content.decode()
    assert "Failed" in page and "Try again" in page and "500" in page
    response = client.post(f"/e/{edition.slug}/webhooks/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == State.PENDING and delivery.attempts == 0
    assert webhooks.deliver(delivery_id=delivery.pk) == State.DELIVERED


def test_an_unreachable_receiver_is_recorded_not_raised(settings):
    settings.PORTAL_WEBHOOK_ALLOW_PRIVATE = True
    delivery = WebhookDeliveryFactory(webhook=WebhookFactory(url="http://127.0.0.1:9/nothing-listens"))
    assert webhooks.deliver(delivery_id=delivery.pk) == State.PENDING
    delivery.refresh_from_db()
    assert "ConnectionError" in delivery.last_error and delivery.last_status_code is None


@pytest.mark.parametrize("url", ["http://hooks.example.org/x", "https://127.0.0.1/x", "https://10.0.0.5/x",
                                 "https://169.254.169.254/latest", "https://[::1]/x", "https://localhost/x"])
def test_only_https_to_a_public_address_is_accepted(url):
    assert webhooks.url_refusal(url) is not None


def test_a_private_address_is_refused_on_the_page_and_the_input_kept(client, login):
    edition = EditionFactory()
    login(EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT).user)
    response = client.post(f"/e/{edition.slug}/webhooks/", {"url": "https://127.0.0.1/hook",
                                                            "events": ["round.closed"], "is_active": "on"})
    assert response.status_code == 200 and not Webhook.objects.exists()
    html = response.content.decode()
    assert "private or local address" in html and 'value="https://127.0.0.1/hook"' in html
    assert 'value="round.closed"' in html and "checked" in html


def test_the_secretariat_adds_edits_rotates_and_removes_a_webhook_all_audited(client, login, receiver):
    edition = EditionFactory()
    login(EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT).user)
    response = client.post(f"/e/{edition.slug}/webhooks/", {"url": receiver.url, "events": ["edition.published"],
                                                            "is_active": "on"})
    webhook = Webhook.objects.get()
    assert response["Location"] == f"/e/{edition.slug}/webhooks/{webhook.pk}/"
    assert webhook.events == ["edition.published"] and webhook.secret in client.get(response["Location"]).content.decode()
    client.post(f"/e/{edition.slug}/webhooks/{webhook.pk}/", {"url": receiver.url, "events": ["round.closed"]})
    webhook.refresh_from_db()
    assert webhook.events == ["round.closed"] and not webhook.is_active
    old_secret = webhook.secret
    client.post(f"/e/{edition.slug}/webhooks/{webhook.pk}/secret/")
    webhook.refresh_from_db()
    assert webhook.secret != old_secret
    client.post(f"/e/{edition.slug}/webhooks/{webhook.pk}/delete/")
    assert not Webhook.objects.exists()
    actions = set(AuditEntry.objects.filter(edition=edition).values_list("action", flat=True))
    assert {"webhook.create", "webhook.update", "webhook.rotate_secret", "webhook.delete"} <= actions


@pytest.mark.parametrize("role", ["anonymous", "applicant", "judge", "chair", "observer", "committee",
                                  "other_secretariat"])
def test_nobody_but_the_secretariat_reaches_the_webhooks_or_their_secret(client, login, role):
    hook = WebhookFactory()
    delivery = WebhookDeliveryFactory(webhook=hook, state=State.FAILED)
    edition = hook.edition
    if role == "applicant":
        login(MembershipFactory().user)
    elif role == "other_secretariat":
        login(EditionRoleFactory(role=EditionRole.Role.SECRETARIAT).user)
    elif role != "anonymous":
        login(EditionRoleFactory(edition=edition, role=role).user)
    for url in [f"/e/{edition.slug}/webhooks/", f"/e/{edition.slug}/webhooks/{hook.pk}/"]:
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        assert hook.secret not in response.content.decode() and hook.url not in response.content.decode()
    for url in [f"/e/{edition.slug}/webhooks/{hook.pk}/secret/", f"/e/{edition.slug}/webhooks/{hook.pk}/delete/",
                f"/e/{edition.slug}/webhooks/deliveries/{delivery.pk}/retry/"]:
        assert client.post(url).status_code in (302, 403, 404)
    hook.refresh_from_db()
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED and Webhook.objects.filter(pk=hook.pk).exists()
    if role == "anonymous":
        assert client.get(f"/e/{edition.slug}/webhooks/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("count", [1, 60])
def test_the_pages_cost_the_same_queries_for_one_and_many(client, login, count, django_assert_num_queries):
    edition = EditionFactory()
    login(EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT).user)
    hooks = [WebhookFactory(edition=edition) for _ in range(min(count, 3))]
    for index in range(count):
        WebhookDeliveryFactory(webhook=hooks[0], state=[State.FAILED, State.PENDING, State.DELIVERED][index % 3])
    client.get("/")
    # Session, user, the edition with the roles (the permission), the webhooks with their counts; messages, MFA state.
    with django_assert_num_queries(6):
        assert client.get(f"/e/{edition.slug}/webhooks/").status_code == 200
    with django_assert_num_queries(8):  # ... the webhook, the count and page of its deliveries
        assert client.get(f"/e/{edition.slug}/webhooks/{hooks[0].pk}/").status_code == 200
