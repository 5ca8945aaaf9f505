"""Reminders of deadlines, in-process (the real worker, Redis and SMTP versions are in
test_celery_worker.py): each (person, deadline, lead time) once, whatever the sweeps do."""

import datetime as dt
import threading
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import User
from coalitions.models import Membership, Milestone
from upr.rules import GENEVA
from workplan import reminders
from workplan.models import Reminder, ReminderPreference

pytestmark = pytest.mark.django_db


def deadline_in(personas, days: int) -> dt.datetime:
    """Move the engagement's stakeholder deadline `days` ahead; its instant (15:00 Geneva)."""
    milestone = Milestone.objects.get(engagement=personas.engagement, kind="stakeholder_deadline")
    milestone.override_date = timezone.localdate(timezone.now(), GENEVA) + dt.timedelta(days=days)
    milestone.save()
    return dt.datetime.combine(milestone.override_date, dt.time(15, 0), tzinfo=GENEVA)


def members(personas) -> int:
    return Membership.objects.filter(coalition=personas.coalition).count()


def stakeholder_mails() -> list:
    return [m for m in mail.outbox if "Stakeholder submission deadline" in m.subject]


def test_each_reminder_is_sent_once_and_says_what_is_due_without_names(personas, django_capture_on_commit_callbacks):
    due = deadline_in(personas, 7)
    now = due - dt.timedelta(days=7) + dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.sweep(now=now)
    sent = stakeholder_mails()
    assert len(sent) == members(personas) and len(first) >= len(sent)
    body = sent[0].body
    assert "15:00" in body and "/c/alpha/engagements/" in body and "Alpha Coalition" not in sent[0].subject
    assert all(p.email not in m.body for m in sent for p in (personas.editor, personas.member))
    # The 30-day reminder's moment had come too, but the 7-day one is nearer: only it is claimed.
    assert not Reminder.objects.filter(lead_days=30).exists()
    key = Reminder.objects.get(pk=first[0]).deadline
    claims = Reminder.objects.filter(deadline=key).count()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=now + dt.timedelta(hours=1))  # the next sweep: nothing new for this deadline
    assert Reminder.objects.filter(deadline=key).count() == claims and len(stakeholder_mails()) == members(personas)
    # A retried send of a sent reminder sends nothing.
    assert reminders.send(reminder_id=first[0]) is False
    assert len(stakeholder_mails()) == members(personas)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_claim_each_reminder_once(personas):
    due = deadline_in(personas, 1)
    now = due - dt.timedelta(days=1) + dt.timedelta(minutes=1)
    results: list[list[int]] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            results.append(reminders.claim(reminders.due_reminders(now=now)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [pk for result in results for pk in result]
    stakeholder = Reminder.objects.filter(pk__in=claimed, lead_days=1)
    assert len(claimed) == len(set(claimed)) and stakeholder.count() == members(personas)
    for pk in claimed:
        reminders.send(reminder_id=pk)
    assert len(stakeholder_mails()) == members(personas)


def test_a_moved_deadline_sends_for_its_new_date_not_the_old(personas, django_capture_on_commit_callbacks):
    due = deadline_in(personas, 7)
    now = due - dt.timedelta(days=7) + dt.timedelta(minutes=5)
    claimed = reminders.claim(reminders.due_reminders(now=now))  # claimed, not sent yet
    moved = deadline_in(personas, 20)
    for pk in claimed:
        reminders.send(reminder_id=pk)
    assert stakeholder_mails() == []
    assert set(Reminder.objects.filter(pk__in=claimed).values_list("status", flat=True)) == {"superseded"}
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=moved - dt.timedelta(days=30) + dt.timedelta(minutes=5))
    assert len(stakeholder_mails()) == members(personas)
    assert moved.strftime("%-d %B %Y") in stakeholder_mails()[0].body


def test_a_late_sweep_sends_the_missed_reminder_once_marked_late_and_skips_passed_deadlines(
    personas, django_capture_on_commit_callbacks
):
    due = deadline_in(personas, 1)
    late = due - dt.timedelta(days=1) + dt.timedelta(hours=10)  # the day-before reminder is 10 hours overdue
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=late)
    sent = stakeholder_mails()
    assert len(sent) == members(personas) and all("Late reminder" in m.body for m in sent)
    assert Reminder.objects.filter(lead_days=1, late=True, status="sent").count() == members(personas)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=due + dt.timedelta(hours=1))  # the deadline has passed: nothing about it
    assert stakeholder_mails() == []


def test_preferences_choose_the_lead_times_or_none_and_the_time_is_each_persons(personas, django_capture_on_commit_callbacks):
    due = deadline_in(personas, 3)
    ReminderPreference.objects.create(user=personas.member, lead_days=[3], delivery="single")
    ReminderPreference.objects.create(user=personas.observer, delivery="none")
    User.objects.filter(pk=personas.member.pk).update(timezone="America/Bogota")
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=due - dt.timedelta(days=3) + dt.timedelta(minutes=5))
    recipients = {m.to[0] for m in stakeholder_mails()}
    assert personas.member.email in recipients and personas.observer.email not in recipients
    body = next(m.body for m in stakeholder_mails() if m.to[0] == personas.member.email)
    local = due.astimezone(zoneinfo.ZoneInfo("America/Bogota"))
    geneva = due.astimezone(zoneinfo.ZoneInfo("Europe/Zurich"))
    assert f"{local:%H:%M} (America/Bogota)" in body
    assert f"In Geneva: {geneva.day} {geneva:%B %Y}, 15:00" in body  # the Geneva line is Geneva's, not the reader's


def test_the_link_in_a_reminder_opens_the_preferences_without_a_login_and_stops_them_in_one_click(
    personas, django_capture_on_commit_callbacks
):
    import re

    from django.test import Client

    due = deadline_in(personas, 7)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=due - dt.timedelta(days=7) + dt.timedelta(minutes=5))
    message = next(m for m in stakeholder_mails() if m.to[0] == personas.member.email)
    link = re.search(r"https?://\S+(/reminders/\S+/)", message.body).group(1)
    visitor = Client()  # not logged in: the signed link is the key
    page = visitor.get(link)
    assert page.status_code == 200 and personas.member.email in page.content.decode()
    assert visitor.post(link, {"stop": "1"}).status_code == 302
    assert ReminderPreference.objects.get(user=personas.member).delivery == "none"
    assert visitor.post(link, {"lead_days": "14, 2", "delivery": "weekly"}).status_code == 302
    assert ReminderPreference.objects.get(user=personas.member).lead_days == [14, 2]
    refused = visitor.post(link, {"lead_days": "90, x", "delivery": "single"})
    assert refused.status_code == 400 and "from 0 to 60" in refused.content.decode()
    assert ReminderPreference.objects.get(user=personas.member).lead_days == [14, 2]
    assert visitor.get(link[:-3] + "xx/").status_code == 404  # altered: nothing
    # Logged in, the same page from the profile.
    assert personas.client_for(personas.member).get("/account/reminders/").status_code == 200


def test_a_weekly_digest_gathers_the_reminders_in_one_email_once_a_week(personas, django_capture_on_commit_callbacks):
    due = deadline_in(personas, 7)
    Milestone.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        kind="custom",
        title="Working group drafts due",
        override_date=due.date() - dt.timedelta(days=2),
    )
    ReminderPreference.objects.create(user=personas.member, lead_days=[7], delivery="weekly")
    now = due - dt.timedelta(days=7) + dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=now)
    digests = [m for m in mail.outbox if m.to[0] == personas.member.email]
    assert len(digests) == 1 and "2 deadlines coming" in digests[0].subject
    assert "Stakeholder submission deadline" in digests[0].body and "Working group drafts due" in digests[0].body
    # The internal deadline is a day: given as its day; the stakeholder deadline is an instant: its hours.
    drafts_day = due.date() - dt.timedelta(days=2)
    assert digests[0].body.split("Working group drafts due")[1].splitlines()[1].strip() == (
        f"{drafts_day.day} {drafts_day:%B %Y}"
    )
    assert "Geneva: " in digests[0].body.split("Stakeholder submission deadline")[1].splitlines()[1]
    # The others have single reminders; a second sweep the same week sends no second digest.
    assert any(m.to[0] == personas.admin.email and "Working group drafts due" in m.subject for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=now + dt.timedelta(hours=2))
    assert len([m for m in mail.outbox if m.to[0] == personas.member.email]) == 1
    # Next week's period: a new digest only if something new is due.
    next_week = reminders.digest_period_start("weekly", timezone.now(), "UTC") + dt.timedelta(days=7, minutes=1)
    assert reminders.send_digest(user_id=personas.member.pk, now=next_week) == 0


def test_a_deadline_made_after_its_reminders_moment_gets_it_at_once_not_marked_late(personas, django_capture_on_commit_callbacks):
    """The 7-day moment of a deadline set 3 days ahead passed before it existed: no sweep was late."""
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=now - dt.timedelta(minutes=15))  # the sweep runs every 15 minutes
    deadline_in(personas, 5)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=now)
    assert Reminder.objects.filter(lead_days=7).count() == members(personas)
    assert not Reminder.objects.filter(late=True).exists() and stakeholder_mails()
    assert all("Late reminder" not in m.body for m in stakeholder_mails())


@pytest.mark.parametrize("weekday, alone", [(6, True), (7, False)])  # Sunday before the next digest; the Monday of it
def test_a_reminder_that_cannot_wait_for_next_weeks_digest_goes_alone(
    personas, django_capture_on_commit_callbacks, weekday, alone
):
    ReminderPreference.objects.create(user=personas.member, lead_days=[3], delivery="weekly")
    # A week ahead, whatever today is: its digest (Monday 08:00, UTC here) goes out, then a deadline
    # comes 3 days later, on the Sunday (before the next digest) or the Monday (after it, 15:00 Geneva).
    week = reminders.digest_period_start("weekly", timezone.now(), "UTC") + dt.timedelta(days=7)
    milestone = Milestone.objects.get(engagement=personas.engagement, kind="stakeholder_deadline")
    milestone.override_date = week.date() + dt.timedelta(days=weekday)
    milestone.save()
    due = dt.datetime.combine(milestone.override_date, dt.time(15, 0), tzinfo=GENEVA)
    ReminderPreference.objects.filter(user=personas.member).update(last_digest_at=week + dt.timedelta(minutes=1))
    moment = due - dt.timedelta(days=3) + dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=moment)
        reminders.sweep(now=moment + dt.timedelta(hours=1))
    mine = [m for m in stakeholder_mails() if m.to[0] == personas.member.email]
    assert len(mine) == (1 if alone else 0)
    assert Reminder.objects.get(user=personas.member).status == ("sent" if alone else "claimed")
    if not alone:  # it goes in the next digest, on the Monday morning before the deadline
        assert reminders.send_digest(user_id=personas.member.pk, now=week + dt.timedelta(days=7, minutes=1)) == 1


def test_the_usual_internal_deadlines_are_proposed_back_from_the_stakeholder_deadline(personas):
    due = deadline_in(personas, 90)
    admin = personas.client_for(personas.admin)
    url = f"/c/alpha/engagements/{personas.engagement.pk}/milestones/usual/"
    assert personas.client_for(personas.editor).post(url).status_code == 403
    assert admin.post(url).status_code == 302
    custom = dict(Milestone.objects.filter(engagement=personas.engagement, kind="custom").values_list("title", "override_date"))
    assert custom["Sign-on closes"] == due.date() - dt.timedelta(days=14)
    assert custom["Working groups' drafts due"] == due.date() - dt.timedelta(days=42) and len(custom) == 5
    admin.post(url)  # again: nothing twice
    assert Milestone.objects.filter(engagement=personas.engagement, kind="custom").count() == 5
    page = admin.get(f"/c/alpha/engagements/{personas.engagement.pk}/").content.decode()
    assert "Sign-on closes" in page
