"""How long importing recommendations takes, into PostgreSQL, beside a baseline of the same run.

Targets (issue 4): UPR Info's 41,066-row export in under 60 s; OHCHR's Word file in under 3 s.
Baselines, measured in the same run so that a slow spell of the machine shows in both: reading the
same files without the database (csv.DictReader over the export; python-docx opening the Word file).

    .venv/bin/python benchmarks/import_recommendations.py     # after scripts/test-services.sh

Creates and drops its own database, upr_bench_import. Prints the figures; exits 0 whatever they are.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "upr_bench_import"
URL = f"postgres://upr:upr@127.0.0.1:5432/{DB}"
UPR_INFO = ROOT.parent / "shared" / "reference" / "data" / "upr-info_database_export_sessions01-20.csv"
OHCHR = ROOT / "recommendations" / "reference_data" / "upr48-slovenia-thematic-list-of-recommendatio.docx"


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=5432, user="upr", password="upr", dbname="postgres", autocommit=True) as conn:
        conn.execute(sql)


def timed(label: str, fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - started
    print(f"  {label:<58} {seconds:7.2f} s")
    return seconds, result


def measure() -> None:
    import django

    django.setup()
    import docx

    from recommendations.file_import import import_file
    from upr.models import Review

    def import_thematic_list(path: str, *, review: Review):
        with open(path, "rb") as handle:
            return import_file(handle, name=Path(path).name, review=review)

    def import_upr_info(path: str):
        with open(path, "rb") as handle:
            return import_file(handle, name=Path(path).name, review=None)

    review = Review.objects.get(state__iso3="SVN", session__number=48)
    print("OHCHR Word file (Slovenia, session 48; target < 3 s):")
    base_docx, _ = timed(
        "baseline: open the .docx and read its table (no database)",
        lambda: [c.text for r in docx.Document(str(OHCHR)).tables[0].rows for c in r.cells],
    )
    first, report = timed(
        "import (with search index and cross-cycle suggestions)", import_thematic_list, str(OHCHR), review=review
    )
    print(f"    {report.summary()}")
    again, _ = timed("re-import (nothing changes)", import_thematic_list, str(OHCHR), review=review)
    print(f"  ratio import / baseline: {first / base_docx:.1f}x   verdict: {'PASS' if first < 3 else 'FAIL'}")

    if not UPR_INFO.exists():
        print(f"UPR Info export not found at {UPR_INFO}: skipped")
        return
    print("UPR Info export (41,066 rows, sessions 1-20; target < 60 s):")
    base_csv, _ = timed(
        "baseline: read every row with csv.DictReader (no database)",
        lambda: sum(1 for _ in csv.DictReader(UPR_INFO.open(encoding="utf-8"))),
    )
    full, report = timed("import (with search index and cross-cycle suggestions)", import_upr_info, str(UPR_INFO))
    print(f"    {report.summary()} ({len(report.problems)} rows reported)")
    again, report = timed("re-import (nothing changes)", import_upr_info, str(UPR_INFO))
    print(f"    {report.created} created, {report.updated} updated, {report.unchanged} unchanged")
    print(f"  ratio import / baseline: {full / base_csv:.0f}x   verdict: {'PASS' if full < 60 else 'FAIL'}")


def main() -> None:
    if os.environ.get("UPR_BENCH_CHILD"):
        measure()
        return
    admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{DB}"')
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hub.settings.test", "TEST_DATABASE_URL": URL, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        for step in (["migrate", "-v0"], ["load_upr_reference"]):
            subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, __file__], cwd=ROOT, env={**env, "UPR_BENCH_CHILD": "1"}, check=True, timeout=600)
    finally:
        admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
