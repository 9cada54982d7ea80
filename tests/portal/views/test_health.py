"""The health endpoints: liveness touches nothing; readiness says ok/fail per component, 200 or 503, never 500, and
only a superuser learns more than ok/fail."""

import json
import os
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.views import health
from tests.factories.portal import UserFactory
from tests.factories.worker import WorkerHeartbeatFactory
from worker.beat import BEAT_TICK_KEY, PortalScheduler, broker_redis

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nobody listens on port 1: the broker is down


@pytest.fixture
def real_broker(settings):
    """Readiness with a broker, a worker and beat to check (the test settings run tasks in-process)."""

    def _use(url: str):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url

    return _use


def _get(client, path="/healthz/ready"):
    response = client.get(path)
    return response.status_code, json.loads(response.content)


def test_liveness_answers_without_touching_the_database(client):
    # No django_db mark: any query here would fail the test.
    assert _get(client, "/healthz") == (200, {"status": "ok"})


def test_liveness_and_readiness_are_json_and_never_cached(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]


def test_readiness_with_the_database_unreachable_is_503_not_500(client):
    # No django_db mark: every database access raises, as with the server gone.
    status, body = _get(client)
    assert (status, body) == (503, {"status": "fail", "checks": {"database": "fail", "migrations": "fail"}})


@pytest.mark.django_db
def test_readiness_with_tasks_in_process_checks_the_database_and_migrations(client):
    assert _get(client) == (200, {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}})


@pytest.mark.django_db
def test_broker_down_fails_the_broker_and_beat_but_a_fresh_heartbeat_keeps_the_worker_ok(client, real_broker):
    real_broker(CLOSED_PORT_BROKER)
    WorkerHeartbeatFactory(last_seen=timezone.now() - timedelta(seconds=30))
    status, body = _get(client)
    assert status == 503
    assert body == {"status": "fail", "checks": {
        "database": "ok", "migrations": "ok", "broker": "fail", "worker": "ok", "beat": "fail"}}


@pytest.mark.django_db
def test_a_stale_heartbeat_fails_the_worker(client, real_broker):
    real_broker(CLOSED_PORT_BROKER)
    WorkerHeartbeatFactory(last_seen=timezone.now() - timedelta(seconds=health.HEARTBEAT_MAX_AGE_SECONDS + 5))
    status, body = _get(client)
    assert status == 503
    assert body["checks"]["worker"] == "fail"
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_no_heartbeat_at_all_fails_the_worker(client, real_broker):
    real_broker(CLOSED_PORT_BROKER)
    assert _get(client)[1]["checks"]["worker"] == "fail"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "user", "staff"])
def test_nobody_but_a_superuser_learns_more_than_ok_or_fail(client, real_broker, who):
    real_broker(CLOSED_PORT_BROKER)
    WorkerHeartbeatFactory(last_seen=timezone.now() - timedelta(seconds=42))
    if who != "anonymous":
        client.force_login(UserFactory(is_staff=who == "staff"))
    response = client.get("/healthz/ready")
    text = response.content.decode()
    assert set(json.loads(text)) == {"status", "checks"}
    for secret in ("127.0.0.1", "redis", "Error", "42", "heartbeat"):
        assert secret not in text


@pytest.mark.django_db
def test_a_superuser_sees_the_ages_and_the_error_class(client, real_broker):
    real_broker(CLOSED_PORT_BROKER)
    WorkerHeartbeatFactory(last_seen=timezone.now() - timedelta(seconds=42))
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    status, body = _get(client)
    assert status == 503
    details = body["details"]
    assert set(details["worker"]) == {"heartbeat_age_seconds"}
    assert 42 <= details["worker"]["heartbeat_age_seconds"] <= 60  # a busy machine may take a while to answer
    assert details["broker"] == {"error": "ConnectionError"}
    assert details["beat"] == {"error": "no broker"}
    assert details["migrations"] == {"pending": 0}


@pytest.mark.django_db
def test_readiness_only_answers_safe_methods(client):
    assert client.post("/healthz/ready").status_code == 405


# --- with the real Redis and a real worker (integration) ----------------------------------------------------------

@pytest.fixture
def redis_url():
    url = os.environ["REDIS_URL"]
    broker_redis(url, timeout=1.0).delete(BEAT_TICK_KEY)
    yield url
    broker_redis(url, timeout=1.0).delete(BEAT_TICK_KEY)


def _beat_ticks(url: str, tmp_path, *, seconds_ago: float = 0) -> None:
    """The real scheduler records a tick, as beat does at every tick."""
    import time

    from config.celery_app import app

    scheduler = PortalScheduler(app=app, schedule_filename=str(tmp_path / "celerybeat-schedule"), lazy=True)
    app.conf.broker_url, saved = url, app.conf.broker_url
    try:
        scheduler.record_tick(now=time.time() - seconds_ago)
    finally:
        app.conf.broker_url = saved


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_all_healthy_with_redis_a_worker_and_beat(client, real_broker, redis_url, tmp_path, celery_worker_queue):
    from worker.tasks import heartbeat

    real_broker(redis_url)
    heartbeat.apply_async(kwargs={"note": "health"}).get(timeout=60)  # a real worker writes the heartbeat
    _beat_ticks(redis_url, tmp_path)
    assert _get(client) == (200, {"status": "ok", "checks": {
        "database": "ok", "migrations": "ok", "broker": "ok", "worker": "ok", "beat": "ok"}})


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_beat_stopped_reads_as_beat_not_as_a_dead_worker(client, real_broker, redis_url, tmp_path,
                                                         celery_worker_queue):
    # Beat's last tick and so the last heartbeat are ten minutes old; the worker still answers a ping.
    real_broker(redis_url)
    WorkerHeartbeatFactory(last_seen=timezone.now() - timedelta(minutes=10))
    _beat_ticks(redis_url, tmp_path, seconds_ago=600)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    status, body = _get(client)
    assert status == 503
    assert body["checks"] == {"database": "ok", "migrations": "ok", "broker": "ok", "worker": "ok", "beat": "fail"}
    assert body["details"]["worker"]["ping_replies"] >= 1
    assert 600 <= body["details"]["beat"]["tick_age_seconds"] <= 605
