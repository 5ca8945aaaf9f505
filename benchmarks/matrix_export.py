"""The OHCHR-format matrix (.docx) of Slovenia's 254 cycle-4 recommendations, each with 5 assessments
(one with a linked piece of evidence), renders in under 3 s (issue 6).

    .venv/bin/python benchmarks/run.py --keep         # once: the seeded benchmark database
    .venv/bin/python benchmarks/matrix_export.py      # --repeats 5

On the kept `upr_bench` database, inside a transaction rolled back at the end: OHCHR's Word list of
Slovenia's 48th-session recommendations (shipped in recommendations/reference_data) is imported, a
coalition builds its matrix and assesses every row five times. Timed: reading the rows
(exports.export_rows) and writing the .docx (exports.render_ohchr_docx), and the XLSX and PDF
scorecard for information. The baseline, in the same run: the same export of a one-row matrix.
Exits 1 when the .docx median is over its target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_S = 3.0
LIST = ROOT / "recommendations" / "reference_data" / "upr48-slovenia-thematic-list-of-recommendatio.docx"


def timed(repeats: int, work) -> list[float]:
    found = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        found.append(time.perf_counter() - started)
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings.test"
    os.environ.setdefault("TEST_DATABASE_URL", "postgres://upr:upr@127.0.0.1:5432/upr_bench")
    import django

    django.setup()
    from django.db import transaction

    from accounts.models import User
    from coalitions import services as coalition_services
    from coalitions.models import Membership
    from implementation import exports, services
    from implementation.models import Level, Light, MatrixRow
    from recommendations.file_import import import_file
    from recommendations.models import Recommendation
    from upr.models import Review

    levels, lights = list(Level.values), [Light.RED, Light.ORANGE, Light.ORANGE, Light.GREEN, Light.GREY]
    with transaction.atomic():
        review = Review.objects.get(state__iso3="SVN", session__number=48)
        if not Recommendation.objects.filter(review=review).exists():
            with LIST.open("rb") as handle:
                import_file(handle, name=LIST.name, review=review)
        user = User.objects.create(email="matrix-bench@bench.example.org")
        coalition = coalition_services.coalition_create(name="Matrix bench", slug="matrix-bench", creator=user)
        membership = Membership.objects.get(coalition=coalition, user=user)
        engagement = coalition_services.engagement_create(coalition=coalition, actor=user, review=review)
        started = time.perf_counter()
        matrix = services.matrix_build(engagement=engagement, actor=user, scheme="ohchr")
        rows = list(MatrixRow.objects.filter(matrix=matrix).select_related("cluster"))
        for n, row in enumerate(rows):
            for k in range(5):
                services.assessment_add(
                    row=row,
                    membership=membership,
                    data={
                        "assessed_on": dt.date(2025, 6, 1) + dt.timedelta(days=90 * k),
                        "law": levels[(n + k) % 4],
                        "policy": levels[(n + 2 * k) % 4],
                        "practice": levels[(n + 3 * k) % 4],
                        "light": lights[(n + k) % 5],
                        "narrative": "The ministry adopted an action plan; its budget is not yet allocated and the "
                        "ombudsperson reports that practice has not changed in the settlements visited.",
                    },
                    links=[
                        {
                            "title": "Ombudsperson's report",
                            "source": "Ombudsperson",
                            "dated": dt.date(2026, 3, 1),
                            "url": "https://example.org/report",
                        }
                    ]
                    if k == 4
                    else [],
                )
        print(f"matrix of {len(rows)} rows with 5 assessments each made in {time.perf_counter() - started:.1f} s")

        def docx() -> bytes:
            return exports.render_ohchr_docx(matrix=matrix, rows=exports.export_rows(matrix=matrix, membership=membership))

        full = timed(repeats, docx)
        size = len(docx())
        xlsx = timed(2, lambda: exports.render_xlsx(exports.export_rows(matrix=matrix, membership=membership)))
        pdf = timed(
            2,
            lambda: exports.render_scorecard_pdf(
                matrix=matrix, rows=exports.export_rows(matrix=matrix, membership=membership), membership=membership
            ),
        )
        MatrixRow.objects.filter(matrix=matrix).exclude(pk=rows[0].pk).delete()
        baseline = timed(repeats, docx)
        transaction.set_rollback(True)

    median, base = statistics.median(full), statistics.median(baseline)
    print(
        f"OHCHR matrix .docx, {len(rows)} rows ({size / 1024:.0f} KiB): median {median:.2f} s, "
        f"max {max(full):.2f} s (target < {TARGET_S:.0f} s)"
    )
    print(f"baseline, a one-row matrix: median {base:.3f} s (the 254 rows cost x{median / base:.0f})")
    print(f"for information: XLSX {statistics.median(xlsx):.2f} s, PDF scorecard {statistics.median(pdf):.2f} s")
    ok = median < TARGET_S
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
