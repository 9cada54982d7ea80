"""The transactional outbox: what a transaction decides to run or mail later is a row written in it.

Our own small table rather than a library: django-celery-outbox is a young 0.x release covering tasks only,
django-outbox-pattern speaks STOMP, not Celery; and the per-recipient e-mail claim and the edition page need
the rows in our schema anyway.

- `task_record` (called by `PortalTask.delay_on_commit`) and `email_record` (called by the notification
  services) write a row in the caller's transaction; after commit `dispatch` tries to send it at once and
  never raises (the fast path).
- `outbox_relay` sends whatever is still pending and due: the `worker.outbox_relay` beat task, the
  `outbox_relay` management command (a loop), and, with eager tasks, the end of the request that wrote rows.
  A publish that fails (the broker is down) is tried again with exponential backoff; nothing is dropped.
- The worker claims the row before running the task (`claim`, a conditional UPDATE): a second delivery of
  the same row finds it claimed and does nothing. A Celery retry of the same run carries a higher retry
  number and may claim again.
- An e-mail row is one message to one recipient. An SMTP failure puts it back with backoff; after
  `OUTBOX_EMAIL_MAX_ATTEMPTS` it is failed, and the secretariat's page offers to try again.
- A row written during a request is sent after the response is (`request_finished`): with a broker it is
  published then, with eager tasks (no broker) it is run then, so neither the broker nor a mail server is ever
  waited on inside a request.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.signals import request_finished, request_started
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

State = OutboxMessage.State
Kind = OutboxMessage.Kind

# The keyword the relay adds to a task's kwargs: the row the worker claims. PortalTask takes it off again.
OUTBOX_KWARG = "_outbox"
EMAIL_TASK = "worker.send_email"

# The task row the current task was started from, so the e-mails it writes are keyed to it.
current_message: contextvars.ContextVar[int | None] = contextvars.ContextVar("outbox_current_message", default=None)


def _setting(name: str, default):
    return getattr(settings, name, default)


def backoff(attempts: int, *, base: float, cap: float) -> timedelta:
    """Exponential: `base` seconds after the first failure, doubling, never more than `cap`."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _eager() -> bool:
    from config.celery_app import app

    return bool(app.conf.task_always_eager)


# --- writing rows (inside the caller's transaction) ----------------------------------------------------------


def task_record(*, task_name: str, kwargs: dict, edition_id: int | None = None) -> OutboxMessage:
    """Write the task in the current transaction; after commit it is sent."""
    message = OutboxMessage.objects.create(kind=Kind.TASK, task_name=task_name, kwargs=kwargs, edition_id=edition_id)
    transaction.on_commit(functools.partial(dispatch, [message.pk]))
    return message


def email_record(*, to: str, subject: str, body: str, edition_id: int | None = None,
                 key: str | None = None) -> OutboxMessage | None:
    """Write one e-mail to one recipient in the current transaction; after commit it is sent.

    `key` makes it once-only: a second call with the same key writes nothing and returns None. Inside a task
    started from the outbox the key defaults to that task's row and the recipient, so a task that is run again
    after a crash never writes an e-mail it already wrote.
    """
    if key is None and current_message.get() is not None:
        key = f"t{current_message.get()}:{to.lower()}:{subject}"[:300]
    if key is not None and OutboxMessage.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(kind=Kind.EMAIL, task_name=EMAIL_TASK, recipient=to,
                                                   subject=subject[:500], body=body, key=key, edition_id=edition_id)
    except IntegrityError:  # the same key written meanwhile by a concurrent run
        return None
    transaction.on_commit(functools.partial(dispatch, [message.pk]))
    return message


# --- sending -------------------------------------------------------------------------------------------------


class _RequestScope(threading.local):
    """Rows written during a request wait for its end (the response is sent by then)."""

    active = False
    deferred: list[int]


_scope = _RequestScope()


def _request_started(**_kwargs) -> None:
    _scope.active = True
    _scope.deferred = []


def _request_finished(**_kwargs) -> None:
    deferred = getattr(_scope, "deferred", [])
    _scope.active, _scope.deferred = False, []
    if deferred:
        dispatch(deferred)
        if not _eager():
            return  # the beat task relays what the broker refused
        try:
            # The in-process relay of eager mode: rows whose earlier attempt failed are tried when they are due.
            outbox_relay(limit=20)
        except Exception:  # noqa: BLE001 - the response is sent; the next pass tries again
            logger.exception("the in-process outbox relay failed")


request_started.connect(_request_started, dispatch_uid="outbox_request_started")
request_finished.connect(_request_finished, dispatch_uid="outbox_request_finished")


def dispatch(message_ids: list[int]) -> None:
    """The fast path, after commit: send these rows now. Never raises: a row not sent stays for the relay."""
    if _scope.active:
        _scope.deferred.extend(message_ids)
        return
    for message_id in message_ids:
        try:
            if deliver(message_id) is False:
                break  # the broker is down: the relay sends the rest
        except Exception:  # noqa: BLE001 - the caller's change is committed; the row stays for the relay
            logger.exception("outbox message %s not sent; the relay will try again", message_id)


def deliver(message_id: int) -> bool | None:
    """Send one pending row: publish it to the broker, or run it in-process when tasks are eager.

    Returns True when sent, False when the broker refused (the row gets a later attempt), None when the row was
    not pending (someone else sent it).
    """
    now = timezone.now()
    if not OutboxMessage.objects.filter(pk=message_id, state=State.PENDING).update(state=State.SENT, sent_at=now):
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    if message.edition_id is None and message.kind == Kind.TASK:
        _remember_edition(message)
    task = _task(message.task_name)
    kwargs = {**message.kwargs, OUTBOX_KWARG: message.pk}
    if message.kind == Kind.EMAIL:
        kwargs["email_id"] = message.pk
    if _eager():
        # In-process: the claim, the run and the outcome are written by PortalTask; failures stay on the row.
        task.apply(kwargs=kwargs, throw=False)
        return True
    try:
        # Nobody waits for an outbox task's result; skipping the result backend also keeps a request that sends
        # while Redis is down from waiting through the backend's 20 reconnection attempts.
        task.apply_async(kwargs=kwargs, ignore_result=True)
    except Exception as error:  # noqa: BLE001 - kombu raises several kinds when the broker is unreachable
        attempts = message.attempts + 1
        OutboxMessage.objects.filter(pk=message_id, state=State.SENT).update(
            state=State.PENDING, attempts=attempts, last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=timezone.now() + backoff(attempts, base=_setting("OUTBOX_RELAY_BACKOFF", 5.0),
                                                     cap=_setting("OUTBOX_RELAY_BACKOFF_MAX", 300.0)),
        )
        logger.warning("task %s (outbox %s) not sent: the broker is unreachable (%s); the relay will send it",
                       message.task_name, message_id, error)
        return False
    return True


def _task(name: str):
    from config.celery_app import app

    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


# How to find the edition of a task row from its kwargs: (task name or "*", kwarg, model, path to the edition id).
_EDITION_OF = [
    ("judging.assign_round", "run_id", "judging.AssignmentRun", "round__edition_id"),
    ("judging.aggregate_round", "run_id", "judging.AggregationRun", "round__edition_id"),
    ("judging.award_job_run", "run_id", "judging.AwardJob", "edition_id"),
    ("portal.send_role_invitation", "invitation_id", "portal.RoleInvitation", "edition_id"),
    ("judging.group_mail_send", "run_id", "judging.GroupMail", "edition_id"),
    ("*", "round_id", "judging.JudgingRound", "edition_id"),
    ("*", "review_id", "judging.Review", "assignment__round__edition_id"),
    ("*", "assignment_id", "judging.Assignment", "round__edition_id"),
    ("*", "snapshot_id", "submissions.ApplicationSnapshot", "application__edition_id"),
]


def _remember_edition(message: OutboxMessage) -> None:
    """Note the task's edition (after commit, never in the request's transaction), so its page lists it."""
    for task_name, kwarg, label, path in _EDITION_OF:
        if task_name in ("*", message.task_name) and message.kwargs.get(kwarg) is not None:
            edition_id = (apps.get_model(label).objects.filter(pk=message.kwargs[kwarg])
                          .values_list(path, flat=True).first())
            if edition_id:
                message.edition_id = edition_id
                OutboxMessage.objects.filter(pk=message.pk).update(edition_id=edition_id)
            return


def outbox_relay(*, limit: int = 500) -> int:
    """Send what is due: pending rows, rows sent long ago that no worker claimed (a broker that lost its messages),
    and rows claimed by a worker that died (claimed longer ago than any task may run). Returns the rows sent."""
    now = timezone.now()
    resend_after = timedelta(seconds=_setting("OUTBOX_RESEND_AFTER", 900))
    OutboxMessage.objects.filter(state=State.SENT, sent_at__lt=now - resend_after).update(state=State.PENDING)
    dead_after = timedelta(seconds=_setting("OUTBOX_CLAIM_EXPIRES", 3600))
    OutboxMessage.objects.filter(state=State.RUNNING, claimed_at__lt=now - dead_after).update(
        state=State.PENDING, last_error="The worker running it stopped before it finished.")
    due = list(OutboxMessage.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    sent = 0
    for message_id in due:
        try:
            outcome = deliver(message_id)
        except Exception:  # noqa: BLE001 - one bad row must not stop the relay
            logger.exception("outbox message %s could not be sent", message_id)
            continue
        if outcome is False:
            break  # the broker is down: the others wait for the next pass
        sent += bool(outcome)
    return sent


# --- running (in the worker) ---------------------------------------------------------------------------------


def claim(*, message_id: int, retries: int, redelivery_allowed: bool = False) -> bool:
    """Take the row for this run: True for exactly one delivery. A Celery retry (a higher retry number) of the run
    that holds the claim takes it again; a duplicate delivery of a row already claimed or done gets False.

    `redelivery_allowed`: a task that drives a run (an assigner run, a computation, an awards job) claims its run
    itself, by delivery and heartbeat (judging.services.stalled_jobs); a message the broker gives back after its
    worker died must reach it, or the run would wait for this row's claim to expire (an hour)."""
    running = Q(state=State.RUNNING) if redelivery_allowed else Q(state=State.RUNNING, claim_retries__lt=retries)
    return bool(
        OutboxMessage.objects.filter(pk=message_id)
        .filter(Q(state__in=[State.PENDING, State.SENT]) | running)
        .update(state=State.RUNNING, claimed_at=timezone.now(), claim_retries=retries, runs=F("runs") + 1)
    )


def finish(*, message_id: int) -> None:
    OutboxMessage.objects.filter(pk=message_id, state=State.RUNNING).update(
        state=State.DONE, done_at=timezone.now(), last_error="")


def fail(*, message_id: int, error: BaseException) -> None:
    """The run raised. An e-mail goes back with backoff until its attempts run out; a task is failed (its page and
    the outbox page offer to try again)."""
    text = f"{type(error).__name__}: {error}"[:2000]
    message = OutboxMessage.objects.filter(pk=message_id, state=State.RUNNING).first()
    if message is None:
        return
    attempts = message.attempts + 1
    if message.kind == Kind.EMAIL and attempts < _setting("OUTBOX_EMAIL_MAX_ATTEMPTS", 6):
        later = timezone.now() + backoff(attempts, base=_setting("OUTBOX_EMAIL_BACKOFF", 60.0),
                                         cap=_setting("OUTBOX_EMAIL_BACKOFF_MAX", 3600.0))
        OutboxMessage.objects.filter(pk=message_id, state=State.RUNNING).update(
            state=State.PENDING, attempts=attempts, last_error=text, next_attempt_at=later)
        logger.warning("e-mail %s to %s failed (%s); trying again at %s", message_id, message.recipient, text, later)
        return
    OutboxMessage.objects.filter(pk=message_id, state=State.RUNNING).update(
        state=State.FAILED, attempts=attempts, last_error=text)
    logger.error("outbox message %s (%s) failed for good: %s", message_id, message.task_name, text)


def email_send(*, message_id: int) -> str:
    """Deliver one e-mail row (the `worker.send_email` task has claimed it)."""
    message = OutboxMessage.objects.get(pk=message_id)
    with mail.get_connection() as connection:
        mail.EmailMessage(subject=message.subject, body=message.body, to=[message.recipient],
                          connection=connection).send()
    return "sent"
