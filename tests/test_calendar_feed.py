"""Private iCalendar feeds of the deadlines: made, read back with the icalendar library, replaced and
revoked; the Geneva deadline keeps 15:00 across a daylight-saving change; nothing of another
coalition; a constant number of queries."""

import datetime as dt
import re
import zoneinfo
from urllib.parse import urlsplit

import icalendar
import pytest
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coalitions import services
from coalitions.models import Membership, Milestone, Role
from upr.models import Review
from workplan.models import CalendarFeed

pytestmark = pytest.mark.django_db
GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")


def make_feed(client, url: str) -> str:
    response = client.post(url, {"action": "create"}, follow=True)
    found = re.search(r"https?://[^\s<]+/feeds/[^\s<]+\.ics", response.content.decode())
    assert found, "the new address is shown once"
    return urlsplit(found.group(0)).path


def read(path: str) -> icalendar.Calendar:
    response = Client().get(path)  # a calendar application: no login, the address is the key
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> list:
    return [c for c in calendar.walk("VEVENT")]


def test_a_persons_feed_holds_their_coalitions_deadlines_and_can_be_replaced_or_revoked(personas):
    admin = personas.client_for(personas.admin)
    path = make_feed(admin, reverse("calendar_feed_manage"))
    calendar = read(path)
    assert calendar["version"] == "2.0" and "UPR Coalition Hub" in str(calendar["prodid"])
    found = events(calendar)
    dated = Milestone.objects.filter(engagement=personas.engagement).count()
    assert 0 < len(found) <= dated and all(str(e["uid"]).startswith("milestone-") for e in found)
    assert len({str(e["uid"]) for e in found}) == len(found)
    deadline = next(e for e in found if "Stakeholder submission deadline" in str(e["summary"]))
    due = deadline.decoded("dtend")
    assert due.tzinfo is not None and due.astimezone(GENEVA).time() == dt.time(15, 0)
    assert calendar.walk("VTIMEZONE") and "TZID=Europe/Zurich" in calendar.to_ical().decode()
    review = next(e for e in found if str(e["summary"]).startswith("Review"))
    assert type(review.decoded("dtstart")) is dt.date  # a day, not an instant
    text = calendar.to_ical().decode()
    assert personas.admin.email not in text and "Beta" not in text  # no names, nothing of another coalition
    # Replaced: the old address stops working; revoked: so does the new one.
    new_path = make_feed(admin, reverse("calendar_feed_manage"))
    assert new_path != path and Client().get(path).status_code == 404
    admin.post(reverse("calendar_feed_manage"), {"action": "revoke"})
    assert Client().get(new_path).status_code == 404
    assert Client().get("/feeds/not-a-token.ics").status_code == 404


def test_the_geneva_deadline_stays_at_15_00_across_a_daylight_saving_change(personas):
    winter = Milestone.objects.get(engagement=personas.engagement, kind="stakeholder_deadline")
    winter.override_date = dt.date(2027, 1, 14)
    winter.save()
    summer_review = Review.objects.exclude(pk=personas.engagement.review_id).order_by("session__number").last()
    summer_engagement = services.engagement_create(coalition=personas.coalition, actor=personas.admin, review=summer_review)
    summer = Milestone.objects.get(engagement=summer_engagement, kind="stakeholder_deadline")
    summer.override_date = dt.date(2027, 7, 15)
    summer.save()
    path = make_feed(personas.client_for(personas.member), reverse("calendar_feed_manage"))
    due = {e.decoded("dtend").date(): e.decoded("dtend") for e in events(read(path)) if "Stakeholder" in str(e["summary"])}
    assert due[dt.date(2027, 1, 14)].astimezone(dt.UTC).time() == dt.time(14, 0)  # CET, UTC+1
    assert due[dt.date(2027, 7, 15)].astimezone(dt.UTC).time() == dt.time(13, 0)  # CEST, UTC+2
    assert {d.astimezone(GENEVA).time() for d in due.values()} == {dt.time(15, 0)}


def test_leaving_a_coalition_takes_its_deadlines_out_of_the_feed(personas):
    path = make_feed(personas.client_for(personas.member), reverse("calendar_feed_manage"))
    assert events(read(path))
    Membership.objects.filter(user=personas.member, coalition=personas.coalition).delete()
    assert events(read(path)) == []


def test_the_secretariat_has_a_coalition_feed_that_dies_with_its_admin_role(personas):
    admin = personas.client_for(personas.admin)
    url = reverse("workplan:calendar_feed", args=["alpha"])
    assert personas.client_for(personas.editor).post(url, {"action": "create"}).status_code == 403
    path = make_feed(admin, url)
    calendar = read(path)
    assert str(calendar["x-wr-calname"]) == "UPR deadlines" and events(calendar)  # no coalition's name unless chosen
    assert "An address made by" in admin.get(reverse("coalitions:settings", args=["alpha"])).content.decode()
    Membership.objects.filter(user=personas.admin, coalition=personas.coalition).update(role=Role.MEMBER)
    assert Client().get(path).status_code == 404


def test_the_feed_costs_the_same_queries_for_one_or_five_engagements(personas, django_assert_max_num_queries):
    path = make_feed(personas.client_for(personas.admin), reverse("calendar_feed_manage"))
    reset_queries()  # the request clears the log it starts with: capture from an empty one
    with CaptureQueriesContext(connection) as one:
        read(path)
    dated = Review.objects.exclude(pk=personas.engagement.review_id).filter(session__start_date__isnull=False)
    for review in dated.order_by("pk")[:4]:
        services.engagement_create(coalition=personas.coalition, actor=personas.admin, review=review)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(events(read(path))) > 4 * 10


def test_a_persons_feed_holds_their_own_open_tasks_and_the_coalition_feed_all_of_them(personas):
    from workplan import feeds
    from workplan.models import Task

    due = timezone.now() + dt.timedelta(days=5)
    for title, owner in (("Mine to do", personas.member), ("The editor's", personas.editor)):
        Task.objects.create(coalition=personas.coalition, engagement=personas.engagement, title=title, owner=owner, due_at=due)
    Task.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        title="Done already",
        owner=personas.member,
        due_at=due,
        status="done",
    )
    mine = feeds.render_feed(CalendarFeed.objects.get(token_hash=feeds._hash(feeds.feed_create(user=personas.member))))
    tasks = [e for e in icalendar.Calendar.from_ical(mine).walk("VEVENT") if str(e["summary"]).startswith("Task:")]
    assert [str(e["summary"]).split(" · ")[0] for e in tasks] == ["Task: Mine to do"]
    assert tasks[0].decoded("dtend") == due.astimezone(zoneinfo.ZoneInfo("Europe/Zurich")).replace(microsecond=0)
    whole = feeds.render_feed(
        CalendarFeed.objects.get(token_hash=feeds._hash(feeds.feed_create(user=personas.admin, coalition=personas.coalition)))
    )
    titles = {str(e["summary"]).split(" · ")[0] for e in icalendar.Calendar.from_ical(whole).walk("VEVENT")}
    assert {"Task: Mine to do", "Task: The editor's"} <= titles and "Task: Done already" not in titles


def test_event_titles_leave_the_coalition_out_unless_chosen_when_the_address_is_made(personas):
    """A subscribed calendar is often shared: by default nothing in it names the coalition (titles,
    the calendar's name, the links, which carry its slug); the choice is made with the address."""
    member = personas.client_for(personas.member)
    plain = read(make_feed(member, reverse("calendar_feed_manage")))
    assert events(plain) and all(str(e["summary"]).endswith("Slovenia, session 48") for e in events(plain))
    ical = plain.to_ical().decode()
    assert "Alpha Coalition" not in ical and "/c/alpha/" not in ical.replace("\r\n ", "")
    response = member.post(reverse("calendar_feed_manage"), {"action": "create", "with_coalition_name": "on"}, follow=True)
    path = urlsplit(re.search(r"https?://[^\s<]+/feeds/[^\s<]+\.ics", response.content.decode()).group(0)).path
    named = read(path)
    assert all(str(e["summary"]).endswith("Slovenia, session 48 (Alpha Coalition)") for e in events(named))
    assert all("/c/alpha/engagements/" in str(e["url"]) for e in events(named))
    assert 'name="with_coalition_name" checked' in member.get(reverse("profile")).content.decode()
    admin = personas.client_for(personas.admin)
    url = reverse("workplan:calendar_feed", args=["alpha"])
    assert "Alpha Coalition" not in read(make_feed(admin, url)).to_ical().decode()
    admin.post(url, {"action": "create", "with_coalition_name": "on"})
    assert CalendarFeed.objects.get(coalition=personas.coalition).with_coalition_name is True
    outsider = personas.client_for(personas.outsider)  # another coalition's admin: as if it did not exist
    assert outsider.post(url, {"action": "create", "with_coalition_name": "on"}).status_code == 404
    assert outsider.post("/api/c/alpha/calendar-feed/", {"with_coalition_name": True}).status_code == 404


def test_the_api_makes_a_feed_with_or_without_the_coalitions_name(personas):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(personas.admin)
    for body, named in (({}, False), ({"with_coalition_name": True}, True)):
        url = api.post("/api/c/alpha/calendar-feed/", body, format="json").json()["url"]
        ical = Client().get(urlsplit(url).path).content.decode()
        assert ("(Alpha Coalition)" in ical) is named
        mine = api.post("/api/me/calendar-feed/", body, format="json").json()["url"]
        assert ("(Alpha Coalition)" in Client().get(urlsplit(mine).path).content.decode()) is named
    assert api.post("/api/me/calendar-feed/", {"with_coalition_name": "maybe"}, format="json").status_code == 400


def test_a_task_without_a_time_of_day_is_an_all_day_event(personas):
    from workplan import feeds

    day = timezone.localdate() + dt.timedelta(days=9)
    editor = personas.client_for(personas.editor)
    editor.post(
        f"/c/alpha/engagements/{personas.engagement.pk}/tasks/",
        {"title": "Book the room", "due_date": day.isoformat(), "due_time": "", "time_zone": "Europe/Zurich"},
    )
    whole = feeds.render_feed(
        CalendarFeed.objects.get(token_hash=feeds._hash(feeds.feed_create(user=personas.admin, coalition=personas.coalition)))
    )
    [event] = [e for e in icalendar.Calendar.from_ical(whole).walk("VEVENT") if "Book the room" in str(e["summary"])]
    assert event.decoded("dtstart") == day and event.decoded("dtend") == day + dt.timedelta(days=1)
    assert not isinstance(event.decoded("dtstart"), dt.datetime)
