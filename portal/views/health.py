"""Health endpoints for the proxy, the container health checks and monitoring.

Neither runs in a request transaction (ATOMIC_REQUESTS would open one, and fail, before a down database is checked).

- ``/healthz``: liveness. The process answers; it touches nothing else (a database outage must not get every web
  container restarted).
- ``/healthz/ready``: readiness. The database answers, every migration is applied, the broker (Redis) answers a ping
  within a second, a worker has run the `worker.heartbeat` task lately, and beat is ticking. Beat and the workers are
  told apart: the heartbeat row is written by a worker when beat sends the task, so it proves both; beat also records
  its own tick in Redis (worker/beat.py), and when the heartbeat is stale the workers are asked directly
  (a Celery control ping), so a stopped beat does not read as a dead worker.

Both answer JSON, 200 when healthy and 503 otherwise, never 500. Anonymous callers learn only "ok" or "fail" per
component; an active superuser also sees ages, counts and the error's class.

Our own small view rather than django-health-check: that library answers a failure with 500 and shows error texts to
anyone, and it knows nothing of our heartbeat or beat's tick; these checks are a few lines each.
"""

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from worker.beat import BEAT_TICK_KEY, broker_redis
from worker.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Beat sends the worker heartbeat every 60 s and ticks at least once a minute: three missed minutes is a failure.
HEARTBEAT_MAX_AGE_SECONDS = 180
BEAT_TICK_MAX_AGE_SECONDS = 180
BROKER_TIMEOUT_SECONDS = 1.0

_migrations_seen_applied = False  # once all are applied, this process's code cannot gain a new one


@dataclass
class Check:
    ok: bool
    detail: dict = field(default_factory=dict)


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return Check(ok=cursor.fetchone() == (1,))


def check_migrations() -> Check:
    global _migrations_seen_applied
    if _migrations_seen_applied:
        return Check(ok=True, detail={"pending": 0})
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrations_seen_applied = not pending
    return Check(ok=not pending, detail={"pending": len(pending)})


def check_broker(broker_url: str) -> Check:
    client = broker_redis(broker_url, timeout=BROKER_TIMEOUT_SECONDS)
    if client is None:
        return Check(ok=False, detail={"error": "the broker is not Redis"})
    return Check(ok=bool(client.ping()))


def _age_seconds(moment) -> int | None:
    return None if moment is None else int((timezone.now() - moment).total_seconds())


def check_worker(broker_url: str, *, broker_ok: bool) -> Check:
    last_seen = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
    age = _age_seconds(last_seen)
    if age is not None and age <= HEARTBEAT_MAX_AGE_SECONDS:
        return Check(ok=True, detail={"heartbeat_age_seconds": age})
    # Stale: beat may be the one that stopped. Ask the workers themselves (only when the broker answers).
    replies = 0
    if broker_ok:
        from kombu import Connection

        from config.celery_app import app

        with Connection(broker_url, connect_timeout=BROKER_TIMEOUT_SECONDS,
                        transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS, "max_retries": 0}) as conn:
            replies = len(app.control.ping(timeout=BROKER_TIMEOUT_SECONDS, connection=conn))
    return Check(ok=replies > 0, detail={"heartbeat_age_seconds": age, "ping_replies": replies})


def check_beat(broker_url: str) -> Check:
    client = broker_redis(broker_url, timeout=BROKER_TIMEOUT_SECONDS)
    tick = client.get(BEAT_TICK_KEY) if client is not None else None
    age = None if tick is None else int(time.time() - float(tick))
    return Check(ok=age is not None and age <= BEAT_TICK_MAX_AGE_SECONDS, detail={"tick_age_seconds": age})


def _run(name: str, check, *args, **kwargs) -> Check:
    try:
        return check(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - any failure of a component is that component's "fail", never a 500
        logger.warning("health check %s failed: %s: %s", name, type(error).__name__, error)
        return Check(ok=False, detail={"error": type(error).__name__})


def readiness_checks() -> dict[str, Check]:
    checks = {"database": _run("database", check_database)}
    checks["migrations"] = (_run("migrations", check_migrations) if checks["database"].ok
                            else Check(ok=False, detail={"error": "no database"}))
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return checks  # tasks run in-process (no REDIS_URL): there is no broker, worker or beat to check
    broker_url = settings.CELERY_BROKER_URL
    checks["broker"] = _run("broker", check_broker, broker_url)
    checks["worker"] = (_run("worker", check_worker, broker_url, broker_ok=checks["broker"].ok) if checks["database"].ok
                        else Check(ok=False, detail={"error": "no database"}))
    checks["beat"] = (_run("beat", check_beat, broker_url) if checks["broker"].ok
                      else Check(ok=False, detail={"error": "no broker"}))
    return checks


def _is_superuser(request) -> bool:
    try:
        return bool(request.user.is_active and request.user.is_superuser)
    except Exception:  # noqa: BLE001 - the session or user table is unreachable: treat the caller as anonymous
        return False


@never_cache
@require_safe
@transaction.non_atomic_requests
def liveness(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
@transaction.non_atomic_requests
def readiness(request):
    checks = readiness_checks()
    healthy = all(check.ok for check in checks.values())
    body = {"status": "ok" if healthy else "fail", "checks": {name: "ok" if c.ok else "fail" for name, c in checks.items()}}
    if _is_superuser(request):
        body["details"] = {name: check.detail for name, check in checks.items()}
    return JsonResponse(body, status=200 if healthy else 503)
