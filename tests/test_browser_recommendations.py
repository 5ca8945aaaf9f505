"""The recommendations journey in real headless Chromium: the secretariat uploads OHCHR's cycle-4
Word file, sees the summary, filters to the noted recommendations on one theme, flags two as
priorities (htmx buttons), and exports the list as CSV."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coalitions.models import Engagement, Role
from recommendations.models import CoalitionRecommendation, Recommendation, Response, Theme
from upr.models import Review

from .browsers import log_in
from .factories import PASSWORD, CoalitionFactory, MembershipFactory, UserFactory
from .helpers import CYCLE4


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_upload_filter_flag_two_priorities_and_export(live_server, chromium, upr_reference):
    coalition = CoalitionFactory(name="Slovenian UPR Coalition", slug="si-upr")
    admin = UserFactory(email="secretariat@example.org")
    MembershipFactory(coalition=coalition, user=admin, role=Role.ADMIN)
    review = Review.objects.get(state__iso3="SVN", session__number=48)
    Engagement.objects.create(coalition=coalition, review=review)
    base = live_server.url

    page = chromium.new_page()
    log_in(page, base, admin.email, PASSWORD)
    page.goto(f"{base}/c/si-upr/")
    page.get_by_role("link", name="Recommendations").first.click()
    page.get_by_role("link", name="Import a file").click()
    page.get_by_label("Review").select_option(str(review.pk))
    page.get_by_label("File").set_input_files(str(CYCLE4))
    page.get_by_role("button", name="Check the file and preview the import").click()
    page.wait_for_load_state()
    # The preview: what the file would change, nothing changed yet.
    assert page.locator(".summary").inner_text() == "254 recommendations: 217 supported, 37 noted, 0 pending"
    assert "Nothing has changed yet." in page.content() and not Recommendation.objects.exists()
    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_load_state()
    assert page.locator(".summary").inner_text() == "254 recommendations: 217 supported, 37 noted, 0 pending"

    # The noted recommendations on the theme most of them share.
    noted = Recommendation.objects.filter(review=review, response=Response.NOTED)
    theme = max(Theme.objects.filter(recommendations__in=noted).distinct(), key=lambda t: noted.filter(themes=t).count())
    expected = noted.filter(themes=theme).count()
    assert expected >= 2
    page.get_by_role("link", name="See the recommendations").click()
    page.get_by_label("Response", exact=True).select_option("noted")
    page.get_by_label("Theme", exact=True).select_option(str(theme.pk))
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert page.locator("#results-h").inner_text() == f"{expected} recommendations"

    # Flag two, in place (htmx), and each button says so to a screen reader.
    buttons = page.get_by_role("button", name="Flag as priority")
    for _ in range(2):
        buttons.first.click()
        page.get_by_role("status").filter(has_text="Flagged").last.wait_for()
    expect(page.locator('button[aria-pressed="true"]')).to_have_count(2)  # no eval: the page's CSP forbids it
    assert CoalitionRecommendation.objects.filter(coalition=coalition, priority=True).count() == 2

    # Only our priorities, then download the list.
    page.get_by_label("Only our priorities").check()
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert page.locator("#results-h").inner_text() == "2 recommendations"
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    flagged = set(
        CoalitionRecommendation.objects.filter(coalition=coalition, priority=True).values_list("recommendation__text", flat=True)
    )
    assert {r["Recommendation"] for r in rows} == flagged
    assert {(r["Response"], r["Our priority"]) for r in rows} == {("Noted", "yes")}
    assert all(theme.name in r["Themes"] for r in rows)
