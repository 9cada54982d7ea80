"""Production: every secret comes from the environment; a missing one stops start-up with a clear message, and so
does a secret key that is a known placeholder (a copied .env.example must not run with its example secret)."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import INSECURE_DEFAULT_SECRET_KEY, env

# Words that only a placeholder holds (.env.example's value says "replace-me"; the Dockerfile's build step and the
# base default are refused too). A key generated as .env.example says is 67 random characters: none of these.
PLACEHOLDER_SECRET_MARKERS = ("replace-me", "replaceme", "change-me", "changeme", "placeholder", "insecure",
                              "build-only", "your-secret", "django-insecure")
GENERATE_A_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def checked_secret_key(value: str) -> str:
    """The key, or ImproperlyConfigured saying why it is refused (the same length and variety as Django's W009)."""
    if value == INSECURE_DEFAULT_SECRET_KEY or any(marker in value.lower() for marker in PLACEHOLDER_SECRET_MARKERS):
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is a placeholder; set a secret of your own, e.g. the output of {GENERATE_A_SECRET}")
    if len(value) < 50 or len(set(value)) < 5:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is too short or too plain (at least 50 characters, 5 different ones); "
            f"generate one with {GENERATE_A_SECRET}")
    return value


DEBUG = False
SECRET_KEY = checked_secret_key(env("DJANGO_SECRET_KEY"))
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
if any(marker in str(DATABASES["default"].get("PASSWORD", "")).lower() for marker in PLACEHOLDER_SECRET_MARKERS):
    raise ImproperlyConfigured("DATABASE_URL holds a placeholder password; set your own (and POSTGRES_PASSWORD to match)")
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Persistent connections, as in base.py (CONN_MAX_AGE, the older name, is still read).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=env.int("CONN_MAX_AGE", default=600))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails a request (and the health check) in seconds instead of hanging it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT",
                                                                                         default=5))
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

PORTAL_MFA_REQUIRED = env.bool("PORTAL_MFA_REQUIRED", default=True)

# Caddy (Caddyfile) terminates TLS and sets X-Forwarded-Proto: https on what it forwards, overwriting whatever a
# client sent; gunicorn is published on no port, so only the proxy reaches it and this header can be trusted.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client's address is the last hop the TLS proxy adds to X-Forwarded-For (Caddy replaces whatever a client
# sent): the login throttle and allauth's rate limits count per address, and behind a proxy REMOTE_ADDR is the
# proxy's, the same for everyone. Set to the number of proxies in front of gunicorn.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The container health check calls gunicorn directly over plain HTTP on the internal network (Caddy redirects the
# public side to HTTPS itself): the health endpoints answer there instead of redirecting.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/|$)"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# A real SMTP server, from the environment (no development catcher here): EMAIL_HOST and the sender are required.
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set only one of EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (port 465)")
# A mail server that hangs must not hold a worker for ever; the task's retry sends the mail later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Error reporting: Sentry (or a compatible service such as GlitchTip) only when a DSN is set. No personal data:
# no user, address or cookie (send_default_pii=False), and no request bodies (applications are confidential).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
