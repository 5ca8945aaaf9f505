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
