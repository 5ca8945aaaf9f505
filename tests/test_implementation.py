"""The implementation matrix: built from a review's recommendations, clusters owned by working
groups, rows edited without losing a concurrent edit, assessments with private evidence, dashboards."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalitions.models import Membership
from implementation import services
from implementation.models import Assessment, Cluster, Evidence, Matrix, MatrixRow
from implementation.selectors import dashboard

from .factories import RecommendationFactory
from .helpers import PDF, clustered_recommendations, token_client

pytestmark = pytest.mark.django_db


def url(personas, suffix: str = "") -> str:
    return f"/c/alpha/engagements/{personas.engagement.pk}/matrix/{suffix}"


def build(personas, scheme: str = "ohchr") -> Matrix:
    response = personas.client_for(personas.admin).post(url(personas, "build/"), {"scheme": scheme})
    assert response.status_code == 302
    return Matrix.objects.get(engagement=personas.engagement)


def assess(client, personas, row, **data):
    return client.post(
        url(personas, f"rows/{row.pk}/assess/"),
        {
            "assessed_on": "2027-06-30",
            "law": "full",
            "policy": "partial",
            "practice": "not",
            "narrative": "A law passed",
            "shared": "on",
            **data,
        },
    )


def test_the_secretariat_builds_the_matrix_in_ohchrs_clusters_one_row_per_recommendation(personas):
    made = clustered_recommendations(personas, 6)
    assert personas.client_for(personas.editor).post(url(personas, "build/"), {"scheme": "ohchr"}).status_code == 403
    page = personas.client_for(personas.admin).get(url(personas)).content.decode()
    assert "Build the matrix" in page
    matrix = build(personas)
    assert MatrixRow.objects.filter(matrix=matrix).count() == 6  # supported and noted alike
    assert list(matrix.clusters.values_list("name", flat=True)) == ["Members of minorities", "Right to health", "Other"]
    assert MatrixRow.objects.get(recommendation=made[3]).cluster.name == "Other"
    again = personas.client_for(personas.admin).post(url(personas, "build/"), {"scheme": "ohchr"}, follow=True)
    assert "has its matrix already" in again.content.decode() and Matrix.objects.count() == 1
    page = personas.client_for(personas.observer).get(url(personas)).content.decode()
    assert made[0].paragraph in page and "Not assessed" in page


def test_without_recommendations_the_matrix_is_not_built_and_the_page_says_why(personas):
    response = personas.client_for(personas.admin).post(url(personas, "build/"), {"scheme": "ohchr"}, follow=True)
    assert "import them first" in response.content.decode() and not Matrix.objects.exists()


def test_the_four_pillars_scheme_and_moving_rows(personas):
    clustered_recommendations(personas, 4)
    matrix = build(personas, "pillars")
    names = list(matrix.clusters.values_list("name", flat=True))
    assert names == [
        "Legal and institutional reforms",
        "Civil and political rights",
        "Economic, social and cultural rights",
        "Group rights",
    ]
    rows = list(MatrixRow.objects.filter(matrix=matrix).values_list("pk", flat=True))
    group_rights = Cluster.objects.get(matrix=matrix, name="Group rights")
    admin = personas.client_for(personas.admin)
    assert admin.post(url(personas, "move/"), {"row": rows[:2], "to": group_rights.pk}).status_code == 302
    assert MatrixRow.objects.filter(cluster=group_rights).count() == 2
    assert (
        personas.client_for(personas.editor).post(url(personas, "move/"), {"row": rows, "to": group_rights.pk}).status_code == 403
    )


def test_a_working_group_edits_the_rows_of_its_clusters_only(personas):
    clustered_recommendations(personas)
    matrix = build(personas)
    minorities = Cluster.objects.get(matrix=matrix, name="Members of minorities")
    admin = personas.client_for(personas.admin)
    response = admin.post(
        url(personas, "clusters/"), {"cluster": minorities.pk, "name": minorities.name, "working_group": personas.group.pk}
    )
    assert response.status_code == 302 and Cluster.objects.get(pk=minorities.pk).working_group == personas.group
    ours = MatrixRow.objects.filter(cluster=minorities).first()
    theirs = MatrixRow.objects.exclude(cluster=minorities).first()
    member = personas.client_for(personas.member)  # a member of the Equality group (role: member)
    data = {
        "cluster": minorities.pk,
        "lead_body": "Office for National Minorities",
        "base_version": 1,
        "indicators-TOTAL_FORMS": 1,
        "indicators-INITIAL_FORMS": 0,
        "indicators-0-measure": "Settlements with water",
        "indicators-0-baseline": "71%",
        "indicators-0-target": "100%",
        "indicators-0-sdg": "6.1.1",
        "actions-TOTAL_FORMS": 1,
        "actions-INITIAL_FORMS": 0,
        "actions-0-what": "Map the settlements",
    }
    assert member.post(url(personas, f"rows/{ours.pk}/"), data).status_code == 302
    ours.refresh_from_db()
    assert ours.lead_body == "Office for National Minorities" and ours.version == 2
    assert ours.indicators.get().sdg == "6.1.1" and ours.support_actions.get().what == "Map the settlements"
    # A cluster nobody owns: editors only; another cluster's rows: not the member.
    assert member.post(url(personas, f"rows/{theirs.pk}/"), {**data, "cluster": theirs.cluster_id}).status_code == 403
    assert personas.client_for(personas.observer).post(url(personas, f"rows/{ours.pk}/"), data).status_code == 403
    bad = member.post(url(personas, f"rows/{ours.pk}/"), {**data, "base_version": 2, "indicators-0-sdg": "six"})
    assert bad.status_code == 400 and MatrixRow.objects.get(pk=ours.pk).version == 2


def test_two_edits_of_a_row_at_once_never_lose_either_silently(personas):
    clustered_recommendations(personas)
    matrix = build(personas)
    row = MatrixRow.objects.filter(matrix=matrix).first()
    base = {
        "cluster": row.cluster_id,
        "base_version": 1,
        "indicators-TOTAL_FORMS": 0,
        "indicators-INITIAL_FORMS": 0,
        "actions-TOTAL_FORMS": 0,
        "actions-INITIAL_FORMS": 0,
    }
    admin, editor = personas.client_for(personas.admin), personas.client_for(personas.editor)
    assert admin.post(url(personas, f"rows/{row.pk}/"), {**base, "lead_body": "Ministry of Justice"}).status_code == 302
    stale = editor.post(url(personas, f"rows/{row.pk}/"), {**base, "lead_body": "Ministry of Labour"})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Ministry of Justice" in page and "Ministry of Labour" in page  # theirs shown, mine kept in the form
    assert MatrixRow.objects.get(pk=row.pk).lead_body == "Ministry of Justice"
    # Saving again from the page (it now names the version seen) keeps the second edit, knowingly.
    assert (
        editor.post(url(personas, f"rows/{row.pk}/"), {**base, "base_version": 2, "lead_body": "Ministry of Labour"}).status_code
        == 302
    )
    assert MatrixRow.objects.get(pk=row.pk).lead_body == "Ministry of Labour"


def test_assessments_keep_a_history_with_private_evidence_and_the_matrix_shows_the_move(personas):
    clustered_recommendations(personas)
    matrix = build(personas)
    row = MatrixRow.objects.filter(matrix=matrix).first()
    admin = personas.client_for(personas.admin)
    first = assess(admin, personas, row, assessed_on="2026-01-15", law="not", policy="not", practice="not")
    assert first.status_code == 302 and Assessment.objects.get().light == "red"
    report = SimpleUploadedFile("ombudsperson report.pdf", PDF, content_type="application/pdf")
    second = assess(
        admin,
        personas,
        row,
        evidence_title="Annual report",
        evidence_source="Ombudsperson",
        evidence_dated="2027-05-01",
        evidence_file=report,
    )
    assert second.status_code == 302
    row.refresh_from_db()
    assert row.latest.light == "orange" and row.previous_light == "red" and row.movement == "up"
    evidence = Evidence.objects.get()
    assert evidence.filename == "ombudsperson-report.pdf" and evidence.content_type == "application/pdf"
    download = personas.client_for(personas.member).get(f"/c/alpha/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert personas.client_for(personas.outsider).get(f"/c/alpha/evidence/{evidence.pk}/").status_code == 404
    page = personas.client_for(personas.observer).get(url(personas)).content.decode()
    assert "Orange: partly implemented" in page and "better" in page
    # A backdated assessment joins the history without becoming the latest.
    assess(admin, personas, row, assessed_on="2025-12-01", law="full", policy="full", practice="full")
    row.refresh_from_db()
    assert row.latest.assessed_on == dt.date(2027, 6, 30) and Assessment.objects.count() == 3


def test_observers_see_only_shared_assessments_and_their_evidence(personas):
    clustered_recommendations(personas)
    matrix = build(personas)
    row = MatrixRow.objects.filter(matrix=matrix).first()
    admin = personas.client_for(personas.admin)
    assess(
        admin,
        personas,
        row,
        narrative="Source at risk",
        shared="",
        evidence_title="Testimony",
        evidence_source="Interview",
        evidence_dated="2027-05-01",
        evidence_file=SimpleUploadedFile("t.txt", b"Witness statement"),
    )
    # "Shared with observers" unticked: members only.
    evidence = Evidence.objects.get()
    observer = personas.client_for(personas.observer)
    assert "Source at risk" not in observer.get(url(personas, f"rows/{row.pk}/")).content.decode()
    assert "Not assessed" in observer.get(url(personas)).content.decode()
    assert observer.get(f"/c/alpha/evidence/{evidence.pk}/").status_code == 404
    assert "Source at risk" in personas.client_for(personas.member).get(url(personas, f"rows/{row.pk}/")).content.decode()


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("report.pdf", b"MZ\x90\x00 this is a program", "does not match its name"),
        ("photo.gif", b"GIF89a....", "not one we keep"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", PDF + b"0" * 2048, "larger than"),
    ],
)
def test_a_wrong_file_is_refused_with_the_reason_and_nothing_is_saved(personas, settings, name, content, problem):
    settings.EVIDENCE_MAX_BYTES = 1024 if name == "big.pdf" else settings.EVIDENCE_MAX_BYTES
    clustered_recommendations(personas)
    matrix = build(personas)
    row = MatrixRow.objects.filter(matrix=matrix).first()
    response = assess(
        personas.client_for(personas.admin),
        personas,
        row,
        evidence_title="X",
        evidence_source="Y",
        evidence_dated="2027-05-01",
        evidence_file=SimpleUploadedFile(name, content),
    )
    assert response.status_code == 400 and problem in response.content.decode()
    assert "A law passed" in response.content.decode()  # what was typed stays
    assert not Assessment.objects.exists() and not Evidence.objects.exists()


def test_evidence_checks_office_files_by_their_content():
    from implementation import evidence

    buffer = io.BytesIO()
    import docx

    docx.Document().save(buffer)
    upload = SimpleUploadedFile("minutes.docx", buffer.getvalue())
    assert evidence.checked(upload)[0].endswith("wordprocessingml.document")
    with pytest.raises(Exception, match="does not match"):
        evidence.checked(SimpleUploadedFile("minutes.docx", b"PK\x03\x04not really a zip"))


def test_the_dashboard_counts_by_position_cluster_body_and_month(personas):
    clustered_recommendations(personas, 4)  # two supported, two noted
    matrix = build(personas)
    rows = list(MatrixRow.objects.filter(matrix=matrix).select_related("recommendation").order_by("id"))
    membership = Membership.objects.get(user=personas.admin, coalition=personas.coalition)
    services.assessment_add(
        row=rows[0],
        membership=membership,
        data={"assessed_on": dt.date(2027, 1, 10), "law": "full", "policy": "full", "practice": "full", "light": "green"},
    )
    services.assessment_add(
        row=rows[1],
        membership=membership,
        data={"assessed_on": dt.date(2027, 2, 10), "law": "partial", "policy": "not", "practice": "not", "light": "orange"},
    )
    services.assessment_add(
        row=rows[2],
        membership=membership,
        data={"assessed_on": dt.date(2027, 2, 11), "law": "not", "policy": "not", "practice": "not", "light": "red"},
    )
    board = dashboard(matrix=matrix, membership=membership)
    assert (board.overall.total, board.overall.implemented, board.overall.percent) == (4, 2, 50)
    by_response = {r.label: (r.total, r.implemented) for r in board.by_response}
    assert by_response == {"Supported": (2, 1), "Noted": (2, 1)}
    assert [(day.isoformat(), rate.implemented) for day, rate in board.over_time] == [("2027-01-31", 1), ("2027-02-28", 2)]
    page = personas.client_for(personas.member).get(url(personas, "dashboard/")).content.decode()
    assert "50% implemented fully or partly" in page and "Members of minorities" in page


@pytest.mark.parametrize("page", ["", "dashboard/", "rows/{row}/", "clusters/", "export.csv"])
def test_matrix_pages_cost_the_same_queries_whatever_the_rows_and_assessments(personas, page):
    clustered_recommendations(personas, 3)
    matrix = build(personas)
    membership = Membership.objects.get(user=personas.admin, coalition=personas.coalition)
    first = MatrixRow.objects.filter(matrix=matrix).order_by("id").first()
    admin = personas.client_for(personas.admin)
    days = iter(dt.date(2026, 1, 1) + dt.timedelta(days=n * 20) for n in range(100))

    def grow(assessments: int) -> None:
        for row in MatrixRow.objects.filter(matrix=matrix):
            for _ in range(assessments):
                services.assessment_add(
                    row=row,
                    membership=membership,
                    data={"assessed_on": next(days), "law": "partial", "policy": "not", "practice": "not", "light": "orange"},
                    links=[{"title": "Link", "source": "Ministry", "dated": dt.date(2026, 1, 1), "url": "https://example.org/r"}],
                )

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url(personas, page.format(row=first.pk))).status_code == 200
        return len(queries)

    grow(1)
    small = cost()
    for n, extra in enumerate(clustered_recommendations(personas, 4)):
        cluster = services.cluster_save(matrix=matrix, actor=personas.admin, name=f"Added {n}", working_group=personas.group)
        MatrixRow.objects.create(coalition=personas.coalition, matrix=matrix, recommendation=extra, cluster=cluster)
    grow(2)
    assert cost() == small


def test_the_matrix_exports_read_back_in_every_format(personas):
    import csv

    import docx
    import openpyxl
    import pypdf

    made = clustered_recommendations(personas, 4)
    made[0].text = "=HYPERLINK(evil) Adopt a law on water"
    made[0].save()
    build(personas)
    row = MatrixRow.objects.get(recommendation=made[0])
    admin = personas.client_for(personas.admin)
    assess(admin, personas, row, narrative="The water act passed in 2026")
    row.refresh_from_db()

    document = docx.Document(io.BytesIO(admin.get(url(personas, "export.docx")).content))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "Recommendation",
        "Position",
        "Full list of themes",
        "Assessment/comments on level of implementation",
    ]
    texts = [[c.text for c in r.cells] for r in table.rows]
    assert any(t[0] == "Theme: Members of minorities" for t in texts)
    ours = next(t for t in texts if made[0].paragraph in t[0])
    assert ours[1] == "Supported" and "Orange: partly implemented" in ours[3] and "The water act passed" in ours[3]
    assert "Law: fully implemented; policy: partially implemented; practice: not implemented." in ours[3]
    assert len([t for t in texts if not t[0].startswith("Theme:")]) == 5  # the heading row and four recommendations
    assert document.core_properties.author == ""

    sheet = openpyxl.load_workbook(io.BytesIO(admin.get(url(personas, "export.xlsx")).content)).active
    values = list(sheet.values)
    assert values[0][:2] == ("Paragraph", "Recommendation") and len(values) == 5
    assert any(v[1] == "=HYPERLINK(evil) Adopt a law on water" for v in values)  # its text, in a string cell
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)  # never a formula

    lines = list(csv.reader(io.StringIO(admin.get(url(personas, "export.csv")).content.decode("utf-8-sig"))))
    assert len(lines) == 5 and "The water act passed in 2026" in lines[1] + lines[2] + lines[3] + lines[4]

    pdf = pypdf.PdfReader(io.BytesIO(admin.get(url(personas, "export.pdf")).content))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Implementation scorecard" in text and "Orange: partly implemented" in text and "Members of minorities" in text
    assert admin.get(url(personas, "export.exe")).status_code == 404


def test_the_mid_term_report_is_made_from_the_matrix_in_the_drafting_engine(personas):
    from submissions.models import Document

    made = clustered_recommendations(personas, 4)
    matrix = build(personas)
    minorities = Cluster.objects.get(matrix=matrix, name="Members of minorities")
    Cluster.objects.filter(pk=minorities.pk).update(working_group=personas.group)
    row = MatrixRow.objects.get(recommendation=made[0])
    row.support_actions.create(coalition=personas.coalition, what="Trained 40 Roma mediators", who="RYN", when="2026")
    admin = personas.client_for(personas.admin)
    assess(admin, personas, row, narrative="Water reached 12 more settlements")
    assert personas.client_for(personas.member).post(url(personas, "midterm/")).status_code == 403
    response = admin.post(url(personas, "midterm/"))
    document = Document.objects.get(kind="mid_term_report")
    assert response.status_code == 302 and response["Location"].endswith(f"/documents/{document.pk}/")
    sections = list(document.sections.order_by("position"))
    titles = [s.title for s in sections]
    assert titles == [
        "Methodology",
        "Members of minorities",
        "Right to health",
        "Other",
        "The coalition's contributions",
        "Recommendations for the next cycle",
    ]
    chapter = sections[1]
    assert chapter.working_group == personas.group and "Water reached 12 more settlements" in chapter.body
    assert "<table>" in chapter.body and "Orange: partly implemented" in chapter.body and chapter.counted_words > 0
    assert "Trained 40 Roma mediators" in sections[4].body
    assert "As previously recommended" in sections[5].body and "4 recommendations" in sections[0].body
    # An ordinary document from here: the working group edits its chapter.
    page = personas.client_for(personas.member).get(f"/c/alpha/documents/{document.pk}/")
    assert page.status_code == 200 and "Members of minorities" in page.content.decode()


def test_the_next_review_carries_forward_what_was_not_implemented(personas):
    from coalitions import services as coalition_services
    from submissions.models import DraftRecommendation
    from upr.models import Review

    # The matrix of the review of 2019 (session 34); the engagement of 2025 (session 48) asks again.
    earlier_review = Review.objects.get(state__iso3="SVN", session__number=34)
    earlier = coalition_services.engagement_create(coalition=personas.coalition, actor=personas.admin, review=earlier_review)
    done, not_done, unassessed = (
        RecommendationFactory(review=earlier_review, thematic_cluster="Right to health") for _ in range(3)
    )
    matrix = services.matrix_build(engagement=earlier, actor=personas.admin, scheme="ohchr")
    membership = Membership.objects.get(user=personas.admin, coalition=personas.coalition)
    for recommendation, light in ((done, "green"), (not_done, "red")):
        services.assessment_add(
            row=MatrixRow.objects.get(matrix=matrix, recommendation=recommendation),
            membership=membership,
            data={"assessed_on": dt.date(2023, 5, 1), "light": light, "narrative": f"Assessed {light}", "shared": True},
        )
    editor = personas.client_for(personas.editor)
    page = editor.get(f"/c/alpha/engagements/{personas.engagement.pk}/carry-forward/").content.decode()
    assert not_done.text in page and unassessed.text in page and done.text not in page
    row = MatrixRow.objects.get(matrix=matrix, recommendation=not_done)
    assert editor.post(f"/c/alpha/engagements/{personas.engagement.pk}/carry-forward/", {"row": [row.pk]}).status_code == 302
    draft = DraftRecommendation.objects.get(engagement=personas.engagement)
    assert draft.follows_up == not_done and draft.text.startswith("As previously recommended (")
    page = editor.get(f"/c/alpha/engagements/{personas.engagement.pk}/carry-forward/").content.decode()
    assert not_done.text not in page  # offered once
    # The same through the API.
    api = token_client(personas.editor)
    offered = api.get(f"/api/c/alpha/engagements/{personas.engagement.pk}/carry-forward/").json()
    unassessed_row = MatrixRow.objects.get(matrix=matrix, recommendation=unassessed)
    assert [r["id"] for r in offered] == [unassessed_row.pk]
    made = api.post(
        f"/api/c/alpha/engagements/{personas.engagement.pk}/carry-forward/",
        {"rows": [unassessed_row.pk]},
        content_type="application/json",
    )
    assert made.status_code == 201 and len(made.json()["drafts"]) == 1
    assert (
        token_client(personas.member)
        .post(f"/api/c/alpha/engagements/{personas.engagement.pk}/carry-forward/", {"rows": []}, content_type="application/json")
        .status_code
        == 403
    )
    # The new submission's annex of the previous review's matrix carries the latest assessments.
    from implementation.annex import matrix_annex_add
    from submissions import services as document_services

    doc = document_services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title="Joint",
        lead_organisation=personas.organisation,
    )
    annex = matrix_annex_add(document=doc, actor=personas.admin)
    assert "Red: not implemented. " in annex.body and "Assessed red" in annex.body and "Assessed green" in annex.body


def test_the_carry_forward_page_costs_the_same_queries_whatever_the_rows(personas):
    from coalitions import services as coalition_services
    from upr.models import Review

    earlier_review = Review.objects.get(state__iso3="SVN", session__number=34)
    earlier = coalition_services.engagement_create(coalition=personas.coalition, actor=personas.admin, review=earlier_review)
    RecommendationFactory(review=earlier_review)
    matrix = services.matrix_build(engagement=earlier, actor=personas.admin, scheme="custom")
    editor = personas.client_for(personas.editor)
    page = f"/c/alpha/engagements/{personas.engagement.pk}/carry-forward/"

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert editor.get(page).status_code == 200
        return len(queries)

    small = cost()
    for _ in range(5):
        MatrixRow.objects.create(
            coalition=personas.coalition,
            matrix=matrix,
            cluster=matrix.clusters.first(),
            recommendation=RecommendationFactory(review=earlier_review),
        )
    assert cost() == small


def test_the_matrix_page_shows_every_change_at_once(personas):
    made = clustered_recommendations(personas, 2)
    build(personas)
    row = MatrixRow.objects.get(recommendation=made[0])
    member, admin = personas.client_for(personas.member), personas.client_for(personas.admin)
    assert "Not assessed" in member.get(url(personas)).content.decode()
    assess(admin, personas, row)
    assert "Orange: partly implemented" in member.get(url(personas)).content.decode()
    made[0].text = "Corrected text of the recommendation"
    made[0].save()  # a re-import corrects the shared text
    assert "Corrected text of the recommendation" in member.get(url(personas)).content.decode()
    # What each person may see is theirs: the observer does not get the members' page.
    assess(admin, personas, row, shared="", assessed_on="2027-07-01", narrative="Members only")
    observer_page = personas.client_for(personas.observer).get(url(personas)).content.decode()
    assert "Not assessed" in observer_page and 'type="checkbox"' not in observer_page
    assert 'type="checkbox"' in admin.get(url(personas)).content.decode()  # the secretariat's own version
