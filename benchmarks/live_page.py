"""Live editor, (d): the document page under 20 concurrent clients, served by the ASGI server.

    .venv/bin/python benchmarks/live_page.py                   # about 30 s (a minute with --compare-wsgi), plus the database the first time
    .venv/bin/python benchmarks/live_page.py --compare-wsgi    # and gunicorn (sync, 2 workers) in the same run

Target: p95 < 150 ms at 20 concurrent clients for /c/<slug>/documents/<id>/ of the maximum-length joint
submission (12 sections, 5,630 counted words, 150 footnotes; built section by section with the services,
live_seed.py: the document live_open.py opens), beside the trivial view /health/ of the same run.

The server is production's command, `uvicorn hub.asgi:application --ws websockets-sansio`, with
`--workers 2` (one per core of this machine; `--workers 1` to compare) on the scratch database and
Redis (live_common.py: hub.settings.dev with DEBUG off, REDIS_URL set, so the cache that keeps each
person's rendered page, upr.freshness, is Redis as in production). The load is benchmarks/client.py,
the load generator of run.py, in its own process: 20 threads with keep-alive connections, each with
the session of one of 20 editors of the document's working group, the endpoints taking turns in rounds
so that a slow spell of the machine weighs on both. Server CPU per request from /proc (uvicorn's
processes). Nothing is written during the load: each person opens the page twice first (the first view
gives the browser its CSRF cookie, the second is kept for that browser), and the clients keep their
cookies as a browser does, so every view comes from the cache (what a person reloading a document nobody
is typing in gets; `live_open.py` shows the page after an edit). The page is asked for twice: as this
client asks (no compression) and as a browser asks (gzip, which the page is kept in).

Differences from run.py's "editor" endpoint (gunicorn, hub.settings.production, no Redis): this
document has no draft recommendations and no annex (run.py's has 20 and a 250-row table), and
/health/ here also pings Redis (REDIS_URL is set), so the trivial view costs a little more.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import live_common as common
from benchmarks.live_common import say

TARGET_P95_MS = 150.0
CLIENTS = 20


def drive(
    port: int, browsers: list[dict[str, str]], slug: str, document: int, server_pids: list[int], args: argparse.Namespace
) -> dict:
    config = {
        "host": common.HOST,
        "port": port,
        "cookie_name": "sessionid",
        "clients": [
            {"session_key": cookies["sessionid"], "cookies": cookies, "slug": slug, "document": document} for cookies in browsers
        ],
        "endpoints": [
            {"name": "/health/ (baseline)", "path": "/health/"},
            {"name": "document page", "path": "/c/{slug}/documents/{document}/"},
            # What a browser gets: it asks for a compressed page (GZipMiddleware compresses it).
            {
                "name": "document page, gzip",
                "path": "/c/{slug}/documents/{document}/",
                "headers": {"Accept-Encoding": "gzip, deflate, br"},
            },
        ],
        "warmup": args.warmup,
        "duration": args.duration,
        "rounds": args.rounds,
        "timeout": 10,
        "max_requests": 200_000,
        "server_pids": server_pids,
        "database": common.DB_NAME,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="upr-live-page-", delete=False) as handle:
        json.dump(config, handle)
        path = handle.name
    try:
        done = subprocess.run(
            [common.PYTHON, str(common.BENCH_DIR / "client.py"), path],
            capture_output=True,
            text=True,
            cwd=common.ROOT,
            timeout=4 * (args.warmup + args.duration) + 120,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        if done.returncode != 0:
            raise SystemExit(f"[live-bench] the client failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout)
    finally:
        os.unlink(path)


def report(label: str, results: dict) -> list[str]:
    rows = results["results"]
    base, page, gzipped = rows[0], rows[1], rows[2]
    print()
    print(f"{label}; {CLIENTS} concurrent clients")
    print(
        f"{'endpoint':<22} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>7} "
        f"{'KiB':>6} {'server ms/req':>13} {'machine':>8} {'other':>6}"
    )
    for row in rows:
        cpu = row.get("cpu") or {}
        per = cpu.get("server", 0) / 100 * row["seconds"] / row["requests"] * 1000 if row["requests"] else 0
        print(
            f"{row['name']:<22} {row['requests']:>8} {row['errors']:>6} {row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} "
            f"{row['p99_ms']:>7.1f} {row['throughput']:>7.1f} {row['kib_per_response']:>6.1f} {per:>13.1f} "
            f"{cpu.get('machine', 0):>7.0f}% {cpu.get('other', 0):>5.0f}%"
        )
        if row["errors"]:
            print(f"{'':<22} statuses {row['statuses']} exceptions {row['exceptions']}")
    lines = [_verdict(label, base, page), _verdict(label, base, gzipped)]
    for line in lines:
        print(line)
    return lines


def _verdict(label: str, base: dict, page: dict) -> str:
    verdict = "MET" if page["p95_ms"] < TARGET_P95_MS else f"MISSED by {page['p95_ms'] - TARGET_P95_MS:.0f} ms"
    errors = base["errors"] + page["errors"]
    if errors:
        verdict = (
            f"NOT MET: {errors} of {base['requests'] + page['requests']} responses were errors "
            f"({page['errors']} of the {page['name']}'s, statuses {page['statuses']}); p95 {verdict}"
        )
    return (
        f"{label}: {page['name']} p95 {page['p95_ms']:.1f} ms, /health/ p95 {base['p95_ms']:.1f} ms: ratio "
        f"{page['p95_ms'] / base['p95_ms']:.2f}; throughput {page['throughput']:.0f} req/s = "
        f"{page['throughput'] / base['throughput']:.0%} of the trivial view's; target p95 < {TARGET_P95_MS:.0f} ms: {verdict}"
    )


class ConnectionWatch:
    """The most connections PostgreSQL had open at once to the bench database, and to all databases,
    sampled every 0.25 s (max_connections is 100 here, shared with whoever else uses this PostgreSQL)."""

    def __init__(self) -> None:
        import threading

        self.most = {"bench": 0, "all": 0}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with common.shared.admin_connection() as conn:
            while not self.stop_event.wait(0.25):
                bench, every = conn.execute(
                    "SELECT count(*) FILTER (WHERE datname = %s), count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'",
                    [common.DB_NAME],
                ).fetchone()
                self.most = {"bench": max(self.most["bench"], bench), "all": max(self.most["all"], every)}

    def __enter__(self) -> ConnectionWatch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join(5)


class Gunicorn:
    """The same application through WSGI, for comparison: gunicorn sync workers (run.py's default)."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path) -> None:
        from tests.live_servers import _die_with_parent

        self.port = common.free_port()
        self.log_path = log_path
        self.process = subprocess.Popen(
            [
                str(Path(common.PYTHON).with_name("gunicorn")),
                "hub.wsgi:application",
                "--bind",
                f"{common.HOST}:{self.port}",
                "--worker-class",
                "sync",
                "--workers",
                str(workers),
                "--timeout",
                "30",
                "--log-level",
                "warning",
                "--error-logfile",
                str(log_path),
            ],
            cwd=common.ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )

    def pids(self) -> list[int]:
        return [self.process.pid, *common.children_of(self.process.pid)]

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if common.get(self.port, "/health/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("[live-bench] gunicorn did not answer /health/")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def open_as_a_browser(port: int, path: str, session: str) -> dict[str, str]:
    """A person opens the document page twice, keeping the CSRF cookie the first view gives, as a browser
    does: the page is kept in the cache for that browser from the second view. Its cookies."""
    status, headers, body = common.get(port, path, f"sessionid={session}")
    csrf = re.search(r"csrftoken=([^;]+)", {k.lower(): v for k, v in headers.items()}.get("set-cookie", ""))
    if status != 200 or b'id="live-document"' not in body or csrf is None:
        raise SystemExit(f"[live-bench] GET {path}: {status}, not the editor page with a CSRF cookie")
    cookies = {"sessionid": session, "csrftoken": csrf.group(1)}
    status, _headers, _body = common.get(port, path, "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if status != 200:
        raise SystemExit(f"[live-bench] GET {path} again: {status}")
    return cookies


def max_connections() -> int:

    with common.shared.admin_connection() as conn:
        return int(conn.execute("SHOW max_connections").fetchone()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (default 2, one per core)")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per endpoint (default 8)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--compare-wsgi", action="store_true", help="also gunicorn sync:2 on the same data, same run")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        metavar="SECONDS",
        help="CONN_MAX_AGE for the servers (default: the settings' 60; Django advises 0 under ASGI)",
    )
    parser.add_argument("--fresh", action="store_true", help=f"drop and remake {common.DB_NAME} first")
    parser.add_argument("--json", metavar="PATH", help="also write the raw results to PATH")
    args = parser.parse_args()

    started = time.perf_counter()
    common.ensure_database(fresh=args.fresh)
    seeded = common.seed("maxdoc", "--editors", str(args.clients), "--name", "page")
    say(
        f"document {seeded['document']}: {seeded['sections']} sections, {seeded['counted_words']} words, "
        f"{seeded['footnotes']} footnotes ({seeded['kib_html']} KiB of HTML)"
    )
    sessions, slug, document = seeded["editors"], seeded["slug"], seeded["document"]
    doc_path = f"/c/{slug}/documents/{document}/"
    lines: list[str] = []
    raw = []
    with tempfile.TemporaryDirectory(prefix="upr-live-page-") as folder, common.claimed_redis() as redis_url:
        env = common.bench_env(redis_url=redis_url)
        if args.conn_max_age is not None:
            env["CONN_MAX_AGE"] = str(args.conn_max_age)
        servers = [("uvicorn", args.workers)] + ([("gunicorn", 2)] if args.compare_wsgi else [])
        for kind, workers in servers:
            server = (
                common.Server(env, workers=workers, log_path=Path(folder) / f"{kind}.log")
                if kind == "uvicorn"
                else Gunicorn(env, workers, Path(folder) / f"{kind}.log")
            )
            try:
                server.wait_ready()
                browsers = [open_as_a_browser(server.port, doc_path, session) for session in sessions[: args.clients]]
                say(
                    f"{kind} --workers {workers} (pids {server.pids()}); every session opens the document page; "
                    f"load average {common.load_average()}"
                )
                with ConnectionWatch() as watch:
                    results = drive(server.port, browsers, slug, document, server.pids(), args)
            finally:
                server.stop()
            label = (
                f"uvicorn hub.asgi --ws websockets-sansio --workers {workers}"
                if kind == "uvicorn"
                else f"gunicorn hub.wsgi, sync, {workers} workers"
            )
            if args.conn_max_age is not None:
                label += f", CONN_MAX_AGE={args.conn_max_age}"
            lines += report(label, results)
            lines.append(
                f"  PostgreSQL connections during the load: at most {watch.most['bench']} to {common.DB_NAME}, "
                f"{watch.most['all']} in all (max_connections {max_connections()})"
            )
            print(lines[-1])
            raw.append({"server": label, **results})
            if isinstance(server, common.Server):  # kind == "uvicorn"
                lines += server.log_errors("/tmp/upr-live-page-uvicorn.log")
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1))
    print()
    for line in lines:
        print(line)
    print(f"\n({time.perf_counter() - started:.0f} s in all; load average at the end {common.load_average()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
