"""A Redis cache that degrades to this process's memory while Redis is unreachable.

The portal's cache holds nothing that must survive: rendered fragments, allauth's short rate-limit
windows (sign-up, password reset, MFA codes). So a stopped broker must cost a little speed, never a
request: every operation that fails with a connection error is answered from a local in-memory cache
instead, a warning is logged once per outage, and Redis is tried again after `retry_seconds`.

Our own few lines because neither Django's RedisCache nor django-redis degrades: django-redis's
IGNORE_EXCEPTIONS answers `add()` with None, which allauth's rate-limit lock reads as "held by someone
else" and so refuses every sign-up and reset while Redis is down.
"""

from __future__ import annotations

import logging
import time
import uuid
from functools import wraps
from urllib.parse import urlsplit

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Refused, timed out, or answering but not as a usable Redis (out of memory, read-only replica, a proxy):
# in every case the cache is not there for us.
UNREACHABLE = (RedisError, OSError)
# The operations of Django's cache API that reach the server; the others are built on these.
# The cache's generation, a random token replaced each time a process reaches Redis again after losing it, before
# that process does anything else there. Whatever was written to Redis before may be stale (a write or delete this
# process made meanwhile went to its memory only); a reader to which that matters keeps the generation beside its
# value and ignores a value of another generation (portal.sessions).
GENERATION_KEY = "portal.cache.generation"
_OPERATIONS = (
    "add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear",
)


def _degrading(name: str):
    redis_operation = getattr(RedisCache, name)

    @wraps(redis_operation)
    def operation(self, *args, **kwargs):
        if self._redis_down_until > time.monotonic():
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            if self._redis_down_since is not None:
                RedisCache.set(self, GENERATION_KEY, uuid.uuid4().hex, None)  # first thing back: a new generation
            result = redis_operation(self, *args, **kwargs)
        except UNREACHABLE as error:
            self._redis_unreachable(error)
            return getattr(self._fallback, name)(*args, **kwargs)
        if self._redis_down_since is not None:
            logger.warning("Redis cache at %s is reachable again; back from the in-memory fallback.", self._where)
            self._redis_down_since = None
        return result

    return operation


class DegradingRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache`, answered from local memory while Redis is down.

    OPTIONS as RedisCache's, plus `retry_seconds` (default 15): how long to stay on the fallback
    before trying Redis again, so an outage costs one connection timeout per process per period,
    not one per cache call.
    """

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self._retry_seconds = float(options.pop("retry_seconds", 15))
        # A down or firewalled Redis must not hold a request for the client's default (no) timeout.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        # One try, not redis-py's three with backoff: the fallback is the retry.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        # Host and port only: the URL may carry a password, which has no place in a log.
        first = urlsplit(self._servers[0]) if self._servers else None
        self._where = f"{first.hostname}:{first.port or 6379}" if first else "?"
        self._fallback = LocMemCache(
            f"degraded-{server}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": params.get("KEY_PREFIX", ""),
             "VERSION": params.get("VERSION", 1), "KEY_FUNCTION": params.get("KEY_FUNCTION")},
        )
        self._redis_down_until = 0.0
        self._redis_down_since: float | None = None

    def _redis_unreachable(self, error: Exception) -> None:
        now = time.monotonic()
        if self._redis_down_since is None:
            self._redis_down_since = now
            logger.warning(
                "Redis cache at %s is unreachable (%s); using this process's memory until it is back.",
                self._where, error,
            )
        self._redis_down_until = now + self._retry_seconds

    @property
    def degraded(self) -> bool:
        """True while operations are answered from local memory."""
        return self._redis_down_since is not None

    @property
    def answering_from_memory(self) -> bool:
        """True while the next operation would be answered from local memory without trying Redis (after a
        failure, until `retry_seconds` pass). A caller for whom local memory is worse than nothing skips the
        cache then; once this is False again, its next operation tries Redis (`degraded` stays True until one
        succeeds)."""
        return self._redis_down_until > time.monotonic()


for _name in _OPERATIONS:
    setattr(DegradingRedisCache, _name, _degrading(_name))
