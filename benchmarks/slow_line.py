"""Slow connections: the first load of each main page on a 400 kbit/s line with 400 ms of latency,
in headless Chromium, served as deployed.

    .venv/bin/python benchmarks/slow_line.py            # about two minutes (the first run: one more for the data)
    .venv/bin/python benchmarks/slow_line.py --only document --no-baseline

Targets (the issue "Français, español, and a phone on a slow line"): the first load of each main page
under 100 KB transferred, and working in under 3 s; nothing loaded from a third-party host.

Served as deployed: production's settings (`hub.settings.production`: WhiteNoise's manifest storage,
GZipMiddleware) with collectstatic run first into a temporary STATIC_ROOT (hashed names, .gz and .br
beside each file; the apps' static folders that no measured page uses are left out: UNUSED_STATIC), by production's command (`uvicorn hub.asgi:application --ws websockets-sansio`, as
the Dockerfile; live_common.Server), on a PostgreSQL database of its own (`upr_bench_slowline`, made and
migrated once, then kept: live_common) and a Redis database claimed for the run (the channel layer
and the cache, as in production). `SECURE_SSL_REDIRECT=false`: plain HTTP on 127.0.0.1.

The data, made once through the services (live_seed.py's functions, then kept): coalition `slow-line`
with its engagement in Slovenia's review of session 48, the maximum-length joint submission (12
sections, 5,630 counted words, 150 footnotes, a 250-row annex table: benchmarks/wordcount.py), the
review's 254 recommendations (OHCHR's Word list) and the implementation matrix of them, one assessment
per row. Every page is opened by the coalition's admin (who sees the most on each page), the home and
login pages by a visitor.

Each load: a new browser context (empty cache, no cookies but the session, empty IndexedDB: a first
visit), the page's network throttled through the DevTools protocol (`Network.emulateNetworkConditions`:
latency 400 ms, download and upload 50,000 bytes/s), then, from its events:

* bytes: the sum of `encodedDataLength` of every response (what came over the wire: headers and the
  compressed body), to the load event and in all (once the network is quiet; the document page: once
  its live editor is editable); the WebSocket's frames apart (their payloads, before the socket's own
  compression: CDP does not give their wire size);
* requests: HTTP requests (a `data:` URL is none), and WebSockets;
* times in the page's clock (ms from navigation start): DOMContentLoaded and the load event; on the
  document page also when a section's text is shown (the first animation frame with it in the
  DOM and every stylesheet applied) and when the live editor accepts input (every text this person
  may write has its editor, synced with the server and editable);
* every URL's host: anything but the server's is a failure (printed, and the script exits 1).

Baselines in the same run: each page again without compression (`Accept-Encoding: identity` on every
request, through `Network.setExtraHTTPHeaders`), and the trivial view `/health/`.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# A database of this benchmark's own (live_common reads the name when imported).
os.environ.setdefault("BENCH_LIVE_DATABASE", "upr_bench_slowline")

from benchmarks import live_common as common  # noqa: E402

SLUG = "slow-line"
LATENCY_MS = 400
BYTES_PER_SECOND = 50_000  # 400 kbit/s
TARGET_BYTES = 100_000  # 100 KB
TARGET_MS = 3000.0
QUIET_MS = 800  # the network is quiet when no request has been in flight this long
# Static folders of apps that no measured page loads (the admin's, the API docs', DRF's browsable API,
# django-htmx's copies of htmx): left out of collectstatic, whose Brotli compression of them takes
# 20-70 s here (--all-static collects them too). A page that needed one would answer 500 without it
# (the manifest storage), which the run checks before measuring.
UNUSED_STATIC = ("admin", "drf_spectacular_sidecar", "rest_framework", "django_htmx")

# In every page, from its first script on: when a section's text is shown (the first animation frame
# with a live text holding text in the DOM, and every stylesheet that applies loaded; the summary,
# first, may be empty).
INSTRUMENT = """(() => {
  const t = window.__slow = {text: null, lcp: null, api: null};
  const styled = () => Array.from(document.querySelectorAll('link[rel="stylesheet"]'))
    .every((link) => link.sheet || !window.matchMedia(link.media || 'all').matches);
  const poll = () => {
    const texts = document.querySelectorAll('.live-text');
    if (Array.from(texts).some((e) => e.textContent.trim()) && styled()) { t.text = performance.now(); return; }
    if (document.readyState !== 'complete' || document.querySelector('#live-document')) requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
  // The editor's bundle evaluated: the loader's stand-in (loading: true) replaced by the real API.
  const api = () => {
    if (window.UPRLiveEditor && !window.UPRLiveEditor.loading) { t.api = performance.now(); return; }
    if (document.readyState !== 'complete' || document.querySelector('#live-document')) requestAnimationFrame(api);
  };
  requestAnimationFrame(api);
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) t.lcp = e.startTime; })
      .observe({type: 'largest-contentful-paint', buffered: true});
  } catch (error) { /* no LCP */ }
})();"""
TIMING = r"""() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const bundle = performance.getEntriesByType('resource').find((e) => /\/live-editor\.[0-9a-f]+\.js$/.test(e.name));
  return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, fcp: fcp ? fcp.startTime : null,
          bundle_start: bundle ? bundle.startTime : null, bundle_end: bundle ? bundle.responseEnd : null,
          api: window.__slow ? window.__slow.api : null,
          text: window.__slow ? window.__slow.text : null, lcp: window.__slow ? window.__slow.lcp : null,
          html_bytes: nav.encodedBodySize, html_decoded: nav.decodedBodySize};
}"""
# The live editor accepts input: connected, synced, and every text this person may write editable.
EDITABLE = """() => {
  const live = window.UPRLiveEditor;
  if (!live || !live.rooms || !live.connected() || !live.synced()) return false;
  for (const element of document.querySelectorAll('.live-text[data-editable="1"]')) {
    const entry = live.rooms[element.dataset.room];
    if (!entry || !entry.editor || !entry.editor.isEditable) return false;
  }
  return performance.now();
}"""


def say(message: str) -> None:
    print(f"[slow-line] {message}", flush=True)


# --- the data (run in a subprocess with Django: `slow_line.py --seed`) ------------------------------


def seed() -> None:
    """The coalition, the maximum-length submission, the review's recommendations and the matrix, made
    once through the services; sessions for the admin, new each run. Prints one JSON object."""
    import datetime as dt

    import django

    django.setup()
    from django.db import transaction

    from benchmarks.live_seed import build_maxdoc, coalition_with_people, describe, session_of
    from benchmarks.seed import MATRIX_LIST
    from implementation import services as implementation_services
    from implementation.models import Level, Light, Matrix, MatrixRow
    from recommendations.file_import import import_file
    from recommendations.models import Recommendation

    coalition, admin_m, organisation, engagement, group, _editors = coalition_with_people(SLUG, 1)
    document, built = build_maxdoc(coalition, admin_m, organisation, engagement, group)
    review = engagement.review
    if not Recommendation.objects.filter(review=review).exists():
        with transaction.atomic(), MATRIX_LIST.open("rb") as handle:
            import_file(handle, name=MATRIX_LIST.name, review=review)
    if not Matrix.objects.filter(engagement=engagement).exists():
        with transaction.atomic():
            matrix = implementation_services.matrix_build(engagement=engagement, actor=admin_m.user, scheme="ohchr")
            levels, lights = list(Level.values), list(Light.values)
            for n, row in enumerate(MatrixRow.objects.filter(matrix=matrix).order_by("pk")):
                implementation_services.assessment_add(
                    row=row,
                    membership=admin_m,
                    data={
                        "assessed_on": dt.date(2026, 6, 1),
                        "law": levels[n % 4],
                        "policy": levels[(n + 1) % 4],
                        "practice": levels[(n + 2) % 4],
                        "light": lights[n % len(lights)],
                        "narrative": "The ministry adopted an action plan; its budget is not yet allocated.",
                    },
                )
    out = {
        "slug": coalition.slug,
        "engagement": engagement.pk,
        **describe(document),
        "built_seconds": round(built, 2),
        "recommendations": Recommendation.objects.filter(review=review).count(),
        "admin": session_of(admin_m.user),
    }
    print(json.dumps(out))


# --- one load ----------------------------------------------------------------------------------------


class Load:
    """One page opened in a fresh context on the throttled line; its network seen through CDP."""

    def __init__(self, browser, origin: str, path: str, session: str | None, *, compressed: bool) -> None:
        self.origin, self.path, self.compressed = origin, path, compressed
        self.host = urlsplit(origin).netloc
        self.context = browser.new_context()
        if session:
            self.context.add_cookies([{"name": "sessionid", "value": session, "url": origin}])
        self.context.add_init_script(INSTRUMENT)
        self.page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)
        self.requests: dict[str, dict] = {}  # requestId -> {url, bytes, done, encoding, at}
        self.sockets: list[dict] = []
        self.foreign: list[str] = []
        self.last_activity = time.monotonic()
        self.load_at: float | None = None  # the load event, in CDP's monotonic clock (as loadingFinished's)
        self.started_at: float | None = None  # the document's request, in that clock
        self.ws_times: dict[str, float] = {}  # the socket's handshake and its last SYNC_STEP2, in that clock
        for event, handler in (
            ("Page.loadEventFired", self._on_load),
            ("Network.webSocketWillSendHandshakeRequest", self._ws_handshake_sent),
            ("Network.requestWillBeSent", self._sent),
            ("Network.responseReceived", self._response),
            ("Network.loadingFinished", self._finished),
            ("Network.loadingFailed", self._failed),
            ("Network.webSocketCreated", self._ws_created),
            ("Network.webSocketHandshakeResponseReceived", self._ws_handshake),
            ("Network.webSocketFrameReceived", self._ws_received),
            ("Network.webSocketFrameSent", self._ws_sent),
        ):
            self.cdp.on(event, handler)
        self.cdp.send("Network.enable")
        self.cdp.send("Page.enable")
        self.cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": LATENCY_MS,
                "downloadThroughput": BYTES_PER_SECOND,
                "uploadThroughput": BYTES_PER_SECOND,
            },
        )
        if not compressed:
            self.cdp.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": "identity"}})

    def _check_host(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return False
        if parts.netloc != self.host:
            self.foreign.append(url)
        return True

    def _sent(self, event: dict) -> None:
        self.last_activity = time.monotonic()
        if not self._check_host(event["request"]["url"]):
            return
        if self.started_at is None:
            self.started_at = event["timestamp"]
        entry = self.requests.setdefault(
            event["requestId"],
            {
                "url": event["request"]["url"],
                "bytes": 0,
                "done": False,
                "encoding": None,
                "status": None,
                "sent_at": event["timestamp"],
                "finished_at": None,
            },
        )
        if "redirectResponse" in event:  # a redirect: a request of its own, under the same id
            entry["redirects"] = entry.get("redirects", 0) + 1

    def _response(self, event: dict) -> None:
        self.last_activity = time.monotonic()
        entry = self.requests.get(event["requestId"])
        if entry is not None:
            headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            entry["encoding"] = headers.get("content-encoding")
            entry["status"] = event["response"]["status"]
            entry["cache"] = headers.get("cache-control")

    def _finished(self, event: dict) -> None:
        self.last_activity = time.monotonic()
        entry = self.requests.get(event["requestId"])
        if entry is not None:
            entry["bytes"] = int(event.get("encodedDataLength", 0))
            entry["done"] = True
            entry["finished_at"] = event["timestamp"]

    def _failed(self, event: dict) -> None:
        self.last_activity = time.monotonic()
        entry = self.requests.get(event["requestId"])
        if entry is not None:
            entry["done"] = True
            entry["failed"] = event.get("errorText", "failed")

    def _ws_created(self, event: dict) -> None:
        self.last_activity = time.monotonic()
        self._check_host(event["url"])
        self.sockets.append({"url": event["url"], "received": 0, "sent": 0, "frames": 0, "extensions": None, "payloads": []})

    def _ws_handshake_sent(self, event: dict) -> None:
        self.ws_times.setdefault("handshake_sent", event["timestamp"])

    def _ws_handshake(self, event: dict) -> None:
        self.ws_times.setdefault("open", event["timestamp"])
        if self.sockets:
            headers = {k.lower(): v for k, v in event["response"].get("headers", {}).items()}
            self.sockets[-1]["extensions"] = headers.get("sec-websocket-extensions")

    @staticmethod
    def _payload(frame: dict) -> bytes:
        data = frame.get("payloadData", "")
        return base64.b64decode(data) if frame.get("opcode") == 2 else data.encode()

    def _ws_received(self, event: dict) -> None:
        if self.sockets:
            payload = self._payload(event["response"])
            self.sockets[-1]["received"] += len(payload)
            self.sockets[-1]["frames"] += 1
            self.sockets[-1]["payloads"].append(payload)
            if event["response"].get("opcode") == 2 and payload[:1] == b"\x01":  # SYNC_STEP2 (PROTOCOL.md)
                self.ws_times["last_step2"] = event["timestamp"]

    def _ws_sent(self, event: dict) -> None:
        if self.sockets:
            self.sockets[-1]["sent"] += len(self._payload(event["response"]))

    def _on_load(self, event: dict) -> None:
        self.load_at = event["timestamp"]

    def before_load(self) -> list[dict]:
        """The requests made before the load event and finished by then (what the load event waited for)."""
        at = self.load_at if self.load_at is not None else float("inf")
        return [
            e for e in self.requests.values() if e["sent_at"] <= at and e["finished_at"] is not None and e["finished_at"] <= at
        ]

    def bytes_so_far(self) -> int:
        return sum(entry["bytes"] for entry in self.requests.values())

    def in_flight(self) -> int:
        return sum(1 for entry in self.requests.values() if not entry["done"])

    def wait_quiet(self, timeout: float = 120) -> None:
        """Until no HTTP request has been in flight for QUIET_MS (what the page fetches after its load
        event counts too)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(100)  # lets Playwright dispatch the CDP events
            if self.in_flight() == 0 and (time.monotonic() - self.last_activity) * 1000 >= QUIET_MS:
                return
        raise SystemExit(f"[slow-line] {self.path}: the network never went quiet ({self.in_flight()} in flight)")

    def run(self, *, editor: bool) -> dict:
        started = time.monotonic()
        self.page.goto(self.origin + self.path, wait_until="load", timeout=180_000)
        status_at_load = self.page.evaluate(
            "() => { const e = document.querySelector('.live-status'); return e ? e.textContent : null; }"
        )
        editable = None
        if editor:
            editable = self.page.wait_for_function(EDITABLE, timeout=180_000, polling="raf").json_value()
        self.wait_quiet()
        timing = self.page.evaluate(TIMING)
        # The socket's steps in the page's clock, about (CDP's clock from the document's request).
        for key, at in self.ws_times.items():
            timing[f"ws_{key}"] = (at - self.started_at) * 1000 if self.started_at is not None else None
        failed = [e["url"] for e in self.requests.values() if e.get("failed") or (e["status"] or 0) >= 400]
        result = {
            **timing,
            "editable": editable,
            "status_at_load": status_at_load,
            "bytes_at_load": sum(e["bytes"] for e in self.before_load()),
            "bytes": self.bytes_so_far(),
            "requests_at_load": len(self.before_load()),
            "requests": len(self.requests),
            "ws": len(self.sockets),
            "ws_received": sum(s["received"] for s in self.sockets),
            "ws_sent": sum(s["sent"] for s in self.sockets),
            "ws_frames": sum(s["frames"] for s in self.sockets),
            "ws_wire": sum(deflated_size(s["payloads"]) if s["extensions"] else s["received"] for s in self.sockets),
            "ws_extensions": next((s["extensions"] for s in self.sockets if s["extensions"]), None),
            "foreign": list(self.foreign),
            "failed": failed,
            "wall": time.monotonic() - started,
            "by_url": {urlsplit(e["url"]).path: [e["bytes"], e["encoding"], e.get("cache")] for e in self.requests.values()},
        }
        return result

    def close(self) -> None:
        self.context.close()


def deflated_size(payloads: list[bytes]) -> int:
    """About what the server's frames weigh on the wire with permessage-deflate (CDP gives their payloads
    only): each compressed as uvicorn's websockets-sansio does (window 2^12, memLevel 5, one compressor
    for the connection, a sync flush per message, its last 4 bytes dropped), plus the frame's header."""
    import zlib

    encoder = zlib.compressobj(wbits=-12, memLevel=5)
    total = 0
    for payload in payloads:
        size = len(encoder.compress(payload) + encoder.flush(zlib.Z_SYNC_FLUSH)) - 4
        total += size + (2 if size < 126 else 4 if size < 65536 else 10)
    return total


# --- the run ------------------------------------------------------------------------------------------


def pages(seeded: dict) -> list[dict]:
    c, e, d = f"/c/{seeded['slug']}", seeded["engagement"], seeded["document"]
    return [
        {"name": "home (visitor)", "path": "/", "who": None},
        {"name": "login", "path": "/accounts/login/", "who": None},
        {"name": "dashboard", "path": f"{c}/", "who": "admin"},
        {"name": "documents", "path": f"{c}/engagements/{e}/documents/", "who": "admin"},
        {"name": "document (live editor)", "path": f"{c}/documents/{d}/", "who": "admin", "editor": True},
        {"name": "recommendations", "path": f"{c}/recommendations/", "who": "admin"},
        {"name": "implementation matrix", "path": f"{c}/engagements/{e}/matrix/", "who": "admin"},
        {"name": "engagement", "path": f"{c}/engagements/{e}/", "who": "admin"},
        {"name": "people", "path": f"{c}/members/", "who": "admin"},
        {"name": "UPR calendar", "path": "/calendar/", "who": "admin"},
    ]


def kb(n: float | None) -> str:
    return "-" if n is None else f"{n / 1000:.1f}"


def ms(n: float | None) -> str:
    return "-" if n is None else f"{n:,.0f}"


def median(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def median_of(rows: list[dict], key: str) -> float:
    """median() of a value that every load records (its bytes, its load event), so never None for rows."""
    value = median(rows, key)
    assert value is not None, key
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", default=[], help="only the pages whose name contains this (repeatable)")
    parser.add_argument("--loads", type=int, default=1, help="loads of each page, each way (median; default 1)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the uncompressed loads")
    parser.add_argument("--fresh", action="store_true", help=f"drop and remake {common.DB_NAME} first")
    parser.add_argument(
        "--all-static", action="store_true", help="collect every app's static files, as the image does (20-70 s more here)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)  # internal: the data step
    args = parser.parse_args()
    if args.seed:
        seed()
        return 0

    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    common.ensure_database(fresh=args.fresh)
    seeded = json.loads(
        common.run_step("seed", [common.PYTHON, __file__, "--seed"], common.bench_env(redis_url=None)).strip().splitlines()[-1]
    )
    say(
        f"document {seeded['document']}: {seeded['sections']} sections, {seeded['counted_words']} words, "
        f"{seeded['footnotes']} footnotes; {seeded['recommendations']} recommendations in the matrix"
    )
    chosen = [p for p in pages(seeded) if not args.only or any(o in p["name"] for o in args.only)]
    results: dict[str, dict[str, list[dict]]] = {p["name"]: {"compressed": [], "identity": []} for p in chosen}
    health: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="upr-slow-line-") as folder, common.claimed_redis() as redis_url:
        env = common.bench_env(
            redis_url=redis_url,
            settings="hub.settings.production",
            STATIC_ROOT=str(Path(folder) / "static"),
            SECURE_SSL_REDIRECT="false",
        )
        collect = time.perf_counter()
        ignore = [] if args.all_static else [arg for name in UNUSED_STATIC for arg in ("-i", name)]
        common.run_step(
            "collectstatic (production storage: hashed, .gz and .br)",
            [common.PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0", *ignore],
            env,
        )
        say(f"collectstatic took {time.perf_counter() - collect:.0f} s")
        server = common.Server(env, workers=1, log_path=Path(folder) / "uvicorn.log")
        try:
            server.wait_ready()
            cookie = f"sessionid={seeded['admin']}"
            for page in chosen:
                status, _headers, _body = common.get(server.port, page["path"], cookie if page["who"] else None)
                if status != 200:
                    raise SystemExit(f"[slow-line] GET {page['path']}: {status}")
            with sync_playwright() as playwright:
                browser = common.launch_chromium(playwright)
                try:
                    # Warm-up, not measured: the server's first render of each page and the browser's start.
                    for page in chosen:
                        load = Load(
                            browser, server.origin, page["path"], seeded["admin"] if page["who"] else None, compressed=True
                        )
                        load.cdp.send(
                            "Network.emulateNetworkConditions",
                            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
                        )
                        load.run(editor=bool(page.get("editor")))
                        load.close()
                    for n in range(args.loads):
                        ways = ["compressed"] if args.no_baseline else ["compressed", "identity"]
                        for page in chosen:
                            for way in ways if n % 2 == 0 else ways[::-1]:
                                load = Load(
                                    browser,
                                    server.origin,
                                    page["path"],
                                    seeded["admin"] if page["who"] else None,
                                    compressed=way == "compressed",
                                )
                                try:
                                    results[page["name"]][way].append(load.run(editor=bool(page.get("editor"))))
                                finally:
                                    load.close()
                                last = results[page["name"]][way][-1]
                                say(
                                    f"{page['name']}, {way}: {kb(last['bytes_at_load'])} kB to the load event at "
                                    f"{ms(last['load'])} ms; {kb(last['bytes'])} kB in all"
                                    + (f"; editor editable at {ms(last['editable'])} ms" if last["editable"] else "")
                                )
                        health_load = Load(browser, server.origin, "/health/", None, compressed=True)
                        try:
                            health.append(health_load.run(editor=False))
                        finally:
                            health_load.close()
                finally:
                    browser.close()
        finally:
            server.stop()
        server_errors = server.log_errors("/tmp/upr-slow-line-uvicorn.log")

    return report(results, health, chosen, args, server_errors, started)


def report(
    results: dict, health: list[dict], chosen: list[dict], args: argparse.Namespace, server_errors: list[str], started: float
) -> int:
    print()
    print(
        f"First load of each page, cold cache, Chromium throttled to {BYTES_PER_SECOND * 8 // 1000} kbit/s down and up "
        f"with {LATENCY_MS} ms latency; served as deployed (production settings, collectstatic, uvicorn). "
        f"{args.loads} load(s) each way; median."
    )
    print(
        "kB = 1,000 bytes over the wire (headers + body, as encoded); ms from navigation start; "
        "baseline = the same page with Accept-Encoding: identity;"
    )
    print(
        "kB@load: the responses the load event waited for; kB all: every response once the network is quiet "
        "(the document: once its editor is editable); WS ~kB: the WebSocket's frames received, about (see below)."
    )
    header = (
        f"{'page':<24} {'way':<10} {'req':>4} {'kB@load':>8} {'kB all':>8} {'DCL':>7} {'load':>7} "
        f"{'text':>7} {'editable':>8} {'WS ~kB':>7}  {'< 100 KB':>9} {'< 3 s':>6}"
    )
    print(header)
    print("-" * len(header))
    lines: list[str] = []
    worst_foreign: list[str] = []
    for page in chosen:
        for way in ("compressed", "identity"):
            rows = results[page["name"]][way]
            if not rows:
                continue
            for row in rows:
                worst_foreign += row["foreign"]
            at_load, everything = median(rows, "bytes_at_load"), median(rows, "bytes")
            load_ms, editable = median(rows, "load"), median(rows, "editable")
            ws = median(rows, "ws_wire")
            bytes_met = (
                "yes"
                if everything is not None and everything < TARGET_BYTES
                else ("load only" if at_load is not None and at_load < TARGET_BYTES else "no")
            )
            time_met = "yes" if load_ms is not None and load_ms < TARGET_MS else "no"
            print(
                f"{page['name'][:24]:<24} {way:<10} {median(rows, 'requests') or 0:>4.0f} {kb(at_load):>8} "
                f"{kb(everything):>8} {ms(median(rows, 'dcl')):>7} {ms(load_ms):>7} {ms(median(rows, 'text')):>7} "
                f"{ms(editable):>8} {kb(ws) if rows[0]['ws'] else '-':>7}  "
                f"{bytes_met if way == 'compressed' else '':>9} {time_met if way == 'compressed' else '':>6}"
            )
        compressed, identity = results[page["name"]]["compressed"], results[page["name"]]["identity"]
        if compressed and identity:
            ratio_bytes = median_of(identity, "bytes") / median_of(compressed, "bytes")
            ratio_load = median_of(identity, "load") / median_of(compressed, "load")
            lines.append(
                f"{page['name']}: compression divides the bytes by {ratio_bytes:.1f} and the time to the load "
                f"event by {ratio_load:.1f}"
            )
        if compressed and compressed[0].get("editable"):
            row = compressed[0]
            at_load, load_ms = median_of(compressed, "bytes_at_load"), median_of(compressed, "load")
            total, editable = median_of(compressed, "bytes") + median_of(compressed, "ws_wire"), median_of(compressed, "editable")
            lines.append(
                f"{page['name']}: VERDICT: to its load event {kb(at_load)} kB in {ms(load_ms)} ms ("
                + ("met" if at_load < TARGET_BYTES and load_ms < TARGET_MS else "missed")
                + f"); its live editor editable after {kb(total)} kB (WebSocket included, about) at "
                f"{ms(editable)} ms (" + ("met" if total < TARGET_BYTES and editable < TARGET_MS else "missed") + ")"
            )
            largest = sorted(row["by_url"].items(), key=lambda item: -item[1][0])[:4]
            lines.append(
                f"{page['name']}: text shown at {ms(median(compressed, 'text'))} ms, LCP "
                f"{ms(median(compressed, 'lcp'))} ms; status line at the load event: {row['status_at_load']!r}; "
                f"editor bundle requested at {ms(median(compressed, 'bundle_start'))} ms, received at "
                f"{ms(median(compressed, 'bundle_end'))} ms, evaluated at {ms(median(compressed, 'api'))} ms; "
                f"WebSocket asked for at {ms(median(compressed, 'ws_handshake_sent'))} ms, open at "
                f"{ms(median(compressed, 'ws_open'))} ms, last room's SYNC_STEP2 at "
                f"{ms(median(compressed, 'ws_last_step2'))} ms; "
                f"editor editable at {ms(median(compressed, 'editable'))} ms; "
                f"WebSocket: {row['ws_frames']} frames received, {kb(row['ws_received'])} kB of payload, "
                f"about {kb(row['ws_wire'])} kB on the wire, {kb(row['ws_sent'])} kB of payload sent "
                f"(extensions: {row['ws_extensions'] or 'none'}); "
                "largest responses: "
                + ", ".join(f"{path} {kb(size)} kB ({encoding or 'identity'})" for path, (size, encoding, _c) in largest)
            )
    if health:
        print(
            f"{'/health/ (trivial view)':<24} {'compressed':<10} {median(health, 'requests') or 0:>4.0f} "
            f"{kb(median(health, 'bytes_at_load')):>8} {kb(median(health, 'bytes')):>8} {ms(median(health, 'dcl')):>7} "
            f"{ms(median(health, 'load')):>7}"
        )
    failed = sorted({url for page in results.values() for rows in page.values() for row in rows for url in row["failed"]})
    print()
    for line in lines:
        print(line)
    if failed:
        print("requests that failed or answered >= 400: " + ", ".join(failed))
    for line in server_errors:
        print(line)
    if worst_foreign:
        print("REQUESTS TO ANOTHER HOST THAN THE SERVER: " + ", ".join(sorted(set(worst_foreign))))
    else:
        print("Every request of every load went to the server itself: nothing from a third-party host.")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "health": health}, indent=1))
    print(f"\n({time.perf_counter() - started:.0f} s in all; load average at the end {common.load_average()})")
    return 1 if worst_foreign else 0


if __name__ == "__main__":
    sys.exit(main())
