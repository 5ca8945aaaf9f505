"""What an operator relies on: /health/, production settings that pass `check --deploy`, the two commands."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_health_reports_the_database_and_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_health_says_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 503 and response.json()["checks"]["redis"].startswith("error")


def test_health_without_redis_configured_checks_the_database_only(client, settings):
    settings.REDIS_URL = ""
    assert client.get("/health/").json() == {"status": "ok", "checks": {"database": "ok"}}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_under_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="hub.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="hub.example.org",
        DATABASE_URL="postgres://upr:upr@127.0.0.1:5432/upr",
        REDIS_URL="redis://127.0.0.1:6379/0",
        EMAIL_URL="smtp://mail.example.org:587",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="hub.settings.production")
    assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


def test_embedded_defaults_use_sqlite_in_process_tasks_and_console_email():
    code = (
        "import django, os; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_"))}
    environment["DJANGO_SETTINGS_MODULE"] = "hub.settings.dev"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["django.db.backends.sqlite3", "True", "django.core.mail.backends.console.EmailBackend"], (
        out.stderr
    )


def test_make_run_sets_up_a_fresh_sqlite_database_with_the_demo(tmp_path):
    """What `make run` does before serving: migrate, load the calendar, load the demo; run twice."""
    env = {"DJANGO_SETTINGS_MODULE": "hub.settings.dev", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    for _ in range(2):
        assert run_manage("migrate", "--noinput", **env).returncode == 0
        assert "195 created" in run_manage("load_upr_reference", **env).stdout or _ == 1
        demo = run_manage("load_demo", **env)
        assert demo.returncode == 0 and "demo@example.org" in demo.stdout, demo.stderr
    assert "0 created, 0 updated" in run_manage("load_upr_reference", **env).stdout


def test_docker_compose_describes_the_real_stack():
    import yaml

    from upr.celery import QUEUES

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"web", "worker", "beat", "db", "redis"}
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    # The ASGI server: pages and the live editor's WebSockets, several processes relaying through Redis.
    assert "uvicorn hub.asgi:application" in " ".join(services["web"]["command"])
    workers = " ".join(" ".join(s["command"]) for s in services.values() if "worker" in s.get("command", []))
    assert all(f"-Q {queue}" in workers for queue in QUEUES)  # each in its own worker (tests/test_deploy_config.py)
    assert "beat" in str(services["beat"]["command"])
    assert set(compose["volumes"]) >= {"pgdata", "redisdata", "media"}
    env = compose["x-app-env"]
    assert {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS"} <= set(env)
    assert env["DJANGO_SETTINGS_MODULE"] == "hub.settings.production"
