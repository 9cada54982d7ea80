import factory
from django.utils import timezone

from worker.models import WorkerHeartbeat


class WorkerHeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerHeartbeat

    hostname = factory.Sequence(lambda n: f"celery@worker-{n}")
    last_seen = factory.LazyFunction(timezone.now)
    beats = 1
