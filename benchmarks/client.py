"""The load generator: a separate process from the server, run by benchmarks/run.py.

    python benchmarks/client.py CONFIG.json   ->   results as JSON on stdout

CONFIG: {"host": "127.0.0.1", "port": 8123, "cookie_name": "sessionid",
         "clients": [{"session_key": ..., "slug": ...}, ...],      one thread per entry
         "endpoints": [{"name": "dashboard", "path": "/c/{slug}/"}, ...],   optional per endpoint:
                     "variants" (one per client) and "client" (the session_key, slug and engagement
                     every thread uses for it instead of its own: the matrix seeded in one coalition)
         "warmup": 1.5, "duration": 8, "timeout": 10, "max_requests": 200000,
         "server_pids": [...], "database": "upr_bench"}           for the CPU accounting

For each endpoint in turn, every client thread loops GET requests on its own connection
(http.client; keep-alive when the server allows it, a new connection when it answers
`Connection: close`, as gunicorn's sync workers do), with its own session cookie and its own
coalition's path. The measured window, after the warm-up, counts the requests that complete
inside it: throughput = completions / window; latency runs from sending the request (including
the TCP connect when the server closed the previous connection) to reading the last byte of the
response. Bounded: by duration, by max_requests per endpoint, and by the socket timeout. Traffic
goes only to the configured host, which run.py sets to 127.0.0.1.

While the window runs, the machine's CPU is accounted from /proc: the gunicorn processes, the
PostgreSQL backends of the bench database, this client, and everything else ("other": a test
suite running beside the benchmark shows up there).
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
import time
from collections import Counter


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, round(pct / 100 * len(sorted_values) + 0.4999))
    return sorted_values[min(rank, len(sorted_values)) - 1]


CLOCK_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_snapshot(server_pids: list[int], database: str) -> dict[str, float] | None:
    """CPU seconds so far: the whole machine (busy), the server, this client, and the PostgreSQL
    backends serving `database` (another database's queries count as other work). Linux only."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
        busy = sum(fields[:8]) - fields[3] - fields[4]  # minus idle and iowait
        snapshot = {"machine": busy / CLOCK_TICK, "server": 0.0, "postgres": 0.0}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    raw = handle.read()
            except OSError:
                continue
            comm = raw[raw.index("(") + 1 : raw.rindex(")")]
            rest = raw[raw.rindex(")") + 2 :].split()
            seconds = (int(rest[11]) + int(rest[12])) / CLOCK_TICK  # utime + stime
            if int(entry) in server_pids:
                snapshot["server"] += seconds
            elif comm == "postgres":
                try:  # a backend's title: "postgres: 15/main: upr upr_bench 127.0.0.1(5678) idle"
                    with open(f"/proc/{entry}/cmdline", "rb") as handle:
                        title = handle.read().decode(errors="replace")
                except OSError:
                    continue
                if f" {database} " in title:
                    snapshot["postgres"] += seconds
        snapshot["client"] = time.process_time()
        return snapshot
    except (OSError, ValueError, IndexError):
        return None


class Worker(threading.Thread):
    def __init__(
        self,
        config: dict,
        client: dict,
        path: str,
        start_at: float,
        measure_from: float,
        stop_at: float,
        budget: list[int],
        lock: threading.Lock,
        cookies: dict[str, str],
        headers: dict | None = None,
    ) -> None:
        headers = headers or {}
        super().__init__(daemon=True)
        self.config, self.path = config, path
        self.cookies = cookies
        self.headers = {"User-Agent": "upr-bench", **headers}
        self.start_at, self.measure_from, self.stop_at = start_at, measure_from, stop_at
        self.budget, self.lock = budget, lock
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()
        self.bytes = 0
        self.connections = 0

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def keep_cookies(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            name, _, value = line.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()

    def connect(self) -> http.client.HTTPConnection:
        self.connections += 1
        return http.client.HTTPConnection(self.config["host"], self.config["port"], timeout=self.config["timeout"])

    def run(self) -> None:
        conn = self.connect()
        while time.perf_counter() < self.start_at:
            time.sleep(0.0005)
        while True:
            started = time.perf_counter()
            if started >= self.stop_at:
                break
            with self.lock:
                if self.budget[0] <= 0:
                    break
                self.budget[0] -= 1
            try:
                conn.request("GET", self.path, headers={**self.headers, "Cookie": self.cookie_header()})
                response = conn.getresponse()
                body = response.read()
                self.keep_cookies(response.headers.get_all("Set-Cookie") or [])
                status = response.status
                if response.will_close:  # gunicorn sync workers: one request per connection
                    conn.close()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = self.connect()
                status, body = None, b""
                kind = type(error).__name__
            ended = time.perf_counter()
            if not self.measure_from <= ended <= self.stop_at:
                continue  # counted by completion time: throughput = completions / window, unbiased
            self.latencies.append(ended - started)
            self.bytes += len(body)
            if status is None:
                self.errors[kind] += 1
            else:
                self.statuses[status] += 1
        conn.close()


def endpoint_path(endpoint: dict, client: dict, index: int) -> str:
    """The client's URL: its coalition's slug, and for endpoints with variants (different searches)
    the variant of this client, so that 20 clients send 20 different queries over and over."""
    variants = endpoint.get("variants") or [""]
    return endpoint["path"].format(
        slug=client["slug"],
        document=client.get("document", 0),
        engagement=client.get("engagement", 0),
        variant=variants[index % len(variants)],
    )


# Each client keeps its cookies as a browser does, over every endpoint and round of the run (the CSRF
# cookie: the document page is kept per browser, and a client without it would be a new browser each time).
# One jar per client and session: an endpoint that logs its clients in as other people (run.py's matrix)
# has browsers of its own.
COOKIE_JARS: dict[tuple[int, str], dict[str, str]] = {}


def run_endpoint(config: dict, endpoint: dict) -> dict:
    lock = threading.Lock()
    budget = [config["max_requests"]]
    now = time.perf_counter()
    start_at = now + 0.2  # every thread starts together
    measure_from = start_at + config["warmup"]
    stop_at = measure_from + config["duration"]
    clients = [{**client, **endpoint["client"]} if endpoint.get("client") else client for client in config["clients"]]
    workers = [
        Worker(
            config,
            client,
            endpoint_path(endpoint, client, i),
            start_at,
            measure_from,
            stop_at,
            budget,
            lock,
            COOKIE_JARS.setdefault(
                (i, client["session_key"]), {config["cookie_name"]: client["session_key"], **client.get("cookies", {})}
            ),
            endpoint.get("headers"),
        )
        for i, client in enumerate(clients)
    ]
    for worker in workers:
        worker.start()
    time.sleep(max(0.0, measure_from - time.perf_counter()))
    before = cpu_snapshot(config.get("server_pids", []), config.get("database", ""))
    time.sleep(max(0.0, stop_at - time.perf_counter()))
    after = cpu_snapshot(config.get("server_pids", []), config.get("database", ""))
    for worker in workers:
        worker.join(timeout=stop_at - time.perf_counter() + config["timeout"] + 5)
    latencies = sorted(x for w in workers for x in w.latencies)
    statuses: Counter = sum((w.statuses for w in workers), Counter())
    errors: Counter = sum((w.errors for w in workers), Counter())
    window = config["duration"]
    requests = len(latencies)
    ok = statuses.get(200, 0)
    cpu = None
    if before and after:
        # Share of the machine's cores, in %, over the measured window.
        used = {k: (after[k] - before[k]) / window * 100 for k in before}
        used["other"] = max(0.0, used["machine"] - used["server"] - used["postgres"] - used["client"])
        used["cores"] = os.cpu_count() or 1
        cpu = used
    return {
        "latencies": latencies,
        "name": endpoint["name"],
        "cpu": cpu,
        "path": endpoint["path"],
        "requests": requests,
        "ok": ok,
        "errors": requests - ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "exceptions": dict(errors),
        "p50_ms": (percentile(latencies, 50) or 0) * 1000,
        "p95_ms": (percentile(latencies, 95) or 0) * 1000,
        "p99_ms": (percentile(latencies, 99) or 0) * 1000,
        "max_ms": (latencies[-1] if latencies else 0) * 1000,
        "throughput": requests / window,
        "kib_per_response": (sum(w.bytes for w in workers) / requests / 1024) if requests else 0,
        "connections": sum(w.connections for w in workers),
        "budget_exhausted": budget[0] <= 0,
        "clients": len(workers),
        "seconds": window,
    }


def merge(parts: list[dict]) -> dict:
    """One endpoint's turns as one result: requests and seconds add up, percentiles over all latencies."""
    latencies = sorted(x for part in parts for x in part["latencies"])
    seconds = sum(part["seconds"] for part in parts)
    requests = len(latencies)
    statuses: Counter = sum((Counter(part["statuses"]) for part in parts), Counter())
    exceptions: Counter = sum((Counter(part["exceptions"]) for part in parts), Counter())
    cpus = [part["cpu"] for part in parts if part["cpu"]]
    cpu = None
    if len(cpus) == len(parts):  # average share of the cores over the turns, weighted by their length
        cpu = {k: sum(c[k] * p["seconds"] for c, p in zip(cpus, parts, strict=True)) / seconds for k in cpus[0] if k != "cores"}
        cpu["cores"] = cpus[0]["cores"]
    first = parts[0]
    return {
        "name": first["name"],
        "path": first["path"],
        "cpu": cpu,
        "requests": requests,
        "ok": sum(part["ok"] for part in parts),
        "errors": sum(part["errors"] for part in parts),
        "statuses": dict(statuses),
        "exceptions": dict(exceptions),
        "p50_ms": (percentile(latencies, 50) or 0) * 1000,
        "p95_ms": (percentile(latencies, 95) or 0) * 1000,
        "p99_ms": (percentile(latencies, 99) or 0) * 1000,
        "max_ms": (latencies[-1] if latencies else 0) * 1000,
        "throughput": requests / seconds if seconds else 0,
        "kib_per_response": (sum(p["kib_per_response"] * p["requests"] for p in parts) / requests) if requests else 0,
        "connections": sum(part["connections"] for part in parts),
        "budget_exhausted": any(part["budget_exhausted"] for part in parts),
        "clients": first["clients"],
        "seconds": seconds,
    }


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        config = json.load(handle)
    if config["host"] not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("The benchmark client only talks to the local machine.")
    started = time.process_time()
    # Endpoints take turns, round after round, so that a slow spell of this (virtual) machine weighs
    # on the trivial view and the pages alike, and their ratio stays fair.
    rounds = max(1, int(config.get("rounds", 1)))
    turn = {**config, "duration": config["duration"] / rounds, "warmup": config["warmup"] / rounds}
    runs: dict[str, list[dict]] = {e["name"]: [] for e in config["endpoints"]}
    for _ in range(rounds):
        for endpoint in config["endpoints"]:
            runs[endpoint["name"]].append(run_endpoint(turn, endpoint))
    results = [merge(parts) for parts in runs.values()]
    json.dump({"results": results, "client_cpu_seconds": time.process_time() - started}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
