"""Signing in, signing up and resetting a password with Redis stopped: nothing fails, every throttle still counts."""

import logging
import os
import shutil

import pytest
import redis
from django.core.cache import cache
from django.test import Client

from portal.models import LoginAttempt
from tests.factories import PASSWORD_FOR_TESTS, VerifiedUserFactory
from tests.spare_redis import start_redis_server, unused_port

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.9"


def _degrading_cache(settings, url: str) -> None:
    settings.CACHES = {"default": {"BACKEND": "portal.cache.DegradingRedisCache", "LOCATION": url,
                                   "OPTIONS": {"retry_seconds": 0}}}


@pytest.fixture
def redis_down(settings):
    """The cache points at a Redis that is not running (a port nothing listens on)."""
    _degrading_cache(settings, f"redis://127.0.0.1:{unused_port()}/4")
    settings.PORTAL_LOGIN_THROTTLE = {"pair": (3, 15), "address": (30, 15), "account": (100, 60)}


def test_the_portal_cache_is_the_degrading_one_when_redis_is_configured():
    from config.settings import base

    expected = "portal.cache.DegradingRedisCache" if base.REDIS_URL else "django.core.cache.backends.locmem.LocMemCache"
    assert base.CACHES["default"]["BACKEND"] == expected


def test_login_works_and_is_throttled_with_redis_down(redis_down, caplog):
    user = VerifiedUserFactory()
    client = Client()
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD_FOR_TESTS},
                               REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "unreachable" in caplog.text
    assert client.get("/dashboard/").status_code == 200

    attacker = Client()
    statuses = [attacker.post("/accounts/login/", {"login": user.email, "password": "wrong"},
                              REMOTE_ADDR="203.0.113.9").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert LoginAttempt.objects.filter(succeeded=False).count() == 3
    response = attacker.post("/accounts/login/", {"login": user.email, "password": PASSWORD_FOR_TESTS},
                             REMOTE_ADDR="203.0.113.9")
    assert "Too many wrong passwords" in " ".join(response.context["form"].non_field_errors())


def test_signup_works_and_its_throttle_counts_with_redis_down(redis_down, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    client = Client()
    statuses = [
        client.post("/accounts/signup/", {"email": f"new{n}@example.org", "password1": "a-long-new-password-1",
                                          "password2": "a-long-new-password-1"}, REMOTE_ADDR=ADDRESS).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


# Account e-mails are written to the outbox and sent when the request's transaction commits.
@pytest.mark.django_db(transaction=True)
def test_password_reset_works_and_its_throttle_counts_with_redis_down(redis_down, settings, mailoutbox):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "20/m/ip,2/m/key"}
    user = VerifiedUserFactory()
    client = Client()
    statuses = [client.post("/accounts/password/reset/", {"email": user.email}, REMOTE_ADDR=ADDRESS).status_code
                for _ in range(3)]
    assert statuses[:2] == [302, 302]
    assert len(mailoutbox) == 2  # the third request is refused by the throttle, not sent
    assert statuses[2] == 429


def test_the_cache_answers_from_memory_while_redis_is_down(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        cache.set("k", "v", 30)
        assert cache.get("k") == "v"
        assert cache.add("lock", True) is True
        assert cache.add("lock", True) is False
        assert cache.get_or_set("fragment", "html") == "html"
    assert caplog.text.count("unreachable") == 1  # once per outage, not per call


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to start and stop one")
def test_the_cache_goes_back_to_redis_when_it_returns(settings, tmp_path):
    port = int(os.environ.get("PORTAL_SPARE_REDIS_PORT", "0")) or unused_port()
    _degrading_cache(settings, f"redis://127.0.0.1:{port}/0")

    server = start_redis_server(port, tmp_path)
    try:
        cache.set("where", "redis", 60)
        assert redis.Redis(port=port).keys("*where") != []
    finally:
        server.terminate()
        server.wait(5)
    cache.set("where", "memory", 60)  # Redis gone: answered from memory, no error
    assert cache.get("where") == "memory"
    assert cache.degraded is True
    server = start_redis_server(port, tmp_path)
    try:
        cache.set("where", "redis again", 60)  # retry_seconds=0: straight back to Redis
        assert cache.degraded is False
        assert redis.Redis(port=port).keys("*where") != []
    finally:
        server.terminate()
        server.wait(5)


@pytest.mark.integration
def test_login_with_the_real_redis_cache_counts_in_the_database(settings):
    """PostgreSQL + Redis: the degrading cache runs on the real Redis; the throttle's counts are in the database."""
    _degrading_cache(settings, os.environ["REDIS_URL"])
    settings.PORTAL_LOGIN_THROTTLE = {"pair": (2, 15), "address": (30, 15), "account": (100, 60)}
    cache.set("probe", 1, 10)
    assert not cache.degraded
    user = VerifiedUserFactory()
    attacker = Client()
    for _ in range(2):
        attacker.post("/accounts/login/", {"login": user.email, "password": "wrong"}, REMOTE_ADDR="203.0.113.10")
    response = attacker.post("/accounts/login/", {"login": user.email, "password": PASSWORD_FOR_TESTS},
                             REMOTE_ADDR="203.0.113.10")
    assert "Too many wrong passwords" in " ".join(response.context["form"].non_field_errors())
    owner = Client()
    assert owner.post("/accounts/login/", {"login": user.email, "password": PASSWORD_FOR_TESTS},
                      REMOTE_ADDR=ADDRESS).status_code == 302
