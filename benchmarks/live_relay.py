"""Live editor, (a): 10 editors typing 5 characters a second each in one document, on one ASGI process.

    .venv/bin/python benchmarks/live_relay.py          # about a minute, plus the database the first time

Target: p95 latency from one editor's update to the others' receipt < 100 ms on loopback; and the
server's CPU per update (read from /proc before and after, divided by the updates).

What it does: `uvicorn hub.asgi:application --ws websockets-sansio --workers 1` (production's command)
on the scratch database and a Redis channel layer of its own (live_common.py); the maximum-length joint
submission (12 sections, 5,630 words, 150 footnotes; live_seed.py, through the services); 10 editors of
its working group, each a real WebSocket (`websockets`) with the Python client of PROTOCOL.md
(submissions.live.client, pycrdt), all in this process. Each editor joins the 13 rooms of the page and
syncs them, as a browser does, then:

* **typing** phase: each editor types a character every 0.2 s (the start of each editor offset at
  random, each interval +-30 %) at the start of its own paragraph; the editors share `--sections`
  sections (3 by default: up to 4 typing in one section). Each keystroke is what a browser sends: an
  UPDATE (the Yjs update pycrdt made, about 25 bytes) and, unless --no-awareness, an AWARENESS
  update (the caret, as y-prosemirror's caret plugin sends one per keystroke). Measured: for every
  update, the time from sending it to its arrival at each of the 9 others (the server relays the
  exact bytes: matched by them), the time to its ACK (stored in PostgreSQL first), and the
  awareness relay (matched by client id and clock).
* **baseline** phase, the same run: each editor sends the presence message `{"type": "focus", "room": ...}`
  at the same rate (a different room each time): the server relays it to the others through the same
  channel layer (each of them then sends its browser the presence list), without storing anything.
  Measured: the time from sending it to the others' receipt of a presence list that shows it.

The two phases take turns, `--rounds` times, so that a slow spell of this shared machine weighs on
both. Each phase's CPU window includes a tail of 3 s after its last message, in which the server
renders the HTML of the texts typed in (LIVE_RENDER_PAUSE, 2 s after the last change): the CPU per
update includes the renders. Printed: latencies, CPU per message of the server process (uvicorn: the
event loop and the thread that runs the database work), of the PostgreSQL backends of the bench
database, of this client process, and of everything else on the machine ("other", the tests others run).
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
from benchmarks.live_common import ms, percentile, say

TARGET_P95_MS = 100.0
TAIL_SECONDS = 3.0  # after a phase: the render pause (2 s) and the render


def typer(paragraph: int, offset: int):
    """The change of one keystroke: a character at the editor's place in its paragraph."""

    def change(fragment) -> None:
        run = fragment.children[paragraph].children[0]
        run.insert(offset, "x")

    return change


async def scenario(server: common.Server, seeded: dict, args: argparse.Namespace, redis_url: str) -> dict:
    from submissions.live import protocol

    path = f"/ws/c/{seeded['slug']}/documents/{seeded['document']}/live/"
    rooms: list[str] = seeded["rooms"]
    sessions: list[str] = seeded["editors"][: args.editors]
    ids: list[int] = seeded["editor_ids"][: args.editors]
    n = len(sessions)
    rng = random.Random(7)

    sockets = [await common.Socket.open(server, path, session) for session in sessions]
    started = time.perf_counter()
    for sock in sockets:
        await sock.join(rooms)
    await asyncio.gather(*(sock.wait_synced() for sock in sockets))
    say(f"{n} editors joined {len(rooms)} rooms each and synced in {time.perf_counter() - started:.2f} s")

    # Who types where: editor k in section k % sections, in its own paragraph (1, 2, ...; 0 is the heading).
    typing_room = [rooms[k % args.sections] for k in range(n)]
    paragraph = [1 + k // args.sections for k in range(n)]
    typed = [0] * n
    clock = [0] * n
    client_ids = [sockets[k].client.rooms[typing_room[k]].doc.client_id for k in range(n)]

    # What was sent, for the receivers to match.
    state: dict = {"phase": None}
    sent_updates: dict[bytes, float] = {}
    sent_awareness: dict[tuple[int, int], float] = {}
    sent_acks: list[dict[int, float]] = [{} for _ in range(n)]
    focus_sent: dict[int, tuple[str, float, int]] = {}
    focus_seen: list[dict[int, int]] = [{} for _ in range(n)]
    samples: dict[str, list[float]] = {}

    def record(name: str, value: float) -> None:
        if state["phase"] is not None:
            samples.setdefault(f"{state['phase']}:{name}", []).append(value)

    def on_binary(k: int):
        def handle(kind: int, room: str, payload, at: float) -> None:
            if kind == protocol.UPDATE:
                sent = sent_updates.get(payload)
                if sent is not None:
                    record("relay", at - sent)
            elif kind == protocol.ACK:
                sent = sent_acks[k].pop(payload, None)
                if sent is not None:
                    record("ack", at - sent)
            elif kind == protocol.AWARENESS:
                for entry in protocol.read_awareness(payload):
                    sent = sent_awareness.get((entry.client_id, entry.clock))
                    if sent is not None:
                        record("awareness", at - sent)

        return handle

    def on_text(k: int):
        def handle(message: dict, at: float) -> None:
            if message.get("type") != "presence":
                return
            for person in message["people"]:
                pid = person["id"]
                if pid == ids[k] or pid not in focus_sent:
                    continue
                room, sent, index = focus_sent[pid]
                if person.get("room") == room and focus_seen[k].get(pid) != index:
                    focus_seen[k][pid] = index
                    record("relay", at - sent)

        return handle

    for k, sock in enumerate(sockets):
        sock.on_binary = on_binary(k)
        sock.on_text = on_text(k)

    async def keystroke(k: int) -> None:
        sock = sockets[k]
        room = typing_room[k]
        update = sock.client.rooms[room].edit(typer(paragraph[k], typed[k]))
        typed[k] += 1
        seq, frame = sock.client.update_frame(room, update)
        now = time.perf_counter()
        sent_updates[update] = now
        sent_acks[k][seq] = now
        await sock.send(frame)
        if args.awareness:
            clock[k] += 1
            sent_awareness[(client_ids[k], clock[k])] = time.perf_counter()
            await sock.send(common.awareness_frame(room, client_ids[k], clock[k], f"Editor {k}", typed[k]))
        if state["phase"] is not None:
            state["messages"] += 1

    async def focus(k: int, index: int) -> None:
        room = rooms[(k + index) % len(rooms)]
        focus_sent[ids[k]] = (room, time.perf_counter(), index)
        await sockets[k].send(json.dumps({"type": "focus", "room": room}))
        if state["phase"] is not None:
            state["messages"] += 1

    async def run_editor(k: int, action, seconds: float) -> None:
        interval = 1 / args.rate
        await asyncio.sleep(rng.random() * interval)
        end = time.perf_counter() + seconds
        index = 0
        while time.perf_counter() < end:
            await action(k, index) if action is focus else await action(k)
            index += 1
            await asyncio.sleep(interval * rng.uniform(0.7, 1.3))

    async def phase(name: str, action, seconds: float, tail: float) -> dict:
        window = common.CpuWindow(server.pids).start()
        redis_before = common.redis_counters(redis_url)
        state.update(phase=name, messages=0)
        await asyncio.gather(*(run_editor(k, action, seconds) for k in range(n)))
        await asyncio.sleep(tail)
        messages = state["messages"]
        state["phase"] = None
        cpu = window.stop()
        return {
            "name": name,
            "messages": messages,
            "cpu": cpu,
            "redis": common.redis_delta(redis_before, common.redis_counters(redis_url)),
        }

    # Warm-up: every code path once (first store, first relay, first render), then quiet.
    await phase("warmup-typing", keystroke, 1.0, 0.5)
    await phase("warmup-focus", focus, 1.0, TAIL_SECONDS)
    samples.clear()

    windows = []
    for round_ in range(args.rounds):
        order = [("baseline", focus), ("typing", keystroke)]
        if round_ % 2:
            order.reverse()
        for name, action in order:
            windows.append(await phase(name, action, args.seconds, TAIL_SECONDS))
        say(f"round {round_ + 1}/{args.rounds} done (load average {common.load_average()})")

    # The renders the typing triggered are done (rendered_seq caught up with seq), or say so.
    behind = await behind_texts(seeded["document"])
    dropped = sum(1 for sock in sockets if sock.closed)  # closed by the server before the end
    for sock in sockets:
        await sock.close()
    return {"windows": windows, "samples": samples, "behind": behind, "typed": sum(typed), "dropped": dropped}


async def behind_texts(document: int) -> int:
    import psycopg

    async with await psycopg.AsyncConnection.connect(dbname=common.DB_NAME, **common.PG) as conn:
        cur = await conn.execute(
            "SELECT count(*) FROM submissions_livetext WHERE document_id = %s AND rendered_seq < seq", [document]
        )
        row = await cur.fetchone()
        assert row is not None  # count(*) always returns one row
        return int(row[0])


def report(result: dict, args: argparse.Namespace, seeded: dict) -> list[str]:
    samples = result["samples"]
    totals: dict[str, dict] = {}
    for window in result["windows"]:
        total = totals.setdefault(window["name"], {"messages": 0, "cpu": {}, "redis": {}})
        total["messages"] += window["messages"]
        for key, value in window["cpu"].items():
            total["cpu"][key] = total["cpu"].get(key, 0.0) + value
        for key, value in window["redis"].items():
            total["redis"][key] = total["redis"].get(key, 0.0) + value
    print()
    print(
        f"{args.editors} editors, one document ({seeded['sections']} sections, {seeded['counted_words']} words, "
        f"{seeded['footnotes']} footnotes), typing in {args.sections} sections at {args.rate:g} characters/s each; "
        f"{args.rounds} rounds of {args.seconds:g} s per phase; uvicorn --workers 1, Redis channel layer"
    )
    print(f"{'phase':<34} {'sent':>6}  latency to each of the others")
    for name, label in (("baseline", "baseline: focus -> presence"), ("typing", "typing: UPDATE -> the others")):
        print(f"{label:<34} {totals[name]['messages']:>6}  {ms(samples.get(f'{name}:relay', []))}")
    print(f"{'typing: UPDATE -> its ACK':<34} {'':>6}  {ms(samples.get('typing:ack', []))}")
    if args.awareness:
        print(f"{'typing: AWARENESS -> the others':<34} {'':>6}  {ms(samples.get('typing:awareness', []))}")
    print()
    print(
        f"CPU per message sent (a keystroke is an UPDATE{' + an AWARENESS' if args.awareness else ''}), "
        f"and in % of one core over the windows ({common.cores()} cores = {common.cores() * 100}%):"
    )
    print(
        f"{'phase':<12} {'server ms':>9} {'postgres ms':>11} {'client ms':>9}  {'server':>6} {'postgres':>8} "
        f"{'client':>6} {'other':>6} {'machine':>7}"
    )
    per = {}
    for name in ("baseline", "typing"):
        cpu, count = totals[name]["cpu"], max(1, totals[name]["messages"])
        per[name] = cpu["server"] / count * 1000
        print(
            f"{name:<12} {per[name]:>9.2f} {cpu['postgres'] / count * 1000:>11.2f} {cpu['client'] / count * 1000:>9.2f}  "
            f"{common.pct(cpu['server'], cpu['wall'])} {common.pct(cpu['postgres'], cpu['wall']):>8} "
            f"{common.pct(cpu['client'], cpu['wall'])} {common.pct(cpu['other'], cpu['wall'])} "
            f"{common.pct(cpu['machine'], cpu['wall']):>7}"
        )
    print()
    print("Redis (its own counters, server-wide) per message sent: commands, and Redis's CPU:")
    for name in ("baseline", "typing"):
        redis, count = totals[name]["redis"], max(1, totals[name]["messages"])
        commands = {k: v for k, v in redis.items() if k != "cpu_seconds"}
        top = ", ".join(f"{k} {v / count:.1f}" for k, v in sorted(commands.items(), key=lambda kv: -kv[1])[:7])
        print(
            f"{name:<12} {sum(commands.values()) / count:6.1f} commands ({top}); "
            f"Redis CPU {redis.get('cpu_seconds', 0.0) / count * 1000:.2f} ms"
        )
    typing_p95 = percentile(samples.get("typing:relay", []), 95) * 1000
    base_p95 = percentile(samples.get("baseline:relay", []), 95) * 1000
    expected = totals["typing"]["messages"] * (args.editors - 1)
    lines = [
        f"relay p95: typing {typing_p95:.1f} ms, baseline {base_p95:.1f} ms, ratio {typing_p95 / base_p95:.2f}; "
        f"target < {TARGET_P95_MS:.0f} ms: {'MET' if typing_p95 < TARGET_P95_MS else f'MISSED by {typing_p95 - TARGET_P95_MS:.0f} ms'}",
        f"server CPU per keystroke: {per['typing']:.2f} ms, per focus message {per['baseline']:.2f} ms, "
        f"ratio {per['typing'] / per['baseline']:.2f}",
        f"relays received: {len(samples.get('typing:relay', []))} of {expected} expected; texts still unrendered "
        f"after the last tail: {result['behind']}; connections the server closed: {result['dropped']}",
    ]
    other = max((w["cpu"]["other"] / w["cpu"]["wall"] * 100 for w in result["windows"]), default=0)
    if other > 25:
        lines.append(
            f"WARNING: other processes used up to {other:.0f}% of a core during a window: the machine was "
            "not quiet; read the ratios rather than the absolute figures"
        )
    print()
    for line in lines:
        print(line)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--rate", type=float, default=5.0, help="characters a second per editor (default 5)")
    parser.add_argument("--sections", type=int, default=3, help="sections the editors type in (default 3)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per phase per round (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of baseline + typing (default 3)")
    parser.add_argument(
        "--no-awareness",
        dest="awareness",
        action="store_false",
        help="send only the UPDATE of each keystroke, not the caret's awareness update",
    )
    parser.add_argument("--fresh", action="store_true", help=f"drop and remake {common.DB_NAME} first")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH")
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="run the server under cProfile (every thread; slower: "
        "read where the time goes, not the latencies); statistics to PATH and PATH.txt",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    common.ensure_database(fresh=args.fresh)
    # A document of its own, made again each run: the typing of a run does not pile up in the next.
    seeded = common.seed("maxdoc", "--editors", str(args.editors), "--name", "relay", "--fresh-document")
    say(
        f"document {seeded['document']}: {seeded['sections']} sections, {seeded['counted_words']} words, "
        f"{seeded['footnotes']} footnotes ({seeded['kib_html']} KiB of HTML)"
    )
    with tempfile.TemporaryDirectory(prefix="upr-live-relay-") as folder, common.claimed_redis() as redis_url:
        server = common.Server(
            common.bench_env(redis_url=redis_url), workers=1, log_path=Path(folder) / "uvicorn.log", profile=args.profile
        )
        try:
            server.wait_ready()
            say(f"uvicorn pid {server.process.pid} on {redis_url}; load average {common.load_average()}")
            result = asyncio.run(scenario(server, seeded, args, redis_url))
        finally:
            server.stop()
        server_errors = server.log_errors("/tmp/upr-live-relay-uvicorn.log")
        if not server_errors and server.log_tail().strip():
            say(f"server log (tail):\n{server.log_tail(1500).strip()}")
    lines = report(result, args, seeded)
    for line in server_errors:
        print(line)
    lines += server_errors
    if args.profile:
        print(f"\nprofile (every thread of the server, the whole run): {args.profile}, top functions in {args.profile}.txt")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"lines": lines, "windows": result["windows"], "samples": {k: v for k, v in result["samples"].items()}}, indent=1
            )
        )
    print(f"\n({time.perf_counter() - started:.0f} s in all; load average at the end {common.load_average()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
