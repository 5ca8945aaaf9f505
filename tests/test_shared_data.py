"""Nothing a coalition does changes what another coalition sees (issue 12, finding 3).

Recommendations, the State's responses and the action categories are shared by every coalition. A
coalition's reading of a response and its own action category live in its own record, shown to it
beside the shared value; shared data changes only through site staff or through an import verified
against the file's own identification (OHCHR's header "UPR of Slovenia (4th Cycle - 48th Session)"
and the report symbol it cites, A/HRC/59/15), previewed, recorded, undoable and announced in the
trail of every coalition that follows the State.

Personas: alpha (admin, editor...) follows Slovenia's session 48; beta's admin is the "outsider"
of the fixtures: a stranger to alpha who set up its own coalition, also following Slovenia.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from coalitions import services as coalition_services
from coalitions.models import AuditEvent
from recommendations.models import CoalitionRecommendation, Recommendation, ResponseRecord, SharedImport
from recommendations.row_import import import_thematic_list
from recommendations.template import HEADER
from upr.models import Review

from .factories import MembershipFactory, UserFactory
from .helpers import CYCLE2, CYCLE4, UPR_INFO_SAMPLE, token_client

pytestmark = pytest.mark.django_db

JSON = "application/json"


def review(session: int) -> Review:
    return Review.objects.get(state__iso3="SVN", session__number=session)


def rows_in_file(path: Path) -> int:
    """The numbered recommendations in OHCHR's table, counted here from the Word file itself."""
    table = docx.Document(str(path)).tables[0]
    return sum(1 for row in table.rows if row.cells[0].text.strip()[:1].isdigit())


def page(name: str, *args: Any, slug: str = "beta") -> str:
    return reverse(f"recommendations:{name}", args=(slug, *args))


def shows(html: str, text: str) -> bool:
    """`text` is on the page (an apostrophe may come escaped or not, as the tag that wrote it does)."""
    return text in html.replace("&#x27;", "'")


def shared_state(review_: Review) -> list[tuple]:
    """Everything about a review's shared recommendations that a coalition reads."""
    return [
        (
            r.pk,
            r.paragraph,
            r.text,
            r.response,
            r.response_source,
            r.action_category,
            r.action_category_status,
            sorted(s.pk for s in r.recommending_states.all()),
            sorted(t.pk for t in r.themes.all()),
            [(h.pk, h.response, h.source) for h in r.response_history.all()],
        )
        for r in Recommendation.objects.filter(review=review_)
        .order_by("pk")
        .prefetch_related("recommending_states", "themes", "response_history")
    ]


@pytest.fixture
def beta(personas):
    """Beta follows Slovenia too (its own engagement in session 48)."""
    coalition_services.engagement_create(coalition=personas.other, actor=personas.outsider, review=review(48))
    return personas.other


@pytest.fixture
def cycle4(personas):
    assert import_thematic_list(str(CYCLE4), review=review(48), source_name=CYCLE4.name).problems == []
    return Recommendation.objects.filter(review=review(48))


@pytest.fixture
def staff(personas):
    """A site operator, admin of beta."""
    user = UserFactory(email="operator@hub.example.org", is_staff=True)
    MembershipFactory(coalition=personas.other, user=user, role="admin")
    return user


def alpha_view(personas, recommendation: Recommendation) -> dict:
    detail = token_client(personas.admin).get(f"/api/c/alpha/recommendations/{recommendation.pk}/").json()
    detail.pop("later", None)
    detail.pop("earlier", None)
    return detail


# --- (a) a coalition's reading of a response -------------------------------------------------------


def test_a_coalitions_response_through_the_api_is_its_own_reading_and_others_see_the_shared_one(personas, beta, cycle4):
    noted = cycle4.filter(response="noted").order_by("pk").first()
    before_alpha, before_shared = alpha_view(personas, noted), shared_state(review(48))
    answer = token_client(personas.outsider).post(
        f"/api/c/beta/recommendations/{noted.pk}/responses/",
        {"response": "supported_in_part", "source": "Mid-term report 2027"},
        content_type=JSON,
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["response"] == "noted"  # the shared value, unchanged
    assert (body["layer"]["reading"], body["layer"]["reading_source"]) == ("supported_in_part", "Mid-term report 2027")
    assert shared_state(review(48)) == before_shared
    assert alpha_view(personas, noted) == before_alpha
    assert alpha_view(personas, noted)["layer"]["reading"] == ""
    assert AuditEvent.objects.filter(coalition=personas.other, action="recommendation.reading").count() == 1
    assert not AuditEvent.objects.filter(coalition=personas.coalition).filter(action__startswith="recommendation.").exists()


def test_a_coalitions_response_through_the_page_is_shown_to_it_beside_the_shared_one(personas, beta, cycle4):
    noted = cycle4.filter(response="noted").order_by("pk").first()
    before = shared_state(review(48))
    beta_client = personas.client_for(personas.outsider)
    answer = beta_client.post(page("response", noted.pk), {"response": "supported_in_part", "source": "Mid-term report"})
    assert answer.status_code == 302
    assert shared_state(review(48)) == before
    shown = beta_client.get(page("detail", noted.pk)).content.decode()
    assert shows(shown, "State's response (OHCHR)</dt>")
    assert shows(shown, 'Your coalition\'s reading: <span class="response response-supported_in_part">Supported in part')
    seen_by_alpha = personas.client_for(personas.admin).get(page("detail", noted.pk, slug="alpha")).content.decode()
    assert not shows(seen_by_alpha, "Your coalition's reading:") and "Mid-term report" not in seen_by_alpha
    assert shows(seen_by_alpha, "State's response (OHCHR)</dt>")


# --- (b) a coalition's action category --------------------------------------------------------------


def test_a_coalitions_action_category_is_its_own_through_api_and_page(personas, beta, cycle4):
    r = cycle4.get(paragraph="140.7")
    before_shared, before_alpha = shared_state(review(48)), alpha_view(personas, r)
    other = 1 if r.action_category != 1 else 2
    answer = token_client(personas.outsider).post(
        f"/api/c/beta/recommendations/{r.pk}/action-category/", {"category": other}, content_type=JSON
    )
    assert answer.status_code == 200
    assert answer.json()["action_category"] == r.action_category and answer.json()["layer"]["action_category"] == other
    assert personas.client_for(personas.outsider).post(page("action_category", r.pk), {"category": 3}).status_code == 302
    assert CoalitionRecommendation.objects.get(coalition=personas.other, recommendation=r).action_category == 3
    assert shared_state(review(48)) == before_shared
    assert alpha_view(personas, r) == before_alpha
    shown = personas.client_for(personas.outsider).get(page("detail", r.pk)).content.decode()
    assert shows(shown, "Your coalition's category: <strong>3</strong>")
    seen_by_alpha = personas.client_for(personas.admin).get(page("detail", r.pk, slug="alpha")).content.decode()
    assert not shows(seen_by_alpha, "Your coalition's category:")


# --- (c) the template CSV --------------------------------------------------------------------------


def template_csv(text: str = "TAMPERED: the State need do nothing") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerow({"paragraph": "140.7", "recommendation": text, "recommending_states": "Chile", "response": "Noted"})
    return out.getvalue().encode()


def upload(client: Client, name: str, content: bytes, session: int, slug: str = "beta", **extra: Any):
    return client.post(
        page("import", slug=slug),
        {"file": SimpleUploadedFile(name, content), "mode": "skip", "review": review(session).pk, **extra},
    )


def test_a_coalitions_template_csv_never_writes_the_shared_recommendations(personas, beta, cycle4):
    before = shared_state(review(48))
    answer = upload(personas.client_for(personas.outsider), "mine.csv", template_csv(), 48)
    assert answer.status_code == 400
    assert "template" in answer.content.decode() and "site staff" in answer.content.decode()
    through_api = token_client(personas.outsider).post(
        "/api/c/beta/recommendations/import/", {"file": SimpleUploadedFile("mine.csv", template_csv()), "review": review(48).pk}
    )
    assert through_api.status_code == 400
    assert shared_state(review(48)) == before
    assert not Recommendation.objects.filter(text__startswith="TAMPERED").exists()
    assert not SharedImport.objects.filter(status="applied").exists()


def test_site_staff_import_the_template_and_every_following_coalition_is_told(personas, beta, cycle4, staff):
    client = personas.client_for(staff)
    preview = upload(client, "mine.csv", template_csv("Adopt a law on the ombudsperson for children"), 48)
    assert preview.status_code == 200 and "1 new" in preview.content.decode()
    assert not Recommendation.objects.filter(source="template").exists()  # the preview changes nothing
    pending = SharedImport.objects.get(status="preview")
    done = client.post(page("import"), {"confirm": pending.pk})
    assert done.status_code == 200
    assert Recommendation.objects.filter(source="template", review=review(48)).count() == 1
    seen = AuditEvent.objects.get(coalition=personas.coalition, action="recommendation.shared_import")
    assert seen.actor is None and seen.changes["file"][1] == "mine.csv"  # the operator is not named to others


# --- (d) an OHCHR file chosen for the wrong review -------------------------------------------------


def test_the_session_48_file_chosen_for_session_20_is_refused_and_163_stays_163(personas, beta):
    assert import_thematic_list(str(CYCLE2), review=review(20), source_name=CYCLE2.name).problems == []
    expected = rows_in_file(CYCLE2)
    assert Recommendation.objects.filter(review=review(20)).count() == expected == 163
    before = shared_state(review(20))
    answer = upload(personas.client_for(personas.outsider), CYCLE4.name, CYCLE4.read_bytes(), 20)
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "session 48" in text and "session 20" in text and "A/HRC/59/15" in text
    assert Recommendation.objects.filter(review=review(20)).count() == 163
    assert shared_state(review(20)) == before
    through_api = token_client(personas.outsider).post(
        "/api/c/beta/recommendations/import/?dry_run=1",
        {"file": SimpleUploadedFile(CYCLE4.name, CYCLE4.read_bytes()), "review": review(20).pk},
    )
    assert through_api.status_code == 400 and "session 48" in str(through_api.json())
    assert Recommendation.objects.filter(review=review(20)).count() == 163


def test_a_verified_import_by_a_coalition_admin_is_previewed_recorded_announced_and_undone(personas, beta):
    from recommendations.models import Theme

    themes_before = Theme.objects.count()
    client = personas.client_for(personas.outsider)
    content = CYCLE4.read_bytes()
    preview = upload(client, CYCLE4.name, content, 48)
    assert preview.status_code == 200
    shown = preview.content.decode()
    assert "254 new" in shown and "A/HRC/59/15" in shown
    assert not Recommendation.objects.exists()  # nothing changed yet
    pending = SharedImport.objects.get(status="preview")
    # Another coalition's admin cannot confirm beta's pending import: alpha is told it does not exist.
    assert personas.client_for(personas.admin).post(page("import", slug="alpha"), {"confirm": pending.pk}).status_code == 404
    assert not Recommendation.objects.exists()
    done = client.post(page("import"), {"confirm": pending.pk})
    assert done.status_code == 200 and "254 recommendations: 217 supported, 37 noted" in done.content.decode()
    record = SharedImport.objects.get(pk=pending.pk)
    assert record.status == "applied" and record.sha256 == hashlib.sha256(content).hexdigest()
    assert (record.created, record.updated, record.actor, record.review) == (254, 0, personas.outsider, review(48))
    assert Recommendation.objects.filter(review=review(48)).count() == 254
    # Alpha follows Slovenia: its trail says the shared recommendations changed, without naming who.
    seen = AuditEvent.objects.get(coalition=personas.coalition, action="recommendation.shared_import")
    assert seen.actor is None and "254" in seen.changes["result"][1]
    trail = personas.client_for(personas.admin).get(reverse("coalitions:audit", args=["alpha"])).content.decode()
    assert CYCLE4.name in trail
    undone = client.post(page("import_undo", record.pk))
    assert undone.status_code == 302
    assert not Recommendation.objects.exists()
    assert Theme.objects.count() == themes_before  # the themes the file named first are gone with it
    assert SharedImport.objects.get(pk=record.pk).status == "undone"
    assert AuditEvent.objects.filter(coalition=personas.coalition, action="recommendation.shared_undo").count() == 1


def edited_copy(tmp_path: Path, paragraph: str, *, position: str, text: str) -> Path:
    """The cycle-4 file with one recommendation's position and text changed, as a corrected file would."""
    document = docx.Document(str(CYCLE4))
    row = next(r for r in document.tables[0].rows if r.cells[0].text.startswith(paragraph + " "))
    row.cells[1].paragraphs[0].text = position
    first = row.cells[0].paragraphs[0]
    first.text = first.text.replace("Ratify", text, 1)
    path = tmp_path / "corrected.docx"
    document.save(str(path))
    return path


def test_undo_restores_changed_responses_and_texts_exactly(personas, beta, cycle4, tmp_path):
    r = cycle4.get(paragraph="140.7")
    assert r.response == "supported"
    before = shared_state(review(48))
    corrected = edited_copy(tmp_path, "140.7", position="Noted", text="Consider ratifying")
    client = personas.client_for(personas.outsider)
    preview = upload(client, "corrected.docx", corrected.read_bytes(), 48)
    assert preview.status_code == 200 and "1 updated" in preview.content.decode()
    assert shared_state(review(48)) == before
    client.post(page("import"), {"confirm": SharedImport.objects.get(status="preview").pk})
    r.refresh_from_db()
    assert r.response == "noted" and r.text.startswith("Consider ratifying")
    client.post(page("import_undo", SharedImport.objects.get(status="applied").pk))
    assert shared_state(review(48)) == before


def test_the_api_previews_with_dry_run_then_imports_and_undoes(personas, beta):
    client = token_client(personas.outsider)
    dry = client.post(
        "/api/c/beta/recommendations/import/?dry_run=1",
        {"file": SimpleUploadedFile(CYCLE4.name, CYCLE4.read_bytes()), "review": review(48).pk},
    )
    assert dry.status_code == 200 and dry.json()["created"] == 254 and dry.json()["status"] == "preview"
    assert not Recommendation.objects.exists()
    done = client.post(
        "/api/c/beta/recommendations/import/",
        {"file": SimpleUploadedFile(CYCLE4.name, CYCLE4.read_bytes()), "review": review(48).pk},
    )
    assert done.status_code == 201 and done.json()["status"] == "applied"
    assert Recommendation.objects.filter(review=review(48)).count() == 254
    listed = token_client(personas.admin).get("/api/c/alpha/recommendations/imports/").json()
    assert [i["file_name"] for i in listed] == [CYCLE4.name] and listed[0]["can_undo"] is False
    # Alpha may see the import (it follows Slovenia) but not undo beta's.
    assert token_client(personas.admin).post(f"/api/c/alpha/recommendations/imports/{done.json()['id']}/undo/").status_code == 404
    undone = client.post(f"/api/c/beta/recommendations/imports/{done.json()['id']}/undo/")
    assert undone.status_code == 200 and undone.json()["status"] == "undone"
    assert not Recommendation.objects.exists()


# --- operators -------------------------------------------------------------------------------------


def test_site_staff_record_a_shared_response_that_every_following_coalition_is_told(personas, beta, cycle4, staff):
    noted = cycle4.filter(response="noted").order_by("pk").first()
    refused = token_client(personas.outsider).post(
        f"/api/c/beta/recommendations/{noted.pk}/responses/",
        {"response": "supported", "source": "HRC 62", "shared": True},
        content_type=JSON,
    )
    assert refused.status_code == 403
    answer = token_client(staff).post(
        f"/api/c/beta/recommendations/{noted.pk}/responses/",
        {"response": "supported", "source": "A/HRC/59/15/Add.1", "shared": True},
        content_type=JSON,
    )
    assert answer.status_code == 201 and answer.json()["response"] == "supported"
    assert alpha_view(personas, noted)["response"] == "supported"
    told = AuditEvent.objects.get(coalition=personas.coalition, action="recommendation.shared_response")
    assert told.actor is None
    assert ResponseRecord.objects.filter(recommendation=noted).count() == 2


# --- tenancy ---------------------------------------------------------------------------------------


def test_an_outsider_gets_404_on_the_new_pages_and_endpoints(personas, beta, cycle4):
    client = personas.client_for(personas.outsider)
    done = token_client(personas.admin).post(
        "/api/c/alpha/recommendations/import/",
        {"file": SimpleUploadedFile(CYCLE4.name, CYCLE4.read_bytes()), "review": review(48).pk},
    )
    record = done.json()["id"]
    assert client.post(page("import_undo", record, slug="alpha")).status_code == 404
    assert client.get(page("import", slug="alpha")).status_code == 404
    outsider = token_client(personas.outsider)
    assert outsider.get("/api/c/alpha/recommendations/imports/").status_code == 404
    assert outsider.post(f"/api/c/alpha/recommendations/imports/{record}/undo/").status_code == 404
    assert outsider.post("/api/c/alpha/recommendations/import/?dry_run=1").status_code == 404
    assert SharedImport.objects.get(pk=record).status == "applied"


# --- query counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("layers", [1, 30])
def test_the_detail_page_with_a_reading_and_category_keeps_its_query_count(
    personas, beta, cycle4, layers, django_assert_max_num_queries
):
    from recommendations import services

    picked = list(cycle4.order_by("pk")[:layers])
    for r in picked:
        services.ours_save(
            coalition=personas.other,
            actor=personas.outsider,
            recommendation=r,
            reading="supported_in_part",
            reading_source="Mid-term",
            action_category=2,
        )
    client = personas.client_for(personas.outsider)
    client.get(page("detail", picked[-1].pk))
    with django_assert_max_num_queries(15):
        assert client.get(page("detail", picked[-1].pk)).status_code == 200


@pytest.mark.parametrize("imports", [1, 6])
def test_the_import_page_keeps_its_query_count_with_the_log_of_shared_imports(
    personas, beta, imports, django_assert_max_num_queries
):
    for n in range(imports):
        SharedImport.objects.create(
            review=review(48),
            coalition=personas.other,
            actor=personas.outsider,
            file_name=f"list-{n}.docx",
            sha256="0" * 64,
            status="applied",
            created=n,
        )
    client = personas.client_for(personas.outsider)
    client.get(page("import"))
    with django_assert_max_num_queries(14):
        answer = client.get(page("import"))
    assert answer.status_code == 200 and f"list-{imports - 1}.docx" in answer.content.decode()


# --- the list: the coalition's reading beside the shared response, and its filter -------------------


def test_the_list_shows_and_filters_by_the_coalitions_own_reading_only_for_it(personas, beta, cycle4):
    from recommendations import services

    noted = cycle4.filter(response="noted").order_by("pk").first()
    services.reading_record(
        coalition=personas.other,
        actor=personas.outsider,
        recommendation=noted,
        response="supported_in_part",
        source="Mid-term report",
    )
    beta_list = personas.client_for(personas.outsider).get(page("list"), {"reading": "supported_in_part"})
    assert beta_list.context["page"].paginator.count == 1
    assert shows(beta_list.content.decode(), "your coalition's reading\">· Supported in part</span>")
    alpha_client = personas.client_for(personas.admin)
    assert alpha_client.get(page("list", slug="alpha"), {"reading": "supported_in_part"}).context["page"].paginator.count == 0
    assert 'class="ours"' not in alpha_client.get(page("list", slug="alpha"), {"under_review": "SVN"}).content.decode()
    through_api = token_client(personas.outsider).get("/api/c/beta/recommendations/", {"reading": "supported_in_part"}).json()
    assert [r["id"] for r in through_api["results"]] == [noted.pk]
    assert through_api["results"][0]["layer"]["reading"] == "supported_in_part"


@pytest.mark.parametrize("layers", [1, 25])
def test_the_list_page_with_readings_keeps_its_query_count(personas, beta, cycle4, layers, django_assert_max_num_queries):
    from recommendations import services

    for r in cycle4.order_by("pk")[:layers]:
        services.reading_record(
            coalition=personas.other,
            actor=personas.outsider,
            recommendation=r,
            response="supported_in_part",
            source="Mid-term report",
        )
    client = personas.client_for(personas.outsider)
    client.get(page("list"))
    with django_assert_max_num_queries(13):
        answer = client.get(page("list"), {"reading": "supported_in_part"})
    assert answer.context["page"].paginator.count == layers


# --- UPR Info's export, the operator's command, and what undo refuses -------------------------------


def test_an_upr_info_export_is_checked_row_by_row_against_the_chosen_review(personas, beta):
    client = personas.client_for(personas.outsider)
    wrong = upload(client, UPR_INFO_SAMPLE.name, UPR_INFO_SAMPLE.read_bytes(), 48)
    assert wrong.status_code == 400
    assert shows(wrong.content.decode(), "has no row for Slovenia, session 48")
    assert shows(wrong.content.decode(), "Slovenia, session 20 (cycle 2): 180 rows")
    assert not Recommendation.objects.exists() and not SharedImport.objects.exists()
    right = upload(client, UPR_INFO_SAMPLE.name, UPR_INFO_SAMPLE.read_bytes(), 20)
    assert right.status_code == 200 and "180 new" in right.content.decode()
    assert not Recommendation.objects.exists()  # a preview
    client.post(page("import"), {"confirm": SharedImport.objects.get(status="preview").pk})
    assert Recommendation.objects.filter(review=review(20)).count() == 180
    assert not Recommendation.objects.exclude(review=review(20)).exists()  # the other sessions' rows left out


def test_the_operators_command_refuses_a_file_for_another_review_unless_forced(personas):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="session 48 .* but you chose Slovenia, session 20"):
        call_command("import_recommendations", str(CYCLE4), "--review", "SVN-20")
    assert not Recommendation.objects.exists()
    call_command("import_recommendations", str(CYCLE4), "--review", "SVN-48")
    assert Recommendation.objects.filter(review=review(48)).count() == 254
    # --force: the operator's own decision to overrule the check.
    call_command("import_recommendations", str(CYCLE4), "--review", "SVN-20", "--force")
    assert Recommendation.objects.filter(review=review(20)).count() == 254


def test_undo_waits_for_a_later_import_and_spares_a_matrix_that_follows_the_rows(personas, beta, tmp_path):
    from implementation import services as implementation_services

    client = personas.client_for(personas.outsider)
    upload(client, CYCLE4.name, CYCLE4.read_bytes(), 48)
    client.post(page("import"), {"confirm": SharedImport.objects.get(status="preview").pk})
    first = SharedImport.objects.get(status="applied")
    corrected = edited_copy(tmp_path, "140.7", position="Noted", text="Consider ratifying")
    upload(client, "corrected.docx", corrected.read_bytes(), 48)
    client.post(page("import"), {"confirm": SharedImport.objects.get(status="preview").pk})
    second = SharedImport.objects.get(status="applied", file_name="corrected.docx")
    refused = client.post(page("import_undo", first.pk), follow=True)
    assert shows(refused.content.decode(), "A later import changed the same review (corrected.docx): undo it first.")
    assert Recommendation.objects.count() == 254
    client.post(page("import_undo", second.pk))
    assert Recommendation.objects.get(paragraph="140.7").response == "supported"
    # Alpha builds its implementation matrix on the imported rows: beta can no longer remove them.
    implementation_services.matrix_build(engagement=personas.engagement, actor=personas.admin, scheme="ohchr")
    kept = client.post(page("import_undo", first.pk), follow=True)
    assert shows(kept.content.decode(), "An implementation matrix already follows recommendations this import added")
    assert Recommendation.objects.count() == 254 and SharedImport.objects.get(pk=first.pk).status == "applied"


# --- the API's query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("imports", [1, 8])
def test_the_api_log_of_imports_keeps_its_query_count(personas, beta, imports, django_assert_max_num_queries):
    for n in range(imports):
        SharedImport.objects.create(
            review=review(48),
            coalition=personas.other,
            actor=personas.outsider,
            file_name=f"list-{n}.docx",
            sha256="0" * 64,
            status="applied",
        )
    client = token_client(personas.admin)
    client.get("/api/c/alpha/recommendations/imports/")
    with django_assert_max_num_queries(8):
        listed = client.get("/api/c/alpha/recommendations/imports/").json()
    assert len(listed) == imports and not any(i["can_undo"] for i in listed)


@pytest.mark.parametrize("layers", [1, 30])
def test_the_api_list_and_detail_with_readings_keep_their_query_counts(
    personas, beta, cycle4, layers, django_assert_max_num_queries
):
    from recommendations import services

    picked = list(cycle4.order_by("pk")[:layers])
    for r in picked:
        services.ours_save(
            coalition=personas.other,
            actor=personas.outsider,
            recommendation=r,
            reading="noted",
            reading_source="Mid-term",
            action_category=2,
        )
    client = token_client(personas.outsider)
    client.get("/api/c/beta/recommendations/")
    with django_assert_max_num_queries(10):
        listed = client.get("/api/c/beta/recommendations/", {"reading": "noted"}).json()
    assert listed["count"] == layers
    with django_assert_max_num_queries(14):
        detail = client.get(f"/api/c/beta/recommendations/{picked[-1].pk}/").json()
    assert (detail["layer"]["reading"], detail["layer"]["action_category"]) == ("noted", 2)


def test_the_operators_command_import_is_announced_to_every_following_coalition(personas, beta):
    from django.core.management import call_command

    call_command("import_recommendations", str(CYCLE4), "--review", "SVN-48")
    for coalition in (personas.coalition, personas.other):
        told = AuditEvent.objects.get(coalition=coalition, action="recommendation.shared_import")
        assert told.actor is None and told.changes["file"][1] == CYCLE4.name
    record = SharedImport.objects.get()
    assert (record.by_staff, record.created, record.sha256) == (True, 254, hashlib.sha256(CYCLE4.read_bytes()).hexdigest())
    assert token_client(personas.outsider).post(f"/api/c/beta/recommendations/imports/{record.pk}/undo/").status_code == 404
