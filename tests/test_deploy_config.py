"""What the production entry points and the container files promise: never DEBUG by accident, links in
emails that point at the site, mail that goes somewhere, reminders never behind an export, and no
private evidence or database in an image. Docker does not run here: the files are parsed and read."""

import fnmatch
from pathlib import Path

import pytest
import yaml

from upr.celery import QUEUES

from .helpers import run_python

ROOT = Path(__file__).resolve().parent.parent
REPORT = (
    "from django.conf import settings; import os;"
    "print(os.environ['DJANGO_SETTINGS_MODULE'], settings.SETTINGS_MODULE, settings.DEBUG)"
)


@pytest.mark.parametrize("entry", ["import hub.wsgi", "import hub.asgi", "import django; import upr.celery; django.setup()"])
def test_the_production_entry_points_default_to_production_settings_with_debug_off(entry, tmp_path):
    result = run_python(f"{entry}; {REPORT}", tmp_path, SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["hub.settings.production", "hub.settings.production", "False"]


@pytest.mark.parametrize("entry", ["import hub.wsgi", "import hub.asgi", "import django; import upr.celery; django.setup()"])
def test_without_a_secret_key_the_entry_points_fail_loudly_not_in_debug(entry, tmp_path):
    result = run_python(f"{entry}; {REPORT}", tmp_path)
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr and "Set SECRET_KEY" in result.stderr
    assert "True" not in result.stdout


def test_production_refuses_debug_even_when_asked(tmp_path):
    result = run_python(f"import hub.wsgi; {REPORT}", tmp_path, SECRET_KEY="k" * 50, DEBUG="true")
    assert result.returncode != 0 and "DEBUG is never on" in result.stderr and result.stdout == ""


def test_manage_py_keeps_the_development_default(tmp_path):
    """manage.py (make run) stays on the development settings, which run with DEBUG off unless asked
    (DEBUG=1): the debug page shows every setting and the environment."""
    result = run_python(
        "import runpy, sys; sys.argv = ['manage.py', 'shell', '-c', "
        f"{REPORT!r}]; runpy.run_path('manage.py', run_name='__main__')",
        tmp_path,
    )
    assert result.stdout.splitlines()[-1].split() == ["hub.settings.dev", "hub.settings.dev", "False"], result.stderr


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def queues_of(service: dict) -> set[str]:
    command = service["command"]
    assert isinstance(command, list)
    return set(command[command.index("-Q") + 1].split(","))


def workers(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items() if "worker" in s.get("command", [])}


def test_every_queue_has_one_worker_and_reminders_share_theirs_with_nothing(compose):
    found = workers(compose)
    consumed = [q for service in found.values() for q in queues_of(service)]
    assert sorted(consumed) == sorted(QUEUES)  # each queue exactly once
    reminders = [queues_of(s) for s in found.values() if "reminders" in queues_of(s)]
    exports = [queues_of(s) for s in found.values() if "exports" in queues_of(s)]
    assert reminders == [{"reminders"}] and exports == [{"exports"}]
    for name, service in found.items():
        node = service["command"][service["command"].index("-n") + 1].split("@")[0]
        assert f"-d {node}@$$HOSTNAME" in service["healthcheck"]["test"][1], name  # pings its own node


def test_links_in_emails_and_the_mail_server_must_be_given(compose):
    env = compose["x-app-env"]
    assert env["SITE_URL"].startswith("${SITE_URL:?")  # compose refuses to start without it, saying why
    assert env["EMAIL_URL"].startswith("${EMAIL_URL:?")
    hosts = {name for name in compose["services"]}
    assert "mail" not in hosts and "mail:" not in env["EMAIL_URL"].split(":?")[0]
    for service in compose["services"].values():  # every app service gets the same environment
        if service.get("build"):
            assert {"SITE_URL", "EMAIL_URL", "SECRET_KEY"} <= set(service["environment"])


def test_the_private_evidence_is_a_volume_of_its_own_mounted_where_the_app_looks(compose):
    env = compose["x-app-env"]
    assert "evidence" in compose["volumes"]
    web = compose["services"]["web"]
    assert f"evidence:{env['EVIDENCE_ROOT']}" in web["volumes"]
    assert not env["EVIDENCE_ROOT"].startswith("/app/media") and not env["EVIDENCE_ROOT"].startswith("/app/static")
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")  # continued lines joined
    made = [line for line in dockerfile.splitlines() if "mkdir" in line and "chown app:app" in line]
    assert made and all(line.count(env["EVIDENCE_ROOT"]) == 2 for line in made)  # made, and the app's user owns it


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore's patterns leave `path` (or a folder above it) out of the build context."""
    parts = Path(path).parts
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(fnmatch.fnmatch(candidate, pattern.rstrip("/")) for candidate in candidates for pattern in patterns)


def test_the_image_leaves_out_the_evidence_the_database_the_venv_and_media():
    patterns = [
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    from hub.settings import base

    default_evidence = str(Path(base.EVIDENCE_ROOT).relative_to(base.BASE_DIR))  # under the checkout, unless set
    for path in (
        default_evidence,
        "private/evidence/1/report.pdf",
        "db.sqlite3",
        "db.sqlite3-journal",
        ".venv/bin/python",
        "media/exports/a.docx",
        ".env",
    ):
        assert ignored(path, patterns), path
    for path in ("manage.py", "hub/settings/base.py", "templates/base.html", "pyproject.toml"):
        assert not ignored(path, patterns), path


def test_the_dockerfile_runs_production_as_an_unprivileged_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "DJANGO_SETTINGS_MODULE=hub.settings.production" in dockerfile and "\nUSER app" in dockerfile
    assert "DEBUG" not in dockerfile
