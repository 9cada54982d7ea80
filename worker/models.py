from django.db import models


class WorkerHeartbeat(models.Model):
    """Last sign of life of each Celery worker host, written by the `worker.heartbeat` task."""

    hostname = models.CharField(max_length=200, unique=True)
    last_seen = models.DateTimeField()
    beats = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"
