"""Where a page's time goes, in-process: SQL queries, their time, and the whole request, per page.

Against the database that `run.py --keep` leaves behind (upr_bench, seeded):

    .venv/bin/python benchmarks/run.py --keep          # once
    .venv/bin/python benchmarks/profile_pages.py       # queries and ms per page
    .venv/bin/python benchmarks/profile_pages.py --sql /c/bench-000/members/       # and each query
    .venv/bin/python benchmarks/profile_pages.py --cprofile /calendar/              # and the hot functions
    .venv/bin/python benchmarks/profile_pages.py --sql matrix     # "matrix": the seeded implementation matrix's page

Runs Django's test client in this process (no gunicorn, no network) with the test settings pointed
at upr_bench: DEBUG off, plain static storage (no collectstatic needed). The user is the first
admin of bench-000, logged in through a real session as in run.py.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PAGES = ["/health/", "/c/bench-000/", "/c/bench-000/members/", "/calendar/", "matrix", "editor", "search"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", default=DEFAULT_PAGES)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sql", action="store_true", help="list each query of each page")
    parser.add_argument("--cprofile", action="store_true", help="print the 25 costliest functions of each page")
    parser.add_argument(
        "--uncached",
        action="store_true",
        help="a cache that keeps nothing (every cached part rendered each time): what a page costs without its cache",
    )
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings.test"
    os.environ["TEST_DATABASE_URL"] = "postgres://upr:upr@127.0.0.1:5432/" + os.environ.get("BENCH_DATABASE", "upr_bench")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    if args.uncached:
        from django.test.utils import override_settings

        override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}).enable()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection
    from django.test import Client

    from coalitions.models import Membership

    membership = (
        Membership.objects.select_related("user")
        .filter(coalition__slug="bench-000", role="admin")
        .order_by("user__email")
        .first()
    )
    if membership is None:
        raise SystemExit("No seeded upr_bench database: run `benchmarks/run.py --keep` first.")
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(membership.user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = membership.user.get_session_auth_hash()
    session.save()
    from implementation.models import Matrix

    # "matrix": the page of the implementation matrix seed.py made in bench-000 (issue 6).
    matrix = Matrix.objects.filter(coalition=membership.coalition).order_by("pk").first()
    pages = []
    for page in args.pages:
        if page == "editor":  # the seeded joint submission of bench-000 (seed.py)
            from submissions.models import Document

            found = Document.objects.filter(coalition=membership.coalition).order_by("pk").first()
            assert found is not None, "no joint submission in bench-000: run `benchmarks/run.py --keep` again"
            page = f"/c/{membership.coalition.slug}/documents/{found.pk}/"
        if page == "search":
            page = f"/c/{membership.coalition.slug}/recommendations/?q=children&action=5"
        if page == "matrix":
            if matrix is None:
                print("(no implementation matrix in bench-000: run `benchmarks/run.py --keep` again to seed it)")
                continue
            page = f"/c/{membership.coalition.slug}/engagements/{matrix.engagement_id}/matrix/"
        pages.append(page)
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    width = max([28] + [len(page) for page in pages])
    print(f"{'page':<{width}} {'status':>6} {'queries':>7} {'SQL ms':>7} {'ms/request':>10}")
    for page in pages:
        for _ in range(3):
            client.get(page)  # warm: templates compiled, connection open
        captured: list[tuple[float, str]] = []

        def capture(execute, sql, params, many, context, captured=captured):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append((time.perf_counter() - started, sql))

        with connection.execute_wrapper(capture):
            response = client.get(page)
        started = time.perf_counter()
        for _ in range(args.repeat):
            client.get(page)
        per_request = (time.perf_counter() - started) / args.repeat * 1000
        sql_ms = sum(t for t, _ in captured) * 1000
        print(f"{page:<{width}} {response.status_code:>6} {len(captured):>7} {sql_ms:>7.1f} {per_request:>10.1f}")
        if args.sql:
            for seconds, sql in captured:
                print(f"    {seconds * 1000:6.2f} ms  {sql[:160]}")
        if args.cprofile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.repeat):
                client.get(page)
            profile.disable()
            stats = pstats.Stats(profile, stream=sys.stdout).sort_stats(os.environ.get("PROFILE_SORT", "tottime"))
            stats.print_stats(int(os.environ.get("PROFILE_LINES", "25")))
            if os.environ.get("PROFILE_CALLERS"):  # who calls the functions matching this pattern
                stats.print_callers(os.environ["PROFILE_CALLERS"])


if __name__ == "__main__":
    main()
