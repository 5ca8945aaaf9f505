"""The reminder sweep and the sending of one reminder (see models/reminders.py for the guarantee).

`sweep(now)` finds every reminder that is due: for each member of a coalition, each deadline of
its engagements that is still ahead, and each of the member's lead times whose moment has come.
It claims them in one statement per batch (INSERT ... ON CONFLICT DO NOTHING RETURNING id): two
sweeps at the same moment claim disjoint rows, and a sweep that runs hours late claims what was
missed, marked late. Of several lead times of one deadline that came while no sweep ran, only the
nearest is sent (the others are claimed as superseded: "30 days before" is no news a week before).

`send(reminder_id)` sends one claimed reminder inside a transaction that holds its row: a worker
that dies before the commit leaves it claimed (the task is redelivered: acks late), and a second
send finds it sent. A reminder whose deadline moved or went since its claim is not sent.

A milestone that is a day (not an instant) is due at 09:00 Geneva time on that day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from upr.rules import GENEVA

from .models import Engagement, Membership, Reminder, ReminderPreference, ReminderStatus
from .models.reminders import DEFAULT_LEAD_DAYS, MAX_LEAD_DAYS, Delivery
from .selectors import engagement_timeline

DAY_DEADLINE_TIME = dt.time(9, 0)  # when a date-only milestone falls due, Geneva time
LATE_AFTER = dt.timedelta(hours=6)  # a reminder claimed this long after its moment is marked late
BATCH = 1000


@dataclass(frozen=True)
class Deadline:
    key: str
    coalition_id: int
    engagement_id: int
    label: str
    due_at: dt.datetime


def deadlines(*, engagements: list[Engagement]) -> list[Deadline]:
    """The dated milestones of these engagements (their milestones prefetched), as instants."""
    found = []
    for engagement in engagements:
        for entry in engagement_timeline(engagement=engagement, milestones=list(engagement.milestones.all())):
            if entry.date is None:
                continue
            due = entry.due_at or dt.datetime.combine(entry.date, DAY_DEADLINE_TIME, tzinfo=GENEVA)
            found.append(Deadline(f"milestone:{entry.milestone.pk}", engagement.coalition_id, engagement.pk, entry.label, due))
    return found


def _engagements() -> list[Engagement]:
    return list(Engagement.objects.select_related("review__session", "review__state").prefetch_related("milestones"))


def due_reminders(*, now: dt.datetime) -> list[tuple]:
    """(user, coalition, deadline key, due_at, lead days, late, status) of every reminder whose moment has come."""
    horizon = dt.timedelta(days=MAX_LEAD_DAYS)
    ahead = [d for d in deadlines(engagements=_engagements()) if now < d.due_at <= now + horizon]
    if not ahead:
        return []
    members: dict[int, list[int]] = {}
    for coalition_id, user_id in Membership.objects.filter(
        coalition_id__in={d.coalition_id for d in ahead}, user__is_active=True
    ).values_list("coalition_id", "user_id"):
        members.setdefault(coalition_id, []).append(user_id)
    preferences = {p.user_id: p for p in ReminderPreference.objects.filter(user_id__in={u for us in members.values() for u in us})}
    rows = []
    for deadline in ahead:
        for user_id in members.get(deadline.coalition_id, ()):
            preference = preferences.get(user_id)
            if preference is not None and preference.delivery == Delivery.NONE:
                continue
            leads = sorted(set(preference.lead_days if preference else DEFAULT_LEAD_DAYS))
            come = [lead for lead in leads if deadline.due_at - dt.timedelta(days=lead) <= now]
            for lead in come:
                moment = deadline.due_at - dt.timedelta(days=lead)
                status = ReminderStatus.CLAIMED if lead == come[0] else ReminderStatus.SUPERSEDED
                rows.append((user_id, deadline.coalition_id, deadline.key, deadline.due_at, lead, now - moment > LATE_AFTER, status))
    return rows


def claim(rows: list[tuple]) -> list[int]:
    """Insert the claims; the ids of those this call inserted (and are to be sent), none twice."""
    table = Reminder._meta.db_table
    claimed: list[int] = []
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} (user_id, coalition_id, deadline, due_at, lead_days, late, status, claimed_at) "
                f"VALUES {marks} ON CONFLICT (user_id, deadline, due_at, lead_days) DO NOTHING RETURNING id, status",
                [value for row in batch for value in (*row, now)],
            )
            claimed += [pk for pk, status in cursor.fetchall() if status == ReminderStatus.CLAIMED]
    return claimed


def sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Claim every due reminder and queue the sending of each (after the claims are committed)."""
    from .tasks import send_reminder

    now = now or timezone.now()
    with transaction.atomic():
        claimed = claim(due_reminders(now=now))
        for pk in claimed:
            transaction.on_commit(lambda pk=pk: send_reminder.delay(reminder_id=pk))
    return claimed


def _current_due(reminder: Reminder) -> dt.datetime | None:
    kind, _sep, pk = reminder.deadline.partition(":")
    engagement = Engagement.objects.select_related("review__session").prefetch_related("milestones").filter(
        milestones__pk=pk).first() if kind == "milestone" else None
    if engagement is None:
        return None
    return next((d.due_at for d in deadlines(engagements=[engagement]) if d.key == reminder.deadline), None)


def send(*, reminder_id: int) -> bool:
    """Send one claimed reminder, once. False when there was nothing to send."""
    with transaction.atomic():
        reminder = (Reminder.objects.select_for_update(of=("self",)).select_related("user", "coalition")
                    .filter(pk=reminder_id, status=ReminderStatus.CLAIMED).first())
        if reminder is None:
            return False  # sent already, superseded, or never claimed
        due = _current_due(reminder)
        if due is None or due != reminder.due_at or due <= timezone.now():
            reminder.status = ReminderStatus.SUPERSEDED
            reminder.save(update_fields=["status"])
            return False
        _email(reminder)
        reminder.status, reminder.sent_at = ReminderStatus.SENT, timezone.now()
        reminder.save(update_fields=["status", "sent_at"])
    return True


def _email(reminder: Reminder) -> None:
    """What is due and when, with a link: no document text, no names of members (an inbox is not private)."""
    from accounts.views import preferences_link

    user = reminder.user
    milestone_id = int(reminder.deadline.partition(":")[2])
    engagement = (Engagement.objects.select_related("review__state", "review__session", "coalition")
                  .prefetch_related("milestones").get(milestones__pk=milestone_id))
    label = next(d.label for d in deadlines(engagements=[engagement]) if d.key == reminder.deadline)
    zone = user.timezone or "UTC"
    with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone):
        context = {
            "label": label, "state": engagement.review.state.name, "late": reminder.late,
            "due_local": timezone.localtime(reminder.due_at), "due_geneva": reminder.due_at.astimezone(GENEVA),
            "zone": zone, "lead_days": reminder.lead_days,
            "url": settings.SITE_URL + reverse("coalitions:engagement", args=[engagement.coalition.slug, engagement.pk]),
            "preferences_url": preferences_link(user),
        }
        send_mail(
            subject=_("[UPR Coalition Hub] Reminder: %(label)s") % {"label": label},
            message=render_to_string("coalitions/email/reminder.txt", context),
            from_email=None, recipient_list=[user.email],
        )
