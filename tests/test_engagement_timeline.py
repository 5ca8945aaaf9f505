"""An engagement in one review, and its timeline of milestones computed from the review date."""

import datetime as dt

import pytest

from coalitions.models import Milestone
from coalitions.selectors import engagement_timeline
from upr.models import Review, Session
from upr.rules import GENEVA, MILESTONE_RULES, add_months

pytestmark = pytest.mark.django_db


def by_kind(engagement):
    return {e.milestone.kind: e for e in engagement_timeline(engagement=engagement)}


def test_slovenia_48_timeline_counts_from_the_review_on_28_january_2025(personas):
    timeline = by_kind(personas.engagement)
    assert set(timeline) == {rule.kind for rule in MILESTONE_RULES}
    assert timeline["review"].date == dt.date(2025, 1, 28)
    assert timeline["outcome_report"].date == dt.date(2025, 1, 30)
    assert timeline["adoption"].date == dt.date(2025, 5, 28)
    assert timeline["oral_statement_signup"].date == dt.date(2025, 5, 21)
    assert timeline["lobby_for_support"].end_date == dt.date(2025, 5, 28)
    assert timeline["national_consultation"].date == dt.date(2024, 1, 28)
    assert timeline["mid_term_report"].date == dt.date(2027, 7, 28)
    assert timeline["next_review"].date == dt.date(2029, 7, 28)
    assert timeline["documents_published"].date == dt.date(2024, 12, 17)


def test_the_stakeholder_deadline_is_at_15_00_geneva_time_across_daylight_saving(personas):
    deadline = by_kind(personas.engagement)["stakeholder_deadline"]
    # No published deadline for session 48 in the data: seven months before the review.
    assert deadline.date == dt.date(2024, 6, 28)
    assert deadline.due_at.astimezone(GENEVA).hour == 15
    assert deadline.due_at.astimezone(dt.UTC).hour == 13  # summer time (CEST)
    winter = Review.objects.get(state__iso3="CZE", session__number=42)  # OHCHR's date: 14 July 2022
    from coalitions import services

    engagement = services.engagement_create(coalition=personas.coalition, actor=personas.admin, review=winter)
    published = by_kind(engagement)["stakeholder_deadline"]
    assert published.date == dt.date(2022, 7, 14)
    # In winter the same 15:00 in Geneva is 14:00 UTC.
    from upr.rules import geneva_deadline

    assert geneva_deadline(dt.date(2025, 1, 15)).astimezone(dt.UTC).hour == 14


def test_add_months_clamps_to_the_end_of_a_short_month():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2025, 3, 15), -15) == dt.date(2023, 12, 15)


def test_overriding_a_date_changes_the_coalitions_timeline_and_not_the_shared_calendar(personas):
    client = personas.client_for(personas.admin)
    milestone = Milestone.objects.get(engagement=personas.engagement, kind="adoption")
    response = client.post(
        f"/c/alpha/engagements/{personas.engagement.pk}/milestones/{milestone.pk}/",
        {"date": "2025-07-07", "note": "HRC59 plenary"},
        HTTP_HX_REQUEST="true",
    )
    assert (
        response.status_code == 200
        and b"7 July 2025" in response.content
        and b"date changed by the coalition" in response.content
    )
    timeline = by_kind(personas.engagement)
    assert timeline["adoption"].date == dt.date(2025, 7, 7) and timeline["adoption"].overridden
    assert timeline["lobby_for_support"].end_date == dt.date(2025, 7, 7)  # the window follows
    review = Review.objects.get(pk=personas.engagement.review_id)
    assert review.review_date == dt.date(2025, 1, 28)
    # Clearing the date returns to the computed one.
    client.post(f"/c/alpha/engagements/{personas.engagement.pk}/milestones/{milestone.pk}/", {"date": ""})
    assert by_kind(personas.engagement)["adoption"].date == dt.date(2025, 5, 28)


def test_a_correction_to_the_shared_calendar_flows_into_dates_not_overridden(personas):
    Review.objects.filter(pk=personas.engagement.review_id).update(review_date=dt.date(2025, 1, 29))
    personas.engagement.refresh_from_db()
    assert by_kind(personas.engagement)["outcome_report"].date == dt.date(2025, 1, 31)


def test_a_malformed_date_is_refused_and_the_old_date_kept(personas):
    client = personas.client_for(personas.admin)
    milestone = Milestone.objects.get(engagement=personas.engagement, kind="adoption")
    response = client.post(f"/c/alpha/engagements/{personas.engagement.pk}/milestones/{milestone.pk}/", {"date": "2025-02-30"})
    assert response.status_code == 400 and b"Enter a real date" in response.content
    milestone.refresh_from_db()
    assert milestone.override_date is None


def test_internal_deadlines_join_the_timeline(personas):
    client = personas.client_for(personas.admin)
    response = client.post(
        f"/c/alpha/engagements/{personas.engagement.pk}/milestones/new/",
        {"title": "Working group drafts due", "date": "2024-05-15"},
    )
    assert response.status_code == 302
    page = client.get(f"/c/alpha/engagements/{personas.engagement.pk}/")
    assert b"Working group drafts due" in page.content


def test_one_engagement_per_review_with_a_clear_message(personas):
    client = personas.client_for(personas.admin)
    response = client.post("/c/alpha/engagements/new/", {"review": personas.engagement.review_id})
    assert response.status_code == 200 and b"already has an engagement" in response.content


def test_members_read_the_timeline_but_only_admins_change_it(personas):
    milestone = Milestone.objects.filter(engagement=personas.engagement).first()
    for user in (personas.editor, personas.member, personas.observer):
        client = personas.client_for(user)
        assert client.get(f"/c/alpha/engagements/{personas.engagement.pk}/").status_code == 200
        url = f"/c/alpha/engagements/{personas.engagement.pk}/milestones/{milestone.pk}/"
        assert client.post(url, {"date": "2030-01-01"}).status_code == 403


def test_the_calendar_lists_sessions_and_states(personas):
    client = personas.client_for(personas.observer)
    page = client.get("/calendar/")  # the current cycle unless another is asked for
    assert page.status_code == 200 and b"Session 48" in page.content and b"Slovenia" in page.content
    page = client.get("/calendar/?cycle=2")
    assert b"Session 20" in page.content and b"Session 48" not in page.content
    page = client.get("/calendar/sessions/48/")
    assert b"A/HRC/59/15" in page.content and b"Dominican Republic" in page.content
    page = client.get("/calendar/states/?group=WEOG")
    assert b"Israel" in page.content and b"Slovenia" not in page.content
    assert client.get("/calendar/states/SVN/").status_code == 200
    assert client.get("/calendar/states/XXX/").status_code == 404
    assert client.get("/calendar/?cycle=abc").status_code == 200
    assert client.get("/calendar/?cycle=99").status_code == 200
    assert Session.objects.count() == 54


def test_the_stakeholder_deadline_is_shown_in_geneva_time_and_in_the_readers_own_zone(personas):
    personas.member.timezone = "America/New_York"
    personas.member.save()
    page = personas.client_for(personas.member).get(f"/c/alpha/engagements/{personas.engagement.pk}/")
    text = page.content.decode()
    assert "15:00 Geneva" in text
    assert "28 June 2024, 09:00 EDT your time" in text  # 15:00 CEST is 09:00 in New York in June
    assert "Times are shown in America/New_York" in text


def test_a_person_sets_their_time_zone_and_a_bogus_one_is_refused(personas):
    client = personas.client_for(personas.member)
    response = client.post("/account/profile/", {"name": "M", "timezone": "Mars/Olympus", "language": "en"})
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    response = client.post("/account/profile/", {"name": "M", "timezone": "Asia/Manila", "language": "fr"})
    assert response.status_code == 302
    personas.member.refresh_from_db()
    assert personas.member.timezone == "Asia/Manila"


def test_the_cached_calendar_shows_a_corrected_reference_load(personas, tmp_path):
    from django.core.cache import cache

    from upr.reference import load_reference

    from .factories import corrected_reference_data

    cache.clear()
    client = personas.client_for(personas.member)
    assert b"20 January 2025" in client.get("/calendar/").content
    load_reference(corrected_reference_data(tmp_path, "upr_cycle4_sessions.csv", {"wg_session": "48"}, {"start": "2025-01-21"}))
    page = client.get("/calendar/").content
    assert b"21 January 2025" in page and b"20 January 2025" not in page
