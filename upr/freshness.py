"""Caches that cannot show anything stale: keyed on the tables a page read, versioned by every write.

Why not a hand-built stamp. A cache keyed on "the newest audit event" or on a statement that reads a
few chosen tables is right only while someone remembers, at every change of the page, to add to the
stamp every table the page has started to show; the editor page forgot the draft recommendations of
the engagement, the search forgot deletions. Here nobody has to remember:

* **Every write is recorded, by the database connection itself.** An execute wrapper, put on every
  connection Django opens (web, Celery worker, management commands, the embedded scheduler), sees
  each INSERT, UPDATE, DELETE and TRUNCATE and adds a row to `upr_writestamp` naming the table, in
  the same transaction: the stamp becomes visible exactly when the write does, in every process,
  whatever the cache backend (one row per table and transaction; rolled back with it).
* **Every read is recorded while a cached part is rendered.** `Watch` notes each table named in any
  statement run between its start and the render's end (ORM or raw SQL), and the entry is stored
  with the version of each of those tables, as read *before* anything else: a write that commits
  during the render makes the entry outdated at once.
* **A hit is served only if none of those tables has been written since**: one small statement
  reads the versions (`current`). The key adds only what is not in the database: the person, their
  role, the language, the time zone. What changes with the clock is given an expiry by the render
  (`expire_at`).

Writes made outside Django (psql) are not seen: `manage.py migrate` marks every table written (the
"*" stamp that every entry depends on), and an operator who edits the database by hand should clear
the cache. Never cache a CSRF token or anything else of one request with this (see `Watch.cached`).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

T = TypeVar("T")
STAMP_TABLE = "upr_writestamp"
EVERYTHING = "*"  # written by migrate: every entry depends on it
PRUNE_ABOVE = 2000  # rows; then only the newest of each table is kept

_WRITE = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(.*)",
    re.IGNORECASE | re.DOTALL,
)
_WITH_WRITE = re.compile(r"\s*WITH\b.*\b(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_paused = False  # during migrate: the stamp table may not exist yet
_ready: bool | None = None  # whether the stamp table exists (checked once per process)
_capture: contextvars.ContextVar[_Capture | None] = contextvars.ContextVar("freshness_capture", default=None)
# Within one request the versions are read once (the search, its filters and its names share
# them) until this request writes something: as if the whole request ran at that first read.
# None outside a request (a worker, a command): read every time.
_request_versions: contextvars.ContextVar[dict | None] = contextvars.ContextVar("freshness_request", default=None)


class _Capture:
    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.expires: dt.datetime | None = None


class _Marker:
    """Registered with on_commit when a table is stamped in an open transaction: while this very
    object is in the connection's on_commit list, the stamp stands (Django drops the hooks of a
    savepoint rolled back, and empties the list when the transaction ends)."""

    def __init__(self, table: str) -> None:
        self.table = table

    def __call__(self) -> None:
        pass


def known_tables() -> frozenset[str]:
    from django.apps import apps

    global _tables
    if _tables is None:
        _tables = frozenset(m._meta.db_table for m in apps.get_models(include_auto_created=True)) - {STAMP_TABLE}
    return _tables


_tables: frozenset[str] | None = None


def _names_in(sql: str) -> set[str]:
    return set(_NAME.findall(sql)) & known_tables()


def _written(sql: str) -> set[str]:
    found = _WRITE.match(sql)
    if found is None:
        if _WITH_WRITE.match(sql):  # a data-modifying CTE: every table it names, to be safe
            return _names_in(sql)
        return set()
    rest = found.group(1)
    if sql.lstrip()[:8].upper() == "TRUNCATE":
        return _names_in(rest.split(" RESTART")[0].split(" CASCADE")[0])
    first = _NAME.match(rest.lstrip('"'))
    return {first.group(0)} if first and first.group(0) in known_tables() else set()


def _stamp_table_exists(conn: BaseDatabaseWrapper) -> bool:
    global _ready
    if not _ready:
        with conn.cursor() as cursor:
            _ready = STAMP_TABLE in conn.introspection.table_names(cursor)
    return bool(_ready)


def _record(execute: Callable, sql: Any, params: Any, many: bool, context: dict) -> Any:
    """The execute wrapper: runs the statement, then notes what it read or wrote."""
    result = execute(sql, params, many, context)
    if not isinstance(sql, str):
        return result
    capture = _capture.get()
    if capture is not None:
        capture.tables |= _names_in(sql)
    if _paused:
        return result
    written = _written(sql)
    if written:
        if _request_versions.get() is not None:
            _request_versions.set({})  # this request wrote: read the versions afresh
        conn = context["connection"]
        if not _stamp_table_exists(conn):
            return result
        stamped = conn.__dict__.setdefault("fresh_stamped", {})
        serial = conn.__dict__.get("fresh_serial", 0)
        for table in written:
            if conn.in_atomic_block:
                last = stamped.get(table)
                if last is not None and last[0] == serial and any(hook[1] is last[1] for hook in conn.run_on_commit):
                    # Stamped in this transaction, in a savepoint that still stands (Django drops
                    # the marker with a savepoint rolled back), and no version read on this
                    # connection since: that one stamp covers this write too.
                    continue
                marker = _Marker(table)
                conn.on_commit(marker)
                stamped[table] = (serial, marker)
            _insert(conn, table)
    return result


def _insert(conn: BaseDatabaseWrapper, table: str) -> None:
    """On a cursor of its own (the statement's may still hold rows to fetch), past Django's query log."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(f'INSERT INTO "{STAMP_TABLE}" ("name") VALUES ({"?" if conn.vendor == "sqlite" else "%s"})', [table])
    finally:
        cursor.close()


def install(connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created: put the wrapper on the connection (once: a persistent one reconnects)."""
    if _record not in connection.execute_wrappers:
        connection.execute_wrappers.append(_record)


def pause(**kwargs: Any) -> None:
    """pre_migrate: migrations run before the stamp table exists; migrate marks everything after."""
    global _paused
    _paused = True


def resume(**kwargs: Any) -> None:
    """post_migrate (sent once per app, after every migration ran): stamp everything once."""
    global _paused, _ready
    if not _paused:
        return
    _paused = False
    _ready = None
    if _stamp_table_exists(default_connection):
        with default_connection.cursor() as cursor:
            cursor.execute(f'INSERT INTO "{STAMP_TABLE}" ("name") VALUES (%s)', [EVERYTHING])


def current() -> dict[str, int] | None:
    """The version of every table written since the last prune (absent: never written), in one
    statement; None when the stamp table does not exist (then nothing is cached)."""
    if not _stamp_table_exists(default_connection):
        return None
    memo = _request_versions.get()
    if memo:
        return memo["versions"]
    # A write after this read, even in the same transaction, must stamp again (see _record).
    real = connections[DEFAULT_DB_ALIAS]  # the connection itself, not django.db.connection's proxy
    real.__dict__["fresh_serial"] = real.__dict__.get("fresh_serial", 0) + 1
    with default_connection.cursor() as cursor:
        cursor.execute(f'SELECT "name", MAX(id), COUNT(*) FROM "{STAMP_TABLE}" GROUP BY "name"')
        rows = cursor.fetchall()
    if sum(count for _name, _newest, count in rows) > PRUNE_ABOVE:
        _prune()
    versions = {name: newest for name, newest, _count in rows}
    if memo is not None:
        _request_versions.set({"versions": versions})
    return versions


def request_started(**kwargs: Any) -> None:
    _request_versions.set({})


def request_finished(**kwargs: Any) -> None:
    _request_versions.set(None)


def _prune() -> None:
    with default_connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{STAMP_TABLE}" WHERE id < (SELECT MAX(w.id) FROM "{STAMP_TABLE}" w'
            f' WHERE w."name" = "{STAMP_TABLE}"."name")'
        )


def expire_at(when: dt.datetime) -> None:
    """Called while a cached part renders: what it shows changes at `when` (a deadline passing)."""
    capture = _capture.get()
    if capture is not None and when > timezone.now() and (capture.expires is None or when < capture.expires):
        capture.expires = when


def depends_on(*models: Any) -> None:
    """Called while a cached part renders: it shows these models' rows although they were read before
    the watch began (the request's coalition and membership, read by the tenancy middleware)."""
    capture = _capture.get()
    if capture is not None:
        capture.tables |= {model._meta.db_table for model in models}


class Watch:
    """Start it before the first read of anything the cached part shows; then call `cached` once.

    with freshness.Watch() as watch:
        document = document_of(request, document_id)       # read, and noted
        body = watch.cached(key, lambda: render_body(document), seconds=60)
    """

    def __init__(self) -> None:
        self.versions = current()
        self.capture = _Capture()

    def __enter__(self) -> Watch:
        self._token = _capture.set(self.capture)
        return self

    def __exit__(self, *exc: object) -> None:
        _capture.reset(self._token)

    def cached(self, key: str, render: Callable[[], T], *, seconds: int) -> T:
        """What `render` returns, from the cache if no table it (or anything since the watch began)
        read has been written since. Nothing of one request may be in it: a CSRF token is rendered
        as a random marker kept with the entry and replaced per request (see document_detail)."""
        versions = self.versions
        full_key = "fresh:" + key
        if versions is not None:
            entry = cache.get(full_key)
            if entry is not None:
                depends, value = entry
                if all(versions.get(table, 0) == version for table, version in depends.items()):
                    return value
        value = render()
        if versions is not None:
            ttl = seconds
            if self.capture.expires is not None:
                ttl = max(0, min(ttl, int((self.capture.expires - timezone.now()).total_seconds())))
            if ttl:
                tables = self.capture.tables | {EVERYTHING}
                cache.set(full_key, ({t: versions.get(t, 0) for t in tables}, value), ttl)
        return value
