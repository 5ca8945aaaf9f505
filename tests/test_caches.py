"""Every cached page shows every change at once (issue 12, finding 4), seen from two sessions.

The editor page, the recommendation search, the dashboard and the UPR calendar keep what they render
with `upr.freshness` (keyed on the tables the render read, versioned by every write); the matrix
page is not cached any more (50 rows a page). Each test makes the writes a page shows, through the
services or the pages, and reads the next view in two separate sessions: the same person in a
second browser, and another person.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalitions import services as coalition_services
from coalitions.models import MemberOrganisation
from implementation import services as matrix_services
from implementation.models import Matrix, MatrixRow
from recommendations.models import Recommendation
from submissions import services
from submissions.models import DraftRecommendation
from submissions.services.drafts import draft_save
from upr.models import Session

from .factories import OrganisationFactory, RecommendationFactory
from .helpers import CYCLE4

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def two_sessions(user) -> tuple[Client, Client]:
    """The same person logged in twice (two browsers): two session cookies, two CSRF secrets."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(user)
    second.force_login(user)
    return first, second


def token_of(html: str, action: str) -> str:
    """The CSRF token in the form posting to `action` (the header's own forms are never cached)."""
    form = html.split(f'action="{action}"', 1)[1]
    return form.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"')[0]


# --- the mechanism ------------------------------------------------------------------------------


def test_an_entry_is_outdated_by_any_write_to_a_table_it_read(personas):
    """ORM save, update(), delete(), bulk_create, raw SQL: each makes the next read render afresh;
    a write rolled back in a savepoint does not leave the entry outdated for nothing, and a write
    after it in the same transaction still counts."""
    from upr import freshness

    renders = []

    def names() -> list[str]:
        with freshness.Watch() as watch:
            return watch.cached(
                "test-organisations",
                lambda: (
                    renders.append(1)
                    or sorted(MemberOrganisation.objects.filter(coalition=personas.coalition).values_list("name", flat=True))
                ),
                seconds=60,
            )

    organisation = personas.organisation
    assert names() == ["Centre for Equal Rights"] and names() == ["Centre for Equal Rights"] and len(renders) == 1
    writes = [
        lambda: MemberOrganisation.objects.filter(pk=organisation.pk).update(name="Renamed by update"),
        lambda: OrganisationFactory(coalition=personas.coalition, name="Added by save"),
        lambda: MemberOrganisation.objects.bulk_create([MemberOrganisation(coalition=personas.coalition, name="Bulk")]),
        lambda: MemberOrganisation.objects.filter(name="Bulk").delete(),
        lambda: connection.cursor().execute(
            f"UPDATE {MemberOrganisation._meta.db_table} SET name = %s WHERE id = %s", ["Renamed by raw SQL", organisation.pk]
        ),
    ]
    for write in writes:
        write()
        fresh = sorted(MemberOrganisation.objects.filter(coalition=personas.coalition).values_list("name", flat=True))
        assert names() == fresh
    rendered = len(renders)
    try:
        with transaction.atomic():
            MemberOrganisation.objects.filter(pk=organisation.pk).update(name="Never committed")
            raise RuntimeError
    except RuntimeError:
        pass
    assert names() == fresh and len(renders) == rendered  # nothing was written: still the kept entry
    with transaction.atomic():
        with transaction.atomic():  # a savepoint
            MemberOrganisation.objects.filter(pk=organisation.pk).update(name="Rolled back")
            transaction.set_rollback(True)
        MemberOrganisation.objects.filter(pk=organisation.pk).update(name="After the savepoint")
    assert "After the savepoint" in names()
    # A write to a table the entry did not read leaves it alone.
    rendered = len(renders)
    DraftRecommendation.objects.create(coalition=personas.coalition, engagement=personas.engagement, text="Unrelated")
    names()
    assert len(renders) == rendered


# --- the editor page ----------------------------------------------------------------------------


def doc_url(name: str, *args) -> str:
    return reverse(f"documents:{name}", args=("alpha", *args))


def test_the_editor_page_in_a_second_browser_posts_its_forms_and_shows_every_write_at_once(personas, joint):
    """The same secretariat in two browsers and an editor: the second browser's forms carry its own
    token (it got 403 on every form when the cached page kept the first one's), and each write the
    page shows is on the next view of all three."""
    first, second = two_sessions(personas.admin)
    editor = Client()
    editor.force_login(personas.editor)
    section = joint.sections.order_by("position").first()
    page = doc_url("detail", joint.pk)
    assert first.get(page).status_code == 200
    with CaptureQueriesContext(connection) as cold:
        first.get(page)
    cache.clear()
    with CaptureQueriesContext(connection) as miss:
        first.get(page)
    assert len(cold) < len(miss)  # the first view was kept: this is the cached page
    again = second.get(page).content.decode()  # from the cache
    comment_url = doc_url("comment_add", joint.pk, section.pk)
    posted = second.post(comment_url, {"text": "From the second browser", "csrfmiddlewaretoken": token_of(again, comment_url)})
    assert posted.status_code == 302
    viewers = (first, second, editor)

    def shown(text: str) -> None:
        for viewer in viewers:
            assert text in viewer.get(page).content.decode(), text

    shown("From the second browser")
    admin_m, member_m = personas.membership(personas.admin), personas.membership(personas.member)
    writes = [
        (
            "A draft added on the engagement",
            lambda: draft_save(
                coalition=personas.coalition,
                actor=personas.editor,
                engagement=personas.engagement,
                data={"text": "A draft added on the engagement"},
            ),
        ),
        (
            "Bread and roses",
            lambda: services.section_save(
                section=section,
                membership=personas.membership(personas.editor),
                body="<p>Bread and roses</p>",
                base_version=section.version,
            ),
        ),
        (
            "Equal treatment, renamed",
            lambda: coalition_services.organisation_save(
                coalition=personas.coalition,
                actor=personas.admin,
                organisation=personas.organisation,
                data={"name": "Equal treatment, renamed"},
            ),
        ),
        (
            "Joint submission, retitled",
            lambda: services.document_update(document=joint, actor=personas.admin, data={"title": "Joint submission, retitled"}),
        ),
        (
            "A comment by a member",
            lambda: services.comment_add(section=section, membership=member_m, text="A comment by a member"),
        ),
    ]
    for text, write in writes:
        write()
        shown(text)
    # A comment resolved leaves the open comments (for the list of resolved ones, where it can be reopened).
    comment = section.comments.get(text="A comment by a member")
    services.comment_resolve(comment=comment, membership=admin_m)
    for viewer in viewers:
        assert (
            f'id="comment-{comment.pk}" data-comment="{comment.pk}" data-section="{section.pk}" data-anchor-start="" '
            'data-anchor-end="" data-resolved="1"' in viewer.get(page).content.decode()
        )
    # A draft chosen for the document (the form on the page), then its text changed on the engagement.
    draft = DraftRecommendation.objects.get(text="A draft added on the engagement")
    html = first.get(page).content.decode()
    choose_url = doc_url("recommendations", joint.pk)
    assert (
        first.post(choose_url, {"recommendations": [draft.pk], "csrfmiddlewaretoken": token_of(html, choose_url)}).status_code
        == 302
    )
    draft_save(
        coalition=personas.coalition,
        actor=personas.editor,
        engagement=personas.engagement,
        draft=draft,
        data={"text": "A draft corrected on the engagement"},
    )
    shown("A draft corrected on the engagement")
    # A sign-on asked of another organisation shows on the cover's list.
    other = OrganisationFactory(coalition=personas.coalition, name="Roma Youth Network")
    services.signon_request(document=joint, actor=personas.admin, organisations=[other])
    shown("Roma Youth Network")


def test_the_editor_page_is_kept_apart_per_person(personas, joint):
    """Another person never gets the secretariat's page (its settings form, its people)."""
    admin, member = Client(), Client()
    admin.force_login(personas.admin)
    member.force_login(personas.member)
    page = doc_url("detail", joint.pk)
    assert "Save the settings" in admin.get(page).content.decode()
    assert "Save the settings" not in member.get(page).content.decode()


def test_the_raw_sql_stamps_are_gone():
    """The three hand-built stamps that failed on SQLite (concat/string_agg, OFFSET 0, a str read as
    a datetime) are gone, and no cached page builds a version of its own."""
    for path in (
        "submissions/selectors/documents.py",
        "implementation/rows.py",
        "recommendations/search.py",
        "submissions/views/documents.py",
        "coalitions/views/__init__.py",
        "upr/views.py",
    ):
        source = (ROOT / path).read_text()
        for needle in (
            "concat(",
            "string_agg",
            "OFFSET 0",
            "isoformat() if newest",
            "page_stamp",
            "data_version",
            "dashboard_version",
            "current_version",
        ):
            assert needle not in source, f"{needle} in {path}"


# --- the matrix page ----------------------------------------------------------------------------


def matrix_url(personas, suffix: str = "") -> str:
    return f"/c/alpha/engagements/{personas.engagement.pk}/matrix/{suffix}"


def built(personas, n: int) -> Matrix:
    for i in range(n):
        RecommendationFactory(
            review=personas.engagement.review,
            thematic_cluster="Rights of the child" if i % 2 else "Roma",
            response="supported" if i % 3 else "noted",
        )
    return matrix_services.matrix_build(engagement=personas.engagement, actor=personas.admin, scheme="ohchr")


def test_the_matrix_page_shows_every_write_at_once_in_two_sessions(personas):
    matrix = built(personas, 4)
    first, second = two_sessions(personas.admin)
    member = Client()
    member.force_login(personas.member)
    row = MatrixRow.objects.filter(matrix=matrix).select_related("recommendation").order_by("id").first()
    viewers = (first, second, member)

    def shown(text: str) -> None:
        for viewer in viewers:
            assert text in viewer.get(matrix_url(personas)).content.decode(), text

    shown("Not assessed")
    membership = personas.membership(personas.admin)
    matrix_services.assessment_add(
        row=row,
        membership=membership,
        data={"assessed_on": dt.date(2027, 6, 30), "law": "full", "policy": "partial", "practice": "not", "shared": True},
    )
    shown("partly implemented")
    MatrixRow.objects.filter(pk=row.pk).update(lead_body="Ministry of Labour")  # a write no service made
    shown("Ministry of Labour")
    cluster = matrix_services.cluster_save(matrix=matrix, actor=personas.admin, name="A cluster made now")
    matrix_services.rows_move(matrix=matrix, actor=personas.admin, rows=[row.pk], cluster=cluster)
    shown("A cluster made now")
    Recommendation.objects.filter(pk=row.recommendation_id).update(text="Corrected text of the recommendation")
    shown("Corrected text of the recommendation")


def test_the_matrix_is_paged_by_50_rows_with_the_filters_kept(personas, django_assert_max_num_queries):
    built(personas, 60)
    client = personas.client_for(personas.member)
    first = client.get(matrix_url(personas)).content.decode()
    assert "Rows 1–50 of 60" in first and first.count("<tr>") == 1 + 50
    second = client.get(matrix_url(personas), {"page": "2"}).content.decode()
    assert "Rows 51–60 of 60" in second and second.count("<tr>") == 1 + 10
    assert client.get(matrix_url(personas), {"page": "²"}).status_code == 200  # not a number: the first page
    assert "Rows 51–60 of 60" in client.get(matrix_url(personas), {"page": "99"}).content.decode()  # past the end: the last
    noted = client.get(matrix_url(personas), {"response": "noted"}).content.decode()
    assert "20 rows" in noted and "page=" not in noted  # one page: no page links
    child = client.get(matrix_url(personas), {"cluster": "²"})
    assert child.status_code == 200
    filtered = client.get(matrix_url(personas), {"light": "none", "q": ""}).content.decode()
    assert 'href="?light=none&amp;q=&amp;page=2"' in filtered  # the filters kept in the page links
    with django_assert_max_num_queries(12):
        client.get(matrix_url(personas), {"page": "2"})


class Labels(HTMLParser):
    """The filter form's labels and controls, and the element each sits in."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[int] = []
        self.count = 0
        self.in_form = False
        self.labels: dict[str, tuple[int, str]] = {}  # for -> (parent, text)
        self.controls: dict[str, int] = {}  # id -> parent
        self.label: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("role") == "search":
            self.in_form = True
        if self.in_form and tag == "label":
            self.label, self.text = attrs["for"], ""
            self.labels[attrs["for"]] = (self.stack[-1], "")
        if self.in_form and tag in ("select", "input"):
            self.controls[attrs["id"]] = self.stack[-1]
        if tag not in ("input", "option", "br"):
            self.count += 1
            self.stack.append(self.count)

    def handle_data(self, data):
        if self.label:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "label" and self.label:
            self.labels[self.label] = (self.labels[self.label][0], self.text.strip())
            self.label = None
        if tag == "form":
            self.in_form = False
        if tag not in ("input", "option", "br") and self.stack:
            self.stack.pop()


def test_each_filter_label_names_its_own_select_and_stands_with_it(personas):
    built(personas, 2)
    parsed = Labels()
    parsed.feed(personas.client_for(personas.member).get(matrix_url(personas)).content.decode())
    assert {name: text for name, (_parent, text) in parsed.labels.items()} == {
        "f-cluster": "Cluster",
        "f-light": "Light",
        "f-response": "Position",
        "f-q": "Words",
    }
    for target, (parent, _text) in parsed.labels.items():
        assert target in parsed.controls, target
        together = [control for control, where in parsed.controls.items() if where == parent]
        assert together == [target], f"the label for {target} stands with {together}"


# --- the recommendation search ------------------------------------------------------------------


@pytest.fixture
def cycle4(personas):
    """Slovenia's 254 recommendations of session 48, from OHCHR's Word list."""
    from recommendations import services as recommendation_services
    from recommendations.row_import import import_thematic_list

    review = personas.engagement.review
    import_thematic_list(str(CYCLE4), review=review, source_name=CYCLE4.name)
    recommendation_services.after_import(review_ids=[review.pk])
    return Recommendation.objects.filter(review=review)


def found(client, **params) -> tuple[int, list[int]]:
    """How many recommendations of Slovenia's match, and the ids of the first page in order."""
    response = client.get(reverse("recommendations:list", args=["alpha"]), {**params, "under_review": "SVN"})
    assert response.status_code == 200
    page = response.context["page"]
    return page.paginator.count, [row[0] for row in page.rows]


def test_child_and_children_find_the_same_recommendations(personas, cycle4):
    client = personas.client_for(personas.member)
    expected = cycle4.filter(Q(text__iregex=r"\mchild(ren)?('s)?\M")).count()  # the word, either form
    assert expected > 5 and cycle4.filter(text__iregex=r"\mchildren\M").count() < expected  # both forms are in the texts
    for singular, plural in (("child", "children"), ("woman", "women"), ("person", "people")):
        assert found(client, q=singular) == found(client, q=plural), (singular, plural)
    assert found(client, q="child")[0] == expected
    # In a phrase, negated and ranked, the variants hold.
    assert found(client, q='"rights of the child"') == found(client, q='"rights of the children"')
    assert found(client, q="-children")[0] == found(client)[0] - expected
    assert found(client, q="children", sort="relevance") == found(client, q="child", sort="relevance")


def test_a_remembered_search_shows_every_write_at_once_in_two_sessions(personas, cycle4, settings):
    """Adding, correcting and deleting recommendations (an import and its undoing) and recording a
    response: each is on the next search of the same person's two sessions and of another person."""
    settings.RECOMMENDATION_SEARCH_CACHE_SECONDS = 300
    first, second = two_sessions(personas.member)
    other = personas.client_for(personas.editor)
    viewers = (first, second, other)

    def total(**params) -> int:
        counts = {c.get(reverse("recommendations:list", args=["alpha"]), params).context["page"].paginator.count for c in viewers}
        assert len(counts) == 1, counts
        return counts.pop()

    from recommendations import services as recommendation_services

    before = total(q="torture")
    added = RecommendationFactory(review=personas.engagement.review, text="Criminalise torture in the penal code")
    recommendation_services.after_import(review_ids=[added.review_id])  # as an import does: the search vectors
    assert total(q="torture") == before + 1
    Recommendation.objects.filter(pk=added.pk).update(text="Criminalise ill-treatment in the penal code")
    recommendation_services.after_import(review_ids=[added.review_id])
    assert total(q="torture") == before
    noted = total(response="noted")
    deleted = cycle4.filter(response="noted").order_by("-id").first()
    deleted.delete()  # as undoing an import deletes what it added (not the newest change: the stamp of old missed it)
    assert total(response="noted") == noted - 1
    Recommendation.objects.filter(pk=cycle4.filter(response="noted").order_by("id").first().pk).update(response="supported")
    assert total(response="noted") == noted - 2


# --- the dashboard and the calendar -------------------------------------------------------------


def test_the_dashboard_shows_every_write_at_once_in_two_sessions(personas):
    first, second = two_sessions(personas.admin)
    member = personas.client_for(personas.member)
    viewers = (first, second, member)

    def shown(text: str, only_admins: bool = False) -> None:
        for viewer in viewers[:2] if only_admins else viewers:
            assert text in viewer.get("/c/alpha/").content.decode(), text

    shown("1 member organisation")
    OrganisationFactory(coalition=personas.coalition, name="Made without a service")  # no audit event
    shown("2 member organisations")
    coalition_services.working_group_save(
        coalition=personas.coalition,
        actor=personas.admin,
        name="Health",
        theme="",
        lead=None,
        members=[personas.membership(personas.member)],
    )
    assert "Your working groups: Equality, Health" in member.get("/c/alpha/").content.decode()  # the member's own groups
    from coalitions.models import Milestone

    Milestone.objects.filter(engagement=personas.engagement).update(override_date=dt.date(2031, 5, 5))  # no audit event
    for viewer in viewers:
        assert "5 May 2031" in viewer.get("/c/alpha/").content.decode()


def test_the_calendar_shows_a_corrected_session_at_once(personas):
    first, second = two_sessions(personas.member)
    other = personas.client_for(personas.admin)
    session = Session.objects.filter(cycle=4).order_by("-number").first()
    for viewer in (first, second, other):
        assert viewer.get("/calendar/").status_code == 200
    Session.objects.filter(pk=session.pk).update(start_date=dt.date(2031, 3, 3))  # an operator's correction
    for viewer in (first, second, other):
        assert (
            "3 Mar 2031" in viewer.get("/calendar/").content.decode() or "2031-03-03" in viewer.get("/calendar/").content.decode()
        )
    assert first.get("/calendar/", {"cycle": "²"}).status_code == 200


# --- the first run (SQLite) ---------------------------------------------------------------------

SQLITE_SCRIPT = textwrap.dedent("""
    import json
    import django
    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from accounts.models import User
    from coalitions.models import Coalition
    from implementation.models import Matrix
    from submissions.models import Document
    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(email="demo@example.org"))
    demo = Coalition.objects.get(slug="demo")
    document = Document.objects.filter(coalition=demo).order_by("id").first()
    matrix = Matrix.objects.filter(coalition=demo).first()
    pages = [f"/c/demo/documents/{document.pk}/", "/c/demo/recommendations/",
             f"/c/demo/engagements/{matrix.engagement_id}/matrix/", "/c/demo/", "/calendar/"]
    for page in pages:
        for _ in range(2):  # the second view from the cache
            response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
    counts = {}
    for q in ("child", "children", "woman", "women", "ratify", "ratifying", "-children", '"rights of the child"'):
        counts[q] = client.get("/c/demo/recommendations/", {"q": q}).context["page"].paginator.count
    print(json.dumps(counts))
""")


def test_the_editor_search_and_matrix_pages_answer_on_sqlite(tmp_path):
    """The three pages that failed on `make run`: set up as `make run` does, on SQLite."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    for command in (["migrate", "--noinput", "-v", "0"], ["load_upr_reference"], ["load_demo"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-3000:]
    done = subprocess.run([sys.executable, "-c", SQLITE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["child"] == counts["children"] > 0 and counts["woman"] == counts["women"] > 0
    assert counts["ratify"] == counts["ratifying"] > 0
    assert counts['"rights of the child"'] > 0
