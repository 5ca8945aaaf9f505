"""Fixtures: the UPR calendar, and the fixed personas of every permission test.

Personas: in coalition "alpha", a secretariat admin, a working-group editor, a member and an
observer; and an outsider who is admin of coalition "beta" and must see nothing of alpha.

Every fixture shared by test modules lives here (a test module never imports from another one; plain
helpers are in tests/helpers.py, tests/browsers.py, tests/browser_pages.py, tests/docx_drafts.py and
tests/services.py): `personas`, `joint` (alpha's joint submission), `world` and `security_world`
(one of every object), `broker` (Celery on real Redis), `asgi_server`, `chromium` (headless Chromium)
and `live` (the live editor open in it). Before each test, Django's cache and the code's memos are
emptied (`each_test_starts_with_empty_caches`).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from django.test import Client

from accounts.models import User
from coalitions import services
from coalitions.models import Coalition, Engagement, Invitation, MemberOrganisation, Membership, Role, WorkingGroup
from upr.models import Review, State
from upr.reference import load_reference

from .browsers import headless_chromium, wait_synced
from .factories import CoalitionFactory, MembershipFactory, OrganisationFactory, UserFactory
from .helpers import LIVE_BODY, app_memos, joint_submission, session_cookie, signed_in

if TYPE_CHECKING:
    import threading

    import uvicorn


@pytest.fixture(autouse=True)
def each_test_starts_in_english():
    """A request activates its reader's language in the thread that serves it (LocaleMiddleware, and the
    account's language), and the test client serves in the test's own thread: without this, a test that
    read a page as a French reader would leave the next test's messages in French."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


# --- caches: every test starts cold ----------------------------------------------------------------
# The app keeps pages and fragments in Django's cache (the test settings: local memory, shared by the
# live servers' threads) and a few memos in the process. Rolled back with the database, a test's rows
# are gone; its cached pages are not, and a later test served them would pass or fail by the order
# the tests ran in. Each test starts with both emptied. A test that relies on a cache within itself
# (a second view served from the cache) still has it: nothing is cleared during a test.


@pytest.fixture(autouse=True)
def each_test_starts_with_empty_caches() -> None:
    """Django's cache and the code's memos, emptied before each test.

    The memos: every functools cache of the app's modules (helpers.app_memos: the editor's strings per
    language, the action verbs' tables, ...) and the module-level ones of the vocabulary
    (recommendations.vocabulary keeps its choices and the reviews' names by the version
    of the reference tables, which a rolled-back test can give again to other rows). Memos of pure
    functions of their argument (the word counter's tables of tag names) answer the same whatever ran
    before: left alone."""
    from django.core.cache import cache

    from recommendations import vocabulary

    cache.clear()
    for memo in app_memos():
        memo.cache_clear()
    vocabulary.forget()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real UPR calendar once into the test database, and keep autovacuum off its tables.

    Why: the browser tests empty the tables between tests (transactional tests flush), and when
    autovacuum analyzes a table at that moment PostgreSQL records it as empty and trusts that. A test
    that then creates 500 members inside its transaction gets nested loops planned for one row: the
    same queries took seconds each and a run hung for many minutes. Never analyzed, a table is
    estimated from its size on disk, which is right here.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        load_reference()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in connection.introspection.table_names(cursor):
                    cursor.execute(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)')


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.fixture(scope="session", autouse=True)
def close_stray_database_sessions(request, django_db_blocker):
    """Before the test database is dropped, end sessions left by the live server's threads. A run of
    tests that need no database (the word counter, the sanitiser, the exports) makes none."""
    if not any(uses_database(item) for item in request.session.items):
        yield
        return
    request.getfixturevalue("django_db_setup")  # set up before this fixture, so torn down after it
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


# --- the real stack: Celery on real Redis ------------------------------------------------------------


@pytest.fixture
def broker():
    """Point this process's Celery app at real Redis (the rest of the suite runs tasks in-process), for a
    test that starts real workers (tests/services.py, CeleryWorker); Redis database TEST_REDIS_URL, emptied."""
    import redis

    from upr.celery import app as celery_app

    from .services import TEST_REDIS_URL

    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    _forget_broker_connections(celery_app)
    celery_app.conf.update(broker_url=TEST_REDIS_URL, task_always_eager=False)
    yield
    _forget_broker_connections(celery_app)
    celery_app.conf.update(saved)


def _forget_broker_connections(celery_app) -> None:
    """Drop the app's cached broker connections, so the next publish uses the broker_url set now."""
    from kombu import pools as kombu_pools

    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # kombu keeps producer pools in a registry keyed by broker URL: without a reset, the next test
    # would be handed the pool closed above ("Acquire on closed pool").
    kombu_pools.reset()


@pytest.fixture
def upr_reference(db):
    """The calendar, reloaded where a transactional test emptied the tables."""
    if not State.objects.exists():
        load_reference()


@dataclass
class Personas:
    coalition: Coalition
    other: Coalition
    admin: User
    editor: User
    member: User
    observer: User
    outsider: User
    organisation: MemberOrganisation
    group: WorkingGroup
    engagement: Engagement
    invitation: Invitation

    def membership(self, user: User) -> Membership:
        return Membership.objects.get(coalition=self.coalition, user=user)

    def client_for(self, user: User | None) -> Client:
        return Client() if user is None else signed_in(user)


@pytest.fixture
def personas(upr_reference) -> Personas:
    alpha = CoalitionFactory.create(name="Alpha Coalition", slug="alpha")
    beta = CoalitionFactory.create(name="Beta Coalition", slug="beta")
    organisation = OrganisationFactory.create(coalition=alpha, name="Centre for Equal Rights", acronym="CER")
    people: dict[str, User] = {}
    for role in (Role.ADMIN, Role.EDITOR, Role.MEMBER, Role.OBSERVER):
        user = UserFactory.create(email=f"{role}@alpha.example.org")
        MembershipFactory.create(
            coalition=alpha, user=user, role=role, organisation=organisation if role != Role.OBSERVER else None
        )
        people[role] = user
    outsider = UserFactory.create(email="outsider@beta.example.org")
    MembershipFactory.create(coalition=beta, user=outsider, role=Role.ADMIN)
    OrganisationFactory.create(coalition=beta, name="Beta Org")
    editor_m = Membership.objects.get(user=people[Role.EDITOR])
    group = services.working_group_save(
        coalition=alpha,
        actor=people[Role.ADMIN],
        name="Equality",
        theme="Non-discrimination",
        lead=editor_m,
        members=[Membership.objects.get(user=people[Role.MEMBER])],
    )
    review = Review.objects.get(state__iso3="SVN", session__number=48)
    engagement = services.engagement_create(coalition=alpha, actor=people[Role.ADMIN], review=review)
    invitation, _ = services.invitation_create(
        coalition=alpha, actor=people[Role.ADMIN], email="pending@example.org", role=Role.MEMBER
    )
    return Personas(
        coalition=alpha,
        other=beta,
        admin=people[Role.ADMIN],
        editor=people[Role.EDITOR],
        member=people[Role.MEMBER],
        observer=people[Role.OBSERVER],
        outsider=outsider,
        organisation=organisation,
        group=group,
        engagement=engagement,
        invitation=invitation,
    )


@pytest.fixture
def joint(personas):
    """Alpha's joint submission led by the personas' organisation; its first section is the Equality
    group's (the editor leads it). A module wanting another one defines its own `joint`."""
    return joint_submission(personas)


# --- helper "inputs": two coalitions with one of every object each, their personas (bad-input tests
# and the schemathesis run; built through the services, in a few seconds) -------------------------


@dataclass
class World:
    """Coalition "alpha" (`people`: admin, editor, member, observer) and "beta", whose admin is
    `people["outsider"]`; `ours` and `theirs` name one object of each kind of each coalition by id."""

    coalition: Coalition
    other: Coalition
    people: dict[str, User]
    ours: dict[str, int]
    theirs: dict[str, int]

    def fill(self, template: str, ids: dict[str, int] | None = None, slug: str = "alpha") -> str:
        """An API path of the schema (`/api/c/{coalition_slug}/sections/{id}/`) with real ids of `ids`
        (default: alpha's own)."""
        ids = self.ours if ids is None else ids
        resource = template.split("/")[4] if template.startswith("/api/c/") else template.split("/")[2]
        values = {
            "coalition_slug": slug,
            "id": ids.get(API_RESOURCES.get(resource, ""), 0),
            "milestone_id": ids.get("milestone", 0),
            "fmt": "csv",
            "iso3": "SVN",
            "number": 48,
            "import_id": ids.get("shared_import", 0),
        }
        if resource == "reviews":
            values["id"] = Review.objects.get(state__iso3="SVN", session__number=48).pk
        for name, value in values.items():
            template = template.replace("{" + name + "}", str(value))
        return template

    def path_parameters(self, template: str) -> dict[str, str]:
        """The values `fill` gives the template's parameters, by name (schemathesis takes them so)."""
        names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
        values = [
            part for part, name in zip(self.fill(template).split("/"), template.split("/"), strict=True) if name.startswith("{")
        ]
        return dict(zip(names, values, strict=True))


def shared_import(*, coalition: Coalition, admin: User, review: Review, text: str, file_name: str) -> int:
    """The id of an import into the shared recommendations, made as the app makes one: a coalition
    admin's UPR Info export (one row, of `review`), verified against the review, recorded, announced
    and undoable by the coalition (recommendations.shared_imports)."""
    import csv
    import io

    from recommendations import shared_imports

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["Session", "To", "From", "Text", "Response", "Action", "Issue"])
    writer.writeheader()
    writer.writerow(
        {
            "Session": review.session.number,
            "To": review.state.name,
            "From": "Chile",
            "Text": text,
            "Response": "Noted",
            "Action": "4",
            "Issue": "Water and sanitation",
        }
    )
    outcome = shared_imports.shared_import_start(
        content=out.getvalue().encode(),
        name=file_name,
        review=review,
        mode="skip",
        actor=admin,
        coalition=coalition,
        dry_run=False,
    )
    assert outcome.record.status == "applied" and outcome.record.verified, outcome.report.problems
    return outcome.record.pk


# The API's resources (the path segment after /api/c/{coalition_slug}/) and the World key of their ids.
API_RESOURCES = {
    "advocacy-meetings": "advocacy_meeting",
    "assessments": "assessment",
    "clusters": "cluster",
    "comments": "comment",
    "consultations": "consultation",
    "documents": "document",
    "draft-recommendations": "draft",
    "engagements": "engagement",
    "invitations": "invitation",
    "matrices": "matrix",
    "matrix-rows": "matrix_row",
    "members": "membership",
    "organisations": "organisation",
    "recommendations": "recommendation",
    "sections": "section",
    "sign-ons": "sign_on",
    "tasks": "task",
    "working-groups": "working_group",
    "evidence": "evidence",
    "export-jobs": "export_job",
    "decisions": "decision",
}


def _coalition_with_one_of_each(slug: str, admin: User, review: Review, recommendations: list) -> dict[str, int]:
    import datetime as dt

    from django.utils import timezone

    from coalitions.models import Milestone
    from implementation import services as matrix_services
    from implementation.models import MatrixRow
    from submissions import services as documents
    from submissions.models import DraftRecommendation
    from submissions.services import decisions
    from workplan import work_plan
    from workplan.models import AdvocacyMeeting, Consultation

    coalition = services.coalition_create(name=f"{slug.title()} Coalition", slug=slug, creator=admin)
    lead = Membership.objects.get(coalition=coalition, user=admin)
    organisation = services.organisation_save(coalition=coalition, actor=admin, data={"name": f"{slug} organisation"})
    cosigner = services.organisation_save(coalition=coalition, actor=admin, data={"name": f"{slug} co-signer"})
    lead.organisation = organisation
    lead.save(update_fields=["organisation"])
    group = services.working_group_save(coalition=coalition, actor=admin, name=f"{slug} group", theme="", lead=lead, members=[])
    engagement = services.engagement_create(coalition=coalition, actor=admin, review=review)
    invitation, _token = services.invitation_create(
        coalition=coalition, actor=admin, email=f"invited@{slug}.example.org", role=Role.MEMBER
    )
    matrix = matrix_services.matrix_build(engagement=engagement, actor=admin, scheme="ohchr")
    cluster = matrix.clusters.order_by("position").first()
    assert cluster is not None  # matrix_build clusters the review's recommendations
    matrix_services.cluster_save(matrix=matrix, actor=admin, cluster=cluster, name=cluster.name, working_group=group)
    row = MatrixRow.objects.filter(matrix=matrix).order_by("pk").first()
    assert row is not None  # matrix_build makes a row of each of the review's recommendations
    assessment = matrix_services.assessment_add(
        row=row,
        membership=lead,
        data={
            "assessed_on": dt.date(2026, 6, 30),
            "law": "partial",
            "policy": "partial",
            "practice": "not",
            "light": "orange",
            "narrative": "A law was amended.",
            "shared": True,
        },
    )
    document = documents.document_create(
        coalition=coalition,
        actor=admin,
        engagement=engagement,
        kind="joint_submission",
        title=f"{slug} submission",
        lead_organisation=organisation,
    )
    section = document.sections.order_by("position").first()
    assert section is not None  # document_create gives a document its starting sections
    comment = documents.comment_add(section=section, membership=lead, text="Add the figures.")
    (sign_on,) = documents.signon_request(document=document, actor=admin, organisations=[cosigner])
    decision = decisions.decision_open(
        document=document,
        membership=lead,
        title=f"{slug} decision",
        kind="approve",
        closes_at=timezone.now() + dt.timedelta(days=5),
    )
    decisions.decision_vote(decision=decision, membership=lead, option_id=decision.options.order_by("position")[0].pk)
    draft = DraftRecommendation.objects.create(
        coalition=coalition,
        engagement=engagement,
        created_by=admin,
        position=1,
        text="Ensure access to safe drinking water by 2027.",
    )
    milestone = Milestone.objects.filter(engagement=engagement).order_by("pk").first()
    assert milestone is not None  # engagement_create sets out the review's milestones
    task = work_plan.task_save(
        engagement=engagement,
        actor=admin,
        data={
            "title": "Write the summary",
            "due_at": timezone.now() + dt.timedelta(days=3),
            "time_zone": "Europe/Zurich",
            "owner": lead,
        },
    )
    consultation = Consultation.objects.create(
        coalition=coalition,
        engagement=engagement,
        kind="state",
        held_on=dt.date(2024, 3, 12),
        place="Ljubljana",
        created_by=admin,
    )
    consultation.attended.set([organisation])
    meeting = AdvocacyMeeting.objects.create(
        coalition=coalition,
        engagement=engagement,
        state=recommendations[0].review.state,
        venue="embassy",
        met_on=dt.date(2024, 10, 2),
        created_by=admin,
    )
    meeting.drafts.set([draft])
    return {
        "coalition": coalition.pk,
        "organisation": organisation.pk,
        "membership": lead.pk,
        "working_group": group.pk,
        "engagement": engagement.pk,
        "invitation": invitation.pk,
        "milestone": milestone.pk,
        "task": task.pk,
        "consultation": consultation.pk,
        "advocacy_meeting": meeting.pk,
        "matrix": matrix.pk,
        "cluster": cluster.pk,
        "matrix_row": row.pk,
        "assessment": assessment.pk,
        "document": document.pk,
        "section": section.pk,
        "comment": comment.pk,
        "sign_on": sign_on.pk,
        "draft": draft.pk,
        "recommendation": recommendations[0].pk,
        "decision": decision.pk,
    }


@pytest.fixture
def world(upr_reference) -> World:
    from .factories import RecommendationFactory

    review = Review.objects.get(state__iso3="SVN", session__number=48)
    recommendations = [
        RecommendationFactory(review=review, thematic_cluster=cluster, response=response)
        for cluster, response in (
            ("Right to health", "supported"),
            ("Members of minorities", "noted"),
            ("Right to health", "supported"),
        )
    ]
    people: dict[str, User] = {
        role: UserFactory.create(email=f"{role}@alpha.example.org")
        for role in (Role.ADMIN, Role.EDITOR, Role.MEMBER, Role.OBSERVER)
    }
    people["outsider"] = UserFactory.create(email="outsider@beta.example.org")
    ours = _coalition_with_one_of_each("alpha", people[Role.ADMIN], review, recommendations)
    theirs = _coalition_with_one_of_each("beta", people["outsider"], review, recommendations)
    alpha = Coalition.objects.get(pk=ours["coalition"])
    organisation = MemberOrganisation.objects.get(pk=ours["organisation"])
    for role in (Role.EDITOR, Role.MEMBER, Role.OBSERVER):
        MembershipFactory(
            coalition=alpha, user=people[role], role=role, organisation=organisation if role != Role.OBSERVER else None
        )
    group = WorkingGroup.objects.get(pk=ours["working_group"])
    group.members.add(*Membership.objects.filter(coalition=alpha, role__in=[Role.EDITOR, Role.MEMBER]))
    # Alpha's own import (the last of the review's, so that alpha may undo it).
    ours["shared_import"] = shared_import(
        coalition=alpha,
        admin=people[Role.ADMIN],
        review=review,
        text="Guarantee safe drinking water in every municipality.",
        file_name="upr-info-slovenia-48.csv",
    )
    return World(coalition=alpha, other=Coalition.objects.get(pk=theirs["coalition"]), people=people, ours=ours, theirs=theirs)


@pytest.fixture
def in_process_wsgi():
    """Requests through the WSGI handler, as Django's test client makes them: they must not close the
    test's database connection (and with it its transaction), and their exceptions are kept."""
    import traceback

    from django.core.signals import got_request_exception, request_finished, request_started
    from django.db import close_old_connections

    raised: list[str] = []

    def remember(sender, request=None, **kwargs) -> None:
        raised.append(traceback.format_exc(limit=-6))

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(remember)
    try:
        yield raised
    finally:
        got_request_exception.disconnect(remember)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# --- helper "security": a coalition with one of every object, for the probes of the running app ---
# (tests/test_xss.py, test_role_escalation.py, test_csrf.py, test_form_probe.py, test_security_headers.py)


@dataclass
class SecurityWorld:
    """Alpha filled with one of every kind of object, each text field holding `text`.

    `ids` fills the URL conf's keyword arguments (engagement_id, section_id, ...) with alpha's real
    objects; `api_pks` maps an API basename to the pk its detail routes take."""

    personas: Personas
    text: str
    ids: dict
    api_pks: dict
    document: object
    matrix: object


@pytest.fixture
def security_world(personas):
    """A builder: `security_world(text)` fills alpha with objects whose names and texts carry `text`."""

    def build(text: str = "Probe") -> SecurityWorld:
        import datetime as dt

        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.utils import timezone

        from coalitions.models import Milestone
        from implementation import services as matrix_services
        from recommendations import services as recommendation_services
        from recommendations.models import Recommendation
        from submissions import services as documents
        from submissions.models import DraftRecommendation, ExportJob, SignOn
        from upr.models import Review
        from workplan.models import AdvocacyMeeting, Consultation, Task

        p = personas
        admin_m = p.membership(p.admin)
        for user in (p.admin, p.editor, p.member, p.observer):
            user.name = f"{user.email.split('@')[0]} {text}"
            user.save(update_fields=["name"])
        services.coalition_update(
            coalition=p.coalition, actor=p.admin, data={"name": f"Alpha {text}"[:200], "description": f"About {text}"}
        )
        services.organisation_save(
            coalition=p.coalition,
            actor=p.admin,
            organisation=p.organisation,
            data={"activities": f"Legal aid {text}", "website": "https://example.org/"},
        )
        second = services.organisation_save(
            coalition=p.coalition, actor=p.admin, data={"name": f"Second {text}", "acronym": "SEC", "activities": f"Youth {text}"}
        )
        group = services.working_group_save(
            coalition=p.coalition,
            actor=p.admin,
            name=f"Group {text}",
            theme=f"Theme {text}",
            lead=p.membership(p.editor),
            members=[p.membership(p.member)],
            group=p.group,
        )
        milestone = Milestone.objects.filter(engagement=p.engagement).order_by("pk").first()
        assert milestone is not None  # engagement_create sets out the review's milestones
        services.milestone_set_date(milestone=milestone, actor=p.admin, date=None, note=f"Note {text}"[:300])
        services.milestone_add(engagement=p.engagement, actor=p.admin, title=f"Step {text}"[:200], date=dt.date(2027, 3, 1))
        review = p.engagement.review
        recommendation = Recommendation.objects.create(
            review=review,
            source="template",
            source_key="sec1",
            paragraph="90.1",
            paragraph_major=90,
            paragraph_minor=1,
            text=f"Adopt a law {text}",
            response_source=f"A/HRC {text}"[:200],
            thematic_cluster=f"Cluster {text}"[:300],
        )
        previous = Review.objects.get(state=review.state, session__number=34)
        earlier = Recommendation.objects.create(review=previous, source="template", source_key="sec0", text=f"Earlier {text}")
        recommendation_services.ours_save(
            coalition=p.coalition,
            actor=p.admin,
            recommendation=recommendation,
            notes=f"Notes {text}",
            priority=True,
            working_group=group,
        )
        import_id = shared_import(
            coalition=p.coalition, admin=p.admin, review=review, text=f"Imported {text}", file_name=f"file {text}.csv"
        )
        document = documents.document_create(
            coalition=p.coalition,
            actor=p.admin,
            engagement=p.engagement,
            kind="joint_submission",
            title=f"Joint {text}"[:300],
            lead_organisation=p.organisation,
        )
        documents.document_update(document=document, actor=p.admin, data={"keywords": f"water, {text}"[:300]})
        documents.summary_save(document=document, membership=admin_m, base_version=1, summary=f"<p>Summary {text}</p>")
        section = document.sections.order_by("position").first()
        assert section is not None  # document_create gives a document its starting sections
        documents.section_save(
            section=section,
            membership=admin_m,
            base_version=1,
            title=f"Section {text}"[:300],
            working_group=group,
            body=f'<p>Body {text}<span class="footnote">Note {text}</span></p>',
        )
        comment = documents.comment_add(section=section, membership=admin_m, text=f"Comment {text}")
        draft = DraftRecommendation.objects.create(
            coalition=p.coalition,
            engagement=p.engagement,
            document=document,
            created_by=p.admin,
            position=1,
            text=f"Ensure water {text}",
            responsible_actor=f"Ministry {text}"[:200],
            indicator=f"Share {text}"[:300],
            timeframe=f"2027 {text}"[:100],
        )
        documents.document_recommendations_set(document=document, actor=p.admin, recommendations=[draft])
        (sign_on,) = documents.signon_request(document=document, actor=p.admin, organisations=[second])
        SignOn.objects.filter(pk=sign_on.pk).update(note=f"Signing {text}"[:500])
        from submissions.services import decisions

        decision = decisions.decision_open(
            document=document,
            membership=admin_m,
            title=f"Decide {text}"[:300],
            description=f"Details {text}",
            kind="choose",
            options=[f"Wording A {text}"[:500], f"Wording B {text}"[:500]],
            closes_at=timezone.now() + dt.timedelta(days=5),
        )
        decisions.decision_vote(
            decision=decision, membership=admin_m, option_id=decision.options.order_by("position")[0].pk, reason=f"Because {text}"
        )
        job = ExportJob.objects.create(
            coalition=p.coalition, document=document, format="docx", status="done", content=b"x", filename="joint.docx"
        )
        task = Task.objects.create(
            coalition=p.coalition,
            engagement=p.engagement,
            title=f"Task {text}"[:200],
            due_at=timezone.now() + dt.timedelta(days=3),
            created_by=p.admin,
            working_group=group,
            organisation=p.organisation,
        )
        consultation = Consultation.objects.create(
            coalition=p.coalition,
            engagement=p.engagement,
            held_on=dt.date(2027, 1, 20),
            place=f"Place {text}"[:200],
            organiser=f"Ministry {text}"[:200],
            issues_raised=f"Issues {text}",
            our_input=f"Input {text}",
            follow_up=f"Follow {text}",
            created_by=p.admin,
        )
        consultation.attended.set([p.organisation])
        meeting = AdvocacyMeeting.objects.create(
            coalition=p.coalition,
            engagement=p.engagement,
            met_on=dt.date(2027, 2, 3),
            state=review.state,
            person_met=f"Attaché {text}"[:200],
            issues_raised=f"Issues {text}",
            outcome=f"Outcome {text}",
            follow_up=f"Follow {text}",
            created_by=p.admin,
        )
        matrix = matrix_services.matrix_build(engagement=p.engagement, actor=p.admin, scheme="ohchr")
        row = matrix.rows.select_related("cluster").get(recommendation=recommendation)
        cluster = matrix_services.cluster_save(
            matrix=matrix, actor=p.admin, cluster=row.cluster, name=f"Cluster {text}"[:200], working_group=group
        )
        matrix_services.row_save(
            row=row,
            membership=admin_m,
            base_version=row.version,
            data={
                "lead_body": f"Ministry {text}"[:300],
                "supporting_bodies": f"Office {text}"[:300],
                "actions_expected": f"Act {text}",
                "national_plan": f"Plan {text}"[:300],
                "related_mechanisms": f"CRC {text}",
            },
        )
        row.refresh_from_db()
        assessment = matrix_services.assessment_add(
            row=row,
            membership=admin_m,
            data={"assessed_on": dt.date(2027, 1, 1), "light": "red", "narrative": f"Narrative {text}", "shared": True},
            links=[
                {
                    "title": f"Report {text}"[:200],
                    "source": f"Ombud {text}"[:200],
                    "dated": dt.date(2027, 1, 1),
                    "upload": SimpleUploadedFile(f"ev {text}.pdf", b"%PDF-1.4 evidence"),
                },
                {
                    "title": f"Link {text}"[:200],
                    "source": f"Web {text}"[:200],
                    "dated": dt.date(2027, 1, 1),
                    "url": "https://example.org/report",
                },
            ],
        )
        evidence = assessment.evidence.order_by("pk").first()
        assert evidence is not None  # the two links added above
        ids = {
            "coalition_slug": p.coalition.slug,
            "recommendation_id": recommendation.pk,
            "earlier_id": earlier.pk,
            "row_id": row.pk,
            "assessment_id": assessment.pk,
            "evidence_id": evidence.pk,
            "draft_id": draft.pk,
            "membership_id": p.membership(p.member).pk,
            "organisation_id": p.organisation.pk,
            "invitation_id": p.invitation.pk,
            "group_id": group.pk,
            "engagement_id": p.engagement.pk,
            "milestone_id": milestone.pk,
            "document_id": document.pk,
            "section_id": section.pk,
            "comment_id": comment.pk,
            "sign_on_id": sign_on.pk,
            "job_id": job.pk,
            "version": 1,
            "format": "docx",
            "decision_id": decision.pk,
            "task_id": task.pk,
            "fmt": "csv",
            "consultation_id": consultation.pk,
            "meeting_id": meeting.pk,
            "import_id": import_id,
        }
        api_pks = {
            "organisation": p.organisation.pk,
            "membership": p.membership(p.member).pk,
            "working-group": group.pk,
            "invitation": p.invitation.pk,
            "engagement": p.engagement.pk,
            "recommendation": recommendation.pk,
            "draft-recommendation": draft.pk,
            "engagement-impact": p.engagement.pk,
            "document": document.pk,
            "section": section.pk,
            "section-suggestions": section.pk,
            "comment": comment.pk,
            "sign-on": sign_on.pk,
            "export-job": job.pk,
            "decision": decision.pk,
            "engagement-carry": p.engagement.pk,
            "matrix": matrix.pk,
            "cluster": cluster.pk,
            "matrix-row": row.pk,
            "assessment": assessment.pk,
            "evidence": evidence.pk,
            "task": task.pk,
            "consultation": consultation.pk,
            "advocacy-meeting": meeting.pk,
            "engagement-plan": p.engagement.pk,
        }
        return SecurityWorld(personas=p, text=text, ids=ids, api_pks=api_pks, document=document, matrix=matrix)

    return build


@pytest.fixture
def security_urls():
    """`security_urls(world)`: every URL of the URL conf inside a coalition, filled with the world's ids,
    as (url name, url, view): pages and API routes alike (the API's `pk` from world.api_pks)."""
    from django.urls import URLPattern, URLResolver, get_resolver, reverse

    def walk(patterns, namespace=(), kwargs=frozenset()):
        for pattern in patterns:
            names = kwargs | frozenset(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                ns = namespace + ((pattern.namespace,) if pattern.namespace else ())
                yield from walk(pattern.url_patterns, ns, names)
            elif isinstance(pattern, URLPattern) and pattern.name and "format" not in names:
                yield ":".join(namespace + (pattern.name,)), names, pattern.callback

    def urls(world: SecurityWorld) -> list[tuple[str, str, object]]:
        found = []
        for name, kwargs, view in walk(get_resolver().url_patterns):
            if "coalition_slug" not in kwargs:
                continue
            filled = {k: world.ids[k] for k in kwargs if k in world.ids}
            if "pk" in kwargs:
                filled["pk"] = world.api_pks[name.split(":")[-1].rsplit("-", 1)[0]]
            found.append((name, reverse(name, kwargs=filled), view))
        return found

    return urls


@pytest.fixture
def page_forms():
    """`page_forms(html, page_url)`: the POST forms of a page as (action url, [(field, value, kind)]),
    with the values a browser would send as they stand (checked boxes, selected options, textareas).
    `kind` is the input type ("text", "date", "select", "textarea", "hidden", "file", ...)."""
    from html.parser import HTMLParser
    from urllib.parse import urljoin

    class FormParser(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.forms: list[dict] = []
            self.by_id: dict[str, dict] = {}
            self.form: dict | None = None
            self.select: tuple[str, bool] | None = None
            self.select_values: list[str] = []
            self.first_option: str | None = None
            self.textarea: str | None = None
            self.text = ""

        def _target(self, attrs: dict) -> dict | None:
            owner = attrs.get("form")
            return self.by_id.get(owner) if owner else self.form

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": []}
                self.forms.append(self.form)
                if a.get("id"):
                    self.by_id[a["id"]] = self.form
            elif tag == "input" and a.get("name"):
                form = self._target(a)
                kind = (a.get("type") or "text").lower()
                if form is None or kind in ("submit", "button", "image", "reset"):
                    return
                if kind in ("checkbox", "radio"):
                    form.setdefault("options", {}).setdefault(a["name"], []).append(a.get("value") or "on")
                if kind in ("checkbox", "radio") and "checked" not in a:
                    form["fields"].append((a["name"], None, kind))  # present, not sent
                    return
                form["fields"].append((a["name"], a.get("value") or ("on" if kind == "checkbox" else ""), kind))
            elif tag == "select" and a.get("name"):
                self.select = (a["name"], "multiple" in a)
                self.select_form = self._target(a)
                self.select_values, self.first_option = [], None
            elif tag == "option" and self.select:
                value = a.get("value", "")
                if self.select_form is not None:
                    self.select_form.setdefault("options", {}).setdefault(self.select[0], []).append(value)
                if self.first_option is None:
                    self.first_option = value
                if "selected" in a:
                    self.select_values.append(value)
            elif tag == "textarea" and a.get("name"):
                self.textarea, self.textarea_form, self.text = a["name"], self._target(a), ""

        def handle_data(self, data):
            if self.textarea:
                self.text += data

        def handle_endtag(self, tag):
            if tag == "form":
                self.form = None
            elif tag == "select" and self.select:
                name, multiple = self.select
                values = self.select_values or ([] if multiple or self.first_option is None else [self.first_option])
                if self.select_form is not None:
                    if not values:
                        self.select_form["fields"].append((name, None, "select"))
                    for value in values:
                        self.select_form["fields"].append((name, value, "select"))
                self.select = None
            elif tag == "textarea" and self.textarea:
                if self.textarea_form is not None:
                    self.textarea_form["fields"].append((self.textarea, self.text.lstrip("\n"), "textarea"))
                self.textarea = None

    def forms(html: str, page_url: str, with_options: bool = False) -> list[tuple]:
        """With `with_options`, each form comes with {field: [the values its options/boxes offer]}."""
        parser = FormParser()
        parser.feed(html)
        found = [f for f in parser.forms if f["method"] == "post"]
        if with_options:
            return [(urljoin(page_url, f["action"] or page_url), f["fields"], f.get("options", {})) for f in found]
        return [(urljoin(page_url, f["action"] or page_url), f["fields"]) for f in found]

    return forms


@pytest.fixture
def admin_page_forms(security_urls, page_forms):
    """`admin_page_forms(world)`: {action path: (post data as the admin's pages hold it, {field: options},
    {field: input kind})} for every POST form on every page of the coalition the admin can open."""

    def collect(world: SecurityWorld) -> dict[str, tuple[dict, dict, dict]]:
        client = world.personas.client_for(world.personas.admin)
        found: dict[str, tuple[dict, dict, dict]] = {}
        for _name, url, _view in security_urls(world):
            if url.startswith("/api/"):
                continue
            response = client.get(url)
            if response.status_code != 200 or response.streaming or "text/html" not in response.get("Content-Type", ""):
                continue
            for action, fields, options in page_forms(response.content.decode(), "http://testserver" + url, with_options=True):
                data: dict[str, list[str]] = {}
                kinds: dict[str, str] = {}
                for name, value, kind in fields:
                    kinds[name] = kind
                    if value is not None and kind != "file":
                        data.setdefault(name, []).append(value)
                found.setdefault(action.replace("http://testserver", "").split("?")[0], (data, options, kinds))
        return found

    return collect


# --- the live editor: the ASGI application served for real (pages and WebSockets) -----------------


class AsgiServer:
    """hub.asgi served by uvicorn in a thread of the test process (so a transactional test's data is
    seen), on a port of its own, with the real Redis channel layer: what a test does through the ORM
    (a member removed) reaches the server's sockets as it would from another process. `restart()`
    stops the server hard (its sockets drop) and serves again on the same port."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        import threading
        import time

        import uvicorn
        from channels.routing import ProtocolTypeRouter
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from hub.asgi import application, django_application

        # Static files from the apps' folders, as runserver serves them (no collectstatic in tests).
        application = ProtocolTypeRouter(
            {"http": ASGIStaticFilesHandler(django_application), "websocket": application.application_mapping["websocket"]}
        )
        config = uvicorn.Config(
            application,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            ws_ping_interval=None,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the ASGI server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            self.server.force_exit = True
            assert self.thread is not None  # started with the server
            self.thread.join(timeout=10)
            self.server = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def asgi_server(transactional_db, settings, upr_reference):
    import os

    from channels.layers import channel_layers

    # Its own Redis database and prefix: parallel runs never cross each other's documents.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": os.environ.get("LIVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/3"), "socket_timeout": None}],
                "prefix": f"test-live-{os.getpid()}",
            },
        }
    }
    settings.LIVE_RENDER_PAUSE = 0.3
    settings.LIVE_VERSION_PAUSE = 2.0
    channel_layers.backends.clear()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop in the test's thread
    server = AsgiServer()
    server.start()
    yield server
    server.stop()
    channel_layers.backends.clear()


@pytest.fixture
def chromium():
    """Debian's Chromium, headless, driven by Playwright (no browser download): tests/browsers.py."""
    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def live(personas, asgi_server, chromium):
    """A joint submission whose first section (LIVE_BODY) the working group writes, and a page per person."""
    from submissions import services as document_services
    from submissions.live import store, yhtml
    from submissions.models import Section

    document = document_services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title="Joint submission",
        lead_organisation=personas.organisation,
    )
    section = document.sections.order_by("position").first()
    admin = personas.membership(personas.admin)
    document_services.section_save(
        section=section, membership=admin, base_version=section.version, body=LIVE_BODY, working_group=personas.group
    )
    second = UserFactory(email="second-editor@alpha.example.org", name="Second Editor")
    membership = MembershipFactory(coalition=personas.coalition, user=second, role=Role.EDITOR)
    personas.group.members.add(membership, personas.membership(personas.editor))

    class Live:
        url = f"{asgi_server.url}/c/alpha/documents/{document.pk}/"
        room = store.section_room(section.pk)

        def __init__(self) -> None:
            self.document, self.section, self.server, self.second = document, section, asgi_server, second
            self.contexts: list = []

        def open(self, user):
            context = chromium.new_context()
            context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": asgi_server.url}])
            self.contexts.append(context)
            page = context.new_page()
            page.goto(self.url)
            wait_synced(page)
            return page

        def editor(self, page):
            return page.locator(f'.live-text[data-room="{self.room}"] .ProseMirror')

        def stored_html(self) -> str:
            text = store.text_for_section(Section.objects.get(pk=section.pk))
            return yhtml.state_to_html(store.current_state(text))

    live = Live()
    yield live
    for context in live.contexts:
        context.close()


@pytest.fixture(scope="session")
def frontend_node_modules():
    """frontend/node_modules as its lockfile pins it, installed once when missing (Node is on the machines
    this project targets; without it, the tests that need it skip and say so)."""
    import shutil
    import subprocess
    from pathlib import Path

    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node is not installed: frontend/node_modules cannot be installed here")
    frontend = Path(__file__).resolve().parent.parent / "frontend"
    if not (frontend / "node_modules" / ".package-lock.json").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=frontend,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return frontend / "node_modules"
