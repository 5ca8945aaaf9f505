"""Decisions with a closing date: the secretariat opens one on a version of a document, each member
organisation votes once through its contacts, reminders go exactly once to the contacts of those that
have not voted, the decision closes at its time exactly once with the right tally recorded against that
version, and an approval leads straight to the sign-on of that version. A withheld organisation's vote
is counted, its name read by the secretariat only."""

import datetime as dt
import threading
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from coalitions.models import AuditEvent
from submissions import selectors, services
from submissions.live import store
from submissions.models import Decision, DecisionStatus, Document, SignOn, Vote
from submissions.selectors.decisions import ABSTAIN, APPROVE, OBJECT
from submissions.services import decisions
from upr.celery import TASK_QUEUES
from upr.rules import GENEVA
from workplan import reminders
from workplan.models import Reminder, ReminderPreference, ReminderStatus

from .decision_setup import QUESTION, SECRET_TEXT, open_decision, option, vote, voters

pytestmark = pytest.mark.django_db
LABEL = "Your organisation's vote on a decision of the coalition"


def url(name: str, *args) -> str:
    return reverse(f"documents:{name}", args=("alpha", *args))


def current_digest(document: Document) -> str:
    store.ensure_rendered(document.pk)
    return selectors.text_digest(selectors.document_page(Document.objects.get(pk=document.pk), with_comments=False))


def page(client, document: Document) -> str:
    response = client.get(url("detail", document.pk))
    assert response.status_code == 200
    return response.content.decode()


def panel(html: str) -> str:
    """The decisions panel of a document page (other parts of the page follow their own rules)."""
    start = html.index('<section id="decisions"')
    return html[start : html.index("</section>", start)]


def in_each_language(text: str) -> set[str]:
    """The text as each of the product's languages says it (the French contact reads French)."""
    from django.utils import translation

    found = set()
    for language in ("en", "fr", "es"):
        with translation.override(language):
            found.add(translation.gettext(text))
    return found


def decision_mails() -> list:
    return [m for m in mail.outbox if any(label in m.subject for label in in_each_language(LABEL))]


# --- opening ---------------------------------------------------------------------------------------


def test_the_secretariat_opens_a_decision_on_the_exact_version_with_approve_object_abstain(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    assert decision.status == DecisionStatus.OPEN and decision.text_digest == current_digest(v.document)
    section = v.document.sections.order_by("position").first()
    assert decision.text_seqs[f"section-{section.pk}"] >= 1 and "summary" in decision.text_seqs  # that exact live version
    assert list(decision.options.values_list("position", "label")) == [(0, "Approve"), (1, "Object"), (2, "Abstain")]
    event = AuditEvent.objects.get(action="decision.open")
    assert event.target_label == QUESTION and event.changes["text"][1] == decision.text_digest[:16]
    assert "Geneva time" in event.changes["closes_at"][1]


def test_the_page_form_takes_the_closing_time_in_geneva_and_shows_it_with_the_readers_own(personas):
    v = voters(personas)
    admin = personas.client_for(personas.admin)
    day = timezone.localdate(timezone.now(), GENEVA) + dt.timedelta(days=4)
    response = admin.post(
        url("decision_open", v.document.pk),
        {
            "title": "Choose the wording of recommendation 12",
            "kind": "choose",
            "options": "Wording A\n\n  Wording B  \n",
            "closes_on": day.isoformat(),
            "closes_time": "15:00",
        },
    )
    decision = Decision.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#decision-{decision.pk}")
    assert decision.closes_at == dt.datetime.combine(day, dt.time(15, 0), tzinfo=GENEVA)
    assert list(decision.options.values_list("label", flat=True)) == ["Wording A", "Wording B"]
    # The reader in New York reads Geneva's 15:00 and their own 09:00 (or 10:00 across a change of clocks).
    reader = personas.client_for(v.rrw_editor)
    html = page(reader, v.document)
    new_york = decision.closes_at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    # The reader reads French (their account's language).
    from django.utils import translation

    with translation.override("fr"):
        geneva, yours = translation.gettext("Geneva time"), translation.gettext("your time")
    assert geneva != "Geneva time" and f"15:00 {geneva}" in html and f"{new_york:%H:%M} {new_york.tzname()}, {yours}" in html


@pytest.mark.parametrize(
    "closes, options, kind, message",
    [
        ("past", None, "approve", "closing time has passed"),
        ("far", None, "approve", "closes within a year"),
        ("soon", ["Only one"], "choose", "at least two options"),
        ("soon", ["Same", "same "], "choose", "Two options are the same"),
        ("soon", None, "vote-by-acclamation", "Choose the kind of decision"),
    ],
)
def test_bad_openings_are_refused_with_a_clear_error_and_nothing_is_kept(personas, closes, options, kind, message):
    v = voters(personas)
    when = {
        "past": timezone.now() - dt.timedelta(minutes=1),
        "far": timezone.now() + dt.timedelta(days=400),
        "soon": timezone.now() + dt.timedelta(days=1),
    }[closes]
    with pytest.raises(ValidationError, match=message):
        decisions.decision_open(
            document=v.document,
            membership=personas.membership(personas.admin),
            title="Q",
            kind=kind,
            options=options,
            closes_at=when,
        )
    assert not Decision.objects.exists() and not AuditEvent.objects.filter(action__startswith="decision").exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"closes_on": "2026-02-30", "closes_time": "15:00"}, "Enter a real date"),
        ({"closes_on": "31/12/2027", "closes_time": "15:00"}, "Enter a real date"),
        ({"closes_on": "2027-01-10", "closes_time": "25:00"}, "Enter a time such as 15:00"),
        ({"closes_on": "2020-01-10", "closes_time": "15:00"}, "closing time has passed"),
        ({"closes_on": "2027-01-10", "closes_time": "15:00", "kind": "choose", "options": "Only one"}, "at least two options"),
    ],
)
def test_a_malformed_or_past_closing_date_on_the_page_gets_its_message_and_keeps_nothing(personas, data, message):
    v = voters(personas)
    admin = personas.client_for(personas.admin)
    response = admin.post(url("decision_open", v.document.pk), {"title": "Approve", "kind": "approve", **data}, follow=True)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Decision.objects.exists()


def test_only_the_secretariat_opens_closes_and_cancels_and_an_outsider_gets_404(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    form = {"title": "Q", "kind": "approve", "closes_on": "2027-06-01", "closes_time": "15:00"}
    for user in (personas.editor, personas.member, personas.observer):
        client = personas.client_for(user)
        assert client.post(url("decision_open", v.document.pk), form).status_code == 403
        assert client.post(url("decision_close", v.document.pk, decision.pk)).status_code == 403
        assert client.post(url("decision_cancel", v.document.pk, decision.pk)).status_code == 403
        assert client.get(url("decision", v.document.pk, decision.pk)).status_code == 200  # everyone reads
        with pytest.raises(PermissionDenied):
            decisions.decision_close(decision=decision, membership=personas.membership(user))
    outsider = personas.client_for(personas.outsider)
    for name in ("decision", "decision_vote", "decision_close", "decision_cancel", "decision_signon"):
        assert outsider.get(url(name, v.document.pk, decision.pk)).status_code == 404
        assert outsider.post(url(name, v.document.pk, decision.pk)).status_code == 404
    assert outsider.post(url("decision_open", v.document.pk), form).status_code == 404
    assert Decision.objects.get().status == DecisionStatus.OPEN and Decision.objects.count() == 1


# --- voting ----------------------------------------------------------------------------------------


def test_one_vote_per_organisation_another_contact_changes_it_with_a_reason(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    member = personas.client_for(v.rrw_member)
    response = member.post(
        url("decision_vote", v.document.pk, decision.pk),
        {"option": option(decision, OBJECT), "reason": "Paragraph 12 names a witness."},
    )
    assert response.status_code == 302
    editor = personas.client_for(v.rrw_editor)  # the same organisation's other contact
    editor.post(url("decision_vote", v.document.pk, decision.pk), {"option": option(decision, APPROVE), "reason": "Fixed."})
    (cast,) = Vote.objects.filter(organisation=v.rrw)
    assert (cast.option.position, cast.reason, cast.cast_by) == (APPROVE, "Fixed.", v.rrw_editor)
    assert cast.text_digest == decision.text_digest
    trail = list(AuditEvent.objects.filter(action="decision.vote").order_by("pk").values_list("changes", flat=True))
    assert trail == [
        {"organisation": ["", "Roma Rights Watch"], "vote": ["", "Object"]},
        {"organisation": ["", "Roma Rights Watch"], "vote": ["Object", "Approve"]},
    ]
    html = page(member, v.document)
    assert "Roma Rights Watch (your organisation): Approve" in html and "Change the vote" in html


def test_who_cannot_vote_is_refused_and_nothing_is_recorded(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    other = open_decision(personas, v.document, kind="choose", options=["A", "B"], title="Choose")
    observer, loner = personas.client_for(personas.observer), personas.client_for(v.loner)
    assert (
        observer.post(url("decision_vote", v.document.pk, decision.pk), {"option": option(decision, APPROVE)}).status_code == 403
    )
    refused = loner.post(url("decision_vote", v.document.pk, decision.pk), {"option": option(decision, APPROVE)}, follow=True)
    assert "contact votes, for their organisation" in refused.content.decode()
    assert "your membership names no organisation" in page(loner, v.document)
    # An option of another decision, or none at all: the form's own message.
    member = personas.client_for(personas.member)
    wrong = member.post(url("decision_vote", v.document.pk, decision.pk), {"option": option(other, 0)}, follow=True)
    assert "Select a valid choice" in wrong.content.decode()
    with pytest.raises(ValidationError, match="Choose one of this decision's options"):
        decisions.decision_vote(decision=decision, membership=personas.membership(personas.member), option_id=option(other, 0))
    assert not Vote.objects.exists() and not AuditEvent.objects.filter(action="decision.vote").exists()


def test_a_vote_after_the_closing_time_is_refused_even_before_the_task_has_closed_it(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    vote(personas.membership(personas.member), decision, APPROVE)
    Decision.objects.filter(pk=decision.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError, match="has closed"):
        vote(v.m(v.rrw_member), decision, OBJECT)
    response = personas.client_for(v.rrw_member).post(
        url("decision_vote", v.document.pk, decision.pk), {"option": option(decision, OBJECT)}, follow=True
    )
    assert "has closed: votes are no longer taken" in response.content.decode()
    assert Vote.objects.count() == 1
    # The page shows it closed with its tally, computed: nothing was written by the GET.
    html = page(personas.client_for(personas.observer), v.document)
    assert 'data-state="closed"' in html and "its outcome is being recorded" in html and "Approved." in html
    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.OPEN


# --- closing ---------------------------------------------------------------------------------------


def test_the_decision_closes_at_its_time_once_with_the_tally_recorded_against_its_version(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document, hours=2)
    vote(personas.membership(personas.member), decision, APPROVE)
    vote(v.m(v.rrw_member), decision, APPROVE)
    vote(v.m(v.hidden_member), decision, OBJECT)
    assert decisions.decisions_close_due(now=decision.closes_at - dt.timedelta(seconds=1)) == []  # not yet
    (closed,) = decisions.decisions_close_due(now=decision.closes_at)
    assert decisions.decisions_close_due(now=decision.closes_at + dt.timedelta(minutes=1)) == []  # once
    closed.refresh_from_db()
    approve, object_, abstain = (option(decision, p) for p in (APPROVE, OBJECT, ABSTAIN))
    assert closed.status == DecisionStatus.CLOSED and closed.closed_at == decision.closes_at
    # 3 of 3 organisations with a contact (Quiet Trust has none, the loner no organisation).
    assert closed.outcome["counts"] == {str(approve): 2, str(object_): 1, str(abstain): 0}
    assert (closed.outcome["voters"], closed.outcome["eligible"], closed.outcome["chosen"]) == (3, 3, [approve])
    assert closed.outcome["on_version"] == 3 and sorted(o for o, _c, _s in closed.outcome["votes"]) == sorted(
        [personas.organisation.pk, v.rrw.pk, v.hidden.pk]
    )
    assert closed.text_digest == current_digest(v.document)
    (event,) = AuditEvent.objects.filter(action="decision.close")
    assert event.actor is None and event.changes["outcome"][1] == (
        "Approve: 2, Object: 1, Abstain: 0 (3 of 3 organisations voted) → Approve"
    )
    assert "Safe Harbour" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))
    html = page(personas.client_for(personas.observer), v.document)
    assert 'data-state="closed"' in html and "3 of 3 organisations voted." in html and "Approved." in html
    assert "outcome is being recorded" not in html


@pytest.mark.django_db(transaction=True)
def test_two_closing_runs_at_the_same_moment_close_it_once(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document, hours=1)
    vote(personas.membership(personas.member), decision, OBJECT)
    results: list[list] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        try:
            barrier.wait()
            results.append(decisions.decisions_close_due(now=decision.closes_at))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results) == [0, 0, 1]
    assert AuditEvent.objects.filter(action="decision.close").count() == 1
    assert Decision.objects.get().outcome["chosen"] == [option(decision, OBJECT)]


def test_the_secretariat_closes_early_or_cancels_and_then_nothing_more_happens(personas):
    v = voters(personas)
    early, withdrawn = open_decision(personas, v.document), open_decision(personas, v.document, title="Withdrawn")
    admin = personas.client_for(personas.admin)
    vote(personas.membership(personas.member), early, ABSTAIN)
    assert admin.post(url("decision_close", v.document.pk, early.pk)).status_code == 302
    early.refresh_from_db()
    assert early.status == DecisionStatus.CLOSED and early.closed_at < early.closes_at and early.outcome["chosen"] == []
    response = admin.post(url("decision_cancel", v.document.pk, withdrawn.pk), {"from": "detail"})
    assert response["Location"] == url("decision", v.document.pk, withdrawn.pk)
    assert Decision.objects.get(pk=withdrawn.pk).status == DecisionStatus.CANCELLED
    again = admin.post(url("decision_close", v.document.pk, withdrawn.pk), follow=True).content.decode()
    assert "no longer open" in again
    assert decisions.decisions_close_due(now=timezone.now() + dt.timedelta(days=10)) == []
    assert [e.action for e in AuditEvent.objects.filter(action__in=["decision.close", "decision.cancel"]).order_by("pk")] == [
        "decision.close",
        "decision.cancel",
    ]
    html = page(personas.client_for(personas.member), v.document)
    assert "Not approved." in html and "Cancelled" in html


def test_the_closing_task_runs_every_minute_on_the_reminders_queue(settings):
    from submissions.tasks import close_due_decisions

    entry = settings.CELERY_BEAT_SCHEDULE["decision-close"]
    assert entry == {"task": "submissions.tasks.close_due_decisions", "schedule": 60}
    assert TASK_QUEUES[entry["task"]] == "reminders" and close_due_decisions.name == entry["task"]


# --- versions ----------------------------------------------------------------------------------------


def test_a_vote_on_another_version_and_a_changed_text_are_shown_as_such(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    vote(personas.membership(personas.member), decision, APPROVE)
    html = page(personas.client_for(personas.admin), v.document)
    assert "The document's text is still this version." in html and "other-version" not in html
    section = v.document.sections.order_by("position").first()
    section.refresh_from_db()
    services.section_save(
        section=section,
        membership=personas.membership(personas.admin),
        base_version=section.version,
        body="<p>A new paragraph on the erased.</p>",
    )
    vote(v.m(v.rrw_member), decision, OBJECT)
    later = Vote.objects.get(organisation=v.rrw)
    assert later.text_digest == current_digest(v.document) != decision.text_digest
    html = page(personas.client_for(personas.admin), v.document)
    assert "The text has changed since this decision was opened" in html
    assert html.count("cast on another version of the text than the one put to this decision") == 1
    detail = personas.client_for(personas.observer).get(url("decision", v.document.pk, decision.pk)).content.decode()
    assert "Roma Rights Watch: Object" in detail and "cast on another version of the text" in detail


# --- the withheld organisation -------------------------------------------------------------------------


def test_a_withheld_organisations_vote_is_counted_and_named_to_the_secretariat_only(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    vote(v.m(v.hidden_member), decision, OBJECT, reason="Our staff were threatened.")
    vote(personas.membership(personas.member), decision, APPROVE)
    admin = page(personas.client_for(personas.admin), v.document)
    assert "Safe Harbour Defenders (name withheld): Object" in admin and "Our staff were threatened." in admin
    own = page(personas.client_for(v.hidden_member), v.document)
    assert "Safe Harbour Defenders (name withheld) (your organisation): Object" in own
    for user in (personas.editor, personas.member, personas.observer, v.rrw_member):
        html = panel(page(personas.client_for(user), v.document))
        detail = personas.client_for(user).get(url("decision", v.document.pk, decision.pk)).content.decode()
        for shown in (html, detail):
            assert "Safe Harbour" not in shown and "threatened" not in shown
            assert "An organisation that is not named: Object" in shown and "2 of 3 organisations voted." in shown
    trail = str(list(AuditEvent.objects.values_list("changes", "target_label")))
    assert "Safe Harbour" not in trail and "an organisation that is not named" in trail


# --- reminders -----------------------------------------------------------------------------------------


def test_reminders_go_once_to_each_contact_of_an_organisation_that_has_not_voted(personas, django_capture_on_commit_callbacks):
    v = voters(personas)
    decision = open_decision(personas, v.document, hours=72)
    vote(personas.membership(personas.member), decision, APPROVE)  # the personas' organisation has voted
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=now)
    sent = decision_mails()
    # The 7-day lead time's moment has come (the decision closes in 3 days): one reminder each, to the
    # contacts of the two organisations that have not voted; not the voters, the loner, the observer.
    assert sorted(m.to[0] for m in sent) == ["ana@rrw.example.org", "contact@rrw.example.org", "lead@harbour.example.org"]
    assert set(Reminder.objects.filter(deadline=f"decision:{decision.pk}").values_list("lead_days", "status")) == {(7, "sent")}
    for message in sent:
        body = message.body
        assert f"/c/alpha/documents/{v.document.pk}/decisions/{decision.pk}/" in body
        assert any(words in body for words in in_each_language("Open it in UPR Coalition Hub:"))
        for secret in (SECRET_TEXT, QUESTION, "Roma Rights", "Safe Harbour", "Centre for Equal Rights", personas.admin.email):
            assert secret not in body and secret not in message.subject
        geneva = {words.split("%(when)s")[0] for words in in_each_language("In Geneva: %(when)s")}
        assert any(words in body for words in geneva) and "Slovenia" in body
    new_york = next(m for m in sent if m.to == ["contact@rrw.example.org"]).body
    assert "(America/New_York)" in new_york
    with django_capture_on_commit_callbacks(execute=True):  # the next sweeps: nothing new
        reminders.sweep(now=now + dt.timedelta(minutes=15))
        reminders.sweep(now=now + dt.timedelta(hours=1))
    assert len(decision_mails()) == 3
    # The day before: Roma Rights Watch voted meanwhile; only the withheld organisation's contact is reminded.
    vote(v.m(v.rrw_editor), decision, OBJECT)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=decision.closes_at - dt.timedelta(days=1) + dt.timedelta(minutes=5))
    assert [m.to[0] for m in decision_mails()[3:]] == ["lead@harbour.example.org"]


def test_a_reminder_claimed_before_the_vote_or_the_close_is_not_sent(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document, hours=30)
    cancelled = open_decision(personas, v.document, hours=30, title="To cancel")
    claimed = reminders.claim(reminders.due_reminders(now=timezone.now()))
    mine = Reminder.objects.filter(pk__in=claimed, user=v.rrw_member)
    assert {r.deadline for r in mine} == {f"decision:{decision.pk}", f"decision:{cancelled.pk}"}
    vote(v.m(v.rrw_editor), decision, APPROVE)  # the organisation voted before the send
    decisions.decision_cancel(decision=cancelled, membership=personas.membership(personas.admin))
    assert [reminders.send(reminder_id=r.pk) for r in mine] == [False, False] and decision_mails() == []
    assert set(Reminder.objects.filter(user=v.rrw_member).values_list("status", flat=True)) == {ReminderStatus.SUPERSEDED}
    hidden = Reminder.objects.get(user=v.hidden_member, deadline=f"decision:{decision.pk}")
    assert reminders.send(reminder_id=hidden.pk) is True and reminders.send(reminder_id=hidden.pk) is False
    assert [m.to for m in decision_mails()] == [[v.hidden_member.email]]


def test_reminders_follow_each_persons_lead_times_and_none_means_none(personas, django_capture_on_commit_callbacks):
    v = voters(personas)
    ReminderPreference.objects.create(user=v.rrw_member, lead_days=[2])
    ReminderPreference.objects.create(user=v.hidden_member, delivery="none")
    decision = open_decision(personas, v.document, hours=24 * 5)
    vote(personas.membership(personas.member), decision, APPROVE)  # the personas' organisation: nothing to remind
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=timezone.now())
    assert sorted(m.to[0] for m in decision_mails()) == ["contact@rrw.example.org"]  # 7 days ahead: its default lead
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(now=decision.closes_at - dt.timedelta(days=2) + dt.timedelta(minutes=1))
    assert sorted(m.to[0] for m in decision_mails()) == ["ana@rrw.example.org", "contact@rrw.example.org"]


# --- from a decision to the sign-on --------------------------------------------------------------------


def test_an_approval_leads_to_the_sign_on_of_that_version_and_a_changed_text_is_refused(
    personas, django_capture_on_commit_callbacks
):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    vote(personas.membership(personas.member), decision, APPROVE)  # the lead: needs no asking
    vote(v.m(v.rrw_member), decision, APPROVE)
    vote(v.m(v.hidden_member), decision, OBJECT)
    admin = personas.client_for(personas.admin)
    early = admin.post(url("decision_signon", v.document.pk, decision.pk), follow=True).content.decode()
    assert "has not closed yet" in early and not SignOn.objects.exists()
    decisions.decision_close(decision=decision, membership=personas.membership(personas.admin))
    html = page(admin, v.document)
    assert "Ask the organisations that approved to sign this version" in html
    assert "Ask the organisations that approved" not in page(personas.client_for(personas.member), v.document)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url("decision_signon", v.document.pk, decision.pk))
    assert response.status_code == 302 and response["Location"].endswith("#sign-on")
    assert list(SignOn.objects.values_list("organisation__name", "status")) == [("Roma Rights Watch", "requested")]
    asked = in_each_language("[UPR Coalition Hub] Your organisation is asked to sign a submission")
    assert {m.to[0] for m in mail.outbox if m.subject in asked} == {"ana@rrw.example.org", "contact@rrw.example.org"}
    assert AuditEvent.objects.filter(action="decision.signon").count() == 1
    # The text changes: asking again is refused, with what to do.
    SignOn.objects.all().delete()
    section = v.document.sections.order_by("position").first()
    section.refresh_from_db()
    services.section_save(
        section=section,
        membership=personas.membership(personas.admin),
        base_version=section.version,
        body="<p>Rewritten after the vote.</p>",
    )
    refused = admin.post(url("decision_signon", v.document.pk, decision.pk), follow=True).content.decode()
    assert "The text has changed since this decision" in refused and "Open a new decision on the current text" in refused
    assert not SignOn.objects.exists()
    with pytest.raises(PermissionDenied):
        decisions.decision_signon(decision=decision, membership=personas.membership(personas.editor))


def test_a_decision_that_was_not_approved_asks_nobody_to_sign(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    vote(v.m(v.rrw_member), decision, OBJECT)
    decisions.decision_close(decision=decision, membership=personas.membership(personas.admin))
    with pytest.raises(ValidationError, match="did not approve"):
        decisions.decision_signon(decision=decision, membership=personas.membership(personas.admin))
    assert not SignOn.objects.exists()


# --- the document page stays fresh ---------------------------------------------------------------------


def test_the_cached_document_page_shows_each_new_vote_and_the_close_at_once(personas):
    v = voters(personas)
    decision = open_decision(personas, v.document)
    observer = personas.client_for(personas.observer)
    assert "0 of 3 organisations voted." in page(observer, v.document)
    vote(v.m(v.rrw_member), decision, APPROVE)
    assert "1 of 3 organisations voted." in page(observer, v.document)
    decisions.decision_close(decision=decision, membership=personas.membership(personas.admin))
    html = page(observer, v.document)
    assert 'data-state="closed"' in html and "Approved." in html
