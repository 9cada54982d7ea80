"""A task travels through Redis to a real Celery worker process, which writes to PostgreSQL."""

import socket

import pytest
from django.db import connection, transaction

from worker.models import WorkerHeartbeat
from worker.tasks import heartbeat

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_task_goes_through_redis_to_a_real_worker_that_writes_to_postgresql(celery_worker_queue):
    assert connection.vendor == "postgresql"
    result = heartbeat.apply_async(kwargs={"note": "integration"})
    payload = result.get(timeout=60)
    # The worker process, not this one, ran the task: its node name carries the test queue.
    assert payload["hostname"] == f"{celery_worker_queue['queue']}@{socket.gethostname()}"
    row = WorkerHeartbeat.objects.get(hostname=payload["hostname"])
    assert row.beats == 1
    heartbeat.apply_async(kwargs={"note": "again"}).get(timeout=60)
    row.refresh_from_db()
    assert row.beats == 2
    assert WorkerHeartbeat.objects.count() == 1


def test_delay_on_commit_sends_nothing_when_the_transaction_rolls_back(celery_worker_queue):
    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        heartbeat.delay_on_commit(note="rolled back")
        raise Rollback
    with transaction.atomic():
        heartbeat.delay_on_commit(note="committed")
    # The committed one arrives; then a synchronous round-trip proves the queue held nothing else.
    heartbeat.apply_async(kwargs={"note": "probe"}).get(timeout=60)
    assert WorkerHeartbeat.objects.get().beats == 2
