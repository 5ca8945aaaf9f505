"""A decision end to end, in real headless Chromium against the served application: the secretariat
opens a decision closing a minute or two ahead (entered in Geneva time); two organisations' contacts vote
in their own browsers (one organisation's name is withheld); the reminder sweep emails each contact of
the organisations that have not voted, once, through a real SMTP server; the closing task closes the
decision at its time, once; every page shows the right tally, and the approval leads to the sign-on."""

import datetime as dt
import time
from email.header import decode_header, make_header
from email.message import Message

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coalitions import services as coalition_services
from coalitions.models import Role
from submissions import services
from submissions.models import Decision, DecisionStatus, SignOn
from submissions.tasks import close_due_decisions
from upr.models import Review
from upr.rules import GENEVA
from workplan import reminders
from workplan.models import ReminderSweep

from .browsers import log_in
from .factories import CoalitionFactory, MembershipFactory, OrganisationFactory, UserFactory
from .services import SMTPServer

QUESTION = "Approve the final text of the joint submission"
LABEL = "Your organisation's vote on a decision of the coalition"


def subject(message: Message) -> str:
    return " ".join(str(make_header(decode_header(message["Subject"]))).split())  # unfolded


def reminders_received(sink, settle: float = 2.0) -> list[Message]:
    """The decision reminders the SMTP server has, once nothing more has arrived for `settle` seconds."""
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < settle:
        with sink.lock:
            found = [m for m in sink.messages if LABEL in subject(m)]
        if len(found) != seen:
            seen, quiet_since = len(found), time.monotonic()
        time.sleep(0.1)
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_decision_is_voted_in_browsers_reminded_once_by_smtp_and_closes_at_its_time(
    asgi_server, chromium, upr_reference, settings
):
    coalition = CoalitionFactory(name="Slovenian UPR Coalition", slug="si-upr")
    lead = OrganisationFactory(coalition=coalition, name="Peace Institute", acronym="PI")
    centre = OrganisationFactory(coalition=coalition, name="Legal Information Centre", acronym="PIC")
    harbour = OrganisationFactory(coalition=coalition, name="Safe Harbour Defenders", acronym="SHD", withheld=True)
    quiet = OrganisationFactory(coalition=coalition, name="Quiet Trust", acronym="QT")
    people = {}
    for email, role, organisation in (
        ("secretariat@upr.si", Role.ADMIN, None),
        ("dana@pi.si", Role.MEMBER, lead),
        ("ana@pic.si", Role.MEMBER, centre),
        ("bor@harbour.si", Role.EDITOR, harbour),
        ("cene@quiet.si", Role.MEMBER, quiet),
    ):
        people[email] = UserFactory(email=email, timezone="America/New_York" if email == "cene@quiet.si" else "Europe/Ljubljana")
        MembershipFactory(coalition=coalition, user=people[email], role=role, organisation=organisation)
    admin = people["secretariat@upr.si"]
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
    base, doc_url = asgi_server.url, f"{asgi_server.url}/c/si-upr/documents/{document.pk}/"

    # 1. The secretariat opens a decision closing at the next minute but one, Geneva time.
    closes = (timezone.now().astimezone(GENEVA) + dt.timedelta(minutes=2)).replace(second=0, microsecond=0)
    secretariat = chromium.new_context().new_page()
    log_in(secretariat, base, admin.email)
    secretariat.goto(doc_url)
    form = secretariat.locator("form[action$='/decisions/new/']")
    form.get_by_label("Question").fill(QUESTION)
    form.get_by_label("Approve the text").check()
    form.get_by_label("Closes on (Geneva)").fill(closes.date().isoformat())
    form.get_by_label("At (Geneva time)").fill(closes.strftime("%H:%M"))
    form.get_by_role("button", name="Open the decision").click()
    secretariat.wait_for_load_state()
    assert "The decision is open" in secretariat.content()
    decision = Decision.objects.get()
    assert decision.closes_at == closes and decision.text_digest
    card = secretariat.locator(f"#decision-{decision.pk}")
    expect(card.locator(".decision-time")).to_contain_text(f"{closes:%H:%M} Geneva time")

    # 2. Two organisations' contacts vote, each in their own browser.
    for email, choice, reason in (("ana@pic.si", "Approve", "The text is ready."), ("bor@harbour.si", "Abstain", "")):
        page = chromium.new_context().new_page()
        log_in(page, base, email)
        page.goto(doc_url)
        ballot = page.locator(f"#decision-{decision.pk}")
        ballot.get_by_label(choice, exact=True).check()
        if reason:
            ballot.get_by_label("Reason (optional)").fill(reason)
        ballot.get_by_role("button", name="Vote").click()
        page.wait_for_load_state()
        assert "vote is recorded" in page.content()
        expect(page.locator(f"#decision-{decision.pk} li.mine")).to_contain_text(f"(your organisation): {choice}")
        page.context.close()

    # 3. The reminder sweep (the beat's, whose previous run was 15 minutes ago): the contacts of the two
    # organisations that have not voted get one reminder each, over real SMTP; a second sweep sends nothing.
    ReminderSweep.objects.create(pk=1, ran_at=timezone.now() - dt.timedelta(minutes=15))
    with SMTPServer() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        reminders.sweep()
        first = reminders_received(smtp.sink)
        assert sorted(m["To"] for m in first) == ["cene@quiet.si", "dana@pi.si"]
        reminders.sweep()
        reminders.sweep(now=timezone.now() + dt.timedelta(seconds=30))
        assert len(reminders_received(smtp.sink)) == 2
        body = first[0].get_payload(decode=True).decode()
        assert f"/c/si-upr/documents/{document.pk}/decisions/{decision.pk}/" in body and "Late reminder" not in body
        assert QUESTION not in body and "Safe Harbour" not in body and "Joint submission" not in body
        assert f"In Geneva: {closes.day} {closes:%B %Y}, {closes:%H:%M}" in body

        # 4. The closing task before the time closes nothing; at the time, the decision once.
        assert close_due_decisions.delay().get() == 0
        while timezone.now() < decision.closes_at:
            time.sleep(0.5)
        # The page already shows it closed (computed), before the task has recorded it.
        secretariat.goto(doc_url)
        expect(card).to_have_attribute("data-state", "closed")
        assert close_due_decisions.delay().get() == 1
        assert close_due_decisions.delay().get() == 0
        reminders.sweep()  # closed: nothing more to remind
        assert len(reminders_received(smtp.sink, settle=1.0)) == 2

        decision.refresh_from_db()
        assert decision.status == DecisionStatus.CLOSED and decision.closed_at == decision.closes_at
        assert (decision.outcome["voters"], decision.outcome["eligible"]) == (2, 4)

        # 5. The pages show the tally: to the secretariat with every name, to a member with the withheld one unnamed.
        secretariat.goto(doc_url)
        counts = [int(n) for n in card.locator("td[data-count]").all_inner_texts()]
        assert counts == [1, 0, 1]  # Approve, Object, Abstain
        expect(card.locator(".decision-turnout")).to_contain_text("2 of 4 organisations voted. Approved.")
        expect(card.locator(".votes")).to_contain_text("Safe Harbour Defenders (name withheld): Abstain")
        member = chromium.new_context().new_page()
        log_in(member, base, "dana@pi.si")
        member.goto(f"{base}/c/si-upr/documents/{document.pk}/decisions/{decision.pk}/")
        votes = member.locator(".votes").inner_text()
        assert "An organisation that is not named: Abstain" in votes and "Legal Information Centre: Approve" in votes
        assert "Safe Harbour" not in member.content()
        assert member.locator(".vote-form").count() == 0  # closed: no more voting
        member.context.close()

        # 6. The approval leads to the sign-on of that very version.
        secretariat.locator(f"#decision-{decision.pk}").get_by_role(
            "button", name="Ask the organisations that approved to sign this version"
        ).click()
        secretariat.wait_for_load_state()
        assert "1 organisation is asked to sign this version." in secretariat.content()
        assert list(SignOn.objects.values_list("organisation__name", "status")) == [("Legal Information Centre", "requested")]
        assert [m["To"] for m in smtp.sink.wait_for(3) if "asked to sign" in subject(m)] == ["ana@pic.si"]
