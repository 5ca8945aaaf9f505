"""The embedded beat: Celery beat's schedule, run by a thread of the serving process when there is no
broker (`make run`: SQLite, tasks in-process, email to the console).

Why: on the real stack Celery beat queues the reminder sweep every 15 minutes; the embedded default
has no beat, so without this no reminder would ever be sent. The thread reads the same
CELERY_BEAT_SCHEDULE (and Celery's own schedule objects decide when an entry is due), so the two
cannot drift apart.

It starts once per serving process: hub.wsgi and hub.asgi call `start_embedded_beat()` after building
the application, which `runserver` does only in the process that serves (under the autoreloader, the
child; the watching parent never loads the application), and `migrate`, `shell` or the tests never
do. It does nothing when a broker is configured (beat's job), or when EMBEDDED_BEAT is off.

Two threads (the autoreloader's next child while the previous one ends, or several server processes
on one database) never run an entry at once: each run holds a lock file next to the database
(fcntl, non-blocking: a run that finds it held is skipped, the other one is doing the work). The
sweep is exactly-once by its claims anyway (workplan.reminders); the lock only spares the work.
An error in a run is logged with its traceback, and the thread goes on to the next run.

Each entry runs once at start-up, then on its schedule: a server that was stopped when a sweep was
due catches up at once, as beat's persistent schedule does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import logging
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celery.schedules import maybe_schedule, schedule
from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

try:
    import fcntl
except ImportError:  # Windows: one process per database is all `make run` starts
    fcntl = None  # type: ignore[assignment]  # the name then says there is no such module

logger = logging.getLogger(__name__)

MAX_SLEEP = 60.0  # seconds: wake at least this often, so a changed clock is noticed
_started: EmbeddedBeat | None = None
_start_lock = threading.Lock()


def embedded_beat_enabled() -> bool:
    """Whether this process should run the beat itself: tasks run in-process (no broker) and the
    setting (EMBEDDED_BEAT, on by default without REDIS_URL) allows it."""
    return bool(getattr(settings, "EMBEDDED_BEAT", False)) and bool(settings.CELERY_TASK_ALWAYS_EAGER)


@dataclass
class Entry:
    name: str
    task: str
    schedule: schedule
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    last_run_at: dt.datetime | None = None  # None: never run in this process, due at once

    def due_in(self, now: dt.datetime) -> float:
        """Seconds until the entry is due (0: due now)."""
        if self.last_run_at is None:
            return 0.0
        is_due, next_check = self.schedule.is_due(self.last_run_at)
        return 0.0 if is_due else max(float(next_check), 0.0)


def beat_entries(interval: float | None = None) -> list[Entry]:
    """The entries of CELERY_BEAT_SCHEDULE, with Celery's schedule objects (seconds, timedelta or
    crontab); `interval` (seconds, EMBEDDED_BEAT_INTERVAL) replaces every schedule, for tests."""
    from upr.celery import app

    entries = []
    for name, spec in settings.CELERY_BEAT_SCHEDULE.items():
        every = schedule(dt.timedelta(seconds=interval), app=app) if interval else maybe_schedule(spec["schedule"], app=app)
        every.app = app
        entries.append(
            Entry(
                name=name,
                task=spec["task"],
                schedule=every,
                args=tuple(spec.get("args", ())),
                kwargs=dict(spec.get("kwargs", {})),
            )
        )
    return entries


def lock_path() -> Path:
    """One lock file per database, in the temporary folder (the same for every process on this machine)."""
    database = settings.DATABASES["default"]
    key = hashlib.sha256(f"{database.get('ENGINE')}:{database.get('HOST')}:{database.get('NAME')}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"upr-embedded-beat-{key}.lock"


class EmbeddedBeat:
    """A daemon thread that runs the beat entries on their schedule (see the module's docstring)."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.runs: dict[str, int] = {entry.name: 0 for entry in entries}  # finished runs, per entry
        self._stop = threading.Event()
        self._run_lock = threading.Lock()  # threads of this process
        self.thread = threading.Thread(target=self._loop, name="upr-embedded-beat", daemon=True)

    def start(self) -> EmbeddedBeat:
        self.thread.start()
        logger.info("Embedded beat started (no broker): %s", ", ".join(f"{e.name} every {e.schedule}" for e in self.entries))
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = timezone.now()
            for entry in self.entries:
                if entry.due_in(now) == 0.0 and not self._stop.is_set():
                    self.run(entry)
            wait = min([MAX_SLEEP, *(entry.due_in(timezone.now()) for entry in self.entries)])
            self._stop.wait(max(wait, 0.05))

    def run(self, entry: Entry) -> bool:
        """Run one entry's task in this thread, unless another thread or process is running one.
        False when it was skipped or failed (the failure is logged)."""
        from upr.celery import app

        entry.last_run_at = timezone.now()
        with self._run_lock, _process_lock() as held:
            if not held:
                logger.info("Embedded beat: %s skipped, another process is running it", entry.name)
                return False
            try:
                close_old_connections()
                _task(app, entry.task).apply(args=entry.args, kwargs=entry.kwargs, throw=True)
                return True
            except Exception:
                logger.exception("Embedded beat: %s (%s) failed; it runs again on schedule", entry.name, entry.task)
                return False
            finally:
                self.runs[entry.name] += 1
                connections.close_all()  # this thread's connections: nothing is kept between runs


def _task(app: Any, name: str) -> Any:
    """The registered task of that name; its module is imported first (the web process never ran
    the worker's autodiscovery)."""
    if name not in app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    return app.tasks[name]


@contextlib.contextmanager
def _process_lock() -> Iterator[bool]:
    """Yield whether this process holds the lock file (non-blocking)."""
    if fcntl is None:
        yield True
        return
    path = lock_path()
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def start_embedded_beat(*, interval: float | None = None, force: bool = False) -> EmbeddedBeat | None:
    """Start the embedded beat once in this process, when there is no broker (see the module's
    docstring); the running one, or None when it is not wanted. `force` starts it whatever the
    settings (tests)."""
    global _started
    if not force and not embedded_beat_enabled():
        return None
    with _start_lock:
        if _started is None or not _started.thread.is_alive():
            every = interval if interval is not None else getattr(settings, "EMBEDDED_BEAT_INTERVAL", None)
            _started = EmbeddedBeat(beat_entries(every)).start()
        return _started


def stop_embedded_beat() -> None:
    """Stop this process's embedded beat, if it runs (tests)."""
    global _started
    with _start_lock:
        if _started is not None:
            _started.stop()
            _started = None


def running() -> Any:
    """This process's embedded beat, or None."""
    return _started
