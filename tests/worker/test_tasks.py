import pytest

from worker.models import WorkerHeartbeat
from worker.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_heartbeat_in_process_is_idempotent_per_host():
    first = heartbeat.apply(kwargs={"note": "eager"}).get()
    heartbeat.apply(kwargs={"note": "eager"}).get()
    assert WorkerHeartbeat.objects.get(hostname=first["hostname"]).beats == 2


def test_delay_on_commit_waits_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        heartbeat.delay_on_commit(note="later")
        assert WorkerHeartbeat.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    assert WorkerHeartbeat.objects.count() == 1
