"""The engagement through the API: tasks, consultations, the advocacy log and its outcome, the week's
dashboard, review and adoption, and a person's deadlines, reminder preferences and calendar feeds."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coalitions.models import Membership
from recommendations.models import Theme
from upr.models import State
from workplan.models import Consultation, ReminderPreference, Task

from .factories import RecommendationFactory
from .helpers import token_client

pytestmark = pytest.mark.django_db


def test_editors_create_tasks_in_a_time_zone_and_owners_mark_them_done(personas):
    editor, member = token_client(personas.editor), token_client(personas.member)
    body = {
        "engagement": personas.engagement.pk,
        "title": "Draft the Roma section",
        "due_date": "2027-03-28",
        "due_time": "15:00",
        "time_zone": "Europe/Zurich",
        "owner": Membership.objects.get(user=personas.member).pk,
    }
    created = editor.post("/api/c/alpha/tasks/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    task = Task.objects.get()
    # 28 March 2027 is the day Geneva moves to summer time: 15:00 there is 13:00 UTC, not 14:00.
    assert task.due_at == dt.datetime(2027, 3, 28, 13, 0, tzinfo=dt.UTC) and task.owner == personas.member
    assert created.json()["due_at"].startswith("2027-03-28T")
    assert member.post("/api/c/alpha/tasks/", body, content_type="application/json").status_code == 403
    bad = editor.post("/api/c/alpha/tasks/", {**body, "due_date": "2027-02-30"}, content_type="application/json")
    assert bad.status_code == 400 and "due_date" in bad.json() and Task.objects.count() == 1
    alien = editor.post("/api/c/alpha/tasks/", {**body, "engagement": 10**6}, content_type="application/json")
    assert alien.status_code == 400
    done = member.post(f"/api/c/alpha/tasks/{task.pk}/status/", {"status": "done"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert (
        token_client(personas.observer)
        .post(f"/api/c/alpha/tasks/{task.pk}/status/", {"status": "open"}, content_type="application/json")
        .status_code
        == 403
    )
    assert [t["id"] for t in member.get("/api/c/alpha/tasks/?status=done").json()["results"]] == [task.pk]


def test_consultations_and_meetings_through_the_api_follow_the_pages_rules(personas):
    member = token_client(personas.member)
    body = {
        "engagement": personas.engagement.pk,
        "kind": "coalition",
        "held_on": "2027-01-10",
        "online": True,
        "attended": [personas.organisation.pk],
        "follow_up_due": "2027-01-20",
    }
    created = member.post("/api/c/alpha/consultations/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    record = Consultation.objects.get()
    assert created.json()["follow_up_task"] == record.follow_up_task_id is not None
    # A PATCH changes what it names and keeps the rest, the follow-up date included.
    changed = member.patch(
        f"/api/c/alpha/consultations/{record.pk}/", {"our_input": "Our paper on Roma"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["attended"] == [personas.organisation.pk]
    record.refresh_from_db()
    assert record.our_input == "Our paper on Roma" and Task.objects.count() == 1
    refused = member.post("/api/c/alpha/consultations/", {**body, "online": False}, content_type="application/json")
    assert refused.status_code == 400 and "place" in refused.json()
    assert token_client(personas.editor).delete(f"/api/c/alpha/consultations/{record.pk}/").status_code == 204
    assert not Task.objects.exists()

    water = Theme.objects.create(name="Water")
    nor = State.objects.get(iso3="NOR")
    meeting = member.post(
        "/api/c/alpha/advocacy-meetings/",
        {
            "engagement": personas.engagement.pk,
            "state": nor.pk,
            "venue": "mission",
            "met_on": "2027-02-01",
            "themes": [water.pk],
            "issues_raised": "Water",
        },
        content_type="application/json",
    )
    assert meeting.status_code == 201 and meeting.json()["state_iso3"] == "NOR"
    pk = meeting.json()["id"]
    assert (
        token_client(personas.observer)
        .patch(f"/api/c/alpha/advocacy-meetings/{pk}/", {"outcome": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    other = token_client(personas.editor)
    assert (
        other.patch(
            f"/api/c/alpha/advocacy-meetings/{pk}/", {"outcome": "Will raise it"}, content_type="application/json"
        ).json()["outcome"]
        == "Will raise it"
    )
    outcome = member.get(f"/api/c/alpha/engagements/{personas.engagement.pk}/lobbying-outcome/").json()
    assert outcome == [
        {
            "state": "NOR",
            "state_name": "Norway",
            "meetings": 1,
            "verdict": "pending",
            "recommendations": [],
            "on_themes_raised": [],
            "taking_up_drafts": [],
        }
    ]
    made = RecommendationFactory(review=personas.engagement.review, states=[nor])
    made.themes.set([water])
    outcome = member.get(f"/api/c/alpha/engagements/{personas.engagement.pk}/lobbying-outcome/").json()
    assert outcome[0]["verdict"] == "on_issues" and outcome[0]["on_themes_raised"] == [made.pk]


def test_the_week_and_review_adoption_endpoints(personas):
    Task.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        title="Late one",
        due_at=timezone.now() - dt.timedelta(days=1),
    )
    week = token_client(personas.observer).get(f"/api/c/alpha/engagements/{personas.engagement.pk}/week/").json()
    assert [d["label"] for d in week["overdue"]] == ["Late one"] and week["submission"] is None
    admin, editor = token_client(personas.admin), token_client(personas.editor)
    path = f"/api/c/alpha/engagements/{personas.engagement.pk}/review-adoption/"
    assert admin.patch(path, {"oral_statement": "signed_up"}, content_type="application/json").status_code == 400
    saved = admin.patch(
        path,
        {"oral_statement": "signed_up", "oral_statement_slot": 4, "webcast_url": "https://webtv.un.org/en/asset/k1a"},
        content_type="application/json",
    )
    assert saved.status_code == 200 and saved.json()["oral_statement_slot"] == 4
    assert editor.get(path).json()["webcast_url"] == "https://webtv.un.org/en/asset/k1a"
    assert editor.patch(path, {"oral_statement": "none"}, content_type="application/json").status_code == 403


def test_a_person_reads_their_deadlines_and_sets_reminders_and_feeds(personas):
    member = token_client(personas.member)
    Task.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        title="Mine",
        owner=personas.member,
        due_at=timezone.now() + dt.timedelta(days=2),
    )
    Task.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        title="The editor's",
        owner=personas.editor,
        due_at=timezone.now() + dt.timedelta(days=2),
    )
    labels = [d["label"] for d in member.get("/api/me/deadlines/?days=30").json()]
    assert "Mine" in labels and "The editor's" not in labels
    assert member.get("/api/me/deadlines/?days=x").status_code == 400
    assert member.get("/api/me/reminder-preferences/").json() == {"lead_days": [30, 7, 1, 0], "delivery": "single"}
    saved = member.put("/api/me/reminder-preferences/", {"lead_days": [3], "delivery": "weekly"}, content_type="application/json")
    assert saved.json() == {"lead_days": [3], "delivery": "weekly"}
    assert ReminderPreference.objects.get(user=personas.member).lead_days == [3]
    bad = member.put("/api/me/reminder-preferences/", {"lead_days": [90]}, content_type="application/json")
    assert bad.status_code == 400 and ReminderPreference.objects.get(user=personas.member).lead_days == [3]
    url = member.post("/api/me/calendar-feed/").json()["url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert member.get(f"/{path}").status_code == 200
    assert member.delete("/api/me/calendar-feed/").status_code == 204
    assert member.get(f"/{path}").status_code == 404
    assert member.post("/api/c/alpha/calendar-feed/").status_code == 403  # the coalition's feed is the secretariat's
    assert token_client(personas.admin).post("/api/c/alpha/calendar-feed/").status_code == 201


@pytest.mark.parametrize(
    "path", ["tasks/", "consultations/", "advocacy-meetings/", "engagements/{e}/lobbying-outcome/", "engagements/{e}/week/"]
)
def test_api_lists_cost_the_same_queries_whatever_their_length(personas, path):
    member = token_client(personas.member)
    url = "/api/c/alpha/" + path.format(e=personas.engagement.pk)
    themes = [Theme.objects.create(name=f"T{n}") for n in range(2)]

    states = iter(State.objects.order_by("pk"))

    def add(n: int) -> None:
        for _ in range(n):
            state = next(states)
            assert (
                member.post(
                    "/api/c/alpha/consultations/",
                    {
                        "engagement": personas.engagement.pk,
                        "kind": "state",
                        "held_on": "2027-01-10",
                        "online": True,
                        "attended": [personas.organisation.pk],
                        "follow_up_due": "2027-01-20",
                    },
                    content_type="application/json",
                ).status_code
                == 201
            )
            assert (
                member.post(
                    "/api/c/alpha/advocacy-meetings/",
                    {
                        "engagement": personas.engagement.pk,
                        "state": state.pk,
                        "venue": "embassy",
                        "met_on": "2027-02-01",
                        "themes": [t.pk for t in themes],
                        "follow_up_due": "2027-02-02",
                    },
                    content_type="application/json",
                ).status_code
                == 201
            )
            RecommendationFactory.create(review=personas.engagement.review, states=[state]).themes.set(themes)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member.get(url).status_code == 200
        return len(queries)

    add(1)
    small = cost()
    add(5)
    assert cost() == small
