"""A browser journey in real headless Chromium: an admin invites a person, the person accepts,
logs in and sees the coalition's dashboard; an outsider sees 404."""

import re

import pytest
from django.core import mail

from coalitions.models import Membership, Role

from .browsers import log_in
from .factories import PASSWORD, CoalitionFactory, MembershipFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_invites_person_accepts_logs_in_and_outsider_gets_404(live_server, chromium, upr_reference):
    coalition = CoalitionFactory(name="Slovenian UPR Coalition", slug="si-upr")
    admin = UserFactory(email="secretariat@example.org")
    MembershipFactory(coalition=coalition, user=admin, role=Role.ADMIN)
    outsider = UserFactory(email="outsider@example.org")
    MembershipFactory(coalition=CoalitionFactory(slug="elsewhere"), user=outsider, role=Role.ADMIN)
    base = live_server.url
    mail.outbox.clear()

    # The secretariat invites a person by email, as an editor.
    page = chromium.new_page()
    log_in(page, base, admin.email, PASSWORD)
    page.goto(f"{base}/c/si-upr/invitations/")
    page.get_by_label("Email address").fill("newcomer@example.org")
    page.get_by_label("Role").select_option("editor")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    assert "Invitation sent to newcomer@example.org" in page.content()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+(/invitations/\S+/)", mail.outbox[0].body).group(1)

    # The person follows the link, creates an account, and lands in the coalition.
    person = chromium.new_context().new_page()
    person.goto(f"{base}{link}")
    assert person.get_by_role("heading", level=1).inner_text() == "You are invited to join Slovenian UPR Coalition"
    person.get_by_role("link", name="Create your account").click()
    person.get_by_label(re.compile(r"^Email:?$")).fill("newcomer@example.org")
    person.get_by_label(re.compile(r"^Password:?$")).fill("a long passphrase for the UN")
    person.get_by_label(re.compile(r"^Password \(again\):?$")).fill("a long passphrase for the UN")
    person.get_by_role("button", name="Sign Up").click()
    person.wait_for_load_state()
    assert Membership.objects.get(user__email="newcomer@example.org").role == Role.EDITOR

    # Logs out, logs in again with email and password, and sees the dashboard.
    person.get_by_role("button", name="Log out").click()
    person.wait_for_load_state()
    log_in(person, base, "newcomer@example.org", "a long passphrase for the UN")
    person.get_by_role("link", name="Slovenian UPR Coalition").first.click()
    person.wait_for_load_state()
    assert person.get_by_role("heading", level=1).inner_text() == "Slovenian UPR Coalition"
    assert "You are Editor." in person.content()

    # Keyboard: the skip link is the first thing Tab reaches, and it leads to the main content.
    person.keyboard.press("Tab")
    assert person.evaluate("document.activeElement.textContent") == "Skip to main content"

    # The secretariat removes the person (confirming the dialog); the person's access ends at once.
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/c/si-upr/members/")
    page.get_by_role("button", name="Remove newcomer@example.org").click()
    page.wait_for_load_state()
    assert "no longer has access" in page.content()
    assert person.goto(f"{base}/c/si-upr/").status == 404

    # The outsider gets 404 for the coalition's pages and API, whatever they guess.
    stranger = chromium.new_context().new_page()
    log_in(stranger, base, outsider.email, PASSWORD)
    for path in ("/c/si-upr/", "/c/si-upr/members/", "/api/c/si-upr/members/", "/c/no-such-thing/"):
        response = stranger.goto(f"{base}{path}")
        assert response.status == 404, path
    assert "Slovenian UPR Coalition" not in stranger.content()
