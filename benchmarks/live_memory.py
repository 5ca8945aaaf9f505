"""Live editor, (b): 200 documents open with 2 editors each on ONE ASGI process: memory and CPU.

    .venv/bin/python benchmarks/live_memory.py        # about 90 s, plus the data the first time (~1 min)

One `uvicorn hub.asgi:application --ws websockets-sansio --workers 1` process on the scratch database and
a Redis channel layer of its own (live_common.py). The data (live_seed.py `memory`): 200 maximum-length
joint submissions (12 sections, 5,630 words, 150 footnotes; 13 rooms each with the summary) in the
coalition "live-memory", the first built with the services, the others copies of its rows; 400 editors,
all in the working group that writes every section. Editors are real WebSockets (`websockets`) with the
Python client of PROTOCOL.md (submissions.live.client), all in this process.

Steps, each measured on the server process (/proc: VmRSS, and utime + stime of all its threads):

1. **Idle baseline**: the server after a warm-up (one editor opened one document, synced, typed a
   character and left, so that every module the live editor needs is loaded and the first render is
   done), with no connection: RSS, and CPU over `--idle` seconds.
2. **Open**: 400 editors connect (20 at a time), each joins its document's 13 rooms and syncs them, as a
   browser does (the server sends each room's whole state). Time and server CPU per room synced.
3. **Held open**: after a settle, RSS with the 400 connections open (the growth over the idle RSS,
   divided by 200 documents and by 400 connections), and CPU over `--idle` seconds with them open
   and nobody typing.
4. **Updates**: each editor types `--keystrokes` characters (3 by default) at random moments over
   `--seconds` seconds, each keystroke an UPDATE and an AWARENESS as Chromium sends them (see
   live_open.py), in its own paragraph of a section of its document. Server CPU per keystroke, from the
   first keystroke until every text typed in is rendered (LIVE_RENDER_PAUSE, 2 s after the last change,
   then the render: its cost is part of the figure), and the relay latency to the document's other editor.
5. **Closed**: RSS after every editor left (what the process keeps).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import live_common as common
from benchmarks.live_common import ms, say
from benchmarks.live_relay import typer


def rss_sample(pid: int, seconds: float = 2.0) -> int:
    """The process's RSS (KiB), the largest of a few samples over `seconds` (it moves a little)."""
    values = []
    end = time.monotonic() + seconds
    while True:
        values.append(common.rss_kib(pid))
        if time.monotonic() >= end:
            return max(values)
        time.sleep(0.25)


async def idle_window(server: common.Server, seconds: float) -> dict:
    window = common.CpuWindow(server.pids).start()
    await asyncio.sleep(seconds)
    return window.stop()


async def scenario(server: common.Server, seeded: dict, args: argparse.Namespace) -> dict:
    from submissions.live import protocol

    pid = server.serving_pid()
    slug = seeded["slug"]
    documents = seeded["documents"][: args.documents]
    sessions = seeded["editors"]
    rng = random.Random(11)
    out: dict = {}

    # Who is where: editors 2d and 2d+1 (and so on) in document d; each types in its own paragraph of a section.
    plan = []
    for d, doc in enumerate(documents):
        for e in range(args.per_document):
            rooms = doc["rooms"]
            plan.append(
                {
                    "doc": doc["document"],
                    "rooms": rooms,
                    "session": sessions[d * args.per_document + e],
                    "room": rooms[(d + e) % (len(rooms) - 1)],
                    "paragraph": 1 + e,
                }
            )

    # 1. Warm-up, then the idle baseline.
    warm = plan[0]
    sock = await common.Socket.open(server, f"/ws/c/{slug}/documents/{warm['doc']}/live/", warm["session"])
    await sock.join(warm["rooms"])
    await sock.wait_synced()
    _seq, frame = sock.client.update_frame(warm["room"], sock.client.rooms[warm["room"]].edit(typer(warm["paragraph"], 0)))
    await sock.send(frame)
    await asyncio.sleep(0.5)
    await sock.close()
    await asyncio.to_thread(common.wait_rendered, warm["doc"])
    await asyncio.sleep(1.0)
    out["rss_idle"] = await asyncio.to_thread(rss_sample, pid)
    out["cpu_idle"] = await idle_window(server, args.idle)
    say(f"idle server: RSS {out['rss_idle'] / 1024:.1f} MiB; load average {common.load_average()}")

    # 2. Open: every editor connects, joins its document's rooms and syncs them.
    sockets: list[common.Socket | None] = [None] * len(plan)
    gate = asyncio.Semaphore(args.concurrency)

    async def open_one(i: int) -> None:
        entry = plan[i]
        async with gate:
            sock = await common.Socket.open(
                server, f"/ws/c/{slug}/documents/{entry['doc']}/live/", entry["session"], keep={entry["room"]}
            )
            await sock.join(entry["rooms"])
            await sock.wait_synced(timeout=120)
            sockets[i] = sock

    window = common.CpuWindow(server.pids).start()
    started = time.perf_counter()
    await asyncio.gather(*(open_one(i) for i in range(len(plan))))
    out["open_seconds"] = time.perf_counter() - started
    out["cpu_open"] = window.stop()
    out["rooms_synced"] = sum(len(e["rooms"]) for e in plan)
    say(
        f"{len(plan)} editors in {len(documents)} documents joined and synced {out['rooms_synced']} rooms in "
        f"{out['open_seconds']:.1f} s"
    )

    # 3. Held open, nobody typing.
    await asyncio.sleep(2.0)
    out["rss_open"] = await asyncio.to_thread(rss_sample, pid)
    out["cpu_open_idle"] = await idle_window(server, args.idle)
    say(f"{len(documents)} documents open: RSS {out['rss_open'] / 1024:.1f} MiB")

    # 4. Updates.
    latencies: list[float] = []
    acks: list[float] = []
    sent_updates: dict[bytes, float] = {}
    sent_acks: list[dict[int, float]] = [{} for _ in plan]

    def on_binary(i: int):
        def handle(kind: int, room: str, payload, at: float) -> None:
            if kind == protocol.UPDATE and payload in sent_updates:
                latencies.append(at - sent_updates[payload])
            elif kind == protocol.ACK and payload in sent_acks[i]:
                acks.append(at - sent_acks[i].pop(payload))

        return handle

    for i, opened in enumerate(sockets):
        assert opened is not None
        opened.on_binary = on_binary(i)

    counts = {"keystrokes": 0}

    async def type_some(i: int) -> None:
        entry, sock = plan[i], sockets[i]
        assert sock is not None
        room = entry["room"]
        client_id = sock.client.rooms[room].doc.client_id
        moments = sorted(rng.uniform(0, args.seconds) for _ in range(args.keystrokes))
        begin = time.perf_counter()
        for n, moment in enumerate(moments):
            await asyncio.sleep(max(0.0, begin + moment - time.perf_counter()))
            update = sock.client.rooms[room].edit(typer(entry["paragraph"], n))
            seq, frame = sock.client.update_frame(room, update)
            now = time.perf_counter()
            sent_updates[update] = now
            sent_acks[i][seq] = now
            await sock.send(frame)
            await sock.send(common.awareness_frame(room, client_id, n + 1, f"Editor {i}", n + 1))
            counts["keystrokes"] += 1

    window = common.CpuWindow(server.pids).start()
    await asyncio.gather(*(type_some(i) for i in range(len(plan))))
    typed_at = time.perf_counter()
    await asyncio.sleep(0.5)  # the last ACKs and relays
    out["cpu_updates"] = window.stop()
    # Then the renders: each text typed in, LIVE_RENDER_PAUSE (2 s) after its last change.
    window = common.CpuWindow(server.pids).start()
    rendered = await asyncio.to_thread(all_rendered, [d["document"] for d in documents], 60)
    out["cpu_renders"] = window.stop()
    out["renders"] = len({(e["doc"], e["room"]) for e in plan})
    out["render_wait"] = time.perf_counter() - typed_at
    out["rendered"] = rendered
    out["keystrokes"] = counts["keystrokes"]
    out["relay"] = latencies
    out["ack"] = acks
    out["expected_relays"] = counts["keystrokes"] * (args.per_document - 1)
    out["dropped"] = sum(1 for s in sockets if s is not None and s.closed)
    say(
        f"{counts['keystrokes']} keystrokes typed; rendered {out['render_wait']:.1f} s after the last "
        f"(all rendered: {rendered}); load average {common.load_average()}"
    )
    out["rss_after_updates"] = await asyncio.to_thread(rss_sample, pid, 1.0)

    # 5. Closed.
    await asyncio.gather(*(s.close() for s in sockets if s is not None))
    await asyncio.sleep(3.0)
    out["rss_closed"] = await asyncio.to_thread(rss_sample, pid)
    return out


def all_rendered(document_ids: list[int], timeout: float) -> bool:
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(dbname=common.DB_NAME, connect_timeout=5, **common.PG) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM submissions_livetext WHERE document_id = ANY(%s) AND rendered_seq < seq", [document_ids]
            ).fetchone()
            if row and row[0] == 0:
                return True
            time.sleep(0.1)
    return False


def report(out: dict, args: argparse.Namespace, seeded: dict) -> list[str]:
    docs = min(args.documents, len(seeded["documents"]))
    conns = docs * args.per_document
    mib = 1024
    growth = out["rss_open"] - out["rss_idle"]
    print()
    print(
        f"{docs} documents x {args.per_document} editors = {conns} WebSockets on one uvicorn process "
        f"({seeded['sections']} sections, {seeded['counted_words']} words, {seeded['footnotes']} footnotes, "
        f"{len(seeded['documents'][0]['rooms'])} rooms per document)"
    )
    print(f"{'':<44} {'RSS MiB':>9} {'vs idle':>8}")
    for key, label in (
        ("rss_idle", "idle server (baseline)"),
        ("rss_open", f"{docs} documents open, nobody typing"),
        ("rss_after_updates", "after the keystrokes and renders"),
        ("rss_closed", "every editor gone"),
    ):
        print(f"{label:<44} {out[key] / mib:>9.1f} {out[key] / out['rss_idle']:>7.2f}x")
    print(f"per open document: {growth / docs:.0f} KiB; per connection: {growth / conns:.0f} KiB")
    print()
    print(f"CPU of the server process, in % of one core ({common.cores()} cores = {common.cores() * 100}%), and the machine's:")
    rows = (
        ("cpu_idle", "idle server, no connection (baseline)"),
        ("cpu_open", f"opening: {conns} editors join and sync"),
        ("cpu_open_idle", f"{conns} connections open, nobody typing"),
        ("cpu_updates", "keystrokes (+0.5 s)"),
        ("cpu_renders", "then until every text typed in is rendered"),
    )
    print(f"{'':<44} {'wall s':>7} {'server':>7} {'postgres':>8} {'client':>7} {'other':>6} {'machine':>7}")
    for key, label in rows:
        cpu = out[key]
        print(
            f"{label:<44} {cpu['wall']:>7.1f} {common.pct(cpu['server'], cpu['wall']):>7} {common.pct(cpu['postgres'], cpu['wall']):>8} "
            f"{common.pct(cpu['client'], cpu['wall']):>7} {common.pct(cpu['other'], cpu['wall']):>6} "
            f"{common.pct(cpu['machine'], cpu['wall']):>7}"
        )
    per_room = out["cpu_open"]["server"] / out["rooms_synced"] * 1000
    per_key = out["cpu_updates"]["server"] / max(1, out["keystrokes"]) * 1000
    per_key_pg = out["cpu_updates"]["postgres"] / max(1, out["keystrokes"]) * 1000
    per_render = out["cpu_renders"]["server"] / max(1, out["renders"]) * 1000
    idle_pct = out["cpu_idle"]["server"] / out["cpu_idle"]["wall"] * 100
    held_pct = out["cpu_open_idle"]["server"] / out["cpu_open_idle"]["wall"] * 100
    lines = [
        f"RSS: idle {out['rss_idle'] / mib:.1f} MiB (baseline), {docs} documents open {out['rss_open'] / mib:.1f} MiB: "
        f"ratio {out['rss_open'] / out['rss_idle']:.2f}; {growth / docs:.0f} KiB per open document "
        f"({growth / conns:.0f} KiB per connection)",
        f"CPU with {conns} connections open and nobody typing: {held_pct:.1f}% of a core, idle server {idle_pct:.1f}%",
        f"opening: {out['open_seconds']:.1f} s for {conns} editors x {out['rooms_synced'] // conns} rooms; "
        f"server CPU {per_room:.1f} ms per room synced ({per_room * out['rooms_synced'] / conns:.0f} ms per editor)",
        f"keystrokes: {out['keystrokes']} (UPDATE + AWARENESS each), server CPU {per_key:.2f} ms each "
        f"(PostgreSQL {per_key_pg:.2f} ms); then {out['renders']} texts rendered, {per_render:.1f} ms of server CPU "
        f"each ({out['render_wait']:.1f} s after the last keystroke); relay to the other editor {ms(out['relay'])}; "
        f"ACK {ms(out['ack'])}; relays received {len(out['relay'])} of {out['expected_relays']}; all rendered: "
        f"{out['rendered']}; connections the server closed: {out['dropped']}",
    ]
    print()
    for line in lines:
        print(line)
    other = max(out[k]["other"] / out[k]["wall"] * 100 for k, _ in rows)
    if other > 25:
        print(f"WARNING: other processes used up to {other:.0f}% of a core during a window: the machine was not quiet")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--per-document", type=int, default=2)
    parser.add_argument("--keystrokes", type=int, default=3, help="per editor (default 3)")
    parser.add_argument("--seconds", type=float, default=20.0, help="over which the keystrokes are spread (default 20)")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of each idle CPU window (default 5)")
    parser.add_argument("--concurrency", type=int, default=20, help="editors connecting at once (default 20)")
    parser.add_argument("--fresh", action="store_true", help=f"drop and remake {common.DB_NAME} first")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH")
    parser.add_argument("--profile", metavar="PATH", help="run the server under cProfile (every thread); PATH, PATH.txt")
    args = parser.parse_args()

    started = time.perf_counter()
    common.ensure_database(fresh=args.fresh)
    seeded = common.seed("memory", "--documents", str(args.documents), "--per-document", str(args.per_document))
    say(f"{len(seeded['documents'])} documents ({seeded['cloned']} copied this time), {len(seeded['editors'])} editors")
    with tempfile.TemporaryDirectory(prefix="upr-live-memory-") as folder, common.claimed_redis() as redis_url:
        server = common.Server(
            common.bench_env(redis_url=redis_url), workers=1, log_path=Path(folder) / "uvicorn.log", profile=args.profile
        )
        try:
            server.wait_ready()
            say(f"uvicorn pid {server.process.pid} on {redis_url}; load average {common.load_average()}")
            out = asyncio.run(scenario(server, seeded, args))
        finally:
            server.stop()
        server_errors = server.log_errors("/tmp/upr-live-memory-uvicorn.log")
        if not server_errors and server.log_tail().strip():
            say(f"server log (tail):\n{server.log_tail(1500).strip()}")
    lines = report(out, args, seeded)
    for line in server_errors:
        print(line)
    lines += server_errors
    if args.json:
        Path(args.json).write_text(json.dumps({"lines": lines, **{k: v for k, v in out.items()}}, indent=1))
    print(f"\n({time.perf_counter() - started:.0f} s in all; load average at the end {common.load_average()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
