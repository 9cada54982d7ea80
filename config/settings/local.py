"""Laptop settings: `make run`. SQLite and in-process tasks unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Off in the local demo so a newcomer can click through every role without an authenticator app.
PORTAL_MFA_REQUIRED = env.bool("PORTAL_MFA_REQUIRED", default=False)
# Verification and notification e-mails are printed in the terminal running `make run`.
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
