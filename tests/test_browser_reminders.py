"""Reminders end to end, on the real stack: in headless Chromium the secretariat adds an internal
deadline and a member chooses a weekly digest 3 days ahead; the sweep claims the reminder, a real
Celery worker on real Redis sends the digest over real SMTP, once, and its link opens the
member's preferences."""

import datetime as dt
import re
import time
from email.header import decode_header, make_header
from email.message import Message

import pytest
from django.db import connection
from django.utils import timezone

from coalitions import services
from coalitions.models import Milestone, Role
from upr.models import Review
from upr.rules import GENEVA
from workplan import reminders
from workplan.models import Reminder, ReminderPreference, ReminderStatus

from .browsers import log_in
from .factories import PASSWORD, CoalitionFactory, MembershipFactory, UserFactory
from .services import CeleryWorker, SMTPServer

DEADLINE = "Final check of the joint submission"
MEMBER_ZONE = "Pacific/Auckland"  # far from Geneva: a date-only deadline is still given as its day, in no zone


def mails_to(sink, address: str, count: int, timeout: float) -> list[Message]:
    """The messages received for `address`, once there are `count` of them or `timeout` has passed."""
    deadline = time.monotonic() + timeout
    while True:
        with sink.lock:
            found = [m for m in sink.messages if m["To"] == address]
        if len(found) >= count or time.monotonic() >= deadline:
            return found
        time.sleep(0.1)


def eventually(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.browser
@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_member_on_a_weekly_digest_gets_an_internal_deadline_3_days_ahead_once_by_real_smtp(
    live_server, chromium, broker, upr_reference
):
    coalition = CoalitionFactory(name="Slovenian UPR Coalition", slug="si-upr")
    admin = UserFactory(email="secretariat@example.org", name="Bojana Kranjc")
    MembershipFactory(coalition=coalition, user=admin, role=Role.ADMIN)
    member = UserFactory(email="member@example.org", name="Ana Novak", timezone=MEMBER_ZONE, language="en")
    MembershipFactory(coalition=coalition, user=member, role=Role.MEMBER)
    # The review of 2019: every date of its cycle is past, so on any day of a run the internal
    # deadline is the only thing the sweep finds due (the 2025 review's mid-term report would join
    # it in late July 2027).
    engagement = services.engagement_create(
        coalition=coalition, actor=admin, review=Review.objects.get(state__iso3="SVN", session__number=34)
    )
    base = live_server.url
    # A date-only internal deadline falls due at 09:00 Geneva on its day; its 3-day reminder comes
    # at 09:00 Geneva three days before, i.e. today.
    deadline_day = timezone.localdate(timezone.now(), GENEVA) + dt.timedelta(days=3)
    due = dt.datetime.combine(deadline_day, reminders.DAY_DEADLINE_TIME, tzinfo=GENEVA)

    # 1. The secretariat adds the internal deadline on the engagement page.
    secretariat = chromium.new_page()
    log_in(secretariat, base, admin.email, PASSWORD)
    secretariat.goto(f"{base}/c/si-upr/engagements/{engagement.pk}/")
    form = secretariat.get_by_role("region", name="Add an internal deadline", exact=True)
    form.get_by_label("Internal deadline").fill(DEADLINE)  # its own label (the task form's title is another field)
    form.get_by_label("Date").fill(deadline_day.isoformat())
    form.get_by_role("button", name="Add", exact=True).click()
    secretariat.wait_for_load_state()
    assert "Internal deadline added." in secretariat.content()
    row = secretariat.get_by_role("row").filter(has_text=DEADLINE)
    assert row.locator("time").get_attribute("datetime") == deadline_day.isoformat()
    milestone = Milestone.objects.get(engagement=engagement, title=DEADLINE)
    assert milestone.override_date == deadline_day

    # 2. The member asks for reminders 3 days ahead only, in a weekly digest.
    page = chromium.new_context().new_page()
    log_in(page, base, member.email, PASSWORD)
    page.goto(f"{base}/account/reminders/")
    page.get_by_label("Remind me this many days before each deadline").fill("3")
    page.get_by_label("A weekly digest").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Reminder preferences saved." in page.content()
    assert page.get_by_label("Remind me this many days before each deadline").input_value() == "3"
    assert page.get_by_label("A weekly digest").is_checked()
    preference = ReminderPreference.objects.get(user=member)
    assert (preference.lead_days, preference.delivery, preference.last_digest_at) == ([3], "weekly", None)

    # 3. The sweep, a few minutes after the 3-day reminder's moment (so not late), whatever the hour
    # of the run. It claims here and, at its commit, queues the member's digest for the worker.
    # The worker's send_digest reads the real clock, which does not make this depend on the day or
    # hour of the run: the deadline is 3 days ahead of the real clock, so still due, and a person who
    # never had a digest has one at the first sweep after a claim (the weekly period, from the latest
    # Monday 08:00 in their zone, only holds back a second one in the same week).
    swept_at = due - dt.timedelta(days=3) + dt.timedelta(minutes=5)
    database = connection.settings_dict["NAME"]
    with SMTPServer() as smtp, CeleryWorker(database_name=database, email_url=smtp.url, queues="reminders"):
        reminders.sweep(now=swept_at)
        claim = Reminder.objects.get(user=member)
        assert (claim.deadline, claim.lead_days, claim.late) == (f"milestone:{milestone.pk}", 3, False)
        received = mails_to(smtp.sink, member.email, 1, timeout=30)
        assert len(received) == 1, "the member's digest did not arrive"
        # The SMTP server has the email before the worker commits: wait for the commit.
        assert eventually(lambda: Reminder.objects.get(pk=claim.pk).status == ReminderStatus.SENT)

        # A second sweep an hour later claims nothing (the claim exists) and queues no digest (nothing
        # is waiting, and this week's went).
        period = reminders.digest_period_start("weekly", timezone.now(), MEMBER_ZONE)
        assert ReminderPreference.objects.get(user=member).last_digest_at >= period
        assert reminders.sweep(now=swept_at + dt.timedelta(hours=1)) == []
        assert mails_to(smtp.sink, member.email, 2, timeout=3) == received
    assert list(Reminder.objects.filter(user=member).values_list("pk", "status")) == [(claim.pk, ReminderStatus.SENT)]

    # 4. The email: to the member, what is due and when in their zone, the links, and no names.
    email = received[0]
    subject = str(make_header(decode_header(email["Subject"])))
    body = email.get_payload(decode=True).decode(email.get_content_charset() or "utf-8")
    assert email["To"] == member.email
    assert DEADLINE in subject and f"Due: {DEADLINE} (Slovenia)." in body
    # A date-only deadline is given as its day: no hour it does not have, in no zone.
    assert f"When: {deadline_day.day} {deadline_day:%B %Y}" in body.splitlines()
    assert "In Geneva" not in body and "09:00" not in body and MEMBER_ZONE not in body
    assert f"/c/si-upr/engagements/{engagement.pk}/" in body
    for person in (admin, member):
        assert person.name not in subject and person.name not in body
    assert admin.email not in body
    link = re.search(r"https?://\S+?(/reminders/[^/\s]+/)", body).group(1)

    # The one-click link opens the member's preferences, without logging in.
    visitor = chromium.new_context().new_page()
    response = visitor.goto(f"{base}{link}")
    assert response.status == 200
    assert visitor.get_by_role("heading", level=1).inner_text() == "Email reminders of deadlines"
    assert f"For {member.email}." in visitor.content()
    assert visitor.get_by_label("A weekly digest").is_checked()
