"""An existing database, built by the code before the apps were layered, migrates with today's code and
keeps every row.

The move: Task, Consultation, AdvocacyMeeting, Reminder, ReminderPreference, ReminderSweep (coalitions)
and CalendarFeed (accounts) went to the app `workplan`; ImpactLink (recommendations) went to
`submissions`; every one kept its table ("coalitions_task", "accounts_calendarfeed",
"recommendations_impactlink", and the M2M tables of Consultation and AdvocacyMeeting). The settings went
from upr.settings to hub.settings. A coalition running the old code has its work plan, reminders, advocacy
log and impact decisions in those tables: a migration that created new tables (or dropped the old ones)
would pass every other test, all of which start from an empty database, and lose that data on deploy.

What this test does, on SQLite and on PostgreSQL (both run in production, and their migrations differ:
SQLite rebuilds tables where PostgreSQL alters them):
1. exports the tree of the last commit before the move (OLD_COMMIT) with `git archive`;
2. in that tree, with upr.settings.dev, migrates a fresh database and fills every moved table: the old
   `load_demo` writes the consultation and the advocacy meetings (with their M2M rows), and OLD_ROWS
   below the rest (tasks, reminders and their preferences and sweep, calendar feeds, impact links,
   the follow-up tasks of a consultation and of a meeting); then reads, with raw SQL, every row of every
   moved table and M2M table, and the content types and permissions of the moved models;
3. in this checkout, with hub.settings.dev, migrates the same database, and checks that the new models
   (workplan.models.Task, submissions.models.ImpactLink, ... and their M2M fields) see the same rows,
   that the tables hold the same values, that the moved models' content types were relabelled in place
   (same ids, so their permissions and admin log entries follow), that `makemigrations --check` finds
   nothing and a second `migrate` has nothing to apply, and that every table's columns, indexes and
   constraints are those a database made fresh by today's code has: a table "adopted" by a migration that
   only told Django's state about it must match what that state says, or the next migration that alters
   it fails (an index renamed in the state but not in the database, say); and the migrations of the apps
   that stay were edited too.

Everything runs in subprocesses (`manage.py` of each tree, the venv's Python): the two trees are two
versions of the same packages and cannot be imported into one process, and a deploy runs exactly these
commands. No mocks, no factories: the old tree's own code writes the old data.

Runs in about a minute (both databases, an idle 2-core machine; some 65 s of CPU); needs the full git history (CI clones fully: a shallow clone
fails here, saying so) and PostgreSQL on 127.0.0.1:5432 (`bash scripts/test-services.sh`).
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The last commit before the move ("Document page: the body is a rendered template ...").
OLD_COMMIT = "c689b4b"
POSTGRES = "postgres://upr:upr@127.0.0.1:5432"
TIMEOUT = 600  # seconds, per command: generous, a normal run takes seconds

# The moved models: (app before, model name, app after, table). Tables never change.
MOVED = [
    ("coalitions", "Task", "workplan", "coalitions_task"),
    ("coalitions", "Consultation", "workplan", "coalitions_consultation"),
    ("coalitions", "AdvocacyMeeting", "workplan", "coalitions_advocacymeeting"),
    ("coalitions", "Reminder", "workplan", "coalitions_reminder"),
    ("coalitions", "ReminderPreference", "workplan", "coalitions_reminderpreference"),
    ("coalitions", "ReminderSweep", "workplan", "coalitions_remindersweep"),
    ("accounts", "CalendarFeed", "workplan", "accounts_calendarfeed"),
    ("recommendations", "ImpactLink", "submissions", "recommendations_impactlink"),
]
# The M2M fields of the moved models: (model, field, its table, the column of the model's side, the
# column of the other side), as the old code made them.
M2M = [
    ("Consultation", "attended", "coalitions_consultation_attended", "consultation_id", "memberorganisation_id"),
    ("AdvocacyMeeting", "themes", "coalitions_advocacymeeting_themes", "advocacymeeting_id", "theme_id"),
    ("AdvocacyMeeting", "documents", "coalitions_advocacymeeting_documents", "advocacymeeting_id", "document_id"),
    ("AdvocacyMeeting", "drafts", "coalitions_advocacymeeting_drafts", "advocacymeeting_id", "draftrecommendation_id"),
]
TABLES = [table for *_, table in MOVED] + [table for _, _, table, _, _ in M2M]

# Rows of the moved models that the old load_demo leaves empty, written by the old tree's own code (run
# there by `manage.py shell`, after load_demo). load_demo made the coalition "demo", its engagement of
# Slovenia's 48th session, three organisations, a document, a draft recommendation, a consultation and
# three advocacy meetings (with themes, documents and drafts); these rows hang from those.
OLD_ROWS = """
import datetime as dt

from django.utils import timezone

from accounts.models import CalendarFeed, User
from coalitions.models import (AdvocacyMeeting, Coalition, Consultation, Engagement, MemberOrganisation, Reminder,
                               ReminderPreference, ReminderSweep, Task, WorkingGroup)
from recommendations.models import ImpactLink, Recommendation
from submissions.models import Document, DraftRecommendation

coalition = Coalition.objects.get(slug="demo")
engagement = Engagement.objects.get(coalition=coalition)
admin = User.objects.get(email="demo@example.org")
editor = User.objects.get(email="editor@example.org")
orgs = list(MemberOrganisation.objects.filter(coalition=coalition).order_by("id"))
group = WorkingGroup.objects.get(coalition=coalition)
document = Document.objects.filter(engagement=engagement).first()
draft = DraftRecommendation.objects.get(engagement=engagement)
milestone = engagement.milestones.order_by("id").first()
zurich = dt.timezone(dt.timedelta(hours=1))

# Tasks: one with every relation, one due on a day, and the follow-ups of a consultation and a meeting
# (Consultation and AdvocacyMeeting point at Task: foreign keys between moved tables).
full = Task.objects.create(coalition=coalition, engagement=engagement, milestone=milestone, title="Draft the water section",
                           due_at=dt.datetime(2026, 3, 2, 17, 0, tzinfo=zurich), owner=editor, organisation=orgs[0],
                           working_group=group, document=document, created_by=admin)
Task.objects.create(coalition=coalition, engagement=engagement, title="Send the submission", all_day=True,
                    due_at=dt.datetime(2026, 3, 9, 23, 59, 59, tzinfo=zurich), status="done", created_by=admin)
consultation = Consultation.objects.create(coalition=coalition, engagement=engagement, kind="coalition",
                                           held_on=dt.date(2024, 2, 1), online=True, created_by=admin)
consultation.attended.set(orgs)
consultation.follow_up_task = Task.objects.create(coalition=coalition, engagement=engagement, title="Minutes",
                                                  due_at=dt.datetime(2024, 2, 8, 12, 0, tzinfo=zurich))
consultation.save()
meeting = AdvocacyMeeting.objects.order_by("id").first()
meeting.follow_up_task = Task.objects.create(coalition=coalition, engagement=engagement, title="Send the factsheet",
                                             due_at=dt.datetime(2024, 10, 16, 12, 0, tzinfo=zurich), owner=admin)
meeting.save()

# Reminders: a sent one of a milestone, a claimed one of a task; preferences; the sweep's one row.
Reminder.objects.create(coalition=coalition, user=admin, deadline=f"milestone:{milestone.pk}", due_at=timezone.now(),
                        lead_days=7, status="sent", sent_at=timezone.now())
Reminder.objects.create(coalition=coalition, user=editor, deadline=f"task:{full.pk}", due_at=full.due_at, lead_days=1,
                        late=True)
ReminderPreference.objects.create(user=admin, lead_days=[14, 1], delivery="daily", last_digest_at=timezone.now())
ReminderPreference.objects.create(user=editor, delivery="none")
ReminderSweep.objects.create(ran_at=timezone.now())

# Calendar feeds: a person's, and the secretariat's feed of the coalition.
CalendarFeed.objects.create(user=admin, token_hash="a" * 64)
CalendarFeed.objects.create(user=admin, coalition=coalition, token_hash="b" * 64, with_coalition_name=True)

# Impact links: the draft taken up by one recommendation of the review, and not by another.
first, second = Recommendation.objects.filter(review=engagement.review).order_by("id")[:2]
ImpactLink.objects.create(coalition=coalition, draft=draft, recommendation=first, decision="confirmed", decided_by=admin)
ImpactLink.objects.create(coalition=coalition, draft=draft, recommendation=second, decision="rejected", decided_by=editor)
"""

# Read in this checkout after the migration, through the new models only (imported from their new
# modules, so a model left behind fails here). `_base_manager`: a plain manager, whatever filtering or
# guard the models' default managers may add. Printed as one JSON line after a marker. (These scripts
# get MOVED, M2M and TABLES from `script`.)
NEW_ROWS = """
import importlib
import json

out = {"models": {}, "m2m": {}}
models = {}
for _, name, app, _ in MOVED:
    model = getattr(importlib.import_module(f"{app}.models"), name)
    models[name] = model
    out["models"][name] = {"app_label": model._meta.app_label, "db_table": model._meta.db_table,
                           "count": model._base_manager.count(),
                           "pks": sorted(model._base_manager.values_list("pk", flat=True))}
for name, field_name, _, _, _ in M2M:
    model = models[name]
    field = model._meta.get_field(field_name)
    # The pairs as each object's M2M field (its related manager) reads them.
    pairs = sorted([obj.pk, other] for obj in model._base_manager.all()
                   for other in getattr(obj, field_name).values_list("pk", flat=True))
    through = field.remote_field.through
    out["m2m"][f"{name}.{field_name}"] = {"db_table": through._meta.db_table, "count": through._base_manager.count(),
                                          "pairs": pairs}
print("NEW_ROWS " + json.dumps(out))
"""

# The shape of every table as the database has it (Django's introspection, either backend): columns,
# indexes, constraints. Run by today's code on the migrated database and on a fresh one. Every table,
# not only the moved ones: the move also edited migrations of apps that stay (recommendations 0002-0003
# lost ImpactLink, coalitions 0002 replaces 0002-0007), and an existing database, which ran the old
# files, must end where a new one that runs the new files does. Names that the backend makes up rather
# than reads (SQLite's foreign keys "fk_0", "fk_1" by column position, its unnamed checks and primary
# keys) are dropped, and columns sorted: column order differs between a table built in steps and one
# created whole, and nothing depends on it.
SCHEMA = """
import json
from django.db import connection

def constraint(name, c):
    made_up = name.startswith(("fk_", "__unnamed_constraint_", "__primary__", "sqlite_autoindex_"))
    return {"name": None if made_up else name, "columns": c["columns"], "primary_key": c["primary_key"],
            "unique": c["unique"], "foreign_key": c["foreign_key"], "check": c["check"], "index": c["index"],
            "type": c.get("type") if c["index"] else None}

out = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names(cursor)):
        columns = sorted([{k: v for k, v in info._asdict().items()} for info in
                          connection.introspection.get_table_description(cursor, table)], key=lambda c: c["name"])
        constraints = sorted((constraint(n, c) for n, c in connection.introspection.get_constraints(cursor, table).items()),
                             key=json.dumps)
        out[table] = {"columns": columns, "constraints": constraints}
print("SCHEMA " + json.dumps(out, default=str))
"""


# --- processes ------------------------------------------------------------------------------------


def manage(tree: Path, settings: str, database_url: str, *args: str) -> str:
    """`manage.py *args` of `tree`, run from it with the venv's Python, the given settings and database,
    and none of the caller's own (a DJANGO_SETTINGS_MODULE, a Redis, a beat). Returns stdout; fails
    showing stderr."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "DJANGO_",
                "DATABASE_",
                "TEST_DATABASE_",
                "REDIS_",
                "EMAIL_",
                "CELERY_",
                "SECRET_KEY",
                "DEBUG",
                "EMBEDDED_",
                "PYTHONPATH",
            )
        )
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": database_url,
            "EMBEDDED_BEAT": "false",
            # One connection per process, closed when it ends: nothing left on the database dropped after.
            "DATABASE_POOL": "false",
        }
    )
    try:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=tree, env=environment, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired as timeout:
        output, errors = (text.decode() if isinstance(text, bytes) else text for text in (timeout.stdout, timeout.stderr))
        pytest.fail(
            f"`manage.py {' '.join(args)}` in {tree} ({settings}) took over {TIMEOUT} s.\nstdout:\n{output}\nstderr:\n{errors}"
        )
    if done.returncode != 0:
        pytest.fail(
            f"`manage.py {' '.join(args)}` in {tree} ({settings}, {database_url}) failed ({done.returncode}).\n"
            f"stdout:\n{done.stdout[-5000:]}\nstderr:\n{done.stderr[-10000:]}",
            pytrace=False,
        )
    return done.stdout


def script(tmp_path: Path, name: str, body: str) -> Path:
    """`body` written to a file, after this module's lists of the moved models and tables."""
    path = tmp_path / name
    path.write_text(f"MOVED = {MOVED!r}\nM2M = {M2M!r}\nTABLES = {TABLES!r}\n{body}")
    return path


def run_script(tree: Path, settings: str, database_url: str, path: Path, marker: str | None = None) -> Any:
    """Run the script at `path` inside `manage.py shell` of `tree` (Django set up by the tree's own manage.py); with
    a marker, the JSON the script printed after it."""
    out = manage(tree, settings, database_url, "shell", "-c", f"import runpy; runpy.run_path({str(path)!r}, run_name='__main__')")
    if marker is None:
        return None
    lines = [line for line in out.splitlines() if line.startswith(marker + " ")]
    assert lines, f"{path.name} printed no {marker} line:\n{out[-5000:]}"
    return json.loads(lines[-1][len(marker) + 1 :])


def shape_difference(migrated: dict, fresh: dict) -> dict:
    """The columns and constraints of a table found in only one of the two databases."""
    difference = {}
    for part in ("columns", "constraints"):
        one, other = ({json.dumps(item, sort_keys=True) for item in shape[part]} for shape in (migrated, fresh))
        if one != other:
            difference[part] = {"only migrated": sorted(one - other), "only fresh": sorted(other - one)}
    return difference


# --- the databases, read with raw SQL (neither tree's code) -----------------------------------------


class Database:
    """One throwaway database: its URL for Django, and raw SQL from the test process."""

    def __init__(self, url: str, sqlite_path: Path | None = None, pg_name: str | None = None) -> None:
        self.url, self.sqlite_path, self.pg_name = url, sqlite_path, pg_name

    def query(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path) as lite:
                lite_cursor = lite.execute(sql.replace("%s", "?"), params)
                names = [d[0] for d in lite_cursor.description]
                rows = lite_cursor.fetchall()
            lite.close()
        else:
            import psycopg

            with psycopg.connect(f"{POSTGRES}/{self.pg_name}") as connection:
                cursor = connection.execute(sql, params)
                assert cursor.description is not None  # every query here is a SELECT: it has columns
                names = [d.name for d in cursor.description]
                rows = cursor.fetchall()
        return [dict(zip(names, row, strict=True)) for row in rows]

    def table(self, table: str) -> dict[Any, dict[str, Any]]:
        """Every row of `table` by id (every table here has one)."""
        return {row["id"]: row for row in self.query(f'SELECT * FROM "{table}"')}

    def content_types(self) -> dict[int, tuple[str, str]]:
        """The content types of the moved models, whichever app they are labelled with: id -> (app, model)."""
        labels = {(app, name.lower()) for old_app, name, new_app, _ in MOVED for app in (old_app, new_app)}
        rows = self.query("SELECT id, app_label, model FROM django_content_type")
        return {row["id"]: (row["app_label"], row["model"]) for row in rows if (row["app_label"], row["model"]) in labels}

    def permissions(self, content_type_ids: list[int]) -> list[tuple]:
        marks = ", ".join(["%s"] * len(content_type_ids))
        return sorted(
            (row["id"], row["content_type_id"], row["codename"])
            for row in self.query(
                f"SELECT id, content_type_id, codename FROM auth_permission WHERE content_type_id IN ({marks})",
                tuple(content_type_ids),
            )
        )


def postgres_database() -> Database:
    """A new, empty PostgreSQL database on the test server (dropped by the fixture)."""
    import psycopg

    name = f"upr_migrate_before_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES} ({error}); start it with `bash scripts/test-services.sh`.")
    return Database(f"{POSTGRES}/{name}", pg_name=name)


def drop_postgres_database(database: Database) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database.pg_name}" WITH (FORCE)')


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def old_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project as it was at OLD_COMMIT, exported from git (the checkout is not touched). A missing
    commit fails the test: a shallow clone would otherwise pass it without checking anything."""
    known = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{OLD_COMMIT}^{{commit}}"], capture_output=True, text=True, timeout=60
    )
    if known.returncode != 0:
        pytest.fail(
            f"Commit {OLD_COMMIT} (the last before the apps were layered) is not in the repository at {ROOT}: "
            f"this test builds a database with that code. Fetch the full history (git fetch --unshallow) "
            f"and run it again.\n{known.stderr}"
        )
    tree = tmp_path_factory.mktemp("before-the-layers")
    archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", OLD_COMMIT], stdout=subprocess.PIPE)
    extract = subprocess.run(["tar", "-x", "-C", str(tree)], stdin=archive.stdout, capture_output=True, timeout=120)
    archive.stdout.close()  # type: ignore[union-attr]  # stdout=PIPE above: never None
    assert archive.wait(timeout=120) == 0 and extract.returncode == 0, f"git archive {OLD_COMMIT} failed: {extract.stderr!r}"
    return tree


def _new_database(backend: str, tmp_path: Path, name: str) -> Database:
    if backend == "sqlite":
        path = tmp_path / f"{name}.sqlite3"
        return Database(f"sqlite:///{path}", sqlite_path=path)
    return postgres_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """Two empty databases of one backend: the one the old code builds and today's code migrates, and a
    fresh one that only today's code migrates (the shape the moved tables should have)."""
    made: list[Database] = []
    try:
        made.append(_new_database(request.param, tmp_path, "before"))
        made.append(_new_database(request.param, tmp_path, "fresh"))
        yield made[0], made[1]
    finally:
        for database in made:
            if database.pg_name:
                drop_postgres_database(database)


# --- the test -------------------------------------------------------------------------------------


def test_a_database_of_the_code_before_the_layers_migrates_and_keeps_every_row(
    old_tree: Path, databases: tuple[Database, Database], tmp_path: Path
) -> None:
    database, fresh = databases

    # 1-2. The old code builds and fills the database, as `make run` did (migrate, the UPR calendar, the demo).
    old = ("upr.settings.dev", database.url)
    manage(old_tree, *old, "migrate", "--noinput")
    manage(old_tree, *old, "load_upr_reference")
    manage(old_tree, *old, "load_demo")
    run_script(old_tree, *old, script(tmp_path, "old_rows.py", OLD_ROWS))

    before = {table: database.table(table) for table in TABLES}
    empty = [table for table, rows in before.items() if not rows]
    assert not empty, f"The old code left these tables empty; the test would prove nothing about them: {empty}"
    content_types_before = database.content_types()
    assert sorted(content_types_before.values()) == sorted((a, n.lower()) for a, n, _, _ in MOVED), content_types_before
    permissions_before = database.permissions(list(content_types_before))

    # 3. Today's code migrates it.
    new = ("hub.settings.dev", database.url)
    manage(ROOT, *new, "migrate", "--noinput")

    # Every row, seen through the new models and their M2M fields.
    seen = run_script(ROOT, *new, script(tmp_path, "new_rows.py", NEW_ROWS), "NEW_ROWS")
    for old_app, name, app, table in MOVED:
        model = seen["models"][name]
        assert (model["app_label"], model["db_table"]) == (app, table), f"{old_app}.{name} -> {model}"
        assert model["count"] == len(before[table]), f"{app}.{name}: {model['count']} rows, {len(before[table])} before"
        assert model["pks"] == sorted(before[table]), f"{app}.{name}: other rows than before"
    for name, field, table, own, other in M2M:
        relation = seen["m2m"][f"{name}.{field}"]
        pairs = sorted([row[own], row[other]] for row in before[table].values())
        assert relation["db_table"] == table, f"{name}.{field} now in {relation['db_table']}, was {table}"
        assert relation["count"] == len(pairs), f"{name}.{field}: {relation['count']} rows, {len(pairs)} before"
        assert relation["pairs"] == pairs, f"{name}.{field}: other pairs than before"

    # And the tables hold the same values (the columns they had; a column added by the move is allowed).
    for table, rows in before.items():
        after = database.table(table)
        assert after.keys() == rows.keys(), f"{table}: other rows than before"
        changed = {pk: (row, after[pk]) for pk, row in rows.items() if {k: after[pk].get(k) for k in row} != row}
        assert not changed, f"{table}: rows changed by the migration (before, after): {changed}"

    # The content types relabelled in place: same ids (their permissions, admin log entries and any
    # generic relation follow), now of the new apps, none left under the old ones nor made anew.
    content_types_after = database.content_types()
    new_app = {(old_app, name.lower()): app for old_app, name, app, _ in MOVED}
    expected = {pk: (new_app[label], label[1]) for pk, label in content_types_before.items()}
    assert content_types_after == expected, (
        f"The moved models' content types, expected relabelled in place:\n{expected}\nfound:\n{content_types_after}"
    )
    assert database.permissions(list(content_types_after)) == permissions_before, "the moved models' permissions changed"

    # Nothing left to migrate or to make.
    again = manage(ROOT, *new, "migrate", "--noinput")
    assert "No migrations to apply." in again, f"A second migrate did something:\n{again}"
    manage(ROOT, *new, "makemigrations", "--check", "--dry-run")

    # Every table has the shape today's code gives a fresh database (SCHEMA says why every one).
    manage(ROOT, "hub.settings.dev", fresh.url, "migrate", "--noinput")
    shape = script(tmp_path, "schema.py", SCHEMA)
    migrated = run_script(ROOT, *new, shape, "SCHEMA")
    made_fresh = run_script(ROOT, "hub.settings.dev", fresh.url, shape, "SCHEMA")
    assert migrated.keys() == made_fresh.keys(), (
        f"Tables only in the migrated database: {sorted(migrated.keys() - made_fresh.keys())}; "
        f"only in a fresh one: {sorted(made_fresh.keys() - migrated.keys())}"
    )
    differences = {
        table: shape_difference(migrated[table], made_fresh[table]) for table in migrated if migrated[table] != made_fresh[table]
    }
    assert not differences, f"Tables whose shape differs from a fresh database's: {json.dumps(differences, indent=1)}"
