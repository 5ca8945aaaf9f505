"""The engagement's working plan: tasks with an owner, a due instant in a time zone, a status; and
their reminders, which go to their owners only."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.db import reset_queries
from django.utils import timezone

from coalitions.models import Membership
from workplan import reminders
from workplan.models import Reminder, Task

pytestmark = pytest.mark.django_db


def url(personas, suffix: str = "") -> str:
    return f"/c/alpha/engagements/{personas.engagement.pk}/{suffix}"


def add(client, personas, **data):
    when = timezone.localdate() + dt.timedelta(days=3)
    return client.post(
        url(personas, "tasks/"),
        {
            "title": "Draft the section on Roma",
            "due_date": when.isoformat(),
            "due_time": "10:00",
            "time_zone": "America/Bogota",
            **data,
        },
    )


def test_editors_add_tasks_in_a_time_zone_and_the_page_shows_geneva_time(personas):
    editor = personas.client_for(personas.editor)
    member = Membership.objects.get(user=personas.member)
    assert add(editor, personas, owner=member.pk).status_code == 302
    task = Task.objects.get()
    local = task.due_at.astimezone(zoneinfo.ZoneInfo("America/Bogota"))
    assert (local.hour, local.minute) == (10, 0) and task.owner == personas.member
    geneva = task.due_at.astimezone(zoneinfo.ZoneInfo("Europe/Zurich"))
    page = editor.get(url(personas)).content.decode()
    assert "Draft the section on Roma" in page and f"Geneva: {geneva:%-d %B %Y}, {geneva:%H:%M}" in page
    assert add(personas.client_for(personas.member), personas).status_code == 403
    bad = add(editor, personas, due_date="2027-02-31")
    assert bad.status_code == 302 and Task.objects.count() == 1  # refused with a message, nothing saved


def test_a_member_marks_their_own_task_done_not_someone_elses(personas):
    editor = personas.client_for(personas.editor)
    add(editor, personas, owner=Membership.objects.get(user=personas.member).pk)
    add(editor, personas, title="Someone else's", owner=Membership.objects.get(user=personas.admin).pk)
    mine, theirs = Task.objects.order_by("pk")
    member = personas.client_for(personas.member)
    member.post(url(personas, f"tasks/{mine.pk}/status/"), {"status": "done"})
    member.post(url(personas, f"tasks/{theirs.pk}/status/"), {"status": "done"})
    assert Task.objects.get(pk=mine.pk).status == "done" and Task.objects.get(pk=theirs.pk).status == "open"


def test_a_tasks_reminders_go_to_its_owners_and_stop_when_it_is_done(personas, django_capture_on_commit_callbacks):
    due = timezone.now() + dt.timedelta(days=1, hours=2)
    Task.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        title="Collect the figures",
        due_at=due,
        organisation=personas.organisation,
    )
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=due - dt.timedelta(days=1, minutes=-5))
    sent = {m.to[0] for m in mail.outbox if "Collect the figures" in m.subject}
    with_org = set(
        Membership.objects.filter(coalition=personas.coalition, organisation=personas.organisation).values_list(
            "user__email", flat=True
        )
    )
    assert sent == with_org and personas.observer.email not in sent
    # Done between a reminder's claim and its sending: it is not sent.
    later = Task.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        title="Book the room",
        due_at=due + dt.timedelta(days=1),
        owner=personas.member,
    )
    claimed = reminders.claim(reminders.due_reminders(now=later.due_at - dt.timedelta(days=1, minutes=-5)))
    claimed = list(Reminder.objects.filter(pk__in=claimed, deadline=f"task:{later.pk}").values_list("pk", flat=True))
    later.status = "done"
    later.save()
    assert not any(reminders.send(reminder_id=pk) for pk in claimed)
    assert Reminder.objects.filter(pk__in=claimed, status="superseded").count() == len(claimed) > 0


def test_the_engagement_page_costs_the_same_queries_for_2_or_12_tasks(personas, django_assert_max_num_queries):
    editor = personas.client_for(personas.editor)
    add(editor, personas, title="Task 0", owner=Membership.objects.get(user=personas.member).pk)
    add(editor, personas, title="Task 1", working_group=personas.group.pk)  # each kind of owner once
    reset_queries()  # a request clears the query log it started with: capture from an empty log
    with django_assert_max_num_queries(1000) as small:
        assert editor.get(url(personas)).status_code == 200
    baseline = len(small)  # now: the next request clears the query log this reads from
    assert baseline > 0
    for i in range(10):
        add(editor, personas, title=f"More {i}", working_group=personas.group.pk)
    with django_assert_max_num_queries(baseline):
        assert editor.get(url(personas)).status_code == 200


def test_my_deadlines_gathers_my_coalitions_milestones_and_my_tasks_only(personas, django_assert_max_num_queries):
    from coalitions import services
    from coalitions.models import Milestone
    from upr.models import Review

    milestone = Milestone.objects.get(engagement=personas.engagement, kind="stakeholder_deadline")
    milestone.override_date = timezone.localdate() + dt.timedelta(days=10)
    milestone.save()
    soon = timezone.now() + dt.timedelta(days=2)
    Task.objects.create(
        coalition=personas.coalition, engagement=personas.engagement, title="Mine to do", due_at=soon, owner=personas.member
    )
    Task.objects.create(
        coalition=personas.coalition, engagement=personas.engagement, title="Not mine", due_at=soon, owner=personas.admin
    )
    Task.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        title="Late one",
        due_at=timezone.now() - dt.timedelta(days=1),
        owner=personas.member,
    )
    member = personas.client_for(personas.member)
    reset_queries()
    with django_assert_max_num_queries(1000) as one:
        page = member.get("/deadlines/").content.decode()
    baseline = len(one)
    assert "Mine to do" in page and "Late one" in page and "overdue" in page and "Not mine" not in page
    assert "Stakeholder submission deadline" in page
    assert "Mine to do" not in personas.client_for(personas.outsider).get("/deadlines/").content.decode()
    # More coalitions and engagements, the same queries.
    for review in Review.objects.filter(session__start_date__isnull=False).exclude(pk=personas.engagement.review_id)[:3]:
        other = services.coalition_create(name=f"Other {review.pk}", slug=f"other-{review.pk}", creator=personas.admin)
        Membership.objects.create(coalition=other, user=personas.member, role="member")
        services.engagement_create(coalition=other, actor=personas.admin, review=review)
    with django_assert_max_num_queries(baseline):
        assert member.get("/deadlines/").status_code == 200


def test_the_engagement_shows_this_week_the_overdue_tasks_and_the_submissions_count_and_sign_on(personas):
    from submissions import services as documents

    Task.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        title="Call the embassy",
        due_at=timezone.now() + dt.timedelta(days=3),
    )
    Task.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        title="Send the minutes",
        due_at=timezone.now() - dt.timedelta(days=2),
    )
    document = documents.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title="Our joint submission",
        lead_organisation=personas.organisation,
    )
    section = document.sections.first()
    documents.section_save(
        section=section, membership=personas.membership(personas.admin), base_version=1, body="<p>" + "word " * 40 + "</p>"
    )
    page = personas.client_for(personas.member).get(url(personas)).content.decode()
    week = page.split('id="week-h"')[1].split("</section>")[0]
    assert "Call the embassy" in week and "1 overdue task" in week and "Send the minutes" in week
    total = __import__("submissions.selectors", fromlist=["document_count"]).document_count(document).total
    assert f"{total} of 5630 words" in week and "1 submitter" in week


def test_a_task_without_a_time_is_due_at_the_end_of_its_day_and_reads_as_the_day(personas, django_capture_on_commit_callbacks):
    """A date-only task orders and reminds as the end of its day in its zone, and every page and email
    gives it as the day ("14 December 2026"), never as an hour it does not have."""
    editor = personas.client_for(personas.editor)
    day = timezone.localdate() + dt.timedelta(days=3)
    response = add(
        editor,
        personas,
        title="Book the room",
        due_time="",
        time_zone="Asia/Tokyo",
        owner=Membership.objects.get(user=personas.member).pk,
    )
    assert response.status_code == 302
    task = Task.objects.get()
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert task.all_day and task.due_day == day
    assert task.due_at == dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tokyo)
    shown = f"{day.day} {day:%B %Y}"  # e.g. "14 December 2026", the app's DATE_FORMAT
    page = editor.get(url(personas)).content.decode()
    row = page.split('id="tasks-h"')[1].split("Book the room")[0].rsplit("<tr", 1)[1]
    assert shown in row and "Geneva:" not in row and ":59" not in row
    week = page.split('id="week-h"')[1].split("</section>")[0]
    assert f"{shown}: Book the room" in week
    mine = personas.client_for(personas.member).get("/deadlines/").content.decode()
    row = mine.split("Book the room")[0].rsplit("<tr", 1)[1]
    assert shown in row and "Geneva:" not in row and ":59" not in row
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=task.due_at - dt.timedelta(days=1, minutes=-1))
    [email] = [m for m in mail.outbox if "Book the room" in m.subject]
    assert f"When: {shown}" in email.body and "In Geneva" not in email.body and ":59" not in email.body
    # A time given: it is an instant, shown with its hour and Geneva's.
    add(editor, personas, title="Call the embassy", due_time="10:00", time_zone="Europe/Zurich")
    timed = Task.objects.get(title="Call the embassy")
    assert not timed.all_day and timed.due_day is None


def test_an_internal_deadline_without_a_time_reads_as_its_day_in_the_email_and_my_deadlines(
    personas, django_capture_on_commit_callbacks
):
    """The coalition's own deadlines are days: the email gave "08:00 (UTC) / In Geneva: 09:00"."""
    from coalitions import services

    day = timezone.localdate() + dt.timedelta(days=7)
    services.milestone_add(engagement=personas.engagement, actor=personas.admin, title="Working groups' drafts due", date=day)
    shown = f"{day.day} {day:%B %Y}"
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(
            now=dt.datetime.combine(day - dt.timedelta(days=7), dt.time(9, 5), tzinfo=zoneinfo.ZoneInfo("Europe/Zurich"))
        )
    sent = [m for m in mail.outbox if "Working groups' drafts due" in m.subject]
    assert sent and all(f"When: {shown}" in m.body and "09:00" not in m.body and "08:00" not in m.body for m in sent)
    page = personas.client_for(personas.member).get("/deadlines/").content.decode()
    row = page.split("Working groups&#x27; drafts due")[0].rsplit("<tr", 1)[1]
    assert shown in row and "09:00" not in row and "Geneva:" not in row


def test_the_api_makes_a_task_due_on_a_day_and_gives_deadlines_their_day(personas):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(personas.editor)
    day = timezone.localdate() + dt.timedelta(days=2)
    body = {
        "engagement": personas.engagement.pk,
        "title": "Print the factsheets",
        "due_date": day.isoformat(),
        "owner": Membership.objects.get(user=personas.member).pk,
    }
    made = api.post("/api/c/alpha/tasks/", {**body, "due_time": None}, format="json")
    assert made.status_code == 201 and made.json()["all_day"] is True
    timed = api.post("/api/c/alpha/tasks/", {**body, "title": "Call the mission"}, format="json").json()
    assert timed["all_day"] is False  # no time given: 15:00, as before
    api.force_authenticate(personas.member)
    mine = {row["label"]: row for row in api.get("/api/me/deadlines/").json()}
    assert mine["Print the factsheets"]["day"] == day.isoformat() and mine["Call the mission"]["day"] is None
    week = api.get(f"/api/c/alpha/engagements/{personas.engagement.pk}/week/").json()["week"]
    assert {row["label"]: row["day"] for row in week if row["key"].startswith("task:")} == {
        "Print the factsheets": day.isoformat(),
        "Call the mission": None,
    }
    api.force_authenticate(personas.outsider)
    assert api.post("/api/c/alpha/tasks/", {**body, "due_time": None}, format="json").status_code == 404


@pytest.mark.parametrize("task", ["sweep_reminders", "send_reminders", "send_digest"])
def test_a_reminder_queued_under_its_name_before_the_move_to_workplan_still_runs(task):
    """Messages queued (or waiting to retry) under "coalitions.tasks.*" when the layered version is
    deployed: a claimed reminder is never claimed again, so its task must still exist, on its queue,
    with its retries, and do what the new one does."""
    from celery import current_app

    from upr.celery import route_task
    from workplan import tasks

    old, new = current_app.tasks[f"coalitions.tasks.{task}"], getattr(tasks, task)
    assert old.__wrapped__ is new.__wrapped__  # the same function
    assert route_task(old.name, (), {}, {}) == route_task(new.name, (), {}, {}) == {"queue": "reminders"}
    retries = ("max_retries", "autoretry_for", "retry_backoff")
    assert [getattr(old, a, None) for a in retries] == [getattr(new, a, None) for a in retries]
