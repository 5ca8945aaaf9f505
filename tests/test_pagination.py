"""Long lists are paged by 50: a phone on a slow line gets one page of rows and the links to the others.

Each list is tried with 0, 3 and 120 items: at most 50 rows on a page, the links to the next and previous
pages, which rows a page holds ("Organisations 51–100 of 120"); page 3, a page number that is not a
number and one past the end all answer 200; the page makes as many queries for 120 items as for 3; an
outsider gets 404 on a paged address; and the forms at the top of the lists still refuse what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coalitions.models import Engagement, Invitation, MemberOrganisation, Membership
from recommendations.models import Recommendation
from submissions.models import Document, DraftRecommendation
from upr.models import Review, State
from workplan.models import AdvocacyMeeting, Consultation

from .factories import RecommendationFactory

pytestmark = pytest.mark.django_db

PER_PAGE = 50


# --- the lists, and how to fill each with exactly n items ----------------------------------------


def organisations(personas, n: int) -> None:
    # The personas' own organisation goes too: the list then holds exactly n.
    Membership.objects.filter(coalition=personas.coalition).update(organisation=None)
    MemberOrganisation.objects.filter(coalition=personas.coalition).delete()
    created = MemberOrganisation.objects.bulk_create(
        [MemberOrganisation(coalition=personas.coalition, name=f"Paged organisation {i:03}", acronym=f"P{i}") for i in range(n)]
    )
    users = [personas.admin, personas.editor, personas.member]  # so that the "people" column counts someone
    for user, organisation in zip(users, created, strict=False):
        Membership.objects.filter(coalition=personas.coalition, user=user).update(organisation=organisation)


def invitations(personas, n: int) -> None:
    Invitation.objects.filter(coalition=personas.coalition).delete()
    expires = timezone.now() + dt.timedelta(days=14)
    Invitation.objects.bulk_create(
        [
            Invitation(
                coalition=personas.coalition,
                email=f"paged-{i:03}@example.org",
                token_hash=f"paged-{i:03}",
                invited_by=personas.admin,
                expires_at=expires,
                organisation=personas.organisation if i % 2 else None,
            )
            for i in range(n)
        ]
    )


def engagements(personas, n: int) -> None:
    Engagement.objects.filter(coalition=personas.coalition).delete()
    reviews = list(Review.objects.select_related("session").order_by("pk")[:n])
    assert len(reviews) == n, "the UPR calendar holds fewer reviews than the test needs"
    Engagement.objects.bulk_create([Engagement(coalition=personas.coalition, review=review) for review in reviews])


def consultations(personas, n: int) -> None:
    Consultation.objects.filter(engagement=personas.engagement).delete()
    made = Consultation.objects.bulk_create(
        [
            Consultation(
                coalition=personas.coalition,
                engagement=personas.engagement,
                held_on=dt.date(2024, 1, 1) + dt.timedelta(days=i),
                place=f"Paged place {i:03}",
                issues_raised="Water.",
                created_by=personas.member,
            )
            for i in range(n)
        ]
    )
    Through = Consultation.attended.through
    Through.objects.bulk_create([Through(consultation=c, memberorganisation=personas.organisation) for c in made])


def two_states() -> list[State]:
    """The States met: the first is the one the filtered log is read for."""
    return list(State.objects.exclude(iso3="SVN").order_by("iso3")[:2])


def meetings(personas, n: int, *, others: int = 0) -> None:
    """n meetings with two States in turn; or, with `others`, n with the first and `others` more with the second."""
    AdvocacyMeeting.objects.filter(engagement=personas.engagement).delete()
    states = two_states()
    made = AdvocacyMeeting.objects.bulk_create(
        [
            AdvocacyMeeting(
                coalition=personas.coalition,
                engagement=personas.engagement,
                state=states[0] if others or i % 2 == 0 else states[1],
                met_on=dt.date(2024, 1, 1) + dt.timedelta(days=i),
                person_met=f"Paged person {i:03}",
                created_by=personas.member,
            )
            for i in range(n)
        ]
        + [
            AdvocacyMeeting(
                coalition=personas.coalition,
                engagement=personas.engagement,
                state=states[1],
                met_on=dt.date(2023, 1, 1) + dt.timedelta(days=i),
                person_met="Not in the filtered log",
                created_by=personas.member,
            )
            for i in range(others if n else 0)
        ]
    )
    draft, _created = DraftRecommendation.objects.get_or_create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        text="Ratify the Optional Protocol by 2027.",
        defaults={"created_by": personas.admin},
    )
    Through = AdvocacyMeeting.drafts.through
    Through.objects.bulk_create([Through(advocacymeeting=m, draftrecommendation=draft) for m in made])


def meetings_of_one_state(personas, n: int) -> None:
    meetings(personas, n, others=7)


def documents(personas, n: int) -> None:
    Document.objects.filter(engagement=personas.engagement).delete()
    Document.objects.bulk_create(
        [
            Document(
                coalition=personas.coalition,
                engagement=personas.engagement,
                kind="joint_submission",
                title=f"Paged document {i:03}",
                lead_organisation=personas.organisation,
                created_by=personas.admin,
            )
            for i in range(n)
        ]
    )


def drafts(personas, n: int) -> None:
    DraftRecommendation.objects.filter(engagement=personas.engagement).delete()
    review = personas.engagement.review
    if not Recommendation.objects.filter(review=review).exists():  # each draft gets its suggested matches
        for _ in range(3):
            RecommendationFactory(review=review)
    made = DraftRecommendation.objects.bulk_create(
        [
            DraftRecommendation(
                coalition=personas.coalition,
                engagement=personas.engagement,
                position=i,
                created_by=personas.admin,
                text=f"Take measures to protect the rights of group number {i} by 2027.",
            )
            for i in range(n)
        ]
    )
    state = State.objects.get(iso3="CHL")
    Through = DraftRecommendation.states_to_ask.through
    Through.objects.bulk_create([Through(draftrecommendation=d, state=state) for d in made])


@dataclass(frozen=True)
class PagedList:
    name: str
    path: Callable  # personas -> the list's address
    fill: Callable  # (personas, n) -> None: the list then holds n items
    row: str  # a pattern whose first group names one row of the list
    noun: str  # the line above the list: "<noun> 51–100 of 120"
    who: str = "admin"  # the persona who reads it
    extra: str = ""  # query string the list is read with (a filter the page links keep)


def engagement_path(tail: str) -> Callable:
    return lambda personas: f"/c/alpha/engagements/{personas.engagement.pk}/{tail}"


LISTS = [
    PagedList(
        "organisations",
        lambda p: "/c/alpha/organisations/",
        organisations,
        r"(Paged organisation \d{3})",
        "Organisations",
        who="member",
    ),
    PagedList(
        "invitations", lambda p: "/c/alpha/invitations/", invitations, r"<td>(paged-\d{3}@example\.org)</td>", "Invitations"
    ),
    PagedList(
        "engagements",
        lambda p: "/c/alpha/engagements/",
        engagements,
        r'href="/c/alpha/engagements/(\d+)/"',
        "Engagements",
        who="member",
    ),
    PagedList(
        "consultations",
        engagement_path("consultations/"),
        consultations,
        r'id="consultation-(\d+)"',
        "Consultations",
        who="member",
    ),
    PagedList("meetings", engagement_path("advocacy/"), meetings, r'id="meeting-(\d+)"', "Meetings", who="member"),
    PagedList(
        "meetings of one State",
        engagement_path("advocacy/"),
        meetings_of_one_state,
        r'id="meeting-(\d+)"',
        "Meetings",
        who="member",
        extra="state={state}",
    ),
    PagedList("documents", engagement_path("documents/"), documents, r"(Paged document \d{3})", "Documents", who="member"),
    PagedList("drafts", engagement_path("asks/"), drafts, r'id="draft-(\d+)"', "Asks", who="editor"),
]


def address(case: PagedList, personas, page: str | None = None) -> str:
    query = case.extra.format(state=two_states()[0].iso3)
    query = "&".join(part for part in (query, f"page={page}" if page is not None else "") if part)
    return case.path(personas) + (f"?{query}" if query else "")


def rows(case: PagedList, html: str) -> set[str]:
    return set(re.findall(case.row, html))


def get(client, url: str):
    cache.clear()  # cached fragments are rendered from the database
    response = client.get(url)
    assert response.status_code == 200, url
    return response, response.content.decode()


by_name = pytest.mark.parametrize("case", LISTS, ids=[case.name for case in LISTS])


# --- the pages ------------------------------------------------------------------------------------


@by_name
def test_an_empty_list_says_so_and_has_no_page_links(personas, case):
    case.fill(personas, 0)
    client = personas.client_for(getattr(personas, case.who))
    for page in (None, "3", "abc", "999"):
        _response, html = get(client, address(case, personas, page))
        assert rows(case, html) == set()
        assert 'class="pagination"' not in html and "page-range" not in html


@by_name
def test_a_short_list_is_shown_whole_without_page_links(personas, case):
    case.fill(personas, 3)
    client = personas.client_for(getattr(personas, case.who))
    for page in (None, "3", "abc", "999"):
        _response, html = get(client, address(case, personas, page))
        assert len(rows(case, html)) == 3
        assert 'class="pagination"' not in html
        assert "page-range" not in html and "1–3 of 3" not in html  # one page: no "which rows" line


@by_name
def test_a_long_list_is_shown_50_rows_a_page_with_links_to_the_others(personas, case):
    case.fill(personas, 120)
    client = personas.client_for(getattr(personas, case.who))
    seen: set[str] = set()
    for number, (first, last) in enumerate(((1, 50), (51, 100), (101, 120)), start=1):
        _response, html = get(client, address(case, personas, str(number)))
        shown = rows(case, html)
        assert len(shown) == last - first + 1 <= PER_PAGE
        assert not shown & seen, "a row shown on two pages"
        seen |= shown
        assert f"{case.noun} {first}–{last} of 120" in html
        assert f"Page {number} of 3" in html
        assert ('rel="prev"' in html) == (number > 1) and ('rel="next"' in html) == (number < 3)
    assert len(seen) == 120
    _response, html = get(client, address(case, personas))
    assert rows(case, html) == rows(case, get(client, address(case, personas, "1"))[1])
    links = re.findall(r'href="([^"]*page=2[^"]*)"', html)
    assert links, "no link to page 2"
    if case.extra:  # the filter the list is read with is kept in its page links
        state = two_states()[0].iso3
        assert all(f"state={state}" in link for link in links), links


@by_name
def test_a_page_number_that_is_not_a_number_or_too_large_is_answered(personas, case):
    case.fill(personas, 120)
    client = personas.client_for(getattr(personas, case.who))
    first = rows(case, get(client, address(case, personas, "1"))[1])
    last = rows(case, get(client, address(case, personas, "3"))[1])
    for page, expected in (("abc", first), ("", first), ("-1", last), ("0", last), ("999", last), ("99999999999999999999", last)):
        _response, html = get(client, address(case, personas, page))
        assert rows(case, html) == expected, page


@by_name
def test_a_page_makes_as_many_queries_for_120_items_as_for_3(personas, case):
    client = personas.client_for(getattr(personas, case.who))

    def queries(page: str | None = None) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address(case, personas, page)).status_code == 200
        return len(captured)

    case.fill(personas, 3)
    small = queries()
    case.fill(personas, 120)
    large = queries()
    assert large == small, f"{case.name}: {small} queries with 3 items, {large} with 120"
    assert queries("2") == large and queries("abc") == large
    assert small <= 30, f"{case.name}: {small} queries"


@by_name
def test_an_outsider_gets_404_on_a_paged_list(personas, case):
    case.fill(personas, 120)
    client = personas.client_for(personas.outsider)
    for page in ("2", "abc", "999"):
        assert client.get(address(case, personas, page)).status_code == 404


# --- the forms at the top of the lists ------------------------------------------------------------

REFUSED = [
    # (list, persona, what is posted, the status of the refusal as it was before the lists were paged)
    ("invitations", "admin", {"email": "not an address", "role": "member"}, 200),
    ("consultations", "member", {"kind": "state", "held_on": ""}, 400),
    ("meetings", "member", {"venue": "embassy", "met_on": ""}, 400),
    ("documents", "admin", {"title": "", "kind": "joint_submission"}, 400),
    ("drafts", "editor", {"text": ""}, 400),
]


@pytest.mark.parametrize(("name", "who", "data", "status"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_form_on_a_long_list_shows_its_errors_and_the_first_page(personas, name, who, data, status):
    case = next(c for c in LISTS if c.name == name)
    case.fill(personas, 120)
    client = personas.client_for(getattr(personas, who))
    response = client.post(address(case, personas), data)
    assert response.status_code == status
    html = response.content.decode()
    assert "has-error" in html or 'class="errors"' in html
    assert len(rows(case, html)) == PER_PAGE and 'rel="next"' in html


def test_a_form_accepted_on_a_long_list_still_saves_and_goes_back_to_the_list(personas):
    case = next(c for c in LISTS if c.name == "consultations")
    case.fill(personas, 120)
    client = personas.client_for(personas.member)
    response = client.post(address(case, personas, "2"), {"kind": "state", "held_on": "2025-02-03", "place": "Maribor"})
    assert response.status_code == 302
    assert Consultation.objects.filter(engagement=personas.engagement, place="Maribor").exists()


def test_the_asks_are_numbered_across_pages(personas):
    drafts(personas, 120)
    client = personas.client_for(personas.editor)
    _response, html = get(client, f"/c/alpha/engagements/{personas.engagement.pk}/asks/?page=2")
    assert "Ask 51<" in html and "Ask 100<" in html and "Ask 1<" not in html and "Ask 101<" not in html


def test_the_outcome_above_the_advocacy_log_counts_every_meeting(personas):
    meetings_of_one_state(personas, 120)
    client = personas.client_for(personas.member)
    _response, html = get(client, f"/c/alpha/engagements/{personas.engagement.pk}/advocacy/?page=3")
    outcome = html.split('id="outcome-h"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"<td>120 <span", outcome) and re.search(r"<td>7 <span", outcome), (
        "the outcome table does not count the whole log"
    )


def test_an_observer_pages_the_organisations_without_the_withheld_ones(personas):
    organisations(personas, 120)
    MemberOrganisation.objects.filter(
        coalition=personas.coalition, name__in=[f"Paged organisation {i:03}" for i in range(10)]
    ).update(withheld=True)
    client = personas.client_for(personas.observer)
    _response, html = get(client, "/c/alpha/organisations/?page=3")
    assert "Organisations 101–110 of 110" in html
    assert "And 10 organisations that are not named for their security." in html
    assert not any(f"Paged organisation {i:03}" in html for i in range(10))


@pytest.mark.parametrize("name", ["organisations", "invitations", "engagements", "documents"])
def test_a_list_read_from_the_database_reads_one_page_of_rows(personas, name):
    case = next(c for c in LISTS if c.name == name)
    case.fill(personas, 120)
    client = personas.client_for(getattr(personas, case.who))
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address(case, personas, "2")).status_code == 200
    assert any(re.search(r"\bLIMIT 50 OFFSET 50\b", query["sql"]) for query in captured), "the page's rows are not read alone"
