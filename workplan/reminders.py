"""The reminder sweep and the sending of one reminder (see models/reminders.py for the guarantee).

`sweep(now)` finds every reminder that is due: for each member of a coalition, each deadline of
its engagements that is still ahead (milestones, tasks, and what the higher apps add through
DEADLINE_SOURCES: a document's decisions), and each of the member's lead times whose moment has come.
It claims them in one statement (INSERT ... ON CONFLICT DO NOTHING RETURNING id): two sweeps at
the same moment claim disjoint rows, and a sweep that runs hours late claims what was missed,
marked late. Of several lead times of one deadline that came while no sweep ran, only the nearest
is claimed ("30 days before" is no news a week before); the others are never sent.

`send(reminder_id)` sends one claimed reminder inside a transaction that holds its row: a worker
that dies before the commit leaves it claimed (the task is redelivered: acks late), and a second
send finds it sent. A reminder whose deadline moved or went since its claim is not sent.

A milestone that is a day (not an instant) is due at 09:00 Geneva time on that day, a task without a
time of day at the end of its day in its zone; the email gives such a deadline as the day alone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coalitions.models import Engagement, Membership, WorkingGroup
from coalitions.selectors import engagement_timeline
from upr.rules import GENEVA

from .models import (
    Reminder,
    ReminderPreference,
    ReminderStatus,
    ReminderSweep,
    Task,
    TaskStatus,
)
from .models.reminders import DEFAULT_LEAD_DAYS, MAX_LEAD_DAYS, Delivery

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DAY_DEADLINE_TIME = dt.time(9, 0)  # when a date-only milestone falls due, Geneva time
LATE_AFTER = dt.timedelta(hours=6)  # a reminder claimed this long after its moment is marked late
BATCH = 1000
SEND_CHUNK = 100  # reminders per sending task: a sweep of 100,000 reminders queues 1,000 tasks
DIGEST_TIME = dt.time(8, 0)  # digests go out from 08:00 in the person's zone (weekly: on Mondays)
DIGESTS = (Delivery.DAILY, Delivery.WEEKLY)


@dataclass(frozen=True)
class Deadline:
    key: str  # "milestone:<id>", "task:<id>", or a source's ("decision:<id>")
    coalition_id: int
    engagement_id: int
    label: StrOrPromise  # a source's may be lazy: translated into each recipient's language
    due_at: dt.datetime
    recipients: frozenset[int] | None = None  # user ids; None: every member of the coalition
    day: dt.date | None = None  # a deadline that is a day, not an instant: shown as the day alone
    path: str = ""  # the page the email links to (a higher app's deadline); empty: the engagement's page


@dataclass(frozen=True)
class DeadlineSource:
    """Deadlines that a higher app keeps (the layers forbid this one to import it): a document's
    decisions, due when they close. `due(start, end)` gives its deadlines due in (start, end], in a
    fixed number of queries; `find(pk)` one of them as it is now, with its engagement (review and State
    loaded), or (None, None) once it is gone or no longer due (closed, cancelled). Their reminders are
    claimed and sent exactly as the milestones' and tasks' are."""

    due: Callable[[dt.datetime, dt.datetime], list[Deadline]]
    find: Callable[[str], tuple[Engagement | None, Deadline | None]]


# Filled by the higher apps' AppConfig.ready: the key's prefix ("decision" for "decision:<id>") -> its source.
DEADLINE_SOURCES: dict[str, DeadlineSource] = {}


def deadlines(*, engagements: list[Engagement]) -> list[Deadline]:
    """The dated milestones and open tasks of these engagements (both prefetched), as instants."""
    found = []
    for engagement in engagements:
        for entry in engagement_timeline(engagement=engagement, milestones=list(engagement.milestones.all())):
            if entry.date is None:
                continue
            due = entry.due_at or dt.datetime.combine(entry.date, DAY_DEADLINE_TIME, tzinfo=GENEVA)
            found.append(
                Deadline(
                    f"milestone:{entry.milestone.pk}",
                    engagement.coalition_id,
                    engagement.pk,
                    entry.label,
                    due,
                    day=None if entry.due_at else entry.date,
                )
            )
        for task in engagement.tasks.all():
            if task.status == TaskStatus.OPEN:
                found.append(
                    Deadline(
                        f"task:{task.pk}",
                        engagement.coalition_id,
                        engagement.pk,
                        task.title,
                        task.due_at,
                        frozenset(task.owners),
                        day=task.due_day,
                    )
                )
    return found


def engagements_with_deadlines(**filters: Any) -> list[Engagement]:
    """Engagements with their milestones and open tasks, each task with the ids of the people it
    reminds (`owners`): its person, its organisation's members, its working group's members, or,
    when nobody owns it, the secretariat."""
    engagements = list(
        Engagement.objects.filter(**filters)
        .select_related("review__session", "review__state")
        .prefetch_related("milestones", Prefetch("tasks", Task.objects.filter(status=TaskStatus.OPEN)))
    )
    tasks = [t for e in engagements for t in e.tasks.all()]
    if tasks:
        people = list(
            Membership.objects.filter(coalition_id__in={t.coalition_id for t in tasks}, user__is_active=True).values_list(
                "coalition_id", "user_id", "organisation_id", "role"
            )
        )
        groups: dict[int, set[int]] = {}
        for group_id, user_id in WorkingGroup.members.through.objects.filter(
            workinggroup_id__in={t.working_group_id for t in tasks if t.working_group_id}
        ).values_list("workinggroup_id", "membership__user_id"):
            groups.setdefault(group_id, set()).add(user_id)
        by_organisation: dict[tuple[int, int], set[int]] = {}
        secretariat: dict[int, set[int]] = {}
        for coalition_id, user_id, organisation_id, role in people:
            if organisation_id:
                by_organisation.setdefault((coalition_id, organisation_id), set()).add(user_id)
            if role == "admin":
                secretariat.setdefault(coalition_id, set()).add(user_id)
        for task in tasks:
            owners = {task.owner_id} if task.owner_id else set()
            owners |= by_organisation.get((task.coalition_id, task.organisation_id), set())
            owners |= groups.get(task.working_group_id, set())
            task.owners = owners or secretariat.get(task.coalition_id, set())
    return engagements


def due_reminders(*, now: dt.datetime, since: dt.datetime | None = None) -> list[tuple]:
    """(user, coalition, deadline key, due_at, lead days, late, status) of every reminder whose moment
    has come. Late: its moment is more than LATE_AFTER ago and after `since`, the previous sweep's
    run (a moment before it is of a deadline made or moved since then: not a delay)."""
    horizon = dt.timedelta(days=MAX_LEAD_DAYS)
    found = deadlines(engagements=engagements_with_deadlines())
    for source in DEADLINE_SOURCES.values():
        found += source.due(now, now + horizon)
    ahead = [d for d in found if now < d.due_at <= now + horizon]
    if not ahead:
        return []
    members: dict[int, list[int]] = {}
    for coalition_id, user_id in Membership.objects.filter(
        coalition_id__in={d.coalition_id for d in ahead}, user__is_active=True
    ).values_list("coalition_id", "user_id"):
        members.setdefault(coalition_id, []).append(user_id)
    preferences = {
        p.user_id: p for p in ReminderPreference.objects.filter(user_id__in={u for us in members.values() for u in us})
    }
    rows = []
    for deadline in ahead:
        coalition_members = members.get(deadline.coalition_id, ())
        for user_id in (
            coalition_members if deadline.recipients is None else [u for u in coalition_members if u in deadline.recipients]
        ):
            preference = preferences.get(user_id)
            if preference is not None and preference.delivery == Delivery.NONE:
                continue
            leads = sorted(set(preference.lead_days if preference else DEFAULT_LEAD_DAYS))
            come = [lead for lead in leads if deadline.due_at - dt.timedelta(days=lead) <= now]
            if come:  # the nearest lead time only: the ones before it went by (sent then, or too late now)
                moment = deadline.due_at - dt.timedelta(days=come[0])
                late = now - moment > LATE_AFTER and (since is None or moment > since)
                rows.append(
                    (user_id, deadline.coalition_id, deadline.key, deadline.due_at, come[0], late, ReminderStatus.CLAIMED)
                )
    return rows


def claim(rows: list[tuple]) -> list[int]:
    """Insert the claims; the ids of those this call inserted (none twice, whoever else claims at
    the same moment). On PostgreSQL the rows are copied into a temporary table and inserted from it
    in one statement: 120,000 claims take seconds, not half a minute of VALUES lists."""
    table = Reminder._meta.db_table
    columns = "user_id, coalition_id, deadline, due_at, lead_days, late, status"
    conflict = "ON CONFLICT (user_id, deadline, due_at, lead_days) DO NOTHING RETURNING id, status"
    now = timezone.now()
    found: list[tuple[int, str]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE reminder_claim (user_id bigint, coalition_id bigint, deadline varchar(40), "
                "due_at timestamptz, lead_days smallint, late boolean, status varchar(10)) ON COMMIT DROP"
            )
            with cursor.cursor.copy(f"COPY reminder_claim ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}, claimed_at) SELECT {columns}, %s FROM reminder_claim {conflict}", [now]
            )
            found = cursor.fetchall()
            cursor.execute("DROP TABLE reminder_claim")  # now, not at the commit: a caller's transaction may claim again
        elif _returning():
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(batch))
                cursor.execute(
                    f"INSERT INTO {table} ({columns}, claimed_at) VALUES {marks} {conflict}",
                    [value for row in batch for value in (*row, now)],
                )
                found += cursor.fetchall()
        else:  # SQLite before 3.35 has no RETURNING: one row at a time, the inserted ones by their row id
            single = (
                f"INSERT INTO {table} ({columns}, claimed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (user_id, deadline, due_at, lead_days) DO NOTHING"
            )
            for row in rows:
                cursor.execute(single, [*row, now])
                if cursor.rowcount == 1:
                    found.append((cursor.lastrowid, row[-1]))
    return [pk for pk, status in found if status == ReminderStatus.CLAIMED]


def _returning() -> bool:
    """Whether the database answers INSERT ... RETURNING (every PostgreSQL; SQLite from 3.35)."""
    return connection.vendor != "sqlite" or connection.Database.sqlite_version_info >= (3, 35)  # type: ignore[attr-defined]  # SQLite's wrapper has it (the stubs omit it)


def digest_period_start(delivery: str, now: dt.datetime, zone: str) -> dt.datetime:
    """When the current digest period began for a person: today's (or, before 08:00, yesterday's)
    08:00 in their zone; for a weekly digest, the latest Monday 08:00."""
    local = now.astimezone(zoneinfo.ZoneInfo(zone or "UTC"))
    start = dt.datetime.combine(local.date(), DIGEST_TIME, tzinfo=local.tzinfo)
    if start > local:
        start -= dt.timedelta(days=1)
    if delivery == Delivery.WEEKLY:
        start -= dt.timedelta(days=start.weekday())
    return start


def next_digest_at(delivery: str, begun: dt.datetime) -> dt.datetime:
    """When the digest period after the one that began at `begun` (local, from digest_period_start) begins."""
    days = 7 if delivery == Delivery.WEEKLY else 1
    return dt.datetime.combine(begun.date() + dt.timedelta(days=days), DIGEST_TIME, tzinfo=begun.tzinfo)


def _previous_sweep(now: dt.datetime) -> dt.datetime | None:
    """The previous sweep's run, recording this one (the row is held to the commit: sweeps queue here)."""
    row = ReminderSweep.objects.select_for_update().filter(pk=1).first()
    if row is None:
        ReminderSweep.objects.bulk_create([ReminderSweep(pk=1, ran_at=now)], ignore_conflicts=True)
        return None
    previous = row.ran_at
    if now > previous:
        row.ran_at = now
        row.save(update_fields=["ran_at"])
    return previous


def sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Claim every due reminder and queue the sending (after the claims are committed): single
    reminders in chunks, and the digest of each person whose digest time has come. A reminder for a
    person on a digest goes alone when it cannot wait: this period's digest went, and the deadline
    comes before the next one."""
    from .tasks import send_digest, send_reminders

    now = now or timezone.now()
    with transaction.atomic():
        claimed = claim(due_reminders(now=now, since=_previous_sweep(now)))
        digest = {p.user_id: p for p in ReminderPreference.objects.filter(delivery__in=DIGESTS).select_related("user")}
        singles = []
        for pk, user_id, due_at in Reminder.objects.filter(pk__in=claimed).values_list("pk", "user_id", "due_at"):
            preference = digest.get(user_id)
            if preference is not None:
                begun = digest_period_start(preference.delivery, now, preference.user.timezone)
                went = preference.last_digest_at is not None and preference.last_digest_at >= begun
                if not (went and due_at <= next_digest_at(preference.delivery, begun)):
                    continue  # it waits for the digest
            singles.append(pk)
        for start in range(0, len(singles), SEND_CHUNK):
            chunk = singles[start : start + SEND_CHUNK]
            transaction.on_commit(partial(send_reminders.delay, reminder_ids=chunk))
        waiting = set(
            Reminder.objects.filter(user_id__in=digest, status=ReminderStatus.CLAIMED)
            .exclude(pk__in=singles)
            .values_list("user_id", flat=True)
        )
        for user_id in waiting:
            preference = digest[user_id]
            begun = digest_period_start(preference.delivery, now, preference.user.timezone)
            if preference.last_digest_at is None or preference.last_digest_at < begun:
                transaction.on_commit(partial(send_digest.delay, user_id=user_id))
    return claimed


Lookup = dict[str, tuple[Engagement | None, Deadline | None]]


def _lookup(reminder: Reminder, memo: Lookup | None = None) -> tuple[Engagement | None, Deadline | None]:
    """The reminder's engagement and its deadline as it is now (None: gone, or a task done). `memo`
    keeps the answers for the reminders of one sending task: each deadline is read once, not once
    per person."""
    memo = {} if memo is None else memo
    kind, _sep, pk = reminder.deadline.partition(":")
    if reminder.deadline not in memo and kind in DEADLINE_SOURCES:
        memo[reminder.deadline] = DEADLINE_SOURCES[kind].find(pk)
    if reminder.deadline not in memo:
        found = engagements_with_deadlines(milestones__pk=pk) if kind == "milestone" else engagements_with_deadlines(tasks__pk=pk)
        engagement = next(iter(found), None)
        for deadline in deadlines(engagements=[engagement]) if engagement else []:
            memo[deadline.key] = (engagement, deadline)
        memo.setdefault(reminder.deadline, (engagement, None))
    return memo[reminder.deadline]


def _still_due(reminder: Reminder, now: dt.datetime, memo: Lookup | None = None) -> bool:
    """Whether the claimed reminder's deadline is still where it was, ahead, and still the person's
    (a task handed to someone else, an organisation that has voted since: no longer theirs to be
    reminded of); if not, it is marked superseded and not sent."""
    _engagement, current = _lookup(reminder, memo)
    if (
        current is not None
        and current.due_at == reminder.due_at
        and current.due_at > now
        and (current.recipients is None or reminder.user_id in current.recipients)
    ):
        return True
    reminder.status = ReminderStatus.SUPERSEDED
    reminder.save(update_fields=["status"])
    return False


def send(*, reminder_id: int, memo: Lookup | None = None) -> bool:
    """Send one claimed reminder, once. False when there was nothing to send. Pass one `memo` to
    the sends of one task (see _lookup)."""
    memo = {} if memo is None else memo
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("user", "coalition")
            .filter(pk=reminder_id, status=ReminderStatus.CLAIMED)
            .first()
        )
        if reminder is None or not _still_due(reminder, timezone.now(), memo):
            return False  # sent already, superseded, never claimed, or its deadline moved
        _email(reminder.user, [reminder], memo)
        reminder.status, reminder.sent_at = ReminderStatus.SENT, timezone.now()
        reminder.save(update_fields=["status", "sent_at"])
    return True


def send_digest(*, user_id: int, now: dt.datetime | None = None) -> int:
    """The person's digest: every reminder claimed for them and still due, in one email, once per
    period (the preference row is held while it is made). The number of reminders sent."""
    now = now or timezone.now()
    with transaction.atomic():
        preference = (
            ReminderPreference.objects.select_for_update()
            .select_related("user")
            .filter(user_id=user_id, delivery__in=DIGESTS)
            .first()
        )
        if preference is None:
            return 0
        begun = digest_period_start(preference.delivery, now, preference.user.timezone)
        if preference.last_digest_at is not None and preference.last_digest_at >= begun:
            return 0  # this period's digest went already
        pending = list(
            Reminder.objects.select_for_update().filter(user_id=user_id, status=ReminderStatus.CLAIMED).order_by("due_at", "pk")
        )
        memo: Lookup = {}
        due = [r for r in pending if _still_due(r, now, memo)]
        if due:
            _email(preference.user, due, memo)
            Reminder.objects.filter(pk__in=[r.pk for r in due]).update(status=ReminderStatus.SENT, sent_at=timezone.now())
        preference.last_digest_at = now
        preference.save(update_fields=["last_digest_at"])
        return len(due)


def _item(reminder: Reminder, memo: Lookup) -> dict:
    """What the email says of one reminder: what is due, for which State, when (here and in Geneva)."""
    engagement, current = _lookup(reminder, memo)
    return {
        "label": current.label if current else reminder.deadline,
        "state": engagement.review.state.name if engagement else "",
        "late": reminder.late,
        "due_local": timezone.localtime(reminder.due_at),
        "due_geneva": reminder.due_at.astimezone(GENEVA),
        "day": current.day if current else None,  # a day, not an instant: no hour to give
        "url": settings.SITE_URL
        + (
            current.path
            if current and current.path
            else reverse("workplan:engagement", args=[reminder.coalition.slug, engagement.pk])
        )
        if engagement
        else settings.SITE_URL,
        "own_page": bool(current and current.path),  # the link opens the deadline's own page, not the engagement's
    }


PREFERENCES_SALT = "reminder-preferences"
PREFERENCES_LINK_DAYS = 120  # a reminder's "change your preferences" link works this long


def preferences_link(user: Any) -> str:
    """The address, in every reminder, that opens the person's reminder preferences without logging in."""
    return settings.SITE_URL + reverse("reminder_preferences_link", args=[signing.dumps(user.pk, salt=PREFERENCES_SALT)])


def _email(user: Any, batch: list[Reminder], memo: Lookup) -> None:
    """What is due and when, with links: no document text, no names of members (an inbox is not
    private). One reminder, or a digest of several."""

    zone = user.timezone or "UTC"
    with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone):
        items = [_item(reminder, memo) for reminder in batch]
        context = {"items": items, "zone": zone, "preferences_url": preferences_link(user), **items[0]}
        if len(items) == 1:
            subject = _("[UPR Coalition Hub] Reminder: %(label)s") % {"label": items[0]["label"]}
            template = "coalitions/email/reminder.txt"
        else:
            subject = _("[UPR Coalition Hub] %(count)d deadlines coming") % {"count": len(items)}
            template = "coalitions/email/reminder_digest.txt"
        send_mail(subject=subject, message=render_to_string(template, context), from_email=None, recipient_list=[user.email])
