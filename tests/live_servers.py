"""Real parts for the live editor's process tests: uvicorn web processes serving hub.asgi on real Redis,
a Redis database of the run's own for their channel layer, and an editor speaking PROTOCOL.md over a
real WebSocket (the `websockets` library) with `submissions.live.client.LiveClient`.

Not a test module: tests/test_live_processes.py uses it.
"""

from __future__ import annotations

import asyncio
import ctypes
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from submissions.live.client import LiveClient

ROOT = Path(__file__).resolve().parent.parent
REDIS_BASE = "redis://127.0.0.1:6379"
# Redis databases that nothing else in the repository uses (0: docker-compose and test_operations,
# 5: test_scheduler, 14: the reminder benchmark, 15: the Celery tests). A run claims one of them with
# SET NX, so that two runs of these tests at once never share a channel layer.
CANDIDATE_DATABASES = (13, 12, 11, 10, 9, 8, 7, 6, 4, 3, 2, 1)
CLAIM_KEY = "upr-test-live-processes:claim"
CLAIM_SECONDS = 900
PR_SET_PDEATHSIG = 1

# The name the web processes give their database connections (pg_stat_activity.application_name).
APPLICATION_NAME = "upr-live-test-web"


@contextmanager
def claimed_redis() -> Iterator[str]:
    """The URL of a Redis database claimed by this run alone (LIVE_TEST_REDIS_URL, when set, is used as
    it is), emptied of channel-layer keys before and after."""
    fixed = os.environ.get("LIVE_TEST_REDIS_URL")
    if fixed:
        _forget_channel_keys(fixed)
        yield fixed
        _forget_channel_keys(fixed)
        return
    owner = f"{socket.gethostname()}:{os.getpid()}:{time.time()}"
    for number in CANDIDATE_DATABASES:
        client = redis.Redis.from_url(f"{REDIS_BASE}/{number}")
        if client.set(CLAIM_KEY, owner, nx=True, ex=CLAIM_SECONDS):
            break
    else:
        raise RuntimeError("every candidate Redis database is claimed by another run")
    url = f"{REDIS_BASE}/{number}"
    _forget_channel_keys(url)
    try:
        yield url
    finally:
        _forget_channel_keys(url)
        if client.get(CLAIM_KEY) == owner.encode():
            client.delete(CLAIM_KEY)


def _forget_channel_keys(url: str) -> None:
    """channels_redis's keys (prefix "asgi"): groups and queues of processes of an earlier run."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter("asgi*", count=500))
    if keys:
        client.delete(*keys)


def listening_socket() -> socket.socket:
    """A socket bound to a port the kernel chose and already listening: handed to uvicorn (--fd), so
    that no other process can take the port between choosing it and serving on it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def _die_with_parent() -> None:
    """In the child before it runs uvicorn (Linux): SIGKILL it when the test process dies, however it
    dies (a finalizer covers every other end), so that no server outlives a run stopped by force."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


class WebProcess:
    """One `uvicorn hub.asgi:application --workers 1` process on the test database and real Redis."""

    def __init__(self, *, name: str, database: dict[str, Any], redis_url: str, log_folder: Path) -> None:
        self.name = name
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")},
            "DJANGO_SETTINGS_MODULE": "hub.settings.test",
            # Named, so that a test waits for these processes' own connections only (not the test
            # process's other threads, such as a live server's).
            "TEST_DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}?application_name={APP}".format(
                APP=APPLICATION_NAME,
                **{
                    k: database.get(k) or default
                    for k, default in (
                        ("USER", "upr"),
                        ("PASSWORD", "upr"),
                        ("HOST", "127.0.0.1"),
                        ("PORT", "5432"),
                        ("NAME", ""),
                    )
                },
            ),
            "REDIS_URL": redis_url,
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",  # the log keeps what went wrong, not every socket opened
        }
        self.log_folder = log_folder
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.logs: list[Path] = []  # one per start

    # --- life ------------------------------------------------------------------------------------

    def start(self) -> WebProcess:
        """Starts the process (on a new port each time); `wait_ready` waits until it serves."""
        assert not self.alive, f"{self.name} is already running"
        self.logs.append(self.log_folder / f"{self.name}-{len(self.logs) + 1}.log")
        sock = listening_socket()
        self.port = sock.getsockname()[1]
        try:
            with self.logs[-1].open("wb") as log:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "hub.asgi:application",
                        "--fd",
                        str(sock.fileno()),
                        "--workers",
                        "1",
                        "--no-access-log",
                        "--log-level",
                        "warning",
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    pass_fds=(sock.fileno(),),
                    preexec_fn=_die_with_parent,
                )
        finally:
            sock.close()  # the child holds its own copy: when it dies, the port refuses at once
        return self

    def wait_ready(self, timeout: float = 60) -> WebProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, body = self.get("/health/")
                if status == 200 and json.loads(body).get("checks") == {"database": "ok", "redis": "ok"}:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer /health/ in {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: the process dies where it stands (mid-transaction, mid-frame); nothing runs after."""
        if self.alive:
            assert self.process is not None
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.logs[-1].read_text(errors="replace")[-chars:]
        except (IndexError, OSError):
            return "(no log)"

    def log_mark(self) -> tuple[int, int]:
        """Where the logs stand now (which start, how far in it): `log_since` gives what came after."""
        return len(self.logs), self.logs[-1].stat().st_size if self.logs and self.logs[-1].exists() else 0

    def log_since(self, mark: tuple[int, int], chars: int = 6000) -> str:
        count, offset = mark
        parts = []
        for index, log in enumerate(self.logs[max(count - 1, 0) :], start=max(count - 1, 0)):
            if log.exists():
                with log.open("rb") as handle:
                    handle.seek(offset if index == count - 1 else 0)
                    parts.append(handle.read().decode(errors="replace"))
        return "".join(parts)[-chars:]

    # --- speaking to it --------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode(errors="replace")
        finally:
            connection.close()

    async def open_editor(self, path: str, session: str, *rooms: str, client: LiveClient | None = None) -> Editor:
        """A WebSocket from this site's own origin with the person's session cookie, joined to `rooms`
        (a LiveClient that already holds the rooms' documents sends what it has in its sync answer)."""
        socket_ = await connect(
            f"ws://127.0.0.1:{self.port}{path}",
            origin=self.origin,  # type: ignore[arg-type]  # Origin is a str
            additional_headers={"Cookie": f"sessionid={session}"},
            proxy=None,
            max_size=None,
            open_timeout=10,
            compression=None,
        )
        editor = Editor(socket_, client or LiveClient(), self.name)
        await editor.join(*rooms)
        return editor


class Editor:
    """A LiveClient on a real WebSocket: a reader task applies every frame as it arrives (answering the
    server's sync step 1 as a browser's provider does) and wakes whoever waits for a condition."""

    def __init__(self, socket_: ClientConnection, client: LiveClient, server: str) -> None:
        self.socket = socket_
        self.client = client
        self.server = server
        self.changed = asyncio.Condition()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.reader = asyncio.create_task(self._read())

    async def join(self, *rooms: str) -> None:
        for frame in self.client.join(*rooms):
            await self.socket.send(frame)  # a str goes as a text frame, bytes as a binary one

    async def _read(self) -> None:
        try:
            async for message in self.socket:
                if isinstance(message, str):
                    reply = self.client.receive(text=message)
                else:
                    reply = self.client.receive(data=message)
                if reply is not None:
                    await self.socket.send(reply)
                async with self.changed:
                    self.changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            if not self.closed.done():
                self.closed.set_result(None)
            async with self.changed:
                self.changed.notify_all()

    async def send_update(self, room: str, update: bytes) -> int:
        """Sends a local change (made with RoomCopy.edit) as an UPDATE; returns its seq."""
        seq, frame = self.client.update_frame(room, update)
        await self.socket.send(frame)
        return seq

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10, what: str = "") -> float:
        """Waits until `predicate()` holds (checked after every frame); returns the moment it was seen
        (time.perf_counter())."""
        async with self.changed:
            try:
                await asyncio.wait_for(self.changed.wait_for(predicate), timeout)
            except TimeoutError:
                raise AssertionError(f"{self.server}: not seen within {timeout} s: {what or predicate}") from None
        return time.perf_counter()

    @property
    def is_open(self) -> bool:
        return not self.closed.done()

    async def close(self) -> None:
        await self.socket.close()
        await self.reader
