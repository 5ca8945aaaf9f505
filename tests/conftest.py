"""Fixtures: the UPR calendar, and the fixed personas of every permission test.

Personas: in coalition "alpha", a secretariat admin, a working-group editor, a member and an
observer; and an outsider who is admin of coalition "beta" and must see nothing of alpha.
"""
from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import User
from coalitions import services
from coalitions.models import Coalition, Engagement, Invitation, MemberOrganisation, Membership, Role, WorkingGroup
from upr.models import Review, State
from upr.reference import load_reference

from .factories import CoalitionFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
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
def close_stray_database_sessions(request, django_db_blocker):  # type: ignore[no-untyped-def]
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


@pytest.fixture
def upr_reference(db):  # type: ignore[no-untyped-def]
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
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def personas(upr_reference) -> Personas:  # type: ignore[no-untyped-def]
    alpha = CoalitionFactory(name="Alpha Coalition", slug="alpha")
    beta = CoalitionFactory(name="Beta Coalition", slug="beta")
    organisation = OrganisationFactory(coalition=alpha, name="Centre for Equal Rights", acronym="CER")
    people = {}
    for role in (Role.ADMIN, Role.EDITOR, Role.MEMBER, Role.OBSERVER):
        user = UserFactory(email=f"{role}@alpha.example.org")
        MembershipFactory(coalition=alpha, user=user, role=role, organisation=organisation if role != Role.OBSERVER else None)
        people[role] = user
    outsider = UserFactory(email="outsider@beta.example.org")
    MembershipFactory(coalition=beta, user=outsider, role=Role.ADMIN)
    OrganisationFactory(coalition=beta, name="Beta Org")
    editor_m = Membership.objects.get(user=people[Role.EDITOR])
    group = services.working_group_save(
        coalition=alpha, actor=people[Role.ADMIN], name="Equality", theme="Non-discrimination",
        lead=editor_m, members=[Membership.objects.get(user=people[Role.MEMBER])],
    )
    review = Review.objects.get(state__iso3="SVN", session__number=48)
    engagement = services.engagement_create(coalition=alpha, actor=people[Role.ADMIN], review=review)
    invitation, _ = services.invitation_create(
        coalition=alpha, actor=people[Role.ADMIN], email="pending@example.org", role=Role.MEMBER
    )
    return Personas(
        coalition=alpha, other=beta, admin=people[Role.ADMIN], editor=people[Role.EDITOR], member=people[Role.MEMBER],
        observer=people[Role.OBSERVER], outsider=outsider, organisation=organisation, group=group,
        engagement=engagement, invitation=invitation,
    )


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
        values = {"coalition_slug": slug, "id": ids.get(API_RESOURCES.get(resource, ""), 0), "milestone_id": ids.get("milestone", 0),
                  "fmt": "csv", "iso3": "SVN", "number": 48}
        if resource == "reviews":
            values["id"] = Review.objects.get(state__iso3="SVN", session__number=48).pk
        for name, value in values.items():
            template = template.replace("{" + name + "}", str(value))
        return template

    def path_parameters(self, template: str) -> dict[str, str]:
        """The values `fill` gives the template's parameters, by name (schemathesis takes them so)."""
        names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
        values = [part for part, name in zip(self.fill(template).split("/"), template.split("/"), strict=True)
                  if name.startswith("{")]
        return dict(zip(names, values, strict=True))


# The API's resources (the path segment after /api/c/{coalition_slug}/) and the World key of their ids.
API_RESOURCES = {
    "advocacy-meetings": "advocacy_meeting", "assessments": "assessment", "clusters": "cluster", "comments": "comment",
    "consultations": "consultation", "documents": "document", "draft-recommendations": "draft", "engagements": "engagement",
    "invitations": "invitation", "matrices": "matrix", "matrix-rows": "matrix_row", "members": "membership",
    "organisations": "organisation", "recommendations": "recommendation", "sections": "section", "sign-ons": "sign_on",
    "tasks": "task", "working-groups": "working_group", "evidence": "evidence", "export-jobs": "export_job",
}


def _coalition_with_one_of_each(slug: str, admin: User, review: Review, recommendations: list) -> dict[str, int]:
    import datetime as dt

    from django.utils import timezone

    from coalitions import work_plan
    from coalitions.models import AdvocacyMeeting, Consultation, Milestone
    from implementation import services as matrix_services
    from implementation.models import MatrixRow
    from submissions import services as documents
    from submissions.models import DraftRecommendation

    coalition = services.coalition_create(name=f"{slug.title()} Coalition", slug=slug, creator=admin)
    lead = Membership.objects.get(coalition=coalition, user=admin)
    organisation = services.organisation_save(coalition=coalition, actor=admin, data={"name": f"{slug} organisation"})
    cosigner = services.organisation_save(coalition=coalition, actor=admin, data={"name": f"{slug} co-signer"})
    lead.organisation = organisation
    lead.save(update_fields=["organisation"])
    group = services.working_group_save(coalition=coalition, actor=admin, name=f"{slug} group", theme="", lead=lead, members=[])
    engagement = services.engagement_create(coalition=coalition, actor=admin, review=review)
    invitation, _token = services.invitation_create(coalition=coalition, actor=admin, email=f"invited@{slug}.example.org",
                                                    role=Role.MEMBER)
    matrix = matrix_services.matrix_build(engagement=engagement, actor=admin, scheme="ohchr")
    cluster = matrix.clusters.order_by("position").first()
    matrix_services.cluster_save(matrix=matrix, actor=admin, cluster=cluster, name=cluster.name, working_group=group)
    row = MatrixRow.objects.filter(matrix=matrix).order_by("pk").first()
    assessment = matrix_services.assessment_add(row=row, membership=lead, data={
        "assessed_on": dt.date(2026, 6, 30), "law": "partial", "policy": "partial", "practice": "not", "light": "orange",
        "narrative": "A law was amended.", "shared": True})
    document = documents.document_create(coalition=coalition, actor=admin, engagement=engagement, kind="joint_submission",
                                         title=f"{slug} submission", lead_organisation=organisation)
    section = document.sections.order_by("position").first()
    comment = documents.comment_add(section=section, membership=lead, text="Add the figures.")
    (sign_on,) = documents.signon_request(document=document, actor=admin, organisations=[cosigner])
    draft = DraftRecommendation.objects.create(coalition=coalition, engagement=engagement, created_by=admin, position=1,
                                               text="Ensure access to safe drinking water by 2027.")
    milestone = Milestone.objects.filter(engagement=engagement).order_by("pk").first()
    task = work_plan.task_save(engagement=engagement, actor=admin, data={
        "title": "Write the summary", "due_at": timezone.now() + dt.timedelta(days=3), "time_zone": "Europe/Zurich",
        "owner": lead})
    consultation = Consultation.objects.create(coalition=coalition, engagement=engagement, kind="state",
                                               held_on=dt.date(2024, 3, 12), place="Ljubljana", created_by=admin)
    consultation.attended.set([organisation])
    meeting = AdvocacyMeeting.objects.create(coalition=coalition, engagement=engagement, state=recommendations[0].review.state,
                                             venue="embassy", met_on=dt.date(2024, 10, 2), created_by=admin)
    meeting.drafts.set([draft])
    return {
        "coalition": coalition.pk, "organisation": organisation.pk, "membership": lead.pk, "working_group": group.pk,
        "engagement": engagement.pk, "invitation": invitation.pk, "milestone": milestone.pk, "task": task.pk,
        "consultation": consultation.pk, "advocacy_meeting": meeting.pk, "matrix": matrix.pk, "cluster": cluster.pk,
        "matrix_row": row.pk, "assessment": assessment.pk, "document": document.pk, "section": section.pk,
        "comment": comment.pk, "sign_on": sign_on.pk, "draft": draft.pk, "recommendation": recommendations[0].pk,
    }


@pytest.fixture
def world(upr_reference) -> World:  # type: ignore[no-untyped-def]
    from .factories import RecommendationFactory

    review = Review.objects.get(state__iso3="SVN", session__number=48)
    recommendations = [RecommendationFactory(review=review, thematic_cluster=cluster, response=response)
                       for cluster, response in (("Right to health", "supported"), ("Members of minorities", "noted"),
                                                 ("Right to health", "supported"))]
    people = {role: UserFactory(email=f"{role}@alpha.example.org") for role in (Role.ADMIN, Role.EDITOR, Role.MEMBER, Role.OBSERVER)}
    people["outsider"] = UserFactory(email="outsider@beta.example.org")
    ours = _coalition_with_one_of_each("alpha", people[Role.ADMIN], review, recommendations)
    theirs = _coalition_with_one_of_each("beta", people["outsider"], review, recommendations)
    alpha = Coalition.objects.get(pk=ours["coalition"])
    organisation = MemberOrganisation.objects.get(pk=ours["organisation"])
    for role in (Role.EDITOR, Role.MEMBER, Role.OBSERVER):
        MembershipFactory(coalition=alpha, user=people[role], role=role,
                          organisation=organisation if role != Role.OBSERVER else None)
    group = WorkingGroup.objects.get(pk=ours["working_group"])
    group.members.add(*Membership.objects.filter(coalition=alpha, role__in=[Role.EDITOR, Role.MEMBER]))
    return World(coalition=alpha, other=Coalition.objects.get(pk=theirs["coalition"]), people=people, ours=ours, theirs=theirs)


@pytest.fixture
def in_process_wsgi():  # type: ignore[no-untyped-def]
    """Requests through the WSGI handler, as Django's test client makes them: they must not close the
    test's database connection (and with it its transaction), and their exceptions are kept."""
    import traceback

    from django.core.signals import got_request_exception, request_finished, request_started
    from django.db import close_old_connections

    raised: list[str] = []

    def remember(sender, request=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
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
