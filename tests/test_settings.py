"""Production settings: Django's deployment check passes with the documented environment (.env.example) once its
placeholders are replaced; a placeholder or missing secret stops start-up with a clear message; Sentry starts only
with a DSN and sends no personal data."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCUMENTED_SECRET = "replace-me-with-the-output-of-python-c-import-secrets-print-secrets-token-urlsafe-50"


def _example_values() -> dict[str, str]:
    """.env.example exactly as shipped."""
    env = {}
    for line in (REPO / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def _documented_environment() -> dict[str, str]:
    """.env.example as an operator fills it in: a generated secret key and database password."""
    env = _example_values()
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    password = secrets.token_urlsafe(16)
    env["POSTGRES_PASSWORD"] = password
    env["DATABASE_URL"] = env["DATABASE_URL"].replace("replace-me-database-password", password)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "SENTRY_", "EMAIL_"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=REPO, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_gives_no_warnings_with_the_documented_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_documented_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS", "EMAIL_HOST",
                                     "DEFAULT_FROM_EMAIL"])
def test_production_refuses_to_start_without_a_secret(missing):
    env = _documented_environment()
    del env[missing]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_the_example_files_secret_key_is_a_placeholder_and_refused():
    env = _documented_environment()
    env["DJANGO_SECRET_KEY"] = _example_values()["DJANGO_SECRET_KEY"]
    assert env["DJANGO_SECRET_KEY"] == DOCUMENTED_SECRET
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is a placeholder; set a secret of your own" in result.stderr


@pytest.mark.parametrize("secret", [
    "insecure-local-only-key-do-not-use-in-production",  # base.py's default
    "changeme",
    "CHANGEME-" + "x" * 60,
    "django-insecure-" + "k2" * 30,  # what startproject writes
])
def test_known_placeholder_secrets_are_refused(secret):
    env = {**_documented_environment(), "DJANGO_SECRET_KEY": secret}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is a placeholder" in result.stderr


@pytest.mark.parametrize("secret", ["short-but-random-Zq8", "a" * 80])
def test_a_short_or_plain_secret_is_refused(secret):
    result = _manage("check", env={**_documented_environment(), "DJANGO_SECRET_KEY": secret})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too short or too plain" in result.stderr


def test_the_example_files_database_password_is_refused():
    env = {**_documented_environment(), "DATABASE_URL": _example_values()["DATABASE_URL"]}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DATABASE_URL holds a placeholder password" in result.stderr


def test_tls_and_ssl_for_smtp_at_once_are_refused():
    result = _manage("check", env={**_documented_environment(), "EMAIL_USE_SSL": "True"})
    assert result.returncode != 0
    assert "Set only one of EMAIL_USE_TLS" in result.stderr


def test_production_sends_mail_through_the_configured_smtp_server():
    env = {**_documented_environment(), "EMAIL_HOST": "mail.city.example", "EMAIL_PORT": "465",
           "EMAIL_USE_TLS": "False", "EMAIL_USE_SSL": "True", "EMAIL_TIMEOUT": "12"}
    result = _manage("shell", "--no-imports", "-c", "from django.conf import settings as s; import json; print(json.dumps("
                     "[s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT,"
                     " s.DEFAULT_FROM_EMAIL]))", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["django.core.mail.backends.smtp.EmailBackend", "mail.city.example", 465,
                                         False, True, 12, "Award portal <noreply@awards.example.org>"]


SENTRY_STATE = (
    "import json, sentry_sdk; c = sentry_sdk.get_client(); o = c.options; print(json.dumps({"
    "'active': c.is_active(), 'dsn': o.get('dsn'), 'pii': o.get('send_default_pii'),"
    " 'body': o.get('max_request_body_size'), 'environment': o.get('environment'), 'release': o.get('release'),"
    " 'integrations': sorted(i for i in c.integrations if i in ('django', 'celery'))}))"
)


def test_sentry_stays_off_without_a_dsn():
    result = _manage("shell", "--no-imports", "-c", SENTRY_STATE, env=_documented_environment())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["active"] is False


def test_sentry_starts_with_a_dsn_without_personal_data():
    # A DSN on a reserved domain: initialising sends nothing, and nothing here raises an event.
    env = {**_documented_environment(), "SENTRY_DSN": "https://publickey@sentry.invalid/42",
           "SENTRY_ENVIRONMENT": "staging", "SENTRY_RELEASE": "portal@1.2.3"}
    result = _manage("shell", "--no-imports", "-c", SENTRY_STATE, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "active": True, "dsn": "https://publickey@sentry.invalid/42", "pii": False, "body": "never",
        "environment": "staging", "release": "portal@1.2.3", "integrations": ["celery", "django"]}


def test_the_documented_host_names_agree():
    env = _example_values()
    domain = env["PORTAL_DOMAIN"]
    assert env["DJANGO_ALLOWED_HOSTS"] == domain
    assert env["DJANGO_CSRF_TRUSTED_ORIGINS"] == f"https://{domain}"
    assert env["PORTAL_BASE_URL"] == f"https://{domain}"
    assert env["DATABASE_URL"] == (f"postgres://{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@postgres:5432/"
                                   f"{env['POSTGRES_DB']}")


def test_the_image_never_holds_secrets_or_local_state():
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert {".env", ".git", ".venv", "var/", "backups/"} <= set(ignored)
    assert "!.env.example" in ignored  # the documented environment stays readable in the image


CONNECTION = ("import json; from django.conf import settings as s; d = s.DATABASES['default']; "
              "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))")


@pytest.mark.parametrize("module", ["config.settings.production", "config.settings.local"])
def test_requests_keep_their_database_connection_and_check_it_before_reuse(module):
    result = _manage("shell", "--no-imports", "-c", CONNECTION,
                     env={**_documented_environment(), "DJANGO_SETTINGS_MODULE": module})
    assert result.returncode == 0, result.stderr
    max_age, health_checks = json.loads(result.stdout)
    assert max_age >= 300 and health_checks is True


def test_the_connection_age_comes_from_the_environment():
    env = {**_documented_environment(), "DJANGO_CONN_MAX_AGE": "0"}
    result = _manage("shell", "--no-imports", "-c", CONNECTION, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [0, True]
