"""The reminder sweep over 10,000 members in 50 coalitions with 12 deadlines each decides and
enqueues every due reminder in under 10 s, and claims each exactly once (issue 5).

    .venv/bin/python benchmarks/run.py --keep          # once: the seeded benchmark database
    .venv/bin/python benchmarks/reminder_sweep.py      # about a minute, most of it making the people

On the kept `upr_bench` database, inside a transaction rolled back at the end (nothing is left
behind): 50 coalitions get 200 members each (10,000) and 12 internal deadlines each, all within a
day, so that every member has one reminder due per deadline: 120,000 reminders. Timed:

* deciding: which reminders are due (workplan.reminders.due_reminders);
* claiming: inserting them (INSERT ... ON CONFLICT DO NOTHING RETURNING);
* enqueueing: the sending tasks, 100 reminders each, published to a real Redis (database 14,
  emptied before and after; no worker listens: the emails themselves are not sent here).

Then a second sweep at the same moment must claim nothing: each reminder is claimed once. And
SENT_SAMPLE of the claims are sent in-process (to Django's in-memory mailbox), then sent again as
a retried task would: each must give one email, the retry none. The
baseline, in the same run, is the deciding step on the database before the 10,000 members are
added (200 coalitions of 60, their deadlines past or far): what a sweep costs when nothing is due.
Exits 1 over the target.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
TARGET_S = 10.0
COALITIONS, MEMBERS, DEADLINES = 50, 200, 12
REDIS = "redis://127.0.0.1:6379/14"
SENT_SAMPLE = 500


def main() -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings.test"
    os.environ.setdefault("TEST_DATABASE_URL", "postgres://upr:upr@127.0.0.1:5432/upr_bench")
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core import mail
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from coalitions.models import Coalition, Engagement, Membership, Milestone
    from upr.celery import app as celery_app
    from workplan import reminders
    from workplan.models import Reminder
    from workplan.tasks import send_reminders

    coalitions = list(Coalition.objects.filter(slug__startswith="bench-").order_by("slug")[:COALITIONS])
    if len(coalitions) < COALITIONS:
        raise SystemExit("No seeded upr_bench database: run `benchmarks/run.py --keep` first.")
    redis.Redis.from_url(REDIS).flushdb()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    celery_app.conf.update(broker_url=REDIS, task_always_eager=False)
    now = timezone.now()
    started = time.perf_counter()
    nothing_due = len(reminders.due_reminders(now=now))
    baseline = time.perf_counter() - started
    with transaction.atomic():
        started = time.perf_counter()
        password = make_password(None)
        users = User.objects.bulk_create(
            [
                User(email=f"sweep-{c}-{m}@bench.example.org", password=password)
                for c in range(COALITIONS)
                for m in range(MEMBERS)
            ],
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            [
                Membership(coalition=coalition, user=users[c * MEMBERS + m], role="member")
                for c, coalition in enumerate(coalitions)
                for m in range(MEMBERS)
            ],
            batch_size=2000,
        )
        engagements = {e.coalition_id: e for e in Engagement.objects.filter(coalition__in=coalitions)}
        Milestone.objects.bulk_create(
            [
                Milestone(
                    coalition=coalition,
                    engagement=engagements[coalition.pk],
                    kind="custom",
                    title=f"Internal deadline {d}",
                    override_date=(now + dt.timedelta(days=1)).date(),
                )
                for coalition in coalitions
                for d in range(DEADLINES)
            ]
        )
        print(f"made {len(users):,} members and {COALITIONS * DEADLINES} deadlines in {time.perf_counter() - started:.1f} s")

        # Only these 50 coalitions: the other bench coalitions' milestones are in the past or years ahead.
        started = time.perf_counter()
        rows = reminders.due_reminders(now=now)
        decided = time.perf_counter() - started
        started = time.perf_counter()
        claimed = reminders.claim(rows)
        claiming = time.perf_counter() - started
        started = time.perf_counter()
        for start in range(0, len(claimed), reminders.SEND_CHUNK):
            send_reminders.apply_async(kwargs={"reminder_ids": claimed[start : start + reminders.SEND_CHUNK]})
        enqueueing = time.perf_counter() - started
        again = reminders.claim(reminders.due_reminders(now=now))
        ours = Reminder.objects.filter(user__email__startswith="sweep-", deadline__startswith="milestone:")
        distinct = ours.values("user", "deadline").distinct().count()
        queued = redis.Redis.from_url(REDIS).llen("reminders")
        sample = claimed[:SENT_SAMPLE]
        started = time.perf_counter()
        memo: dict = {}  # as the sending task does
        sent = sum(reminders.send(reminder_id=pk, memo=memo) for pk in sample)
        sending = time.perf_counter() - started
        emails = len(mail.outbox)
        resent = sum(reminders.send(reminder_id=pk) for pk in sample)  # the task retried after a crash
        transaction.set_rollback(True)
    redis.Redis.from_url(REDIS).flushdb()

    total = decided + claiming + enqueueing
    print(
        f"decide {decided:.2f} s + claim {claiming:.2f} s ({len(claimed):,} reminders) + enqueue {enqueueing:.2f} s "
        f"({queued:,} tasks in Redis) = {total:.2f} s (target < {TARGET_S:.0f} s)"
    )
    print(
        f"baseline: deciding on the database before (200 coalitions, {nothing_due} due): {baseline:.2f} s "
        f"(the 10,000 members cost x{decided / baseline:.0f})"
    )
    print(f"exactly once: {distinct:,} (person, deadline) pairs claimed once each; a second sweep claimed {len(again)}")
    print(
        f"sending: {sent} of {len(sample)} sampled claims sent in {sending:.2f} s ({1000 * sending / len(sample):.1f} ms each), "
        f"{emails} emails; sent again as a retry: {resent} more"
    )
    ok = (
        total < TARGET_S
        and not again
        and distinct >= COALITIONS * MEMBERS * DEADLINES
        and sent == emails == len(sample)
        and resent == 0
        and len(mail.outbox) == emails
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
