"""Sessions read from Redis (portal.sessions): the database stays the truth, a Redis outage fails nothing, and a copy
that an outage left stale in Redis is never read."""

import shutil
import time

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from portal.cache import GENERATION_KEY
from portal.sessions import KEY_PREFIX, SessionStore
from tests.factories import PASSWORD_FOR_TESTS, VerifiedUserFactory
from tests.spare_redis import start_redis_server, unused_port

pytestmark = pytest.mark.django_db


def _log_in(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"login": user.email, "password": PASSWORD_FOR_TESTS}).status_code == 302
    return client


def _signed_in(client) -> bool:
    return client.get("/dashboard/").status_code == 200


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "portal.sessions"


@pytest.fixture
def redis_down(settings, cached_sessions):
    settings.CACHES = {"default": {"BACKEND": "portal.cache.DegradingRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{unused_port()}/4",
                                   "OPTIONS": {"retry_seconds": 60}}}


@pytest.fixture
def spare_redis(settings, cached_sessions, tmp_path):
    """A Redis server of the test's own, behind the degrading cache (retry_seconds=0: back at the next call)."""
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    port = unused_port()
    process = start_redis_server(port, tmp_path)
    settings.CACHES = {"default": {"BACKEND": "portal.cache.DegradingRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{port}/0", "OPTIONS": {"retry_seconds": 0}}}
    yield redis.Redis(port=port)
    process.terminate()
    process.wait(5)


def _cut_off(degrading_cache) -> None:
    """As if Redis had just refused a call: the cache answers from this process's memory for a while."""
    degrading_cache._redis_unreachable(ConnectionError("cut off by the test"))
    degrading_cache._redis_down_until = time.monotonic() + 3600


def _reconnect(degrading_cache) -> None:
    degrading_cache._redis_down_until = 0.0


def test_production_reads_sessions_from_redis_when_it_is_configured():
    from config.settings import base

    if base.REDIS_URL:
        assert base.SESSION_ENGINE == "portal.sessions"
    else:
        assert not hasattr(base, "SESSION_ENGINE")  # Django's database sessions


def test_a_signed_in_session_is_read_from_the_cache_not_the_database(cached_sessions, django_assert_num_queries):
    client = _log_in(VerifiedUserFactory())
    key = client.cookies["sessionid"].value
    with django_assert_num_queries(0):
        data = SessionStore(key).load()
    assert data["_auth_user_id"] == Session.objects.get(session_key=key).get_decoded()["_auth_user_id"]


def test_a_session_missing_from_the_cache_is_read_from_the_database_and_kept(cached_sessions,
                                                                             django_assert_num_queries):
    user = VerifiedUserFactory()
    client = _log_in(user)
    key = client.cookies["sessionid"].value
    cache.delete(KEY_PREFIX + key)
    with django_assert_num_queries(1):
        assert SessionStore(key).load()["_auth_user_id"] == str(user.pk)
    with django_assert_num_queries(0):
        assert SessionStore(key).load()["_auth_user_id"] == str(user.pk)


def test_logging_out_ends_the_session_in_the_cache_too(cached_sessions):
    client = _log_in(VerifiedUserFactory())
    key = client.cookies["sessionid"].value
    assert client.post("/accounts/logout/").status_code == 302
    assert cache.get(KEY_PREFIX + key) is None
    assert SessionStore(key).load() == {}
    replay = Client()
    replay.cookies["sessionid"] = key
    assert not _signed_in(replay)


def test_a_copy_of_another_cache_generation_is_not_read(cached_sessions):
    user = VerifiedUserFactory()
    client = _log_in(user)
    key = client.cookies["sessionid"].value
    cache.set(KEY_PREFIX + key, ("an older generation", {"_auth_user_id": "0"}), 60)
    assert SessionStore(key).load()["_auth_user_id"] == str(user.pk)


def test_a_changed_password_still_ends_other_sessions(cached_sessions):
    user = VerifiedUserFactory()
    client = _log_in(user)
    user.set_password("a-brand-new-password-9")
    user.save()
    assert not _signed_in(client)  # the user is read from the database each time, its password hash with it


def test_sign_in_and_out_work_with_redis_down(redis_down):
    client = _log_in(VerifiedUserFactory())
    assert cache.degraded is True
    assert _signed_in(client)
    key = client.cookies["sessionid"].value
    assert client.post("/accounts/logout/").status_code == 302
    replay = Client()
    replay.cookies["sessionid"] = key
    assert not _signed_in(replay)


def test_with_redis_down_the_database_answers_not_this_processs_memory(redis_down, django_assert_num_queries):
    """Another process's change (here: a row written behind the store's back) is seen at once."""
    user = VerifiedUserFactory()
    client = _log_in(user)
    key = client.cookies["sessionid"].value
    row = Session.objects.get(session_key=key)
    row.session_data = SessionStore().encode({"_auth_user_id": str(user.pk), "changed": "elsewhere"})
    row.save()
    with django_assert_num_queries(1):
        assert SessionStore(key).load()["changed"] == "elsewhere"


def test_a_logout_during_an_outage_is_not_undone_when_redis_returns(spare_redis):
    """Redis keeps its copy through a network outage; the logout reached only the database. Back on Redis, the
    cache starts a new generation before anything else, and the old copy is never read again."""
    client = _log_in(VerifiedUserFactory())
    key = client.cookies["sessionid"].value
    assert spare_redis.keys(f"*{KEY_PREFIX}{key}") != []
    _cut_off(cache)
    assert client.post("/accounts/logout/").status_code == 302
    assert spare_redis.keys(f"*{KEY_PREFIX}{key}") != []  # the stale copy, still in Redis
    _reconnect(cache)
    replay = Client()
    replay.cookies["sessionid"] = key
    assert not _signed_in(replay)
    assert cache.degraded is False


def test_a_session_is_kept_in_redis_for_a_bounded_time(spare_redis, settings):
    settings.PORTAL_SESSION_CACHE_SECONDS = 120
    client = _log_in(VerifiedUserFactory())
    key = client.cookies["sessionid"].value
    (stored,) = spare_redis.keys(f"*{KEY_PREFIX}{key}")
    assert 0 < spare_redis.ttl(stored) <= 120
    assert spare_redis.keys(f"*{GENERATION_KEY}") != []
