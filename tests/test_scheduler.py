"""The embedded beat (upr.scheduler): without a broker, the serving process runs Celery beat's
schedule itself, so that `make run` sends reminders (to the console) with no other process."""

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from upr import scheduler
from workplan.models import Reminder, ReminderStatus, Task

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Send the figures on school enrolment"


def due_task(personas, title: str = TITLE) -> Task:
    """A task of the member whose one-day reminder's moment came a minute ago."""
    return Task.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        title=title,
        due_at=timezone.now() + dt.timedelta(days=1, minutes=-1),
        owner=personas.member,
    )


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def embedded_beat(settings):
    settings.EMBEDDED_BEAT, settings.EMBEDDED_BEAT_INTERVAL, settings.CELERY_TASK_ALWAYS_EAGER = True, 0.2, True
    yield
    scheduler.stop_embedded_beat()


@pytest.mark.django_db(transaction=True)
def test_the_embedded_beat_sends_a_due_reminder_exactly_once_over_many_sweeps(personas, embedded_beat):
    due_task(personas)
    beat = scheduler.start_embedded_beat()
    assert beat is not None and scheduler.start_embedded_beat() is beat  # once per process
    assert [e.task for e in beat.entries] == [spec["task"] for spec in settings.CELERY_BEAT_SCHEDULE.values()]
    assert wait_for(lambda: beat.runs["reminder-sweep"] >= 4), beat.runs
    scheduler.stop_embedded_beat()
    sent = [m for m in mail.outbox if TITLE in m.subject]
    assert [m.to for m in sent] == [[personas.member.email]]
    assert Reminder.objects.get(deadline__startswith="task:").status == ReminderStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_a_failing_run_is_logged_and_the_beat_goes_on(personas, embedded_beat, monkeypatch, caplog):
    from workplan import reminders

    calls: list[int] = []
    real = reminders.sweep

    def failing_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(reminders, "sweep", failing_once)
    due_task(personas)
    beat = scheduler.start_embedded_beat()
    assert wait_for(lambda: [m for m in mail.outbox if TITLE in m.subject])
    assert beat.thread.is_alive() and "reminder-sweep" in caplog.text and "the database went away" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_run_is_skipped_while_another_server_holds_the_lock(personas, embedded_beat):
    """The lock file is per database: while another server process sweeps it, this one does not."""
    import fcntl

    due_task(personas)
    beat = scheduler.EmbeddedBeat(scheduler.beat_entries(3600))
    with open(scheduler.lock_path(), "a+b") as held:  # another open file: flock treats it as another holder
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        assert beat.run(beat.entries[0]) is False
        assert not Reminder.objects.exists() and not [m for m in mail.outbox if TITLE in m.subject]
    assert beat.run(beat.entries[0]) is True
    assert [m.to for m in mail.outbox if TITLE in m.subject] == [[personas.member.email]]


def test_the_schedule_is_beats_own():
    entries = {e.name: e for e in scheduler.beat_entries()}
    assert set(entries) == set(settings.CELERY_BEAT_SCHEDULE)
    sweep = entries["reminder-sweep"]
    assert sweep.schedule.run_every == dt.timedelta(seconds=15 * 60)
    sweep.last_run_at = timezone.now()
    assert 14 * 60 < sweep.due_in(timezone.now()) <= 15 * 60


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_", "EMBEDDED_", "RUN_MAIN", "SECRET_KEY"))
    }
    return {**env, "DJANGO_SETTINGS_MODULE": "hub.settings.dev", "PYTHONUNBUFFERED": "1", **extra}


def manage(*args: str, env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


THREADS = "import threading; print(sorted(t.name for t in threading.enumerate()))"


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite database set up as `make run` does (migrate, the UPR calendar), made once: each test copies it."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    env = clean_env(DATABASE_URL=f"sqlite:///{path}")
    assert manage("migrate", "--noinput", env=env).returncode == 0
    assert manage("load_upr_reference", env=env).returncode == 0
    return path


@pytest.fixture
def sqlite_db(sqlite_template, tmp_path) -> str:
    path = tmp_path / "db.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def test_the_beat_starts_in_the_serving_process_only(sqlite_db):
    env = clean_env(DATABASE_URL=sqlite_db, EMBEDDED_BEAT_INTERVAL="3600")
    migrate = manage("migrate", "--noinput", env=env)
    assert migrate.returncode == 0 and "Embedded beat" not in migrate.stdout + migrate.stderr
    shell = manage("shell", "-c", THREADS, env=env)
    assert shell.returncode == 0 and "upr-embedded-beat" not in shell.stdout, shell.stderr
    serving = subprocess.run(
        [sys.executable, "-c", f"import hub.wsgi; import time; time.sleep(0.5); {THREADS}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "upr-embedded-beat" in serving.stdout, serving.stderr
    with_broker = subprocess.run(
        [sys.executable, "-c", f"import hub.wsgi; {THREADS}"],
        cwd=ROOT,
        env={**env, "REDIS_URL": "redis://127.0.0.1:6379/5"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert with_broker.returncode == 0 and "upr-embedded-beat" not in with_broker.stdout, with_broker.stderr


SETUP = """
import datetime as dt
from django.utils import timezone
from accounts.models import User
from coalitions import services
from workplan.models import Task
from upr.models import Review
admin = User.objects.create_user(email="secretariat@example.org", password="a long passphrase")
coalition = services.coalition_create(creator=admin, name="Runserver Coalition", slug="runserver")
engagement = services.engagement_create(coalition=coalition, actor=admin, review=Review.objects.get(state__iso3="SVN", session__number=48))
Task.objects.create(coalition=coalition, engagement=engagement, title=%r, owner=admin,
                    due_at=timezone.now() + dt.timedelta(days=1, minutes=-1))
print("ready")
"""


SWEEP_TWICE = """
from django.core import mail
from workplan import reminders
from workplan.models import Reminder
reminders._returning = lambda: %s
first, second = reminders.sweep(), reminders.sweep()
print("claims", len(first) > 0, len(second), Reminder.objects.filter(deadline__startswith="task:").count(),
      len([m for m in mail.outbox if %r in m.subject]))
"""


@pytest.mark.parametrize("returning", [True, False], ids=["insert-returning", "sqlite-before-3.35"])
def test_the_claims_are_exactly_once_on_sqlite(sqlite_db, returning):
    """The sweep's claims on the embedded database: INSERT ... ON CONFLICT ... RETURNING, or, on a
    SQLite without RETURNING, one row at a time; a second sweep claims and sends nothing again."""
    env = clean_env(DATABASE_URL=sqlite_db, EMAIL_URL="memorymail://")
    assert "ready" in manage("shell", "-c", SETUP % TITLE, env=env).stdout
    result = manage("shell", "-c", SWEEP_TWICE % (returning, TITLE), env=env)
    assert result.stdout.splitlines()[-1] == "claims True 0 1 1", result.stdout + result.stderr


def test_make_run_s_runserver_prints_the_due_reminder_once_on_its_console(sqlite_db, tmp_path):
    """The real `manage.py runserver` (dev settings, autoreloader on) on a SQLite database set up as
    `make run` does, with a due reminder: the console shows the email, once, whatever the sweeps."""
    port = __import__("tests.services", fromlist=["free_port"]).free_port()
    env = clean_env(DATABASE_URL=sqlite_db, EMBEDDED_BEAT_INTERVAL="1")
    setup = manage("shell", "-c", SETUP % TITLE, env=env)
    assert "ready" in setup.stdout, setup.stderr
    log = tmp_path / "runserver.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        assert wait_for(lambda: f"Reminder: {TITLE}" in log.read_text(errors="replace"), timeout=90), log.read_text()
        time.sleep(4)  # four more sweeps
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    console = log.read_text(errors="replace")
    assert console.count(f"Subject: [UPR Coalition Hub] Reminder: {TITLE}") == 1, console
    assert "To: secretariat@example.org" in console
    assert console.count("Embedded beat started") == 1, console  # the autoreloader's child only
