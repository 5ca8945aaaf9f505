"""The decisions cost the same queries whatever the number of votes and decisions: the document page,
a decision's page, the API's list and one decision, as the secretariat (who reads every name) and an
observer (who reads withheld ones counted)."""

import pytest
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from coalitions.models import MemberOrganisation, Membership, Role
from submissions.models import Decision, Vote

from .decision_setup import open_decision, voters

pytestmark = pytest.mark.django_db


def grow(personas, document, *, decisions: int, votes: int) -> list[Decision]:
    """`decisions` open decisions on the document, each with `votes` organisations' votes (a third of them
    withheld), every organisation with a contact."""
    coalition = personas.coalition
    start = MemberOrganisation.objects.filter(coalition=coalition).count()
    organisations = MemberOrganisation.objects.bulk_create(
        [MemberOrganisation(coalition=coalition, name=f"Voter {start + n}", withheld=n % 3 == 0) for n in range(votes)]
    )
    users = User.objects.bulk_create([User(email=f"voter{start + n}@example.org", name=f"Voter {n}") for n in range(votes)])
    Membership.objects.bulk_create(
        [
            Membership(coalition=coalition, user=user, role=Role.MEMBER, organisation=organisation)
            for user, organisation in zip(users, organisations, strict=True)
        ]
    )
    made = [open_decision(personas, document, title=f"Question {n}") for n in range(decisions)]
    for decision in made:
        options = list(decision.options.all())
        Vote.objects.bulk_create(
            [
                Vote(
                    coalition=coalition,
                    decision=decision,
                    organisation=organisation,
                    option=options[n % len(options)],
                    cast_by=user,
                    cast_at=timezone.now(),
                    text_digest=decision.text_digest if n % 2 else "0" * 64,
                    reason=f"Reason {n}",
                )
                for n, (user, organisation) in enumerate(zip(users, organisations, strict=True))
            ]
        )
    return made


def count(client, url: str) -> int:
    cache.clear()  # the document page's content is rendered, not read from the cache
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("persona", ["admin", "observer"])
def test_pages_and_endpoints_cost_the_same_with_2_or_60_votes_and_1_or_4_decisions(personas, persona):
    v = voters(personas)
    client = personas.client_for(getattr(personas, persona))
    small = grow(personas, v.document, decisions=1, votes=2)[0]
    urls = [
        f"/c/alpha/documents/{v.document.pk}/",
        f"/c/alpha/documents/{v.document.pk}/decisions/{small.pk}/",
        f"/api/c/alpha/decisions/?document={v.document.pk}",
        f"/api/c/alpha/decisions/{small.pk}/",
    ]
    few = {url: count(client, url) for url in urls}
    grow(personas, v.document, decisions=3, votes=60)
    Vote.objects.bulk_create(
        [
            Vote(
                coalition=personas.coalition,
                decision=small,
                organisation=organisation,
                option=small.options.first(),
                cast_at=timezone.now(),
            )
            for organisation in MemberOrganisation.objects.filter(name__startswith="Voter ").exclude(
                pk__in=small.votes.values("organisation")
            )
        ]
    )
    assert small.votes.count() == 62
    many = {url: count(client, url) for url in urls}
    assert many == few, f"{few} with 1 decision of 2 votes; {many} with 4 decisions of 60 votes"
    page = client.get(f"/c/alpha/documents/{v.document.pk}/").content.decode()
    assert page.count('class="card decision ') == 4 and "62 of " in page
