"""Private iCalendar feeds of the deadlines (RFC 5545, written with the `icalendar` library).

A person's feed holds the milestones of every engagement of every coalition they belong to, and the
open tasks that are theirs (as a person, or through their organisation or working group); a
coalition's feed (for its secretariat) the milestones and open tasks of that coalition. The address carries a secret
token; only its hash is stored, and revoking deletes it. The events say what is due and when, and
link back to the app: no document text, no member names (a feed can end up in a shared calendar).
Nor, unless chosen when the address is made (`with_coalition_name`), the coalition's name, in the
titles, the calendar's name or the links (whose address carries the coalition's slug): a shared
calendar would tell others which coalition a defender works with.

OHCHR's stakeholder deadline is an instant (15:00 Geneva time) and is written with its time zone
(TZID Europe/Zurich and its VTIMEZONE), so that every calendar shows it in its own zone; the other
milestones, and the tasks without a time of day, are days, written as all-day events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import icalendar
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from coalitions.models import Coalition, Engagement, Membership
from coalitions.selectors import engagement_timeline
from upr.rules import GENEVA

from .models import CalendarFeed

DEADLINE_MINUTES = 30  # how long a deadline's event lasts in a calendar: it ends at the deadline


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _scope(user: User, coalition: Coalition | None) -> dict[str, Any]:
    """A person has one personal feed; a coalition one feed (whoever of its admins made it)."""
    return {"coalition": coalition} if coalition is not None else {"user": user, "coalition": None}


@transaction.atomic
def feed_create(*, user: User, coalition: Coalition | None = None, with_coalition_name: bool = False) -> str:
    """A new secret address for the person's feed (or the coalition's); the previous one stops working.
    `with_coalition_name`: event titles name the coalition (off: a shared calendar shows none)."""
    token = secrets.token_urlsafe(32)
    fields = {"user": user, "coalition": coalition, "token_hash": _hash(token), "with_coalition_name": with_coalition_name}
    CalendarFeed.objects.filter(**_scope(user, coalition)).delete()
    try:
        with transaction.atomic():
            CalendarFeed.objects.create(**fields)
    except IntegrityError:  # a concurrent request made one at the same moment: this one replaces it
        CalendarFeed.objects.filter(**_scope(user, coalition)).delete()
        CalendarFeed.objects.create(**fields)
    return token


def feed_revoke(*, user: User, coalition: Coalition | None = None) -> None:
    CalendarFeed.objects.filter(**_scope(user, coalition)).delete()


def feed_for(token: str) -> CalendarFeed | None:
    """The feed of a token, if it is still valid: a coalition's feed only while its creator is still
    an admin of it (a secretariat member who leaves takes the address's power with them)."""
    feed = CalendarFeed.objects.select_related("user", "coalition").filter(token_hash=_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    if feed.coalition_id and not Membership.objects.filter(coalition=feed.coalition, user=feed.user, role="admin").exists():
        return None
    return feed


def feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("calendar_feed", args=[token])


def _engagements(feed: CalendarFeed) -> list[Engagement]:
    """The feed's engagements with their milestones and open tasks (each task with its `owners`)."""
    from .reminders import engagements_with_deadlines

    if feed.coalition_id:
        coalitions: Any = [feed.coalition_id]
    else:
        coalitions = Membership.objects.filter(user=feed.user).values("coalition_id")
    engagements = engagements_with_deadlines(coalition__in=coalitions)
    coalitions = Coalition.objects.in_bulk({e.coalition_id for e in engagements})
    for engagement in engagements:
        engagement.coalition = coalitions[engagement.coalition_id]
    return sorted(engagements, key=lambda e: (e.coalition.name, e.review.session.number))


def _event(calendar: icalendar.Calendar, uid: str, summary: str, common: dict[str, Any]) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("summary", summary)
    for name, value in common.items():
        event.add(name, value)
    calendar.add_component(event)
    return event


def _instant(event: icalendar.Event, due: dt.datetime) -> None:
    """An event that ends at the deadline's instant, written in Geneva's zone."""
    due = due.astimezone(GENEVA)
    event.add("dtstart", due - dt.timedelta(minutes=DEADLINE_MINUTES))
    event.add("dtend", due)


def render_feed(feed: CalendarFeed) -> bytes:
    """The feed's calendar, in a fixed number of queries (engagements, milestones, tasks, their owners)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//UPR Coalition Hub//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    named = feed.with_coalition_name
    if feed.coalition_id:
        if named:
            assert feed.coalition is not None  # coalition_id is set
            name = _("UPR deadlines: %(coalition)s") % {"coalition": feed.coalition.name}
        else:
            name = _("UPR deadlines")
    else:
        name = _("My UPR deadlines")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "upr-coalition-hub"
    anonymous_link = settings.SITE_URL + reverse("my_deadlines")  # no coalition's slug in it
    for engagement in _engagements(feed):
        link = (
            settings.SITE_URL + reverse("workplan:engagement", args=[engagement.coalition.slug, engagement.pk])
            if named
            else anonymous_link
        )
        review = f"{engagement.review.state.name}, {_('session %(n)d') % {'n': engagement.review.session.number}}"
        if named:
            review += f" ({engagement.coalition.name})"
        common = {
            "dtstamp": stamp,
            "url": link,
            "description": (
                _("Open the engagement in UPR Coalition Hub: %(link)s")
                if named
                else _("Open your deadlines in UPR Coalition Hub: %(link)s")
            )
            % {"link": link},
        }
        for entry in engagement_timeline(engagement=engagement, milestones=list(engagement.milestones.all())):
            if entry.date is None:
                continue
            event = _event(calendar, f"milestone-{entry.milestone.pk}@{host}", f"{entry.label} · {review}", common)
            if entry.due_at is not None:
                _instant(event, entry.due_at)
            else:
                event.add("dtstart", entry.date)
                event.add("dtend", (entry.end_date or entry.date) + dt.timedelta(days=1))
        for task in engagement.tasks.all():
            if feed.coalition_id or feed.user_id in task.owners:
                summary = _("Task: %(title)s · %(review)s") % {"title": task.title, "review": review}
                event = _event(calendar, f"task-{task.pk}@{host}", summary, common)
                day = task.due_day
                if day is None:
                    _instant(event, task.due_at)
                else:  # no time of day: the day itself, as the milestones that are days
                    event.add("dtstart", day)
                    event.add("dtend", day + dt.timedelta(days=1))
    calendar.add_missing_timezones()
    return calendar.to_ical()
