"""On a phone (real Chromium, 390 × 844): the recommendations list, the implementation matrix and the
timeline with its "Change date" form fit the screen; their tables scroll inside their own box with
the first column kept in view; touch targets are at least 44 px high (static/css/phone.css)."""

from __future__ import annotations

import re

import pytest

from coalitions import services as coalition_services
from coalitions.models import Role
from upr.models import Review

from .factories import PASSWORD, CoalitionFactory, MembershipFactory, RecommendationFactory, UserFactory

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    yield context.new_page()
    context.close()


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 391).slice(0, 8)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert width <= 390, f"{page.url}: the page is {width} px wide: {wide}"


def scrolls_in_its_box(page, selector: str) -> None:
    box = page.locator(selector).first
    box.wait_for()
    box.evaluate("table => { table.scrollLeft = 120; }")
    page.wait_for_timeout(200)  # sticky offsets follow the scroll at the next frame
    state = box.evaluate("""table => {
        const edge = table.getBoundingClientRect();
        const first = table.querySelector('tbody tr > :first-child:not([colspan])');
        const forms = [...table.querySelectorAll('td[colspan] > form')].map(f => f.getBoundingClientRect());
        return {scrollWidth: table.scrollWidth, clientWidth: table.clientWidth, scrolled: table.scrollLeft,
                left: edge.left, right: edge.right, position: first ? getComputedStyle(first).position : '',
                firstLeft: first ? first.getBoundingClientRect().left - edge.left : 0,
                forms: forms.map(f => [f.left - edge.left, edge.right - f.right])};
    }""")
    assert state["right"] <= 390, state  # the box itself stays on the screen
    if state["scrollWidth"] > state["clientWidth"]:  # wider than the screen: it scrolls, its first column stays
        assert state["scrolled"] > 0, state
        assert state["position"] == "sticky" and abs(state["firstLeft"]) < 2, state
    for left, right in state["forms"]:  # a form across the row stays inside the visible box: nothing cut off
        assert left >= -1 and right >= -1, state


def touch_targets(page, selector: str) -> None:
    heights = page.locator(selector).evaluate_all(
        "els => els.filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_list_the_matrix_and_the_timeline_fit_a_phone(live_server, phone, upr_reference):
    coalition = CoalitionFactory(name="Slovenian UPR Coalition", slug="si-upr")
    admin = UserFactory(email="secretariat@example.org")
    MembershipFactory(coalition=coalition, user=admin, role=Role.ADMIN)
    review = Review.objects.get(state__iso3="SVN", session__number=48)
    engagement = coalition_services.engagement_create(coalition=coalition, actor=admin, review=review)
    for n in range(30):
        RecommendationFactory(
            review=review,
            thematic_cluster="Members of minorities" if n % 2 else "Right to health",
            text=f"Continue efforts to guarantee the rights of Roma communities, including access "
            f"to housing, water and sanitation, number {n}, https://example.org/very/long/path/{n} (Chile);",
        )
    base = live_server.url
    phone.goto(f"{base}/accounts/login/")
    phone.get_by_label(re.compile(r"^Email:?$")).fill("secretariat@example.org")
    phone.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()
    phone.wait_for_load_state()

    phone.goto(f"{base}/c/si-upr/recommendations/")
    fits(phone)
    scrolls_in_its_box(phone, "table.recommendations")
    touch_targets(phone, "main button")

    phone.goto(f"{base}/c/si-upr/engagements/{engagement.pk}/matrix/")
    phone.get_by_role("button", name=re.compile("Build the matrix")).click()
    phone.wait_for_load_state()
    phone.goto(f"{base}/c/si-upr/engagements/{engagement.pk}/matrix/")
    fits(phone)
    scrolls_in_its_box(phone, "main table")

    phone.goto(f"{base}/c/si-upr/engagements/{engagement.pk}/")
    fits(phone)
    scrolls_in_its_box(phone, "table.timeline")
    touch_targets(phone, "table.timeline a")
    phone.locator("table.timeline a", has_text="Change date").first.click()
    phone.locator("table.timeline input[type=date]").first.wait_for()
    fits(phone)
    scrolls_in_its_box(phone, "table.timeline")
    touch_targets(phone, "table.timeline button, table.timeline input[type=date]")
