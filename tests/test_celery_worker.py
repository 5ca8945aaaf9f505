"""Background tasks on the real stack: a Celery worker process on real Redis, email over real SMTP."""
import re

import pytest
import redis
from kombu import pools as kombu_pools
from django.db import connection

from coalitions import services
from coalitions.models import Invitation, Role, hash_token
from upr.celery import app as celery_app

from .services import TEST_REDIS_URL, CeleryWorker, SMTPServer


@pytest.fixture
def broker():
    """Point this process's Celery app at real Redis (the rest of the suite runs tasks in-process)."""
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    forget_connections()
    celery_app.conf.update(broker_url=TEST_REDIS_URL, task_always_eager=False)
    yield
    forget_connections()
    celery_app.conf.update(saved)


def forget_connections() -> None:
    """Drop the app's cached broker connections, so the next publish uses the broker_url set now."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # kombu keeps producer pools in a registry keyed by broker URL: without a reset, the next test
    # would be handed the pool closed above ("Acquire on closed pool").
    kombu_pools.reset()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_an_invitation_is_emailed_by_a_real_worker_through_real_smtp(broker, upr_reference):
    from tests.factories import CoalitionFactory, MembershipFactory, UserFactory

    coalition = CoalitionFactory(slug="worker-test")
    admin = UserFactory()
    MembershipFactory(coalition=coalition, user=admin, role=Role.ADMIN)
    with SMTPServer() as smtp, CeleryWorker(database_name=connection.settings_dict["NAME"], email_url=smtp.url):
        invitation, token = services.invitation_create(coalition=coalition, actor=admin, email="far.away@example.org", role=Role.MEMBER)
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
    engagement = services.engagement_create(coalition=coalition, actor=admin,
                                            review=Review.objects.get(state__iso3="SVN", session__number=48))
    document = document_services.document_create(
        coalition=coalition, actor=admin, engagement=engagement, kind="individual_submission", title="Ours",
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
