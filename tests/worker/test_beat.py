"""Beat records its own tick (a file beside its schedule, a key in the broker's Redis), and a failure to record it
never stops the scheduler."""

import os
import subprocess
import sys
import time

import pytest

from config.celery_app import app
from worker.beat import BEAT_TICK_KEY, PortalScheduler, beat_alive_file, broker_redis


@pytest.fixture
def broker_url():
    saved = app.conf.broker_url
    yield lambda url: app.conf.update(broker_url=url)
    app.conf.broker_url = saved


def test_the_scheduler_is_the_one_beat_runs(settings):
    assert settings.CELERY_BEAT_SCHEDULER == "worker.beat:PortalScheduler"


def test_a_tick_touches_the_alive_file_beside_the_schedule(tmp_path, broker_url):
    broker_url("memory://")
    scheduler = PortalScheduler(app=app, schedule_filename=str(tmp_path / "celerybeat-schedule"), lazy=True)
    alive = tmp_path / "celerybeat-schedule.alive"
    assert beat_alive_file(scheduler.schedule_filename) == alive
    scheduler.record_tick(now=time.time())
    assert alive.exists()
    os.utime(alive, (0, 0))
    scheduler.record_tick(now=time.time())
    assert time.time() - alive.stat().st_mtime < 60


def test_a_broker_that_is_down_does_not_stop_the_tick(tmp_path, broker_url, caplog):
    broker_url("redis://127.0.0.1:1/0")
    scheduler = PortalScheduler(app=app, schedule_filename=str(tmp_path / "celerybeat-schedule"), lazy=True)
    scheduler.record_tick(now=time.time())  # no exception
    assert (tmp_path / "celerybeat-schedule.alive").exists()
    assert "beat could not record its tick in Redis" in caplog.text


@pytest.mark.integration
def test_a_real_beat_process_records_its_tick_in_redis_and_its_file(tmp_path, repo_root):
    redis_url = os.environ["REDIS_URL"]
    client = broker_redis(redis_url, timeout=2.0)
    client.delete(BEAT_TICK_KEY)
    schedule = tmp_path / "celerybeat-schedule"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "REDIS_URL": redis_url}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--schedule", str(schedule), "--loglevel=INFO"],
        cwd=repo_root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        # Both marks of this process: the tick in Redis and its file (another test may set the tick key meanwhile,
        # so waiting for the tick alone could stop before this beat wrote its file).
        alive = beat_alive_file(str(schedule))
        while ((client.get(BEAT_TICK_KEY) is None or not alive.exists()) and time.monotonic() < deadline
               and process.poll() is None):
            time.sleep(0.5)
        tick = client.get(BEAT_TICK_KEY)
    finally:
        process.terminate()
        process.wait(timeout=20)
        client.delete(BEAT_TICK_KEY, "celery")  # and the heartbeat it sent to a queue nobody here reads
    assert tick is not None, "beat recorded no tick within a minute"
    assert abs(time.time() - float(tick)) < 60
    assert beat_alive_file(str(schedule)).exists()
