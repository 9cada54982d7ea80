"""The outbox: rows written in the caller's transaction, claimed once, relayed with backoff, e-mails retried."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from judging.models import Assignment, JudgingRound, ReminderSent
from judging.tasks.notifications import notify_judges
from tests.factories.scoring import make_world
from worker import outbox
from worker.models import OutboxMessage
from worker.outbox import backoff, claim, email_record, outbox_relay
from worker.services import message_retry
from worker.tasks import heartbeat, send_email

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def test_backoff_doubles_from_its_base_up_to_its_cap():
    assert [backoff(n, base=5, cap=60).total_seconds() for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_delay_on_commit_writes_the_row_in_the_callers_transaction(django_capture_on_commit_callbacks):
    with pytest.raises(Rollback), transaction.atomic():
        heartbeat.delay_on_commit(note="rolled back")
        assert OutboxMessage.objects.count() == 1
        raise Rollback
    assert OutboxMessage.objects.count() == 0  # rolled back with the change: nothing to send
    with django_capture_on_commit_callbacks(execute=True):
        heartbeat.delay_on_commit(note="kept")
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.kwargs, message.state, message.runs) == (
        "worker.heartbeat", {"note": "kept"}, "done", 1)


def test_a_row_is_claimed_once_and_a_celery_retry_of_that_run_may_claim_it_again():
    message = OutboxMessage.objects.create(task_name="worker.heartbeat")
    assert claim(message_id=message.pk, retries=0) is True
    assert claim(message_id=message.pk, retries=0) is False  # a duplicate delivery
    assert claim(message_id=message.pk, retries=1) is True  # Celery's retry of the same run
    message.refresh_from_db()
    assert (message.state, message.runs, message.claim_retries) == ("running", 2, 1)
    OutboxMessage.objects.filter(pk=message.pk).update(state="done")
    assert claim(message_id=message.pk, retries=5) is False


def test_a_duplicate_delivery_of_a_task_does_nothing():
    message = OutboxMessage.objects.create(task_name="worker.heartbeat", kwargs={"note": "once"})
    first = heartbeat.apply(kwargs={"note": "once", "_outbox": message.pk}).get()
    second = heartbeat.apply(kwargs={"note": "once", "_outbox": message.pk}).get()
    assert first["hostname"] and second is None
    from worker.models import WorkerHeartbeat

    assert WorkerHeartbeat.objects.get().beats == 1
    message.refresh_from_db()
    assert (message.state, message.runs) == ("done", 1)


def test_a_task_that_fails_for_good_is_failed_and_shows_why(monkeypatch):
    message = OutboxMessage.objects.create(task_name="worker.heartbeat")
    monkeypatch.setattr("worker.tasks.WorkerHeartbeat.objects.filter", lambda **kw: (_ for _ in ()).throw(
        ValueError("broken")))
    heartbeat.apply(kwargs={"_outbox": message.pk}, throw=False)
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == ("failed", 1, "ValueError: broken")


def test_the_relay_waits_for_the_backoff_and_sends_when_due(monkeypatch):
    message = OutboxMessage.objects.create(task_name="worker.heartbeat", next_attempt_at=timezone.now()
                                           + timedelta(minutes=1))
    assert outbox_relay() == 0
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_relay() == 1
    message.refresh_from_db()
    assert (message.state, message.runs) == ("done", 1)


def test_the_relay_sends_again_what_a_broker_lost_and_what_a_dead_worker_held(settings):
    long_ago = timezone.now() - timedelta(hours=2)
    lost = OutboxMessage.objects.create(task_name="worker.heartbeat", state="sent", sent_at=long_ago)
    held = OutboxMessage.objects.create(task_name="worker.heartbeat", state="running", claimed_at=long_ago)
    recent = OutboxMessage.objects.create(task_name="worker.heartbeat", state="sent", sent_at=timezone.now())
    assert outbox_relay() == 2
    assert dict(OutboxMessage.objects.values_list("pk", "state")) == {
        lost.pk: "done", held.pk: "done", recent.pk: "sent"}


def test_the_management_command_relays(capsys):
    OutboxMessage.objects.create(task_name="worker.heartbeat")
    call_command("outbox_relay")
    assert capsys.readouterr().out.strip() == "1 sent"
    assert OutboxMessage.objects.get().state == "done"


def test_an_email_row_is_sent_once_and_a_second_record_with_its_key_writes_nothing(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert email_record(to="a@example.org", subject="Hello", body="Body", key="k1") is not None
        assert email_record(to="a@example.org", subject="Hello", body="Body", key="k1") is None
    assert [(m.to, m.subject) for m in mail.outbox] == [(["a@example.org"], "Hello")]
    message = OutboxMessage.objects.get()
    send_email.apply(kwargs={"email_id": message.pk, "_outbox": message.pk})  # delivered twice: sent once
    assert len(mail.outbox) == 1


class DownEmailBackend(LocmemBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_an_smtp_failure_is_retried_with_backoff_then_failed(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.worker.test_outbox.DownEmailBackend"
    settings.OUTBOX_EMAIL_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        email_record(to="a@example.org", subject="Hello", body="Body")
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts) == ("pending", 1)
    assert message.next_attempt_at - timezone.now() > timedelta(seconds=50)  # 60 s after the first failure
    assert "SMTPServerDisconnected" in message.last_error
    for attempts in (2, 3):
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        outbox_relay()
        message.refresh_from_db()
        assert message.attempts == attempts
    assert message.state == "failed"
    assert outbox_relay() == 0  # a failed row waits for the secretariat's "Try again"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message_retry(message=message, user=None)
    message.refresh_from_db()
    assert message.state == "pending"
    assert outbox_relay() == 1
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_notify_judges_killed_half_way_and_run_again_mails_each_judge_once(monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    world = make_world(judges=4, entries=1, state=JudgingRound.State.OPEN)
    real = outbox.email_record
    calls = []

    def dies_on_the_third(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return real(**kwargs)

    monkeypatch.setattr("judging.notifications.email_record", dies_on_the_third)
    message = OutboxMessage.objects.create(task_name="judging.notify_judges", kwargs={"round_id": world.round.pk})
    with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
        notify_judges.apply(kwargs={"round_id": world.round.pk, "_outbox": message.pk})
    assert len(mail.outbox) == 2
    assert Assignment.objects.filter(notified_at__isnull=False).count() == 2
    monkeypatch.setattr("judging.notifications.email_record", real)
    # The worker's claim expires (it died); the relay sends the task again.
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        outbox_relay()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(j.user.email for j in world.judges)
    assert OutboxMessage.objects.filter(kind="email").count() == 4


def test_remind_judges_run_twice_from_the_same_row_mails_each_judge_once(django_capture_on_commit_callbacks):
    from judging.tasks.notifications import remind_judges

    world = make_world(judges=3, entries=1, state=JudgingRound.State.OPEN)
    judge_ids = [j.pk for j in world.judges]
    message = OutboxMessage.objects.create(task_name="judging.remind_judges",
                                           kwargs={"round_id": world.round.pk, "judge_ids": judge_ids})
    with django_capture_on_commit_callbacks(execute=True):
        remind_judges.apply(kwargs={"round_id": world.round.pk, "judge_ids": judge_ids, "_outbox": message.pk})
        # As if the worker died after writing the e-mails but before finishing: the row is run again.
        OutboxMessage.objects.filter(pk=message.pk).update(state="pending")
        remind_judges.apply(kwargs={"round_id": world.round.pk, "judge_ids": judge_ids, "_outbox": message.pk})
    assert sorted(m.to[0] for m in mail.outbox) == sorted(j.user.email for j in world.judges)
    assert ReminderSent.objects.count() == 0  # "remind now" is not the scheduled reminder


@pytest.mark.django_db(transaction=True)
def test_with_eager_tasks_no_email_is_sent_inside_the_request(client, login, monkeypatch):
    world = make_world(judges=1, entries=1)
    seen_inside_request = []
    real = outbox.email_send
    monkeypatch.setattr(outbox, "email_send", lambda **kw: seen_inside_request.append(outbox._scope.active)
                        or real(**kw))
    login(world.judges[0].user)
    criteria = {f"score_{c.pk}": "5" for c in world.criteria}
    response = client.post(f"/scoring/assignments/{world.assignment(0, 0).pk}/",
                           {**criteria, "action": "submit", "confidence_sent": "1"})
    assert response.status_code == 302
    # Sent after the response, from the end of the request, never inside it.
    assert seen_inside_request == [False]
    assert [m.to for m in mail.outbox] == [[world.judges[0].user.email]]


@pytest.mark.django_db(transaction=True)
def test_a_review_submit_with_the_mail_server_unreachable_answers_and_keeps_the_receipt(client, login, settings):
    closed_port = _closed_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    world = make_world(judges=1, entries=1)
    login(world.judges[0].user)
    criteria = {f"score_{c.pk}": "5" for c in world.criteria}
    response = client.post(f"/scoring/assignments/{world.assignment(0, 0).pk}/",
                           {**criteria, "action": "submit", "confidence_sent": "1"})
    assert response.status_code == 302
    assert world.assignment(0, 0).__class__.objects.get(pk=world.assignment(0, 0).pk).state == "submitted"
    receipt = OutboxMessage.objects.get(kind="email")
    assert (receipt.state, receipt.attempts, receipt.recipient) == ("pending", 1, world.judges[0].user.email)
    assert "Connection refused" in receipt.last_error or "Errno 111" in receipt.last_error
    assert client.get(response.url).status_code == 200


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the socket is: nobody listens there


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_the_receipt_is_published_after_the_response_not_inside_the_request(client, login,
                                                                                            monkeypatch):
    world = make_world(judges=1, entries=1)
    published = []
    monkeypatch.setattr(outbox, "_eager", lambda: False)
    monkeypatch.setattr(outbox, "deliver", lambda message_id: published.append((message_id, outbox._scope.active)))
    login(world.judges[0].user)
    criteria = {f"score_{c.pk}": "5" for c in world.criteria}
    response = client.post(f"/scoring/assignments/{world.assignment(0, 0).pk}/",
                           {**criteria, "action": "submit", "confidence_sent": "1"})
    assert response.status_code == 302
    receipt = OutboxMessage.objects.get(task_name="judging.send_review_receipt")
    assert published == [(receipt.pk, False)]  # once, at the end of the request
