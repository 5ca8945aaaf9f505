"""The cached editor page in two real browsers (issue 12, finding 4), in headless Chromium.

The same secretariat opens the document in one browser, then in a second one (another browser
context: its own cookies, its own CSRF secret). The second browser's forms must work right away:
the page was cached with the first browser's token, and every form of it answered 403 for up to a
minute. A draft recommendation added on the engagement in the second browser must show on the
document page at once, in both.
"""

import re

import pytest

from coalitions import services as coalition_services
from coalitions.models import Role
from submissions import services
from upr.models import Review

from .browsers import log_in
from .factories import PASSWORD, CoalitionFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_second_browser_posts_the_cached_page_forms_and_sees_a_new_draft_at_once(live_server, chromium, upr_reference):
    coalition = CoalitionFactory(name="Slovenian UPR Coalition", slug="si-upr")
    lead = OrganisationFactory(coalition=coalition, name="Peace Institute", acronym="PI")
    admin = UserFactory(email="admin@pi.si")
    MembershipFactory(coalition=coalition, user=admin, role=Role.ADMIN, organisation=lead)
    engagement = coalition_services.engagement_create(
        coalition=coalition, actor=admin, review=Review.objects.get(state__iso3="SVN", session__number=48)
    )
    document = services.document_create(
        coalition=coalition,
        actor=admin,
        engagement=engagement,
        kind="joint_submission",
        title="Joint submission of the Slovenian UPR Coalition",
        lead_organisation=lead,
    )
    section = document.sections.order_by("position").first()
    base = live_server.url
    doc_url = f"{base}/c/si-upr/documents/{document.pk}/"

    first_context, second_context = chromium.new_context(), chromium.new_context()
    try:
        first, second = first_context.new_page(), second_context.new_page()
        log_in(first, base, "admin@pi.si", PASSWORD)
        first.goto(doc_url)  # rendered, and kept
        assert first.get_by_role("heading", name=re.compile("Joint submission of the Slovenian")).count() >= 1

        log_in(second, base, "admin@pi.si", PASSWORD)
        second.goto(doc_url)  # from the cache
        second.locator(f"#new-comment-{section.pk}").fill("Posted from the second browser")
        second.locator(f"#comments-{section.pk}").get_by_role("button", name="Comment").click()
        second.wait_for_load_state()
        assert "403" not in second.title() and "Forbidden" not in second.content()
        assert second.locator(f"#comments-{section.pk}").get_by_text("Posted from the second browser").count() == 1
        first.reload()
        assert first.locator(f"#comments-{section.pk}").get_by_text("Posted from the second browser").count() == 1

        # A draft recommendation added on the engagement's page in the second browser...
        second.goto(f"{base}/c/si-upr/engagements/{engagement.pk}/asks/")
        second.locator("#id_text").fill("Adopt a national action plan against discrimination of Roma by 2027")
        second.locator("form:has(#id_text)").get_by_role("button", name="Add").click()
        second.wait_for_load_state()
        # ...is offered on the document page at once, in both browsers.
        for page in (first, second):
            page.goto(doc_url)
            assert page.get_by_label(re.compile("Adopt a national action plan against discrimination")).count() == 1
        # And the first browser's forms still work after the second one's.
        first.locator(f"#new-comment-{section.pk}").fill("And from the first")
        first.locator(f"#comments-{section.pk}").get_by_role("button", name="Comment").click()
        first.wait_for_load_state()
        assert first.locator(f"#comments-{section.pk}").get_by_text("And from the first").count() == 1
    finally:
        first_context.close()
        second_context.close()
