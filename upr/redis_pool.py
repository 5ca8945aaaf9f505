"""One Redis connection pool per process for Django's cache (and so for the cached sessions).

Why. Django keeps a cache backend per thread, and its Redis backend a connection pool per backend
(Django ticket #35651, open). Under ASGI every request runs in a thread of its own (asgiref's
per-request ThreadSensitiveContext), so every request made a new pool and a new Redis connection:
the TCP handshake, redis-py's HELLO and CLIENT SETINFO, and redis-py reading its own version from
the installed packages' metadata for each connection. Measured under uvicorn: a fifth of the CPU of
a /health/ request, and as many Redis connections as requests until the garbage collector came.

Given to Django's backend as its `pool_class` (hub/settings/base.py), this returns the same pool for
the same address and options to every thread of the process. redis-py's pools are thread-safe, and
a pool notices a fork (its pid) and starts afresh in the child, so a forking server or Celery's
prefork workers never share a socket with their parent.
"""

from __future__ import annotations

import threading
from typing import Any

import redis


class ProcessConnectionPool(redis.ConnectionPool):
    _shared: dict[tuple[str, tuple[tuple[str, str], ...]], ProcessConnectionPool] = {}
    # Not `_lock`: each pool's own lock (an RLock redis-py sets in __init__) has that name.
    _shared_lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> ProcessConnectionPool:
        # The options are keyed by their repr: a parser class is hashable, a dict of socket options is not.
        key = (url, tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
        with cls._shared_lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = cls._shared[key] = super().from_url(url, **kwargs)
            return pool


def client(url: str) -> redis.Redis:
    """A client on the process's pool for `url` (what /health/ pings)."""
    return redis.Redis(connection_pool=ProcessConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=2))
