import factory
from django.utils import timezone

from worker.models import OutboxMessage, WorkerHeartbeat


class WorkerHeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerHeartbeat

    hostname = factory.Sequence(lambda n: f"celery@worker-{n}")
    last_seen = factory.LazyFunction(timezone.now)
    beats = 1


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    """A task waiting in the outbox; `kind="email"` with a recipient, subject and body for an e-mail."""

    class Meta:
        model = OutboxMessage

    task_name = "worker.heartbeat"
    kwargs = factory.LazyFunction(dict)
