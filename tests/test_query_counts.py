"""Pages make the same number of queries with 5 or 500 people: no N+1."""

import pytest
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from coalitions import services
from coalitions.models import AuditEvent, Membership, Role

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def grow(personas, people: int) -> None:
    """Bring coalition alpha to `people` members, with organisations, groups and audit events."""
    coalition = personas.coalition
    organisations = [OrganisationFactory.create(coalition=coalition) for _ in range(max(1, people // 20))]
    existing = Membership.objects.filter(coalition=coalition).count()
    users = User.objects.bulk_create(
        [User(email=f"p{people}-{i}@example.org", name=f"Person {i}") for i in range(existing, people)]
    )
    new = Membership.objects.bulk_create(
        [
            Membership(coalition=coalition, user=user, role=Role.MEMBER, organisation=organisations[i % len(organisations)])
            for i, user in enumerate(users)
        ]
    )
    for n in range(max(1, people // 50)):
        services.working_group_save(
            coalition=coalition,
            actor=personas.admin,
            name=f"Group {people}-{n}",
            theme="",
            lead=new[n] if new else None,
            members=new[n::10],
        )
    AuditEvent.objects.bulk_create([AuditEvent(coalition=coalition, action="test", target_type="x") for _ in range(people)])


def count_queries(client, url: str) -> int:
    """Queries of a cold request: with the cache cleared, cached fragments are rendered from the database."""
    cache.clear()
    reset_queries()  # the request clears the log it starts with: capture from an empty one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert len(queries) > 0, f"no query captured for {url}: the capture is broken"
    return len(queries)


PAGES = [
    "/c/alpha/",
    "/c/alpha/members/",
    "/calendar/",
    "/c/alpha/groups/",
    "/c/alpha/organisations/",
    "/c/alpha/invitations/",
    "/c/alpha/audit/",
    "/c/alpha/engagements/",
    "/calendar/sessions/48/",
    "/calendar/states/",
    "/calendar/states/SVN/",
    "/c/alpha/settings/",
    "/api/c/alpha/members/",
    "/api/c/alpha/organisations/",
    "/api/c/alpha/working-groups/",
    "/api/c/alpha/invitations/",
    "/api/c/alpha/audit-events/",
    "/api/c/alpha/engagements/",
    "/api/coalitions/",
    "/api/reviews/?state=SVN",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_queries_do_not_grow_with_the_number_of_members(personas, url):
    client = personas.client_for(personas.admin)
    grow(personas, 5)
    small = count_queries(client, url)
    grow(personas, 500)
    large = count_queries(client, url)
    assert large == small, f"{url}: {small} queries with 5 members, {large} with 500"
    assert small <= 15, f"{url}: {small} queries"


def test_engagement_page_queries_do_not_grow_with_milestones(personas):
    client = personas.client_for(personas.admin)
    url = f"/c/alpha/engagements/{personas.engagement.pk}/"
    small = count_queries(client, url)
    import datetime as dt

    for n in range(30):
        services.milestone_add(
            engagement=personas.engagement, actor=personas.admin, title=f"Internal {n}", date=dt.date(2024, 6, 1)
        )
    assert count_queries(client, url) == small


def test_home_queries_do_not_grow_with_the_number_of_coalitions(personas):
    from .factories import CoalitionFactory, MembershipFactory

    client = personas.client_for(personas.member)
    small = count_queries(client, "/")
    for _ in range(20):
        MembershipFactory(coalition=CoalitionFactory(), user=personas.member)
    assert count_queries(client, "/") == small
