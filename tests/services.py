"""Real parts for integration tests: an SMTP server that keeps what it receives, and a Celery worker."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailSink:
    """aiosmtpd handler: every message delivered over SMTP, parsed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.1)
        return list(self.messages)


class StallingSink(MailSink):
    """Holds the first message at MAIL FROM for `seconds` (and says so): a worker killed meanwhile dies
    in the middle of sending, before the server has accepted anything."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.stalled = threading.Event()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(self.seconds)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


class SMTPServer:
    def __init__(self, sink: MailSink | None = None) -> None:
        self.sink = sink or MailSink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class CeleryWorker:
    """A real `celery worker` process on real Redis, against the test database."""

    def __init__(
        self,
        *,
        database_name: str,
        email_url: str,
        queues: str = "default,exports,reminders",
        name: str = "worker",
        **extra_env: str,
    ) -> None:
        self.name = name
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hub.settings.test",
            "TEST_DATABASE_URL": f"postgres://upr:upr@127.0.0.1:5432/{database_name}",
            "REDIS_URL": TEST_REDIS_URL,
            "EMAIL_URL": email_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            **extra_env,
        }
        self.queues = queues
        self.process: subprocess.Popen | None = None
        self.log = ROOT / ".tmp" / f"celery-{name}-{os.getpid()}.log"

    def __enter__(self) -> CeleryWorker:
        self.log.parent.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "upr",
                "worker",
                "-Q",
                self.queues,
                "--pool",
                "solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
                "-n",
                f"{self.name}-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "ready." in self.log.read_text():
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited:\n{self.log.read_text()}")
            time.sleep(0.2)
        raise RuntimeError(f"Celery worker did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: the worker dies on the spot, whatever it was doing (its task is not acknowledged)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
