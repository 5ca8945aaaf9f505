"""Recommendations in the browser (without JavaScript): import a file, search, filter, flag, note,
record a later response, confirm categories and cross-cycle links, export, and draft recommendations."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.db.models import Q
from django.urls import reverse

from coalitions.models import AuditEvent
from recommendations import services
from recommendations.models import (
    ActionCategoryStatus,
    CoalitionRecommendation,
    CrossCycleLink,
    Recommendation,
    Response,
    ResponseRecord,
    SimilarRecommendation,
)
from recommendations.row_import import import_thematic_list
from recommendations.template import HEADER
from submissions.models import DraftRecommendation
from upr.models import Review, State

from .helpers import CYCLE3, CYCLE4, UPR_INFO_SAMPLE

pytestmark = pytest.mark.django_db


def review(session: int) -> Review:
    return Review.objects.get(state__iso3="SVN", session__number=session)


def url(name: str, *args) -> str:
    return reverse(f"recommendations:{name}", args=("alpha", *args))


@pytest.fixture
def cycle4(personas):
    import_thematic_list(str(CYCLE4), review=review(48), source_name=CYCLE4.name)
    services.after_import(review_ids=[review(48).pk])
    return Recommendation.objects.filter(review=review(48))


def upload(client, path_or_name, content=None, **data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if content is None:
        content = Path(path_or_name).read_bytes()
        path_or_name = Path(path_or_name).name
    return client.post(url("import"), {"file": SimpleUploadedFile(path_or_name, content), "mode": "skip", **data})


def import_confirmed(client, path_or_name, content=None, **data):
    """Upload (the preview, which changes nothing), then confirm it: the import as a person makes it."""
    from recommendations.models import SharedImport

    preview = upload(client, path_or_name, content, **data)
    pending = SharedImport.objects.filter(status="preview").order_by("-pk").first()
    if preview.status_code != 200 or pending is None:
        return preview
    return client.post(url("import"), {"confirm": pending.pk})


def operator(user):
    """`user` made site staff: the only people who change the shared data by hand."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


# --- import through the web ------------------------------------------------------------------------


def test_admin_uploads_the_cycle_4_word_file_and_sees_the_summary(personas):
    admin = personas.client_for(personas.admin)
    response = import_confirmed(admin, CYCLE4, review=review(48).pk)
    assert response.status_code == 200
    assert "254 recommendations: 217 supported, 37 noted, 0 pending" in response.content.decode()
    assert Recommendation.objects.filter(review=review(48)).count() == 254
    event = AuditEvent.objects.get(coalition=personas.coalition, action="recommendation.shared_import")
    assert event.changes["file"][1] == CYCLE4.name and event.actor == personas.admin
    # The search index is filled for the imported rows.
    assert not Recommendation.objects.filter(review=review(48), search_vector=None).exists()


def test_only_admins_import(personas):
    for user in (personas.editor, personas.member, personas.observer):
        assert personas.client_for(user).get(url("import")).status_code == 403
        assert upload(personas.client_for(user), CYCLE4, review=review(48).pk).status_code == 403
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("list.docx", b"\x89PNG not a word file", "not a Word (.docx) file"),
        ("list.pdf", b"%PDF-1.4", "Give a .docx, .csv or .xlsx file"),
        ("list.csv", b"name,email\nA,b\n", "neither UPR Info"),
        ("list.xlsx", b"PK\x03\x04 broken", "not an Excel (.xlsx) workbook"),
    ],
)
def test_a_wrong_file_gets_a_clear_error_and_changes_nothing(personas, cycle4, name, content, message):
    before = list(Recommendation.objects.order_by("pk").values_list("pk", "text", "response"))
    response = upload(personas.client_for(personas.admin), name, content, review=review(48).pk)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(Recommendation.objects.order_by("pk").values_list("pk", "text", "response")) == before


def test_an_oversized_upload_is_refused_before_reading(personas, monkeypatch):
    from recommendations.forms import ImportForm

    monkeypatch.setattr(ImportForm, "MAX_BYTES", 1000)
    response = upload(personas.client_for(personas.admin), CYCLE4, review=review(48).pk)
    assert response.status_code == 400 and "larger than 20 MB" in response.content.decode()
    assert not Recommendation.objects.exists()


def test_a_word_list_without_a_review_is_refused(personas):
    response = upload(personas.client_for(personas.admin), CYCLE4)
    assert response.status_code == 400 and "choose the review" in response.content.decode()


def template_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


TEMPLATE_ROWS = [
    {
        "paragraph": "90.1",
        "recommendation": "Adopt a national action plan on business and human rights",
        "recommending_states": "Chile; Türkiye",
        "response": "Supported",
        "themes": "Business & human rights",
        "sdgs": "8; 16",
        "action_category": "",
    },
    {
        "paragraph": "90.2",
        "recommendation": "Ratify the Optional Protocol",
        "recommending_states": "Atlantis",
        "response": "Noted",
    },
    {
        "paragraph": "90.3",
        "recommendation": "Consider establishing an ombudsperson for children",
        "recommending_states": "Bolivarian Republic of Venezuela",
        "response": "",
        "action_category": "3",
    },
]


def test_the_template_downloads_and_imports_reporting_bad_rows(personas):
    admin = personas.client_for(operator(personas.admin))  # the template cannot be verified: site staff only
    download = admin.get(url("template"))
    assert download.status_code == 200
    assert next(csv.reader(io.StringIO(download.content.decode("utf-8-sig")))) == HEADER

    content = template_csv(TEMPLATE_ROWS)
    nothing = upload(admin, "mine.csv", content, review=review(48).pk, mode="all_or_nothing")
    assert (
        "Nothing was imported" in nothing.content.decode()
        and "line 3: unknown recommending State: Atlantis" in nothing.content.decode()
    )
    assert not Recommendation.objects.exists()

    response = import_confirmed(admin, "mine.csv", content, review=review(48).pk)
    page = response.content.decode()
    assert "2 recommendations: 1 supported, 0 noted, 1 pending" in page and "line 3: unknown recommending State: Atlantis" in page
    first = Recommendation.objects.get(paragraph="90.1")
    assert {s.iso3 for s in first.recommending_states.all()} == {"CHL", "TUR"}
    assert [s.number for s in first.sdgs.all()] == [8, 16] and first.action_category == 5  # "Adopt": specific action
    assert first.action_category_status == ActionCategoryStatus.SUGGESTED
    third = Recommendation.objects.get(paragraph="90.3")
    assert (third.action_category, third.action_category_status, third.response) == (
        3,
        ActionCategoryStatus.CONFIRMED,
        Response.PENDING,
    )
    # The same file again changes nothing.
    again = import_confirmed(admin, "mine.csv", content, review=review(48).pk)
    assert "0 new, 0 updated, 2 unchanged" in again.content.decode()


def xlsx_from_csv(path: Path) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with path.open(encoding="utf-8-sig") as handle:
        for i, row in enumerate(csv.reader(handle)):
            cells: list[str | int] = list(row)
            if i and row and row[0].isdigit():
                cells[0] = int(row[0])  # Excel keeps the session as a number
            sheet.append(cells)
    sheet.append([])  # a trailing blank row, as Excel often leaves
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_upr_info_export_saved_as_xlsx_imports_like_the_csv(personas):
    from recommendations.upr_info import import_upr_info

    admin = personas.client_for(operator(personas.admin))  # a whole export, each row to its review: site staff
    response = import_confirmed(admin, "export.xlsx", xlsx_from_csv(UPR_INFO_SAMPLE))
    page = response.content.decode()
    assert response.status_code == 200
    from_xlsx = sorted(Recommendation.objects.values_list("review_id", "source_key", "response", "action_category"))
    assert len(from_xlsx) == 286 and "line 288: unknown recommending State" in page
    Recommendation.objects.all().delete()
    report = import_upr_info(str(UPR_INFO_SAMPLE))
    assert sorted(Recommendation.objects.values_list("review_id", "source_key", "response", "action_category")) == from_xlsx
    assert [p.row for p in report.problems] == [288]


# --- list, search, filters, priority ---------------------------------------------------------------


def listed(client, **params) -> tuple[int, str]:
    response = client.get(url("list"), params)
    assert response.status_code == 200
    return response.context["page"].paginator.count, response.content.decode()


def test_filters_search_and_sort(personas, cycle4):
    member = personas.client_for(personas.member)
    assert listed(member)[0] == 254
    assert listed(member, review=review(48).pk, response="noted")[0] == 37
    stateless = cycle4.filter(text__icontains="stateless").count()  # stemming: "stateless persons" too
    assert stateless and listed(member, q="statelessness")[0] == stateless
    # Stemming: "ratifying" finds "Ratify the ..." too.
    assert listed(member, q="ratifying")[0] >= cycle4.filter(text__icontains="ratify ").count() > 0
    theme = cycle4.get(paragraph="140.7").themes.first()
    assert listed(member, theme=theme.pk)[0] == cycle4.filter(themes=theme).count()
    assert listed(member, state="PRT")[0] == cycle4.filter(recommending_states__iso3="PRT").count()
    weog = cycle4.filter(recommending_states__regional_group="WEOG").distinct().count()
    assert listed(member, group="WEOG")[0] == weog
    assert listed(member, sdg=5)[0] == cycle4.filter(sdgs__number=5).count()
    assert listed(member, action=5)[0] == cycle4.filter(action_category=5).count()
    assert listed(member, cycle=4)[0] == 254 and listed(member, cycle=3)[0] == 0
    page = member.get(url("list"), {"sort": "oldest", "under_review": "SVN"}).content.decode()
    first_row = page.split("<tbody>")[1].split("</tr>")[0]
    assert '<span class="muted">140.1</span>' in first_row


def test_bad_filter_values_are_reported_and_the_rest_still_filters(personas, cycle4):
    count, page = listed(personas.client_for(personas.member), response="noted", state="ZZZ", sdg="abc", cycle="9", page="x")
    assert count == 37
    assert "Some filters were not understood" in page


def test_the_filters_show_what_was_asked_and_why_a_value_was_left_out(personas, cycle4):
    member = personas.client_for(personas.member)
    count, page = listed(member, q="x" * 201, review="abc", sdg="5", priority="false")
    assert count == cycle4.filter(sdgs__number=5).count() > 0  # the bad words and review are left out
    assert "at most 200 characters" in page and "Enter a whole number." in page
    assert 'aria-describedby="id_sdg_error"' not in page and '<option value="5" selected>' in page
    assert 'id="id_priority" value="on">' in page  # "false" is not a tick
    # Searching words, the list is by relevance, and its select says so.
    page = listed(member, q="torture")[1]
    assert '<option value="relevance" selected>' in page
    page = listed(member, q="torture", sort="oldest")[1]
    assert '<option value="oldest" selected>' in page and '<option value="relevance">' in page
    # A value that is no State is reported beside its select.
    page = listed(member, state="ZZZ")[1]
    assert 'id="id_state" aria-describedby="id_state_error" aria-invalid="true"' in page


def test_flagging_priorities_is_the_coalitions_own(personas, cycle4):
    editor = personas.client_for(personas.editor)
    first, second = cycle4.filter(response=Response.NOTED)[:2]
    for r in (first, second):
        assert editor.post(url("priority", r.pk), {"next": url("list")}).status_code == 302
    assert listed(editor, priority="on")[0] == 2
    # Beta sees the same shared recommendations and none of alpha's priorities.
    beta = personas.client_for(personas.outsider)
    assert beta.get(reverse("recommendations:list", args=("beta",)), {"priority": "on"}).context["page"].paginator.count == 0
    assert beta.get(reverse("recommendations:list", args=("beta",))).context["page"].paginator.count == 254
    # Toggling again unflags; an observer cannot flag.
    editor.post(url("priority", first.pk), HTTP_HX_REQUEST="true")
    assert listed(editor, priority="on")[0] == 1
    assert personas.client_for(personas.observer).post(url("priority", first.pk)).status_code == 403


def test_the_priority_toggle_answers_htmx_with_the_button_only(personas, cycle4):
    r = cycle4.first()
    response = personas.client_for(personas.editor).post(url("priority", r.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-pressed="true"' in body and "<html" not in body and "Flagged" in body


# --- export ----------------------------------------------------------------------------------------


def test_csv_export_of_the_filtered_list_reads_back(personas, cycle4):
    editor = personas.client_for(personas.editor)
    noted = cycle4.filter(response=Response.NOTED).order_by("paragraph_major", "paragraph_minor")
    services.ours_save(
        coalition=personas.coalition,
        actor=personas.editor,
        recommendation=noted[0],
        priority=True,
        notes='=HYPERLINK("http://evil")',
    )
    response = editor.get(url("export_csv"), {"response": "noted", "under_review": "SVN"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 37 and {r["Response"] for r in rows} == {"Noted"}
    flagged = [r for r in rows if r["Our priority"] == "yes"]
    assert len(flagged) == 1 and flagged[0]["Our notes"].startswith("'=HYPERLINK")  # never a live formula
    # Beta's export of the same list carries none of alpha's layer.
    beta = personas.client_for(personas.outsider).get(
        reverse("recommendations:export_csv", args=("beta",)), {"response": "noted"}
    )
    beta_rows = list(csv.DictReader(io.StringIO(b"".join(beta.streaming_content).decode().lstrip("\ufeff"))))
    assert not any(r["Our priority"] or r["Our notes"] for r in beta_rows)


def test_xlsx_export_opens_in_a_spreadsheet_reader_without_author(personas, cycle4):
    response = personas.client_for(personas.member).get(url("export_xlsx"), {"q": "violence"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4] == "Recommendation"
    assert len(rows) - 1 == Recommendation.objects.filter(review=review(48), text__icontains="violence").count()
    assert not workbook.properties.creator


# --- detail: layer, responses, action category, cross-cycle links ---------------------------------


def test_notes_and_working_group_are_saved_and_audited(personas, cycle4):
    r = cycle4.first()
    editor = personas.client_for(personas.editor)
    response = editor.post(
        url("ours", r.pk), {"priority": "on", "notes": "Raise with the Ministry", "working_group": personas.group.pk}
    )
    assert response.status_code == 302
    layer = CoalitionRecommendation.objects.get(coalition=personas.coalition, recommendation=r)
    assert (layer.priority, layer.notes, layer.working_group) == (True, "Raise with the Ministry", personas.group)
    assert AuditEvent.objects.filter(coalition=personas.coalition, action="recommendation.layer").exists()
    page = personas.client_for(personas.member).get(url("detail", r.pk)).content.decode()
    assert "Raise with the Ministry" in page
    assert (
        "Raise with the Ministry"
        not in personas.client_for(personas.outsider).get(reverse("recommendations:detail", args=("beta", r.pk))).content.decode()
    )


def test_a_working_group_of_another_coalition_is_refused(personas, cycle4):
    from tests.factories import WorkingGroupFactory

    foreign = WorkingGroupFactory(coalition=personas.other)
    response = personas.client_for(personas.editor).post(url("ours", cycle4.first().pk), {"working_group": foreign.pk})
    assert response.status_code == 400
    assert not CoalitionRecommendation.objects.exists()


def test_a_later_response_is_recorded_beside_the_old_one_and_survives_reimport(personas, cycle4):
    noted = cycle4.filter(response=Response.NOTED).first()
    editor = personas.client_for(operator(personas.editor))
    response = editor.post(
        url("response", noted.pk),
        {"response": "supported", "source": "Mid-term report 2027", "stated_on": "2027-03-15", "shared": "on"},
    )
    assert response.status_code == 302
    noted.refresh_from_db()
    assert noted.response == Response.SUPPORTED
    history = list(ResponseRecord.objects.filter(recommendation=noted).values_list("response", "source"))
    assert history == [("noted", noted.response_history.first().source), ("supported", "Mid-term report 2027")]
    assert history[0][1].startswith("A/HRC/59/15/Add.1")
    report = import_thematic_list(str(CYCLE4), review=review(48))
    noted.refresh_from_db()
    assert noted.response == Response.SUPPORTED and report.response_changes == 0
    assert ResponseRecord.objects.filter(recommendation=noted).count() == 2
    page = editor.get(url("detail", noted.pk)).content.decode()
    assert "Mid-term report 2027" in page and "15 March 2027" in page


def test_a_malformed_date_is_a_form_error_not_a_server_error(personas, cycle4):
    r = cycle4.first()
    response = personas.client_for(personas.editor).post(
        url("response", r.pk), {"response": "supported", "source": "x", "stated_on": "31/02/2027"}
    )
    assert response.status_code == 400 and "Enter a valid date" in response.content.decode()
    assert ResponseRecord.objects.filter(recommendation=r).count() == 1


def test_a_confirmed_action_category_outlives_reimport(personas, cycle4):
    r = cycle4.get(paragraph="140.1")
    personas.client_for(operator(personas.editor)).post(url("action_category", r.pk), {"category": "2", "shared": "on"})
    r.refresh_from_db()
    assert (r.action_category, r.action_category_status) == (2, ActionCategoryStatus.CONFIRMED)
    import_thematic_list(str(CYCLE4), review=review(48))
    r.refresh_from_db()
    assert (r.action_category, r.action_category_status) == (2, ActionCategoryStatus.CONFIRMED)
    assert personas.client_for(personas.editor).post(url("action_category", r.pk), {"category": "9"}).status_code == 400


def test_earlier_cycle_suggestions_are_confirmed_per_coalition(personas, cycle4):
    import_thematic_list(str(CYCLE3), review=review(34))
    services.after_import(review_ids=[review(34).pk])
    pair = SimilarRecommendation.objects.filter(recommendation__review=review(48)).order_by("-score").first()
    assert pair is not None and pair.earlier.review == review(34)
    editor = personas.client_for(personas.editor)
    page = editor.get(url("detail", pair.recommendation_id)).content.decode()
    assert pair.earlier.text[:60] in page
    response = editor.post(url("earlier", pair.recommendation_id, pair.earlier_id), {"decision": "confirmed"})
    assert response.status_code == 302
    assert CrossCycleLink.objects.get(coalition=personas.coalition).decision == "confirmed"
    # Seen from the earlier recommendation too, as "recommended again later".
    earlier_page = editor.get(url("detail", pair.earlier_id)).content.decode()
    assert "Recommended again later" in earlier_page and "confirmed" in earlier_page
    # A later recommendation cannot be linked as "earlier".
    editor.post(url("earlier", pair.earlier_id, pair.recommendation_id), {"decision": "confirmed"})
    assert CrossCycleLink.objects.count() == 1
    # Re-importing (recomputing the suggestions) keeps the decision.
    services.after_import(review_ids=[review(48).pk])
    assert CrossCycleLink.objects.get().decision == "confirmed"


# --- draft recommendations and impact --------------------------------------------------------------


def test_draft_recommendations_are_matched_to_what_states_recommended(personas, cycle4):
    editor = personas.client_for(personas.editor)
    drafts = reverse("submissions:drafts", args=("alpha", personas.engagement.pk))
    target = cycle4.get(text__istartswith="Ratify the 1961 Convention on the Reduction of Statelessness")
    response = editor.post(
        drafts,
        {
            "text": "Ratify the 1961 Convention on the Reduction of Statelessness",
            "responsible_actor": "National Assembly",
            "indicator": "Instrument of accession deposited",
            "timeframe": "by 2027",
            "states_to_ask": [State.objects.get(iso3="CHL").pk],
        },
    )
    assert response.status_code == 302
    draft = DraftRecommendation.objects.get()
    page = editor.get(drafts)
    row = page.context["rows"][0]
    assert row.category == 5 and all(row.smart.values())
    assert target.pk in [m.recommendation.pk for m in row.suggested]
    decide = reverse("submissions:impact_decide", args=("alpha", personas.engagement.pk, draft.pk, target.pk))
    assert editor.post(decide, {"decision": "confirmed"}).status_code == 302
    engagement_page = editor.get(reverse("workplan:engagement", args=("alpha", personas.engagement.pk))).content.decode()
    assert "1 of our 1 asks were taken up by States." in engagement_page
    assert target.recommending_states.first().name in engagement_page
    # Not another coalition's draft, nor a recommendation of another review.
    other = Recommendation.objects.create(review=review(34), source="template", source_key="x", text="Ratify")
    assert (
        editor.post(
            reverse("submissions:impact_decide", args=("alpha", personas.engagement.pk, draft.pk, other.pk)),
            {"decision": "confirmed"},
        ).status_code
        == 404
    )


def test_members_read_drafts_but_only_editors_write(personas):
    drafts = reverse("submissions:drafts", args=("alpha", personas.engagement.pk))
    assert personas.client_for(personas.member).get(drafts).status_code == 200
    assert personas.client_for(personas.member).post(drafts, {"text": "Adopt a law"}).status_code == 403
    assert personas.client_for(personas.editor).post(drafts, {"text": ""}).status_code == 400
    assert not DraftRecommendation.objects.exists()


# --- query counts ----------------------------------------------------------------------------------


def make_recommendations(n: int, states_each: int) -> None:
    from tests.factories import RecommendationFactory

    states = list(State.objects.order_by("pk")[:states_each])
    for _ in range(n):
        RecommendationFactory(review=review(48), states=states)


@pytest.mark.parametrize("n, states_each", [(3, 1), (120, 6)])
def test_list_page_queries_do_not_grow_with_rows_or_states(personas, django_assert_max_num_queries, n, states_each):
    make_recommendations(n, states_each)
    client = personas.client_for(personas.member)
    for r in Recommendation.objects.all()[:10]:
        services.ours_save(coalition=personas.coalition, actor=personas.admin, recommendation=r, priority=True)
    with django_assert_max_num_queries(13):
        response = client.get(url("list"), {"under_review": "SVN", "group": "WEOG"})
    assert response.status_code == 200


@pytest.mark.parametrize("n, states_each", [(2, 1), (40, 8)])
def test_detail_page_queries_do_not_grow(personas, django_assert_max_num_queries, n, states_each):
    make_recommendations(n, states_each)
    first = Recommendation.objects.first()
    for other in Recommendation.objects.exclude(pk=first.pk)[: n // 2]:
        SimilarRecommendation.objects.create(recommendation=first, earlier=other, score=0.5)
    client = personas.client_for(personas.member)
    with django_assert_max_num_queries(14):
        assert client.get(url("detail", first.pk)).status_code == 200


@pytest.mark.parametrize("drafts", [1, 12])
def test_drafts_page_queries_do_not_grow(personas, cycle4, django_assert_max_num_queries, drafts):
    for i in range(drafts):
        DraftRecommendation.objects.create(
            coalition=personas.coalition, engagement=personas.engagement, text=f"Adopt a law on violence against women number {i}"
        )
    client = personas.client_for(personas.member)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("submissions:drafts", args=("alpha", personas.engagement.pk))).status_code == 200


def test_pages_keep_the_filters_and_a_page_past_the_end_shows_the_last(personas, cycle4):
    client = personas.client_for(personas.member)
    last = client.get(url("list"), {"under_review": "SVN", "page": "11"})
    assert last.context["page"].number == 11 and last.content.decode().count("<tr>") == 1 + 4  # header; 254 = 10 x 25 + 4
    assert 'href="?under_review=SVN&amp;page=10"' in last.content.decode()
    beyond = client.get(url("list"), {"under_review": "SVN", "page": "99"})
    assert beyond.context["page"].number == 11 and beyond.context["page"].paginator.count == 254
    assert client.get(url("list"), {"page": "x"}).context["page"].number == 1


def test_a_remembered_search_sees_a_later_response_at_once(personas, cycle4, settings):
    settings.RECOMMENDATION_SEARCH_CACHE_SECONDS = 300
    member = personas.client_for(personas.member)
    assert listed(member, response="noted", q="torture OR violence")[0] == (
        cycle4.filter(response="noted").filter(Q(text__icontains="tortur") | Q(text__icontains="violence")).count()
    )
    before = listed(member, response="noted")[0]
    noted = cycle4.filter(response=Response.NOTED).first()
    services.response_record(
        coalition=personas.coalition,
        actor=operator(personas.editor),
        recommendation=noted,
        response=Response.SUPPORTED,
        source="Mid-term report",
    )
    assert listed(member, response="noted")[0] == before - 1
    # The same search again, unchanged data: answered from the cache, the same figures.
    from django.core.cache import cache

    from recommendations import search

    key = search.cache_key({"response": "noted"})
    assert key and cache.get("fresh:" + key)[1][1] == before - 1  # (the tables it depends on, (ids, total))
    settings.RECOMMENDATION_SEARCH_CACHE_SECONDS = 0
    assert search.cache_key({"response": "noted"}) is None and listed(member, response="noted")[0] == before - 1
