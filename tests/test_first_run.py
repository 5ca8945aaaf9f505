"""The first run, as the README gives it: `make run`'s fresh SQLite database, crawled and written to.

The database is set up exactly as the `run:` target of the Makefile does (migrate, the UPR reference
data, the demo), with `hub.settings.dev` on a SQLite file in a temporary folder, each command a
subprocess. The crawl, the write journeys and the error pages then run in subprocesses of their own
under the same settings (tests/first_run/), so that nothing of the suite's PostgreSQL settings leaks
in: no PostgreSQL is needed. Every failure is reported at once, not only the first.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "first_run"
# Read from the Makefile, so that the test follows the README's command if the target changes.
MAKE_RUN_COMMANDS = ("compile_translations", "migrate --noinput", "load_upr_reference", "load_demo")
PERSONAS = {
    "demo@example.org": "admin",
    "editor@example.org": "editor",
    "member@example.org": "member",
    "observer@example.org": "observer",
}
CANARY = "upr-first-run-canary-" + secrets.token_hex(8)


def make_run_commands() -> list[list[str]]:
    """The manage.py commands of the Makefile's `run:` target before it serves."""
    target = re.search(r"^run:.*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert target, "the Makefile has no run: target"
    commands = [line.split("manage.py", 1)[1].split() for line in target.group(1).splitlines() if "manage.py" in line]
    assert [" ".join(c) for c in commands[:-1]] == list(MAKE_RUN_COMMANDS), commands
    assert commands[-1][0] == "runserver", commands
    return commands


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of `make run` on a fresh SQLite database: nothing of the suite's own (no Redis:
    tasks run in-process; email to the console). Files are kept in the temporary folder."""
    folder = tmp_path_factory.mktemp("first-run")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "EMAIL_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS") and not k.startswith("CELERY_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="hub.settings.dev",
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        MEDIA_ROOT=str(folder / "media"),
        EVIDENCE_ROOT=str(folder / "evidence"),
        STATIC_ROOT=str(folder / "static"),
        UPR_FIRST_RUN_CANARY=CANARY,
        PYTHONUNBUFFERED="1",
    )
    env["FIRST_RUN_FOLDER"] = str(folder)
    for command in make_run_commands()[:-1]:
        done = manage(env, *command)
        assert done.returncode == 0, f"manage.py {' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        env[f"FIRST_RUN_OUTPUT_{command[0].upper()}"] = done.stdout
    yield env


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def script(env: dict[str, str], name: str, timeout: int = 600) -> dict[str, Any]:
    """Run tests/first_run/<name>.py and read its report."""
    report = Path(env["FIRST_RUN_FOLDER"]) / f"{name}.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / f"{name}.py"), str(report)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0 and report.exists(), f"{name}.py failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return json.loads(report.read_text())


def table_counts(env: dict[str, str]) -> dict[str, int]:
    with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in tables}


def test_the_demo_has_the_four_personas_and_loading_it_again_changes_nothing(first_run: dict[str, str]) -> None:
    printed = first_run["FIRST_RUN_OUTPUT_LOAD_DEMO"]
    for email in PERSONAS:
        assert email in printed, f"load_demo does not print the login {email}:\n{printed}"
    with sqlite3.connect(first_run["DATABASE_URL"].removeprefix("sqlite:///")) as db:
        roles = dict(
            db.execute(
                "SELECT u.email, m.role FROM coalitions_membership m JOIN accounts_user u ON u.id = m.user_id"
                " JOIN coalitions_coalition c ON c.id = m.coalition_id WHERE c.slug = 'demo'"
            )
        )
    assert roles == PERSONAS
    before = table_counts(first_run)
    again = manage(first_run, "load_demo")
    assert again.returncode == 0, again.stderr[-3000:]
    after = table_counts(first_run)
    # The sessions of the logins and the caches' write stamps (upr.freshness) are bookkeeping, not demo rows.
    bookkeeping = ("django_session", "upr_writestamp")
    assert {t: (before[t], after[t]) for t in before if before[t] != after[t] and t not in bookkeeping} == {}


def test_every_page_and_api_get_answers_without_a_server_error_as_every_persona(
    first_run: dict[str, str], record_property: Any
) -> None:
    """Follow every link from the dashboard and the home page, and GET every path of the API's schema
    (ids of the demo's own objects), as the admin, the editor, the member, the observer and a stranger."""
    report = script(first_run, "crawl")
    counts = report["personas"]
    print(
        f"first-run crawl, requests per persona: {json.dumps(counts)}; {len(report['visited'])} routes;"
        f" {report['statics']} static files"
    )
    for persona, count in counts.items():
        record_property(f"crawl_requests_{persona}", count["pages"] + count["api"])
    failures = [
        f"{f['persona']}: {f['method']} {f['url']} -> {f['status'] or 'exception'}: {f['error']}" for f in report["failures"]
    ]
    assert failures == [], f"{len(failures)} server errors on the first run:\n" + "\n".join(failures)
    assert report["static_missing"] == [], "static files not served under make run's settings"
    # A crawl that stopped at the login page would find nothing: it must have reached the product.
    for persona in PERSONAS.values():
        assert counts[persona]["pages"] >= 40 and counts[persona]["api"] >= 60, counts
    assert not any(count["left"] for count in counts.values()), f"the crawl stopped at its bound: {counts}"
    for route in ("documents:detail", "recommendations:list", "implementation:matrix", "recommendations:detail"):
        assert route in report["visited"], f"the crawl never reached {route}"


def test_the_main_write_journeys_succeed_on_sqlite(first_run: dict[str, str]) -> None:
    """Save a section, export Word and PDF (read back), start a document from a Word draft, import
    OHCHR's recommendations into their review, assess a matrix row with evidence, search the
    recommendations (no full-text search on SQLite) and sweep the reminders (no COPY on SQLite)."""
    report = script(first_run, "journeys")
    print(f"first-run journeys, seconds each: {json.dumps(report['journeys'])}")
    assert set(report["journeys"]) == {
        "edit_and_save_a_section",
        "export_word_and_pdf",
        "import_a_word_draft",
        "import_recommendations",
        "assess_a_matrix_row",
        "search_recommendations",
        "reminder_sweep",
    }
    failures = [f"{f['journey']}: {f['error']}\n{f['traceback']}" for f in report["failures"]]
    assert failures == [], "\n\n".join(failures)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def assert_discloses_nothing(body: str) -> None:
    for secret in (CANARY, "SECRET_KEY", "DATABASE_URL", "sqlite", "Traceback", "settings", "DEBUG = True", "urlpatterns"):
        assert secret not in body, f"the error page shows {secret!r}:\n{body[:2000]}"


def test_error_pages_of_make_run_show_no_settings_or_environment(first_run: dict[str, str]) -> None:
    """The server `make run` starts (its own command line), asked as a DNS-rebinding page would (another
    Host: refused, which DEBUG answers with every setting and the environment), for a page that does
    not exist, and for a stylesheet (served with DEBUG off); then a view that fails, in-process."""
    port = free_port()
    runserver = make_run_commands()[-1]
    address = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", runserver[0], address, "--noreload"],
        cwd=ROOT,
        env=first_run,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(150):
            try:
                status, _body = get(f"http://{address}/health/")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("runserver did not start")
        status, body = get(f"http://{address}/", host="rebinding.example")
        assert status == 400
        assert_discloses_nothing(body)
        status, body = get(f"http://{address}/c/demo/no-such-page/")
        assert status in (302, 404)  # anonymous: to the login page, whatever the address
        status, body = get(f"http://{address}/no-such-page/")
        assert status == 404 and "Page not found" in body
        assert_discloses_nothing(body)
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', body)
        assert stylesheet and get(f"http://{address}{stylesheet.group(1)}")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = script(first_run, "error_pages")
    assert report["DEBUG"] is False
    for name, page in report["pages"].items():
        expected = (500, "Something went wrong") if name.endswith("server_error") else (404, "Page not found")
        assert (page["status"], expected[1] in page["body"]) == (expected[0], True), (name, page["body"][:1000])
        assert_discloses_nothing(page["body"])


@pytest.mark.browser
def test_make_runs_one_command_serves_live_editing_to_two_people_on_sqlite(first_run: dict[str, str], chromium) -> None:
    """`make run`'s server (its own command: Daphne's runserver, the in-memory channel layer, SQLite)
    serves the page, the editor's bundle and its WebSocket: the demo's editor types in a section and
    the secretariat, in another browser, sees it arrive; it is stored in the SQLite file."""
    port = free_port()
    runserver = make_run_commands()[-1]
    address = f"127.0.0.1:{port}"
    database = first_run["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        document_id, slug = db.execute(
            "SELECT d.id, c.slug FROM submissions_document d JOIN coalitions_coalition c ON c.id = d.coalition_id"
            " WHERE d.kind = 'joint_submission' ORDER BY d.id LIMIT 1"
        ).fetchone()
        updates_before = db.execute("SELECT COUNT(*) FROM submissions_liveupdate").fetchone()[0]
    server = subprocess.Popen(
        [sys.executable, "manage.py", runserver[0], address, "--noreload"],
        cwd=ROOT,
        env=first_run,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(150):
            try:
                get(f"http://{address}/health/")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("runserver did not start")
        pages = []
        for email in ("editor@example.org", "demo@example.org"):
            page = chromium.new_context().new_page()
            page.goto(f"http://{address}/accounts/login/")
            page.get_by_label(re.compile(r"^Email:?$")).fill(email)
            page.get_by_label(re.compile(r"^Password:?$")).fill("demo-coalition-2026")
            page.get_by_role("button", name="Sign In").click()
            page.wait_for_load_state()
            page.goto(f"http://{address}/c/{slug}/documents/{document_id}/")
            page.wait_for_function(
                "() => window.UPRLiveEditor && window.UPRLiveEditor.connected() && window.UPRLiveEditor.synced()"
            )
            pages.append(page)
        editor, secretariat = pages
        # A text the editor writes (where an editor may only suggest, the text is .live-suggesting).
        writable = editor.locator('.live-text:not(.live-suggesting) .ProseMirror[contenteditable="true"]').first
        room = writable.evaluate("(el) => el.closest('.live-text').dataset.room")
        writable.click()
        editor.keyboard.press("Control+End")
        editor.keyboard.type(" Typed live on SQLite.")
        editor.wait_for_function("() => window.UPRLiveEditor.pending() === 0")
        secretariat.wait_for_function(
            "(room) => window.UPRLiveEditor.htmlOf(room).includes('Typed live on SQLite.')", arg=room, timeout=5000
        )
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output, output[-3000:]
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM submissions_liveupdate").fetchone()[0] > updates_before
