"""Word budgets: the secretariat divides the limit among the sections; each section shows its count
against its budget and is marked when over it, without ever blocking its writing; the sum is checked
against the limit; the same through the API, scoped by coalition, with the outsider's 404."""

import re

import pytest
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalitions.models import AuditEvent
from submissions import services
from submissions.models import Document, DocumentStatus, Section

pytestmark = pytest.mark.django_db
JSON = "application/json"


def url(name: str, *args) -> str:
    return reverse(f"documents:{name}", args=("alpha", *args))


def api(path: str) -> str:
    return f"/api/c/alpha/{path}"


def words(n: int) -> str:
    return "<p>" + " ".join(["word"] * n) + "</p>"


@pytest.fixture
def joint(personas):
    """A joint submission (limit 5,630) with its three starting sections, the first the Equality group's,
    and an annex (which counts for nothing, so has no budget)."""
    document = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title="Joint submission on equality",
        lead_organisation=personas.organisation,
    )
    Section.objects.filter(pk=document.sections.order_by("position").first().pk).update(working_group=personas.group)
    services.section_add(document=document, actor=personas.admin, title="Press cuttings", annex=True, body=words(10))
    return document


def sections(document: Document) -> list[Section]:
    return list(document.sections.filter(annex=False).order_by("position", "id"))


def write(personas, section: Section, n: int) -> Section:
    section.refresh_from_db()
    return services.section_save(
        section=section, membership=personas.membership(personas.admin), base_version=section.version, body=words(n)
    )


def budgets_of(document: Document) -> list[int | None]:
    return [s.word_budget for s in sections(document)]


def form_data(document: Document, *values: object) -> dict[str, object]:
    return {f"budget-{s.pk}": "" if v is None else v for s, v in zip(sections(document), values, strict=True)}


def row(page: str, section: Section) -> str:
    """The section's row of the count panel."""
    found = re.search(rf'<tr data-part="section-{section.pk}"[^>]*>.*?</tr>', page, re.S)
    assert found, page
    return found.group(0)


# --- the page: who may set budgets ----------------------------------------------------------------


def test_only_the_secretariat_sets_budgets_others_get_403_and_the_outsider_404(personas, joint):
    first, second, third = sections(joint)
    page = personas.client_for(personas.admin).get(url("budgets", joint.pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert all(f'name="budget-{s.pk}"' in text for s in (first, second, third)) and "Press cuttings" not in text
    assert "5630" in text  # the limit they share
    data = form_data(joint, 800, None, 1000)
    for persona in (personas.editor, personas.member, personas.observer):
        client = personas.client_for(persona)
        assert client.get(url("budgets", joint.pk)).status_code == 403
        assert client.post(url("budgets", joint.pk), data).status_code == 403
    outsider = personas.client_for(personas.outsider)
    assert outsider.get(url("budgets", joint.pk)).status_code == 404
    assert outsider.post(url("budgets", joint.pk), data).status_code == 404
    assert outsider.get(reverse("documents:budgets", args=("beta", joint.pk))).status_code == 404
    assert budgets_of(joint) == [None, None, None]
    # The count panel links to the page for admins only.
    link = f'href="{url("budgets", joint.pk)}"'
    assert link in personas.client_for(personas.admin).get(url("detail", joint.pk)).content.decode()
    assert link not in personas.client_for(personas.editor).get(url("detail", joint.pk)).content.decode()


def test_the_secretariat_sets_and_clears_budgets_and_the_change_is_audited(personas, joint):
    admin = personas.client_for(personas.admin)
    saved = admin.post(url("budgets", joint.pk), form_data(joint, 800, "", 1200))
    assert saved.status_code == 302 and saved["Location"].endswith("#count")
    assert budgets_of(joint) == [800, None, 1200]
    event = AuditEvent.objects.get(action="document.budgets")
    first, _second, third = sections(joint)
    assert event.changes == {first.title: ["", "800"], third.title: ["", "1200"]} and event.actor == personas.admin
    assert "Budgets so far: 2000 of the document's limit of 5630 words" in admin.get(url("budgets", joint.pk)).content.decode()
    assert admin.post(url("budgets", joint.pk), form_data(joint, None, "", 1200)).status_code == 302
    assert budgets_of(joint) == [None, None, 1200]
    # Saving the same budgets again records nothing.
    assert admin.post(url("budgets", joint.pk), form_data(joint, None, "", 1200)).status_code == 302
    assert AuditEvent.objects.filter(action="document.budgets").count() == 2


# --- the sum check and bad input ----------------------------------------------------------------


def test_budgets_adding_up_to_more_than_the_limit_are_refused_and_nothing_is_saved(personas, joint):
    admin = personas.client_for(personas.admin)
    assert admin.post(url("budgets", joint.pk), form_data(joint, 800, None, None)).status_code == 302
    refused = admin.post(url("budgets", joint.pk), form_data(joint, 3000, 2000, 1000))
    text = refused.content.decode()
    assert refused.status_code == 400 and 'role="alert"' in text
    assert "The budgets add up to 6,000 words, more than the document&#x27;s limit of 5,630 words" in text
    assert budgets_of(joint) == [800, None, None]
    assert AuditEvent.objects.filter(action="document.budgets").count() == 1
    # Exactly the limit is fine.
    assert admin.post(url("budgets", joint.pk), form_data(joint, 3000, 2000, 630)).status_code == 302
    assert budgets_of(joint) == [3000, 2000, 630]


@pytest.mark.parametrize(
    "value, message",
    [
        ("-5", "cannot be negative"),
        ("abc", "Write a whole number"),
        ("12.5", "Write a whole number"),
        ("1e3", "Write a whole number"),
        ("99999999999999999999999999", "at most 100000 words"),
        ("9" * 5000, "Write a whole number"),
    ],
)
def test_a_malformed_budget_gets_its_own_error_and_nothing_is_saved(personas, joint, value, message):
    admin = personas.client_for(personas.admin)
    response = admin.post(url("budgets", joint.pk), form_data(joint, 800, value, None))
    assert response.status_code == 400 and message in response.content.decode()
    assert budgets_of(joint) == [None, None, None]


def test_a_locked_document_keeps_its_budgets(personas, joint):
    Document.objects.filter(pk=joint.pk).update(status=DocumentStatus.FINAL)
    admin = personas.client_for(personas.admin)
    page = admin.get(url("budgets", joint.pk)).content.decode()
    assert "can no longer be changed" in page and "Save the budgets" not in page
    refused = admin.post(url("budgets", joint.pk), form_data(joint, 800, None, None))
    assert refused.status_code == 400 and "can no longer be edited" in refused.content.decode()
    assert budgets_of(joint) == [None, None, None]


# --- the marks: the count panel and the section -------------------------------------------------


def test_a_budget_below_the_count_is_allowed_and_marks_the_section_in_the_panel_and_where_it_is_written(personas, joint):
    first, second, third = sections(joint)
    write(personas, first, 100)  # its row: these 100 words and its title's 3 ("Introduction and methodology")
    write(personas, second, 10)
    admin = personas.client_for(personas.admin)
    assert admin.post(url("budgets", joint.pk), form_data(joint, 50, 500, None)).status_code == 302
    page = admin.get(url("detail", joint.pk)).content.decode()
    counted = 100 + len(first.title.split())  # its title counts once it has text, as in the panel
    over = row(page, first)
    assert 'data-budget="50"' in over and 'class="over-budget"' in over
    assert f'<td class="number" data-counted>{counted}</td>' in over
    assert '<td class="number" data-budget-cell>50</td>' in over
    assert f'<span class="budget-over" data-budget-over>Over its budget by {counted - 50} words</span>' in over
    within = row(page, second)
    assert 'data-budget="500"' in within and "over-budget" not in within
    assert '<span class="budget-over" data-budget-over></span>' in within
    none = row(page, third)
    assert "data-budget=" not in none and "over-budget" not in none
    assert '<td class="number" data-budget-cell>—<span class="visually-hidden">no budget</span></td>' in none
    assert 'data-budget-over-text="Over its budget by %s words"' in page
    assert "Section budgets: 550 of the 5,630 words of the limit." in page
    # The section itself says it, under its title, for the working group that writes it.
    assert f'<strong class="budget-over">Over its budget: {counted} of 50 words</strong>' in page
    assert page.count('class="budget-over">Over its budget:') == 1
    # The summary and the recommendations have no budget (an empty cell, no mark).
    assert '<tr data-part="summary"><th scope="row">Executive summary and key words</th>' in page


def test_a_section_over_its_budget_is_listed_for_its_working_group_on_the_dashboard(personas, joint):
    first, second, _third = sections(joint)
    write(personas, first, 100)
    write(personas, second, 100)  # not the group's
    services.document_budgets_set(document=joint, actor=personas.admin, budgets={first.pk: 20, second.pk: 20})
    for persona in (personas.editor, personas.member):  # the Equality group's lead and member
        page = personas.client_for(persona).get("/c/alpha/").content.decode()
        assert "Your sections over their word budget" in page and f"#section-{first.pk}" in page
        assert f"#section-{second.pk}" not in page
    assert "Your sections over their word budget" not in personas.client_for(personas.admin).get("/c/alpha/").content.decode()


def test_a_budget_never_blocks_writing(personas, joint):
    first = sections(joint)[0]
    services.document_budgets_set(document=joint, actor=personas.admin, budgets={first.pk: 5})
    editor = personas.client_for(personas.editor)
    saved = editor.post(
        url("section_save", joint.pk, first.pk), {"body": words(60), "base_version": 1}, HTTP_ACCEPT="application/json"
    )
    assert saved.status_code == 200 and saved.json()["counted"] == 60
    through_api = editor.patch(api(f"sections/{first.pk}/"), {"base_version": 2, "body": words(80)}, content_type=JSON)
    assert through_api.status_code == 200 and through_api.json()["over_budget"] is True
    assert Section.objects.get(pk=first.pk).counted_words == 80


def test_a_budget_change_shows_on_the_cached_page_at_once(personas, joint):
    first = sections(joint)[0]
    write(personas, first, 30)
    admin = personas.client_for(personas.admin)
    assert "data-budget=" not in row(admin.get(url("detail", joint.pk)).content.decode(), first)
    admin.get(url("detail", joint.pk))  # the first view gave this browser its CSRF cookie; this one is kept
    with CaptureQueriesContext(connection) as cached:  # the page is now in the cache: served from it
        admin.get(url("detail", joint.pk))
    assert len(cached) < 20
    assert admin.post(url("budgets", joint.pk), form_data(joint, 10, None, None)).status_code == 302
    for persona in (personas.admin, personas.editor):
        page = personas.client_for(persona).get(url("detail", joint.pk)).content.decode()
        assert 'data-budget="10"' in row(page, first) and "Over its budget: " in page
    services.document_budgets_set(document=joint, actor=personas.admin, budgets={first.pk: None})
    page = admin.get(url("detail", joint.pk)).content.decode()
    assert "data-budget=" not in row(page, first) and "Over its budget: " not in page


# --- the API -------------------------------------------------------------------------------------


def test_the_api_sets_budgets_with_the_same_sum_check_and_roles(personas, joint):
    first, second, third = sections(joint)
    write(personas, first, 40)
    admin = personas.client_for(personas.admin)
    body = {"budgets": [{"section": first.pk, "word_budget": 30}, {"section": third.pk, "word_budget": 2000}]}
    answer = admin.post(api(f"documents/{joint.pk}/budgets/"), body, content_type=JSON)
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert data["limit"] == 5630 and data["budgeted"] == 2030
    assert [(b["section"], b["word_budget"], b["over_budget"]) for b in data["budgets"]] == [
        (first.pk, 30, True),
        (second.pk, None, False),
        (third.pk, 2000, False),
    ]
    over = admin.post(
        api(f"documents/{joint.pk}/budgets/"), {"budgets": [{"section": second.pk, "word_budget": 4000}]}, content_type=JSON
    )
    assert over.status_code == 400 and "6,030 words, more than the document's limit of 5,630 words" in str(over.json())
    assert budgets_of(joint) == [30, None, 2000]
    for persona in (personas.editor, personas.member, personas.observer):
        client = personas.client_for(persona)
        assert client.post(api(f"documents/{joint.pk}/budgets/"), body, content_type=JSON).status_code == 403
        assert client.get(api(f"documents/{joint.pk}/budgets/")).status_code == 200  # everyone reads them
    outsider = personas.client_for(personas.outsider)
    assert outsider.get(api(f"documents/{joint.pk}/budgets/")).status_code == 404
    assert outsider.post(api(f"documents/{joint.pk}/budgets/"), body, content_type=JSON).status_code == 404
    assert outsider.get(f"/api/c/beta/documents/{joint.pk}/budgets/").status_code == 404
    assert budgets_of(joint) == [30, None, 2000]
    count = admin.get(api(f"documents/{joint.pk}/count/")).json()["count"]
    assert count["budgeted"] == 2030
    assert [(p["key"], p["budget"], p["over_budget"]) for p in count["parts"] if p["key"].startswith("section-")][0] == (
        f"section-{first.pk}",
        30,
        True,
    )


@pytest.mark.parametrize(
    "budgets",
    [
        [{"section": 0, "word_budget": 10}],
        [{"section": "x", "word_budget": 10}],
        [{"section": None, "word_budget": 10}],
        [{"word_budget": 10}],
        [{"section": "FIRST", "word_budget": -1}],
        [{"section": "FIRST", "word_budget": "ten"}],
        [{"section": "FIRST", "word_budget": 10**30}],
        [{"section": "FIRST", "word_budget": 10.5}],
        [{"section": "FIRST", "word_budget": 10}, {"section": "FIRST", "word_budget": 20}],
        [{"section": "ANNEX", "word_budget": 10}],
        [{"section": "FOREIGN", "word_budget": 10}],
        [{"section": 2**63, "word_budget": 1}],
        "800",
        {"FIRST": 800},
    ],
)
def test_malformed_api_budgets_get_a_400_and_nothing_is_saved(personas, joint, budgets):
    first = sections(joint)[0]
    annex = joint.sections.get(annex=True)
    beta = services.document_create(
        coalition=personas.other, actor=personas.outsider, engagement=_beta_engagement(personas), kind="factsheet", title="Theirs"
    )
    ids = {"FIRST": first.pk, "ANNEX": annex.pk, "FOREIGN": beta.sections.first().pk}
    if isinstance(budgets, list):
        budgets = [{k: ids.get(v, v) if isinstance(v, str) else v for k, v in b.items()} for b in budgets]
    response = personas.client_for(personas.admin).post(
        api(f"documents/{joint.pk}/budgets/"), {"budgets": budgets}, content_type=JSON
    )
    assert response.status_code == 400, response.content
    assert response.json()
    assert not Section.objects.filter(word_budget__isnull=False).exists()


def _beta_engagement(personas):
    from coalitions import services as coalition_services
    from upr.models import Review

    return coalition_services.engagement_create(
        coalition=personas.other, actor=personas.outsider, review=Review.objects.get(state__iso3="SVN", session__number=48)
    )


def test_the_section_api_exposes_the_budget_which_only_the_secretariat_changes(personas, joint):
    first, second, _third = sections(joint)
    write(personas, first, 40)
    admin, editor = personas.client_for(personas.admin), personas.client_for(personas.editor)
    assert editor.patch(api(f"sections/{first.pk}/"), {"word_budget": 10}, content_type=JSON).status_code == 403
    # Not even with a text it may save: nothing of the request is kept.
    both = editor.patch(api(f"sections/{first.pk}/"), {"word_budget": 10, "base_version": 2, "body": words(3)}, content_type=JSON)
    assert both.status_code == 403 and Section.objects.get(pk=first.pk).counted_words == 40
    set_ = admin.patch(api(f"sections/{first.pk}/"), {"word_budget": 10}, content_type=JSON)
    assert set_.status_code == 200 and set_.json()["word_budget"] == 10 and set_.json()["over_budget"] is True
    assert set_.json()["version"] == 2  # a budget is not a change of the text
    read = editor.get(api(f"sections/{second.pk}/")).json()
    assert read["word_budget"] is None and read["over_budget"] is False
    too_much = admin.patch(api(f"sections/{second.pk}/"), {"word_budget": 5621}, content_type=JSON)
    assert too_much.status_code == 400 and "5,631 words" in str(too_much.json())
    for bad in (-1, "ten", 10**12, True):
        assert admin.patch(api(f"sections/{second.pk}/"), {"word_budget": bad}, content_type=JSON).status_code == 400
    # A budget with a text: both or neither (a stale text keeps the budget as it was).
    stale = admin.patch(
        api(f"sections/{second.pk}/"), {"word_budget": 100, "base_version": 9, "body": words(3)}, content_type=JSON
    )
    assert stale.status_code == 409 and Section.objects.get(pk=second.pk).word_budget is None
    assert admin.patch(api(f"sections/{second.pk}/"), {"body": words(3)}, content_type=JSON).status_code == 400
    annex = joint.sections.get(annex=True)
    assert admin.patch(api(f"sections/{annex.pk}/"), {"word_budget": 10}, content_type=JSON).status_code == 400
    assert (
        personas.client_for(personas.outsider)
        .patch(api(f"sections/{first.pk}/"), {"word_budget": 1}, content_type=JSON)
        .status_code
        == 404
    )
    assert Section.objects.get(pk=first.pk).word_budget == 10


# --- query counts --------------------------------------------------------------------------------


def count_queries(client, path: str) -> int:
    """Queries of a cold request: with the cache cleared, the page is rendered from the database."""
    cache.clear()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    assert len(queries) > 0
    return len(queries)


def grow(personas, document: Document, n: int) -> None:
    """`n` more sections, each with text and a budget it passes."""
    for i in range(n):
        section = services.section_add(document=document, actor=personas.admin, title=f"Issue {i}", working_group=personas.group)
        write(personas, section, 20)
        services.document_budgets_set(document=document, actor=personas.admin, budgets={section.pk: 10})


@pytest.mark.parametrize("persona", ["admin", "editor"])
def test_pages_and_endpoints_cost_the_same_queries_whatever_the_number_of_budgets(personas, joint, persona):
    client = personas.client_for(getattr(personas, persona))
    paths = [
        url("detail", joint.pk),
        api(f"documents/{joint.pk}/budgets/"),
        api(f"documents/{joint.pk}/count/"),
        api(f"sections/?document={joint.pk}"),
        "/c/alpha/",
    ] + ([url("budgets", joint.pk)] if persona == "admin" else [])
    grow(personas, joint, 2)
    small = {path: count_queries(client, path) for path in paths}
    grow(personas, joint, 12)
    large = {path: count_queries(client, path) for path in paths}
    assert large == small
    assert "Over its budget by 12 words" in client.get(url("detail", joint.pk)).content.decode()
