"""Sessions kept in the database and read from Redis: SESSION_ENGINE when REDIS_URL is set.

Every signed-in page reads its session; Django's database store asks PostgreSQL for it each time (one query and its
round trip inside the request's transaction). This store reads the session from the cache and falls back to the
database on a miss, as Django's `cached_db` does, with two differences that the degrading cache (portal.cache) needs:

- While the cache is degraded (Redis unreachable, answered from this process's memory) the cache is not used at
  all: another process's memory does not see this one's writes, so a session changed or ended elsewhere (a logout)
  would be read back from a stale copy. The database answers instead, as it did before; nothing fails.
- A copy is only good for the cache generation it was written in (portal.cache.GENERATION_KEY, read in the same
  round trip as the session). A write the cache missed while Redis was down (a logout, a login's new key) leaves an
  old copy in Redis; the degrading cache starts a new generation when it reaches Redis again, before anything else,
  so such copies are never read. Copies also live at most PORTAL_SESSION_CACHE_SECONDS, which bounds what a process
  that died while degraded (and so never started a new generation) can leave behind.

The database stays the source of truth: every write goes there first, and the user is still loaded from it on every
request (a password change or a deactivated account ends the session at once, as before).
"""

from __future__ import annotations

import logging
import uuid

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.cache import caches

from .cache import GENERATION_KEY

KEY_PREFIX = "portal.session."

logger = logging.getLogger(__name__)


class SessionStore(DBStore):
    cache_key_prefix = KEY_PREFIX

    def __init__(self, session_key=None):
        self._cache = caches[settings.SESSION_CACHE_ALIAS]
        super().__init__(session_key)

    def _shared(self) -> bool:
        """Whether the cache is the shared one (Redis), not this process's fallback memory."""
        return not getattr(self._cache, "answering_from_memory", False)

    def _generation(self) -> str | None:
        generation = self._cache.get(GENERATION_KEY)
        if generation is None:  # a new or flushed Redis: the first reader starts a generation
            self._cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
            generation = self._cache.get(GENERATION_KEY)
        return generation if self._shared() else None

    def _remember(self, data: dict, age: int, generation: str | None = None) -> None:
        if not self._shared() or self.session_key is None:
            return
        try:
            generation = generation or self._generation()
            if generation is not None and self._shared():
                self._cache.set(self.cache_key_prefix + self.session_key, (generation, data),
                                max(0, min(age, settings.PORTAL_SESSION_CACHE_SECONDS)))
        except Exception:  # an unusual key or an unpicklable value: the database has the session
            logger.exception("Could not keep the session in the cache")

    def load(self):
        generation = None
        if self._shared():
            try:
                found = self._cache.get_many([GENERATION_KEY, self.cache_key_prefix + self.session_key])
            except Exception:  # noqa: BLE001 - an invalid key (Django's cached_db resets the session the same way)
                found = {}
            generation = found.get(GENERATION_KEY)
            copy = found.get(self.cache_key_prefix + self.session_key)
            if self._shared() and generation is not None and copy is not None and copy[0] == generation:
                return copy[1]
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._remember(data, self.get_expiry_age(expiry=stored.expire_date), generation)
        return data

    def save(self, must_create=False):
        super().save(must_create)
        self._remember(self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        super().delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        # While degraded this reaches only local memory; the new generation at reconnection retires Redis's copy.
        self._cache.delete(self.cache_key_prefix + session_key)

    # The portal runs under WSGI; an asynchronous caller gets the same behaviour rather than the database store's
    # own coroutines, which would write the database and leave the cached copy stale.
    async def aload(self):
        return await sync_to_async(self.load)()

    async def asave(self, must_create=False):
        return await sync_to_async(self.save)(must_create)

    async def adelete(self, session_key=None):
        return await sync_to_async(self.delete)(session_key)
