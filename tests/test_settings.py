"""Production settings pass Django's deployment check with the documented environment (.env.example)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _documented_environment() -> dict[str, str]:
    env = {}
    for line in (REPO / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=REPO, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_gives_no_warnings_with_the_documented_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_documented_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS", "EMAIL_HOST"])
def test_production_refuses_to_start_without_a_secret(missing):
    env = _documented_environment()
    del env[missing]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_the_image_never_holds_secrets_or_local_state():
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert {".env", ".git", ".venv", "var/"} <= set(ignored)
    assert "!.env.example" in ignored  # the documented environment stays readable in the image


def test_the_compose_stack_keeps_the_tools_without_a_login_off_public_ports():
    import yaml

    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    for tool in ("flower", "mailpit"):
        assert services[tool]["profiles"] == ["dev"]
        assert all(port.startswith("127.0.0.1:") for port in services[tool]["ports"])
    assert {name for name, service in services.items() if service.get("restart") == "unless-stopped"} == {
        "django", "celeryworker", "celerybeat", "postgres", "redis"}
    documented = dict(line.split("=", 1) for line in (REPO / ".env.example").read_text().splitlines()
                      if line and not line.startswith("#"))
    assert (documented["EMAIL_HOST"], documented["EMAIL_USE_TLS"]) == ("smtp.example.org", "True")
