"""Shared parts of the live editor's benchmarks (live_relay.py, live_memory.py, live_open.py, live_page.py).

- A scratch PostgreSQL database of their own, `upr_bench_live` (BENCH_LIVE_DATABASE names another):
  created, migrated and loaded with the UPR calendar the first time, then kept between runs, since
  every script seeds what it needs into it once (`live_seed.py`, through the app's services) and
  reuses it. `--fresh` on any script drops and remakes it; `live_common.py --drop` drops it.
- A Redis database of the run's own for the channel layer and the cache, claimed as the live-process
  tests claim theirs (tests/live_servers.py: SET NX on a shared key), so that a benchmark never shares a
  channel layer with a test run; the Django cache keys it wrote are deleted afterwards.
- `Server`: `uvicorn hub.asgi:application --ws websockets-sansio` (production's command, docker-compose.yml)
  on a free port of 127.0.0.1 (`--host/--port`, not `--fd`: see Server), killed with this process
  whatever happens; its pids (the supervisor and, with --workers 2, its children) for /proc.
- `Socket`: one editor's WebSocket (the `websockets` library) speaking PROTOCOL.md with
  `submissions.live.client.LiveClient`, with a callback per frame, for timing.
- /proc readers: CPU seconds of processes, of PostgreSQL backends of the database, RSS, load.

Settings: `hub.settings.dev` with DEBUG off (WhiteNoise serves the static files from the apps' folders,
so the browser benchmark needs no collectstatic, which takes over a minute here), PostgreSQL by
DATABASE_URL, Redis by REDIS_URL (so the channel layer is channels_redis, as in production).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import secrets
import signal
import string
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import run as shared  # noqa: E402  (the load benchmark's database and set-up steps)

PYTHON = sys.executable
PG = shared.PG
DB_NAME = os.environ.get("BENCH_LIVE_DATABASE", "upr_bench_live")
HOST = "127.0.0.1"
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
SECRET = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(50))
# Headless Chromium of the browser benchmarks (live_open.py, slow_line.py): Debian's, no browser download.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def say(message: str) -> None:
    print(f"[live-bench] {message}", flush=True)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (as benchmarks/client.py)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def ms(values: list[float]) -> str:
    if not values:
        return "n=0"
    return (
        f"p50 {percentile(values, 50) * 1000:6.1f}  p95 {percentile(values, 95) * 1000:6.1f}  "
        f"p99 {percentile(values, 99) * 1000:6.1f}  max {max(values) * 1000:6.1f} ms  (n={len(values)})"
    )


# --- environment, database ------------------------------------------------------------------------


def bench_env(*, redis_url: str | None, settings: str = "hub.settings.dev", **extra: str) -> dict[str, str]:
    """The environment of the server and of the seeding: nothing inherited that changes what is measured."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    for name in (
        "DEBUG",
        "REDIS_URL",
        "CONN_MAX_AGE",
        "DJANGO_SETTINGS_MODULE",
        "DATABASE_URL",
        "TEST_DATABASE_URL",
        "LIVE_RENDER_PAUSE",
        "LIVE_VERSION_PAUSE",
        "EMBEDDED_BEAT",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        DATABASE_URL=f"postgres://{PG['user']}:{PG['password']}@{PG['host']}:{PG['port']}/{DB_NAME}",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def database_exists() -> bool:
    return shared.database_exists(DB_NAME)


def drop_database() -> None:
    shared.drop_database(DB_NAME)


def run_step(label: str, args: list[str], env: dict[str, str], timeout: float = 900) -> str:
    return shared.run_step(label, args, env, timeout, log=say)


def ensure_database(*, fresh: bool) -> None:
    """The scratch database, migrated (a no-op when it is up to date) and with the UPR calendar."""
    env = bench_env(redis_url=None)
    if fresh:
        drop_database()
    if not database_exists():
        shared.recreate_database(DB_NAME)
        say(f"database {DB_NAME} created")
        run_step("migrate", [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        run_step("load_upr_reference", [PYTHON, "manage.py", "load_upr_reference"], env)
    else:
        run_step(f"migrate {DB_NAME} (kept from an earlier run)", [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)


def seed(*args: str) -> dict[str, Any]:
    """benchmarks/live_seed.py in a subprocess (its own Django, no Redis: sessions go to the database,
    which the server reads them from): prints one JSON object."""
    out = run_step("seed " + " ".join(args), [PYTHON, str(BENCH_DIR / "live_seed.py"), *args], bench_env(redis_url=None))
    return json.loads(out.strip().splitlines()[-1])


@contextlib.contextmanager
def claimed_redis() -> Iterator[str]:
    """A Redis database of this run's own (the live-process tests' claim), and afterwards the Django
    cache keys written into it (":1:..."; the tests' processes keep their cache in memory) deleted."""
    import redis

    from tests.live_servers import claimed_redis as claim

    with claim() as url:
        try:
            yield url
        finally:
            client = redis.Redis.from_url(url)
            keys = list(client.scan_iter(":1:*", count=1000))
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start : start + 1000])


def texts_behind(document: int) -> int:
    """The document's live texts whose HTML is behind their CRDT (typed, not yet rendered)."""
    import psycopg

    with psycopg.connect(dbname=DB_NAME, connect_timeout=5, **PG) as conn:
        row = conn.execute(
            "SELECT count(*) FROM submissions_livetext WHERE document_id = %s AND rendered_seq < seq", [document]
        ).fetchone()
        return int(row[0]) if row else 0


def updates_stored(document: int) -> int:
    """How many updates the document's live texts have stored so far (each text numbers its own)."""
    import psycopg

    with psycopg.connect(dbname=DB_NAME, connect_timeout=5, **PG) as conn:
        row = conn.execute("SELECT coalesce(sum(seq), 0) FROM submissions_livetext WHERE document_id = %s", [document]).fetchone()
        return int(row[0]) if row else 0


def wait_rendered(document: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if texts_behind(document) == 0:
            return True
        time.sleep(0.1)
    return False


# --- /proc ------------------------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found.append(int(child))
                found += children_of(int(child))
    except OSError:
        pass
    return found


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes (all their threads), in seconds."""
    total = 0.0
    for pid in pids:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        rest = raw[raw.rindex(")") + 2 :].split()
        total += (int(rest[11]) + int(rest[12])) / CLOCK_TICK
    return total


def postgres_cpu_seconds(database: str = DB_NAME) -> float:
    """CPU of the PostgreSQL backends serving `database` (their process title names it)."""
    return sum(postgres_backends(database).values())


def postgres_backends(database: str = DB_NAME) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving `database`, by pid."""
    found: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
            if raw[raw.index("(") + 1 : raw.rindex(")")] != "postgres":
                continue
            title = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError):
            continue
        if f" {database} " in title:
            rest = raw[raw.rindex(")") + 2 :].split()
            found[int(entry)] = (int(rest[11]) + int(rest[12])) / CLOCK_TICK
    return found


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far (all cores)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(fields[:8])
    return (total - fields[3] - fields[4]) / CLOCK_TICK, total / CLOCK_TICK


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class CpuWindow:
    """CPU used between start() and stop(): the server's processes, this process (the clients), the
    PostgreSQL backends of the bench database, the whole machine; `other` is the rest (test suites...)."""

    def __init__(self, server_pids: Callable[[], list[int]]) -> None:
        self.server_pids = server_pids

    def _sample(self) -> dict[str, Any]:
        busy, _total = machine_cpu_seconds()
        return {
            "wall": time.perf_counter(),
            "server": cpu_seconds(self.server_pids()),
            "client": time.process_time(),
            "postgres": postgres_backends(),
            "machine": busy,
        }

    def start(self) -> CpuWindow:
        self.before = self._sample()
        return self

    def stop(self) -> dict[str, float]:
        after = self._sample()
        # PostgreSQL by backend: one that started during the window counts from 0; one that ended is
        # lost (its CPU after the start is not known: a lower bound).
        before_pg, after_pg = self.before.pop("postgres"), after.pop("postgres")
        used = {k: after[k] - self.before[k] for k in after}
        used["postgres"] = sum(seconds - before_pg.get(pid, 0.0) for pid, seconds in after_pg.items())
        used["postgres_backends_ended"] = float(len(set(before_pg) - set(after_pg)))
        self.before["postgres"] = before_pg
        used["other"] = max(0.0, used["machine"] - used["server"] - used["client"] - used["postgres"])
        return used


def redis_counters(url: str) -> dict[str, float]:
    """Redis's own counters (server-wide: other users of this Redis count too): calls per command and
    its CPU seconds. The difference over a window says how many commands the channel layer sent."""
    import redis

    client = redis.Redis.from_url(url)
    counters: dict[str, float] = {}
    for name, stats in client.info("commandstats").items():
        counters[name.removeprefix("cmdstat_")] = float(stats["calls"])
    cpu = client.info("cpu")
    counters["cpu_seconds"] = float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"])
    return counters


def redis_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after[k] - before.get(k, 0.0) for k in after if after[k] - before.get(k, 0.0)}


def cores() -> int:
    return os.cpu_count() or 1


def pct(seconds: float, wall: float) -> str:
    return f"{seconds / wall * 100:5.0f}%" if wall > 0 else "   -"


# --- the server -------------------------------------------------------------------------------------


class Server:
    """`uvicorn hub.asgi:application --ws websockets-sansio --workers N` on the bench database and Redis."""

    def __init__(
        self, env: dict[str, str], *, workers: int = 1, log_path: Path, name: str = "uvicorn", profile: str | None = None
    ) -> None:
        from tests.live_servers import _die_with_parent

        # --host/--port as production, not a socket handed over with --fd: uvicorn wraps such a socket as
        # AF_UNIX (socket.fromfd(fd, AF_UNIX, ...)), so asyncio never sets TCP_NODELAY on the connections
        # it accepts, and small writes wait for delayed ACKs (40 ms steps in every latency).
        self.port = free_port()
        self.log_path = log_path
        self.name = name
        self.workers = workers
        with log_path.open("wb") as log:
            command = [
                PYTHON,
                "-m",
                "uvicorn",
                "hub.asgi:application",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--ws",
                "websockets-sansio",
                "--no-access-log",
                "--log-level",
                "warning",
            ]
            if profile:  # the same server under cProfile in every thread (one process)
                assert workers == 1, "--profile profiles one process"
                command = [PYTHON, str(BENCH_DIR / "live_profile_server.py"), "--port", str(self.port), "--out", profile]
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def pids(self) -> list[int]:
        return [self.process.pid, *children_of(self.process.pid)]

    def serving_pid(self) -> int:
        """The process that serves requests (with one worker, uvicorn serves in its main process)."""
        return self.process.pid

    def wait_ready(self, timeout: float = 90) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"[live-bench] {self.name} exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                status, _headers, body = get(self.port, "/health/")
                if status == 200 and json.loads(body).get("status") == "ok":
                    if self.workers > 1 and len(children_of(self.process.pid)) < self.workers:
                        raise OSError("workers not all up")
                    return self
            except (OSError, ValueError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise SystemExit(f"[live-bench] {self.name} did not answer /health/ within {timeout} s:\n{self.log_tail()}")

    def log_errors(self, keep_as: str) -> list[str]:
        """What went wrong in the server's log: one line per kind of exception, with how many times
        (the log is copied to `keep_as` when there is any, since the run's folder is removed)."""
        import collections
        import re
        import shutil

        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return []
        kinds = collections.Counter(re.findall(r"^(\w+(?:\.\w+)*(?:Error|Exception)\b[^\n]{0,120})", text, flags=re.M))
        tracebacks = text.count("Traceback (most recent call last)")
        if not kinds and not tracebacks:
            return []
        shutil.copyfile(self.log_path, keep_as)
        lines = [f"{tracebacks} tracebacks in the server log (kept in {keep_as}):"]
        lines += [f"  {count} x {kind}" for kind, count in kinds.most_common(8)]
        return lines

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def launch_chromium(playwright: Any) -> Any:
    """Headless Chromium (CHROMIUM, CHROMIUM_ARGS) from a started `sync_playwright()`: its Browser."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, cookie: str | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# --- an editor's WebSocket -------------------------------------------------------------------------


class Socket:
    """One editor's WebSocket: a LiveClient (pycrdt) that applies what arrives and answers the server's
    sync steps as the browser's provider does; `on_binary(kind, room, payload, at)` and
    `on_text(message, at)` see every frame with its arrival time (perf_counter) before it is applied."""

    def __init__(self, ws: Any, client: Any, *, apply: bool = True, keep: set[str] | None = None) -> None:
        self.ws = ws
        self.client = client
        self.apply = apply
        self.keep = keep  # rooms whose content this client holds (None: all); the others are synced and dropped
        self.on_binary: Callable[[int, str, Any, float], None] | None = None
        self.on_text: Callable[[dict, float], None] | None = None
        self.synced: set[str] = set()
        self.sync_event = asyncio.Event()
        self.expect_rooms: set[str] = set()
        self.closed = False
        self.access: dict[str, str] = {}
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, server: Server, path: str, session: str, *, apply: bool = True, keep: set[str] | None = None) -> Socket:
        from websockets.asyncio.client import connect
        from websockets.typing import Origin

        from submissions.live.client import LiveClient

        ws = await connect(
            f"ws://{HOST}:{server.port}{path}",
            origin=Origin(server.origin),
            additional_headers={"Cookie": f"sessionid={session}"},
            proxy=None,
            max_size=None,
            open_timeout=30,
            compression=None,
            ping_interval=20,
            ping_timeout=60,
        )
        return cls(ws, LiveClient(), apply=apply, keep=keep)

    async def join(self, rooms: list[str]) -> None:
        self.expect_rooms = set(rooms)
        for frame in self.client.join(*rooms):
            await self.ws.send(frame)

    async def wait_synced(self, timeout: float = 60) -> None:
        await asyncio.wait_for(self.sync_event.wait(), timeout)

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        from submissions.live import protocol

        try:
            async for message in self.ws:
                at = time.perf_counter()
                if isinstance(message, str):
                    data = json.loads(message)
                    if data.get("type") == "access":
                        self.access = data.get("rooms") or {}
                    if self.on_text:
                        self.on_text(data, at)
                    if data.get("type") in ("refused", "room-gone"):
                        say(f"server said {data}")
                    continue
                kind = message[0]
                if self.on_binary:
                    reader = protocol.Reader(message)
                    reader.uint8()
                    room = reader.var_string()
                    payload = reader.var_uint() if kind == protocol.ACK else reader.var_bytes()  # ACK: its seq
                    self.on_binary(kind, room, payload, at)
                if kind in (protocol.UPDATE, protocol.AWARENESS) and not self.apply:
                    continue
                if (
                    self.keep is not None
                    and kind in (protocol.UPDATE, protocol.SYNC_STEP2)
                    and self._room_of(message) not in self.keep
                ):
                    reply = None  # not held here: received (and its sync counted), not applied
                else:
                    reply = self.client.receive(data=message)
                if reply is not None and self.access.get(self._room_of(reply)) != "read":
                    # As the browser: a room this person may only read gets no answer to the server's
                    # step 1 (nothing of theirs is in it; the server would refuse it).
                    await self.ws.send(reply)
                if kind == protocol.SYNC_STEP2:
                    reader = protocol.Reader(message)
                    reader.uint8()
                    self.synced.add(reader.var_string())
                    if self.expect_rooms <= self.synced:
                        self.sync_event.set()
        except ConnectionClosed:
            pass
        finally:
            self.closed = True
            self.sync_event.set()

    @staticmethod
    def _room_of(frame: bytes) -> str:
        from submissions.live import protocol

        reader = protocol.Reader(frame)
        reader.uint8()
        return reader.var_string()

    async def send(self, frame: bytes | str) -> None:
        await self.ws.send(frame)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.reader, 10)


def awareness_frame(room: str, client_id: int, clock: int, name: str, anchor: int) -> bytes:
    """An awareness update as y-prosemirror's caret plugin sends one per keystroke (a user and a
    cursor of relative positions)."""
    from submissions.live import protocol

    state = json.dumps(
        {
            "user": {"name": name, "colour": "#0b5cad"},
            "cursor": {
                "anchor": {"type": None, "tname": None, "item": {"client": client_id, "clock": anchor}, "assoc": 0},
                "head": {"type": None, "tname": None, "item": {"client": client_id, "clock": anchor}, "assoc": 0},
            },
        },
        separators=(",", ":"),
    )
    update = protocol.write_awareness([protocol.AwarenessEntry(client_id, clock, state)])
    return bytes([protocol.AWARENESS]) + protocol.var_string(room) + protocol.var_bytes(update)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="The live benchmarks' scratch database.")
    parser.add_argument("--drop", action="store_true", help=f"drop {DB_NAME}")
    args = parser.parse_args()
    if args.drop:
        drop_database()
        say(f"database {DB_NAME} dropped")


if __name__ == "__main__":
    main()
