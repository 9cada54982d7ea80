"""Settings for pytest. DATABASE_URL and REDIS_URL, when set, point the integration tests at real services."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The tests that cover MFA enforcement switch it on themselves.
PORTAL_MFA_REQUIRED = False
# Ordinary tests run tasks in-process; the integration tests switch to the real broker and worker.
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions in the database whether or not REDIS_URL is set, so that a page's query count is one figure on SQLite
# and on PostgreSQL; tests/portal/test_sessions.py runs the Redis-read store (portal.sessions) itself.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - keeps WhiteNoise quiet in tests
