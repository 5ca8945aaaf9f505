"""An organisation asked to sign is told: its contacts get one email per request (no text of the
document, a link back, in their language and zone), a reminder when the secretariat sends one, and
"waiting for your signature" on their dashboard; the secretariat sees who has not answered, since when."""

import datetime as dt
import zoneinfo
from email.header import decode_header, make_header

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from coalitions.models import MemberOrganisation, Membership, Milestone, Role
from submissions import services
from submissions.emails import signon_email_send
from submissions.models import SignOn
from upr.celery import TASK_QUEUES
from upr.rules import GENEVA

from .factories import MembershipFactory, UserFactory
from .services import SMTPServer

pytestmark = pytest.mark.django_db
JSON = "application/json"
SECRET_TEXT = "Testimonies from the Dob prison"


def url(name: str, *args) -> str:
    return reverse(f"documents:{name}", args=("alpha", *args))


def api(path: str) -> str:
    return f"/api/c/alpha/{path}"


@pytest.fixture
def joint(personas):
    document = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title=f"Joint submission: {SECRET_TEXT}",
        lead_organisation=personas.organisation,
    )
    section = document.sections.first()
    section.body = f"<p>{SECRET_TEXT} in detail.</p>"
    section.save()
    return document


@pytest.fixture
def asked(personas):
    """An organisation with two contacts (one reading French in New York) and the member persona as a third."""
    organisation = MemberOrganisation.objects.create(coalition=personas.coalition, name="Roma Rights Watch")
    membership = Membership.objects.get(user=personas.member)
    membership.organisation = organisation
    membership.save()
    french = UserFactory(email="contact@rrw.example.org", language="fr", timezone="America/New_York")
    MembershipFactory(coalition=personas.coalition, user=french, role=Role.EDITOR, organisation=organisation)
    watcher = UserFactory(email="observer@rrw.example.org")  # observers sign nothing: not emailed
    MembershipFactory(coalition=personas.coalition, user=watcher, role=Role.OBSERVER, organisation=organisation)
    return organisation


def deadline_on(engagement, day: dt.date) -> dt.datetime:
    milestone = Milestone.objects.get(engagement=engagement, kind="stakeholder_deadline")
    milestone.override_date = day
    milestone.save()
    return dt.datetime.combine(day, dt.time(15, 0), tzinfo=GENEVA)


def request_sign_on(personas, joint, organisation, capture):
    with capture(execute=True):
        response = personas.client_for(personas.admin).post(url("signon_request", joint.pk), {"organisations": [organisation.pk]})
    assert response.status_code == 302
    return SignOn.objects.get(document=joint, organisation=organisation)


# --- the email -----------------------------------------------------------------------------------


def test_each_contact_gets_one_email_with_a_link_back_and_no_text_of_the_document(
    personas, joint, asked, django_capture_on_commit_callbacks
):
    due = deadline_on(personas.engagement, timezone.localdate() + dt.timedelta(days=40))
    sign_on = request_sign_on(personas, joint, asked, django_capture_on_commit_callbacks)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["contact@rrw.example.org", "member@alpha.example.org"]
    link = f"{settings.SITE_URL}/c/alpha/documents/{joint.pk}/#sign-on"
    for message in by_address.values():
        assert link in message.body
        assert SECRET_TEXT not in message.subject + message.body and "Roma Rights Watch" not in message.body
        assert "Slovenia" in message.body and "48" in message.body
    # In the contact's own zone and language, and in Geneva's.
    new_york = due.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    french = by_address["contact@rrw.example.org"].body
    assert f"{new_york:%H:%M} (America/New_York)" in french and "15:00" in french
    assert {
        "1": "janvier",
        "2": "février",
        "3": "mars",
        "4": "avril",
        "5": "mai",
        "6": "juin",
        "7": "juillet",
        "8": "août",
        "9": "septembre",
        "10": "octobre",
        "11": "novembre",
        "12": "décembre",
    }[str(new_york.month)] in french
    assert SignOn.objects.get(pk=sign_on.pk).notified_at is not None


def test_a_request_is_emailed_once_even_when_asked_again_or_its_task_runs_twice(
    personas, joint, asked, django_capture_on_commit_callbacks
):
    sign_on = request_sign_on(personas, joint, asked, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert signon_email_send(sign_on_id=sign_on.pk) == 0  # the task delivered a second time
    with django_capture_on_commit_callbacks(execute=True):  # asked again through the API: already asked
        personas.client_for(personas.admin).post(
            api(f"documents/{joint.pk}/sign-ons/"), {"organisations": [asked.pk]}, content_type=JSON
        )
    assert len(mail.outbox) == 2
    assert TASK_QUEUES["submissions.tasks.send_signon_email"] == "default"  # never behind an export


def test_declined_then_asked_again_is_a_new_request_with_its_own_email_and_date(
    personas, joint, asked, django_capture_on_commit_callbacks
):
    sign_on = request_sign_on(personas, joint, asked, django_capture_on_commit_callbacks)
    first_asked = sign_on.requested_at
    services.signon_answer(sign_on=sign_on, membership=Membership.objects.get(user=personas.member), sign=False)
    mail.outbox.clear()
    again = request_sign_on(personas, joint, asked, django_capture_on_commit_callbacks)
    assert again.status == "requested" and again.requested_at > first_asked and len(mail.outbox) == 2


def test_an_answer_before_the_worker_sends_nothing(personas, joint, asked):
    (sign_on,) = services.signon_request(
        document=joint, actor=personas.admin, organisations=[asked]
    )  # not committed: no task yet
    services.signon_answer(sign_on=sign_on, membership=Membership.objects.get(user=personas.member), sign=True)
    assert signon_email_send(sign_on_id=sign_on.pk) == 0 and mail.outbox == []


def test_the_email_is_delivered_through_a_real_smtp_server(personas, joint, asked, settings, django_capture_on_commit_callbacks):
    with SMTPServer() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        request_sign_on(personas, joint, asked, django_capture_on_commit_callbacks)
        received = smtp.sink.wait_for(2)
        assert sorted(m["To"] for m in received) == ["contact@rrw.example.org", "member@alpha.example.org"]
        body = received[0].get_payload(decode=True).decode()
        assert f"/c/alpha/documents/{joint.pk}/#sign-on" in body and SECRET_TEXT not in body
        assert len(smtp.sink.wait_for(3, timeout=1)) == 2


# --- reminding, and who has not answered -----------------------------------------------------------


def test_the_secretariat_sees_who_has_not_answered_since_when_and_reminds_them(
    personas, joint, asked, django_capture_on_commit_callbacks
):
    sign_on = request_sign_on(personas, joint, asked, django_capture_on_commit_callbacks)
    admin = personas.client_for(personas.admin)
    page = admin.get(url("detail", joint.pk)).content.decode()
    since = timezone.localtime(sign_on.requested_at).strftime("%-d %B %Y")  # the DATE_FORMAT of upr/formats
    assert f"asked on {since}, no answer yet" in page and "1 organisation has not answered yet." in page
    assert url("signon_remind", joint.pk, sign_on.pk) in page
    assert (
        url("signon_remind", joint.pk, sign_on.pk)
        not in personas.client_for(personas.member).get(url("detail", joint.pk)).content.decode()
    )
    mail.outbox.clear()
    # Asked today: no reminder yet (a defender's inbox is not flooded).
    too_soon = admin.post(url("signon_remind", joint.pk, sign_on.pk), follow=True).content.decode()
    assert "less than a day ago" in too_soon and mail.outbox == []

    def days_pass(days: int) -> None:
        earlier = {
            name: getattr(SignOn.objects.get(pk=sign_on.pk), name) for name in ("requested_at", "reminded_at", "notified_at")
        }
        SignOn.objects.filter(pk=sign_on.pk).update(
            **{name: value - dt.timedelta(days=days) for name, value in earlier.items() if value}
        )

    days_pass(3)
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url("signon_remind", joint.pk, sign_on.pk)).status_code == 302
    reminder = "[UPR Coalition Hub] Reminder: your organisation is asked to sign a submission"
    with translation.override("fr"):
        rappel = translation.gettext(reminder)
    assert rappel != reminder  # each contact reads it in their own language
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("contact@rrw.example.org", rappel),
        ("member@alpha.example.org", reminder),
    ]
    assert signon_email_send(sign_on_id=sign_on.pk) == 0  # the reminder went once
    assert admin.post(api(f"sign-ons/{sign_on.pk}/remind/")).status_code == 400  # reminded today already
    days_pass(1)
    with django_capture_on_commit_callbacks(execute=True):
        reminded = admin.post(api(f"sign-ons/{sign_on.pk}/remind/"))
    assert reminded.status_code == 200 and reminded.json()["reminded_at"] and len(mail.outbox) == 4
    # Members and editors do not remind; an answered request has nothing to remind.
    assert personas.client_for(personas.editor).post(url("signon_remind", joint.pk, sign_on.pk)).status_code == 403
    assert personas.client_for(personas.member).post(api(f"sign-ons/{sign_on.pk}/remind/")).status_code == 403
    services.signon_answer(sign_on=sign_on, membership=Membership.objects.get(user=personas.member), sign=True)
    refused = admin.post(api(f"sign-ons/{sign_on.pk}/remind/"))
    assert refused.status_code == 400 and "answered already" in str(refused.json())


def test_the_document_page_costs_the_same_queries_whatever_the_number_of_sign_ons(personas, joint):
    admin = personas.client_for(personas.admin)

    def queries() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(url("detail", joint.pk)).status_code == 200
        return len(captured)

    services.signon_request(
        document=joint,
        actor=personas.admin,
        organisations=[MemberOrganisation.objects.create(coalition=personas.coalition, name="Org 0")],
    )
    few = queries()
    services.signon_request(
        document=joint,
        actor=personas.admin,
        organisations=[MemberOrganisation.objects.create(coalition=personas.coalition, name=f"Org {n}") for n in range(1, 15)],
    )
    assert queries() <= few


# --- the dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_shows_waiting_for_your_signature_at_once_and_stops_once_signed(
    personas, joint, asked, django_capture_on_commit_callbacks
):
    member = personas.client_for(personas.member)
    dashboard = reverse("coalitions:dashboard", args=["alpha"])
    assert "Waiting for your signature" not in member.get(dashboard).content.decode()  # and now cached
    sign_on = request_sign_on(personas, joint, asked, django_capture_on_commit_callbacks)
    page = member.get(dashboard).content.decode()
    assert "Waiting for your signature" in page and f"/c/alpha/documents/{joint.pk}/#sign-on" in page
    # Only the organisation's own contacts are waited for.
    assert "Waiting for your signature" not in personas.client_for(personas.editor).get(dashboard).content.decode()
    assert member.post(url("signon_answer", joint.pk, sign_on.pk), {"answer": "sign", "named": "on"}).status_code == 302
    assert SignOn.objects.get(pk=sign_on.pk).status == "signed"
    assert "Waiting for your signature" not in member.get(dashboard).content.decode()


def test_the_dashboard_costs_the_same_queries_with_one_or_many_requests_waiting(personas, asked, django_assert_max_num_queries):
    member = personas.client_for(personas.member)
    dashboard = reverse("coalitions:dashboard", args=["alpha"])

    def documents(n: int) -> None:
        for i in range(n):
            document = services.document_create(
                coalition=personas.coalition,
                actor=personas.admin,
                engagement=personas.engagement,
                kind="joint_submission",
                title=f"Submission {SignOn.objects.count()}-{i}",
                lead_organisation=personas.organisation,
            )
            services.signon_request(document=document, actor=personas.admin, organisations=[asked])

    from django.core.cache import cache

    documents(1)
    cache.clear()  # both views render the cached part afresh: only the number of requests differs
    with CaptureQueriesContext(connection) as one:
        assert member.get(dashboard).content.decode().count("#sign-on") == 1
    documents(12)
    cache.clear()
    with django_assert_max_num_queries(len(one)):
        assert member.get(dashboard).content.decode().count("#sign-on") == 13


def test_outsiders_get_404_for_reminding_and_the_sign_on_list(personas, joint, asked):
    (sign_on,) = services.signon_request(document=joint, actor=personas.admin, organisations=[asked])
    outsider = personas.client_for(personas.outsider)
    assert outsider.post(url("signon_remind", joint.pk, sign_on.pk)).status_code == 404
    assert outsider.post(api(f"sign-ons/{sign_on.pk}/remind/")).status_code == 404
    assert outsider.get(api(f"sign-ons/{sign_on.pk}/")).status_code == 404
    # Another coalition's admin reminding from inside their own coalition: the id does not exist there.
    beta = reverse("documents:signon_remind", args=["beta", joint.pk, sign_on.pk])
    assert outsider.post(beta).status_code == 404
    assert outsider.post(f"/api/c/beta/sign-ons/{sign_on.pk}/remind/").status_code == 404


# --- the real stack ---------------------------------------------------------------------------------


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_of_the_default_queue_alone_emails_the_request_over_real_smtp(broker, personas, asked):
    from .services import CeleryWorker

    joint = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title=f"Joint submission: {SECRET_TEXT}",
        lead_organisation=personas.organisation,
    )
    with (
        SMTPServer() as smtp,
        CeleryWorker(database_name=connection.settings_dict["NAME"], email_url=smtp.url, queues="default", name="signon"),
    ):
        services.signon_request(document=joint, actor=personas.admin, organisations=[asked])
        smtp.sink.wait_for(3)  # the personas' invitation is on the default queue too

        with translation.override("fr"):  # the French contact's subject
            subjects = {
                "[UPR Coalition Hub] Your organisation is asked to sign a submission",
                translation.gettext("[UPR Coalition Hub] Your organisation is asked to sign a submission"),
            }

        def asked_to_sign() -> list[str]:
            return sorted(m["To"] for m in smtp.sink.messages if str(make_header(decode_header(m["Subject"]))) in subjects)

        assert asked_to_sign() == ["contact@rrw.example.org", "member@alpha.example.org"]
        smtp.sink.wait_for(4, timeout=2)
        assert len(asked_to_sign()) == 2  # once
    assert SignOn.objects.get(document=joint).notified_at is not None


def test_the_dashboard_reads_its_panels_again_only_after_a_change(personas, joint, asked, django_capture_on_commit_callbacks):
    """The panels (sign-ons waiting, sections over budget) are kept in a {% freshcache %} of their own:
    an unchanged dashboard reads neither table again; a sign-on asked shows on the next view."""
    member = personas.client_for(personas.member)
    dashboard = reverse("coalitions:dashboard", args=["alpha"])
    member.get(dashboard)
    with CaptureQueriesContext(connection) as again:
        assert "Waiting for your signature" not in member.get(dashboard).content.decode()
    read = " ".join(q["sql"] for q in again.captured_queries)
    assert "submissions_signon" not in read and "submissions_section" not in read
    request_sign_on(personas, joint, asked, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as changed:
        assert "Waiting for your signature" in member.get(dashboard).content.decode()
    assert "submissions_signon" in " ".join(q["sql"] for q in changed.captured_queries)
