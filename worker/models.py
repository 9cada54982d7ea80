from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """Last sign of life of each Celery worker host, written by the `worker.heartbeat` task."""

    hostname = models.CharField(max_length=200, unique=True)
    last_seen = models.DateTimeField()
    beats = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class OutboxMessage(models.Model):
    """A task or an e-mail that a transaction decided to send, written in that same transaction (worker/outbox.py).

    A task row is published to the broker after commit (or by the relay when the broker was down) and claimed by
    the worker that runs it, so a duplicate delivery does nothing. An e-mail row is one message to one recipient,
    sent by the `worker.send_email` task; an SMTP failure puts it back with a later `next_attempt_at`.
    """

    class Kind(models.TextChoices):
        TASK = "task", _("Task")
        EMAIL = "email", _("E-mail")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent to a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TASK)
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, blank=True)
    recipient = models.EmailField(blank=True)
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    # Set when the same message must never be written twice (a re-run of the task that wrote it).
    key = models.CharField(max_length=300, unique=True, null=True, blank=True)
    edition = models.ForeignKey("portal.Edition", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="outbox_messages")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0, help_text="Failed attempts to publish or to deliver.")
    runs = models.PositiveIntegerField(default=0, help_text="Times a worker claimed it (a Celery retry included).")
    claim_retries = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["edition", "state"], name="outbox_edition_state"),
        ]

    def __str__(self) -> str:
        what = self.recipient if self.kind == self.Kind.EMAIL else self.task_name
        return f"{self.get_kind_display()} #{self.pk} {what} ({self.state})"
