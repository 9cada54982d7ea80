"""What every background job (an assigner run, a computation of results, an awards job) records about its worker.

A job is sent to a worker (`queued_at`), taken by one (`started_at`, `attempts`, and `delivery`, the id of the
broker message that worker took), and while it works the worker writes `heartbeat_at` (a pulse every
PORTAL_JOB_PULSE_SECONDS, and each progress report). A running job without a sign of life for
PORTAL_JOB_STALL_SECONDS has lost its worker (killed, out of memory, its machine gone): it is *stalled*. The page
says so at once, read-only; the sweep (judging/services/stalled_jobs.py) sends it again or marks it failed.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

RUNNING = "running"


def stalled_before(now: datetime | None = None) -> datetime:
    """A running job whose last sign of life is older than this has lost its worker."""
    return (now or timezone.now()) - timedelta(seconds=settings.PORTAL_JOB_STALL_SECONDS)


class WorkerJobQuerySet(models.QuerySet):
    def with_last_sign(self):
        return self.alias(last_sign=Coalesce("heartbeat_at", "started_at", "queued_at"))

    def stalled(self, now: datetime | None = None):
        """Running jobs whose worker gave no sign of life within the bound."""
        return self.with_last_sign().filter(state=RUNNING, last_sign__lt=stalled_before(now))

    def alive(self, states, now: datetime | None = None):
        """Jobs in `states` (pending or running) that are not stalled: a worker has them, or will."""
        return self.with_last_sign().filter(state__in=states).exclude(state=RUNNING, last_sign__lt=stalled_before(now))


class WorkerJob(models.Model):
    """The worker's side of a job; the concrete models add their state, progress and result."""

    queued_at = models.DateTimeField(default=timezone.now, help_text="When the job was last sent to a worker.")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When a worker last took the job.")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="The worker's last sign of life.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker took the job.")
    delivery = models.CharField(max_length=64, blank=True, help_text="The broker message the worker took.")

    objects = WorkerJobQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def last_sign(self) -> datetime | None:
        return self.heartbeat_at or self.started_at or self.queued_at

    @property
    def queued_again(self) -> bool:
        """Sent to a worker again after it was created (retried, or its worker died): the page shows when."""
        return self.queued_at - self.created_at > timedelta(seconds=1)

    @property
    def is_stalled(self) -> bool:
        """Running, and its worker silent for longer than the bound (read-only: the page's view of it)."""
        return self.state == RUNNING and self.last_sign is not None and self.last_sign < stalled_before()
