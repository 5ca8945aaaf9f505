"""Background tasks on the real stack: a Celery worker process on real Redis, email over real SMTP."""

import re

import pytest
from django.db import connection

from coalitions import services
from coalitions.models import Invitation, Role, hash_token

from .services import CeleryWorker, SMTPServer


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_an_invitation_is_emailed_by_a_real_worker_through_real_smtp(broker, upr_reference):
    from tests.factories import CoalitionFactory, MembershipFactory, UserFactory

    coalition = CoalitionFactory(slug="worker-test")
    admin = UserFactory()
    MembershipFactory(coalition=coalition, user=admin, role=Role.ADMIN)
    with SMTPServer() as smtp, CeleryWorker(database_name=connection.settings_dict["NAME"], email_url=smtp.url):
        invitation, token = services.invitation_create(
            coalition=coalition, actor=admin, email="far.away@example.org", role=Role.MEMBER
        )
        messages = smtp.sink.wait_for(1)
        assert len(messages) == 1
        message = messages[0]
        assert message["To"] == "far.away@example.org"
        body = message.get_payload(decode=True).decode()
        link_token = re.search(r"/invitations/([^/\s]+)/", body).group(1)
        assert link_token == token and Invitation.objects.get(pk=invitation.pk).token_hash == hash_token(link_token)
        # Sent once: nothing else arrives.
        assert len(smtp.sink.wait_for(2, timeout=2)) == 1


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_an_export_is_made_by_a_worker_of_the_exports_queue_only(broker, upr_reference):
    """Exports never run in the request: a worker listening to `exports` alone makes the Word file."""
    import io
    import time

    import docx

    from submissions import services as document_services
    from submissions.models import ExportJob
    from tests.factories import CoalitionFactory, MembershipFactory, OrganisationFactory, UserFactory
    from upr.models import Review

    coalition = CoalitionFactory(slug="export-worker")
    admin = UserFactory()
    membership = MembershipFactory(coalition=coalition, user=admin, role=Role.ADMIN)
    engagement = services.engagement_create(
        coalition=coalition, actor=admin, review=Review.objects.get(state__iso3="SVN", session__number=48)
    )
    document = document_services.document_create(
        coalition=coalition,
        actor=admin,
        engagement=engagement,
        kind="individual_submission",
        title="Ours",
        lead_organisation=OrganisationFactory(coalition=coalition, name="Lead Org"),
    )
    section = document.sections.first()
    document_services.section_save(section=section, membership=membership, base_version=1, body="<p>Made by the worker.</p>")
    job = document_services.export_request(document=document, membership=membership, format="docx")
    assert ExportJob.objects.get(pk=job.pk).status == "queued"  # nothing ran in this process
    with CeleryWorker(database_name=connection.settings_dict["NAME"], email_url="consolemail://", queues="exports"):
        deadline = time.monotonic() + 60
        while ExportJob.objects.get(pk=job.pk).status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.2)
    done = ExportJob.objects.get(pk=job.pk)
    assert done.status == "done", done.error
    assert any("Made by the worker." in p.text for p in docx.Document(io.BytesIO(bytes(done.content))).paragraphs)


def stakeholder_deadline_in(engagement, days: int) -> None:
    import datetime as dt

    from django.utils import timezone

    from coalitions.models import Milestone
    from upr.rules import GENEVA

    milestone = Milestone.objects.get(engagement=engagement, kind="stakeholder_deadline")
    milestone.override_date = timezone.localdate(timezone.now(), GENEVA) + dt.timedelta(days=days)
    milestone.save()


def recipients(messages) -> list[str]:
    return sorted(m["To"] for m in messages if "Stakeholder submission deadline" in m["Subject"])


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_on_two_workers_at_once_send_each_reminder_once(broker, personas):
    from coalitions.models import Membership
    from workplan.tasks import sweep_reminders

    stakeholder_deadline_in(personas.engagement, 7)
    expected = sorted(Membership.objects.filter(coalition=personas.coalition).values_list("user__email", flat=True))
    database = connection.settings_dict["NAME"]
    with (
        SMTPServer() as smtp,
        CeleryWorker(database_name=database, email_url=smtp.url, queues="reminders", name="one"),
        CeleryWorker(database_name=database, email_url=smtp.url, queues="reminders", name="two"),
    ):
        sweep_reminders.delay()
        sweep_reminders.delay()
        smtp.sink.wait_for(len(expected))
        assert recipients(smtp.sink.wait_for(len(expected) + 1, timeout=4)) == expected


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_leaves_the_reminder_to_another_which_sends_it_once(broker, personas):
    from coalitions.models import Membership
    from workplan.models import Reminder
    from workplan.tasks import sweep_reminders

    from .services import StallingSink

    stakeholder_deadline_in(personas.engagement, 7)
    expected = sorted(Membership.objects.filter(coalition=personas.coalition).values_list("user__email", flat=True))
    database = connection.settings_dict["NAME"]
    with SMTPServer(StallingSink(seconds=20)) as smtp:
        quick = {"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_RESTORE_INTERVAL": "1", "CELERY_RESTORE_THROTTLE": "1"}
        first = CeleryWorker(database_name=database, email_url=smtp.url, queues="reminders", name="doomed", **quick)
        with first:
            sweep_reminders.delay()
            assert smtp.sink.stalled.wait(30), "no reminder was being sent"
            first.kill()  # in the middle of the SMTP dialogue, inside the transaction holding the claim
        assert smtp.sink.messages == []
        with CeleryWorker(database_name=database, email_url=smtp.url, queues="reminders", name="heir", **quick):
            smtp.sink.wait_for(len(expected), timeout=40)
            assert recipients(smtp.sink.wait_for(len(expected) + 1, timeout=5)) == expected
    assert Reminder.objects.filter(status="sent").count() == len(expected)
