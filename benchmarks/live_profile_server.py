"""uvicorn serving hub.asgi:application (one process, --ws websockets-sansio) under cProfile, timed by
each thread's CPU time (time.thread_time: waiting is not counted), in every thread: the event loop's and the threads that run database work (channels' database_sync_to_async,
asgiref's sync_to_async). Started by the live benchmarks' `--profile PATH` instead of uvicorn; at
SIGTERM uvicorn shuts down and the merged statistics are written to PATH (pstats), and the top
functions by own time and by cumulative time to PATH.txt. Profiling slows the server: read where
the time goes, not the latencies, of a profiled run.

    python benchmarks/live_profile_server.py --port N --out /tmp/live.prof
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()

    def start_in_thread(frame, event, arg):
        # The first event of a new thread: give it a profiler of its own (this replaces the hook).
        profile = cProfile.Profile(time.thread_time)  # this thread's CPU time, not the wall clock
        with lock:
            profiles.append(profile)
        profile.enable()

    threading.setprofile(start_in_thread)
    main_profile = cProfile.Profile(time.thread_time)
    profiles.append(main_profile)

    import uvicorn

    config = uvicorn.Config(
        "hub.asgi:application",
        host="127.0.0.1",
        port=args.port,
        ws="websockets-sansio",
        access_log=False,
        log_level="warning",
        lifespan="auto",
    )
    server = uvicorn.Server(config)
    # uvicorn restores the handlers it found and raises the signal again once it has shut down: with
    # this one, that returns instead of ending the process before the statistics are written.
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    main_profile.enable()
    try:
        server.run()
    finally:
        main_profile.disable()
        threading.setprofile(None)
        stats = None
        for profile in profiles:
            try:
                profile.disable()
            except Exception:
                pass
            try:
                stats = pstats.Stats(profile) if stats is None else (stats.add(profile) or stats)
            except TypeError:  # a profiler that recorded nothing
                continue
        if stats is not None:
            stats.dump_stats(args.out)
            text = io.StringIO()
            for order in ("tottime", "cumulative"):
                pstats.Stats(args.out, stream=text).sort_stats(order).print_stats(45)
            Path(args.out + ".txt").write_text(text.getvalue())


if __name__ == "__main__":
    main()
