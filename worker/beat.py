"""Beat's own sign of life, apart from the workers'.

The `worker.heartbeat` row proves that beat sent a task AND that a worker ran it; alone it cannot say which of the two
stopped. So the scheduler itself, on every tick (at least once a minute: the heartbeat entry runs every 60 s), records
the time in the broker's Redis (read by the health view) and touches a file beside its schedule (read by the compose
health check of the beat container). Neither write may stop beat: a failure is logged and the next tick tries again.
"""

import logging
import time
from pathlib import Path

from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)

BEAT_TICK_KEY = "portal:beat:last-tick"
# Kept long enough for the health view to tell "beat stopped an hour ago" from "beat never ran".
BEAT_TICK_KEY_TTL = 24 * 3600


def beat_alive_file(schedule_filename: str) -> Path:
    """The file that beat touches on every tick, beside its schedule (e.g. /tmp/celerybeat-schedule.alive)."""
    return Path(f"{schedule_filename}.alive")


def broker_redis(broker_url: str, *, timeout: float):
    """A Redis client for the broker's database, or None when the broker is not Redis (in-process tasks)."""
    if not broker_url.startswith(("redis://", "rediss://")):
        return None
    import redis

    return redis.Redis.from_url(broker_url, socket_timeout=timeout, socket_connect_timeout=timeout)


class PortalScheduler(PersistentScheduler):
    """Celery's persistent scheduler, plus the tick record above (CELERY_BEAT_SCHEDULER names it)."""

    def tick(self, *args, **kwargs):
        delay = super().tick(*args, **kwargs)
        self.record_tick(now=time.time())
        return delay

    def record_tick(self, *, now: float) -> None:
        try:
            beat_alive_file(self.schedule_filename).touch()
        except OSError as error:
            logger.warning("beat could not touch its alive file: %s", error)
        try:
            client = broker_redis(self.app.conf.broker_url or "", timeout=2.0)
            if client is not None:
                client.set(BEAT_TICK_KEY, f"{now:.3f}", ex=BEAT_TICK_KEY_TTL)
        except Exception as error:  # noqa: BLE001 - a broker hiccup must not stop the scheduler
            logger.warning("beat could not record its tick in Redis: %s", error)
