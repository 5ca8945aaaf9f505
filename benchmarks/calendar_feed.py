"""The iCalendar feed of a person in 5 coalitions renders in under 100 ms (issue 5).

    .venv/bin/python benchmarks/run.py --keep          # once: the seeded benchmark database
    .venv/bin/python benchmarks/calendar_feed.py       # a few seconds

On the kept `upr_bench` database (200 coalitions, each with an engagement and its 15 milestones), a
person is made a member of 5 coalitions (inside a transaction rolled back at the end: nothing is
left behind), and the whole answer to their feed's address is timed in-process (token lookup,
queries, the calendar written by `icalendar`), against a baseline of the same person in one
coalition, measured in the same run. Prints the median and p95; exits 1 over the target.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
TARGET_MS = 100.0
REPEATS = 60


def timed(path: str, client) -> list[float]:
    for _ in range(3):
        assert client.get(path).status_code == 200  # warm: templates, connections, time zones
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return sorted(samples)


def main() -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings.test"
    os.environ.setdefault("TEST_DATABASE_URL", "postgres://upr:upr@127.0.0.1:5432/upr_bench")
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Q
    from django.test import Client

    from accounts.models import User
    from coalitions.models import Coalition, Engagement, Membership
    from workplan import feeds

    dated = Q(review__review_date__isnull=False) | Q(review__session__start_date__isnull=False)
    with_dates = Engagement.objects.filter(dated, coalition__slug__startswith="bench-").values("coalition_id")
    coalitions = list(Coalition.objects.filter(pk__in=with_dates).order_by("slug")[:5])
    if len(coalitions) < 5:
        raise SystemExit("No seeded upr_bench database: run `benchmarks/run.py --keep` first.")
    client = Client(HTTP_HOST="127.0.0.1")
    with transaction.atomic():
        person = User.objects.create_user(email="feed-benchmark@example.org")
        Membership.objects.create(coalition=coalitions[0], user=person, role="member")
        one = timed(f"/feeds/{feeds.feed_create(user=person)}.ics", client)
        for coalition in coalitions[1:]:
            Membership.objects.create(coalition=coalition, user=person, role="member")
        path = f"/feeds/{feeds.feed_create(user=person)}.ics"
        five = timed(path, client)
        body = client.get(path).content
        size, count = len(body), body.count(b"BEGIN:VEVENT")
        assert count >= 5 * 10, f"only {count} events: the coalitions' reviews have no dates"
        transaction.set_rollback(True)

    def p95(samples: list[float]) -> float:
        return samples[int(len(samples) * 0.95) - 1]

    median = statistics.median(five)
    print(
        f"feed of a person in 5 coalitions ({count} events, {size / 1024:.1f} KiB): median {median:.1f} ms, p95 {p95(five):.1f} ms "
        f"(target < {TARGET_MS:.0f} ms)"
    )
    print(
        f"baseline, the same person in 1 coalition: median {statistics.median(one):.1f} ms "
        f"(5 coalitions cost x{median / statistics.median(one):.1f})"
    )
    verdict = median < TARGET_MS
    print("PASS" if verdict else "FAIL")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
