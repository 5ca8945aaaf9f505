"""The implementation matrix through the API: build, rows with 409 on a stale save, assessments and
evidence, observers' view, dashboard, exports and the mid-term report."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from implementation.models import Cluster, MatrixRow

from .helpers import PDF, clustered_recommendations, token_client

pytestmark = pytest.mark.django_db


def test_build_edit_assess_and_read_the_matrix_through_the_api(personas):
    clustered_recommendations(personas, 4)
    admin, member, observer = (token_client(u) for u in (personas.admin, personas.member, personas.observer))
    body = {"engagement": personas.engagement.pk, "scheme": "ohchr"}
    assert member.post("/api/c/alpha/matrices/", body, content_type="application/json").status_code == 403
    built = admin.post("/api/c/alpha/matrices/", body, content_type="application/json")
    assert built.status_code == 201, built.content
    matrix = built.json()["id"]
    assert admin.post("/api/c/alpha/matrices/", body, content_type="application/json").status_code == 400
    clusters = admin.get(f"/api/c/alpha/clusters/?matrix={matrix}").json()["results"]
    minorities = next(c for c in clusters if c["name"] == "Members of minorities")
    given = admin.patch(
        f"/api/c/alpha/clusters/{minorities['id']}/", {"working_group": personas.group.pk}, content_type="application/json"
    )
    assert given.status_code == 200 and given.json()["working_group"] == personas.group.pk
    rows = member.get(f"/api/c/alpha/matrix-rows/?cluster={minorities['id']}").json()["results"]
    row = rows[0]["id"]
    saved = member.patch(
        f"/api/c/alpha/matrix-rows/{row}/",
        {"lead_body": "Government Office for Minorities", "base_version": 1},
        content_type="application/json",
    )
    assert saved.status_code == 200 and saved.json()["version"] == 2
    stale = token_client(personas.editor).patch(
        f"/api/c/alpha/matrix-rows/{row}/", {"lead_body": "Other", "base_version": 1}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["current"]["lead_body"] == "Government Office for Minorities"
    other_row = MatrixRow.objects.exclude(cluster_id=minorities["id"]).first()
    assert (
        member.patch(
            f"/api/c/alpha/matrix-rows/{other_row.pk}/", {"lead_body": "x", "base_version": 1}, content_type="application/json"
        ).status_code
        == 403
    )

    made = member.post(
        "/api/c/alpha/assessments/",
        {
            "row": row,
            "assessed_on": "2027-03-01",
            "law": "full",
            "policy": "partial",
            "practice": "not",
            "narrative": "Law passed",
            "shared": False,
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["light"] == "orange"  # suggested from the three levels
    assessment = made.json()["id"]
    bad = member.post("/api/c/alpha/assessments/", {"row": row, "assessed_on": "2027-02-30"}, content_type="application/json")
    assert bad.status_code == 400 and "assessed_on" in bad.json()
    upload = member.post(
        f"/api/c/alpha/assessments/{assessment}/evidence/",
        {
            "evidence_title": "Report",
            "evidence_source": "Ombudsperson",
            "evidence_dated": "2027-02-01",
            "evidence_file": SimpleUploadedFile("report.pdf", PDF),
        },
    )
    assert upload.status_code == 201 and upload.json()["has_file"]
    wrong = member.post(
        f"/api/c/alpha/assessments/{assessment}/evidence/",
        {
            "evidence_title": "Report",
            "evidence_source": "X",
            "evidence_dated": "2027-02-01",
            "evidence_file": SimpleUploadedFile("report.pdf", b"not a pdf"),
        },
    )
    assert wrong.status_code == 400 and "evidence_file" in wrong.json()
    evidence = upload.json()["id"]
    assert b"".join(member.get(f"/api/c/alpha/evidence/{evidence}/download/").streaming_content) == PDF
    # Observers: the members-only assessment and its evidence are not there.
    assert observer.get(f"/api/c/alpha/assessments/?row={row}").json()["results"] == []
    assert observer.get(f"/api/c/alpha/evidence/{evidence}/download/").status_code == 404
    assert observer.get(f"/api/c/alpha/matrix-rows/{row}/").json()["latest"] is None
    assert member.get(f"/api/c/alpha/matrix-rows/{row}/").json()["latest"]["light"] == "orange"

    board = member.get(f"/api/c/alpha/matrices/{matrix}/dashboard/").json()
    assert board["overall"] == {
        "label": "All recommendations",
        "total": 4,
        "implemented": 1,
        "percent": 25,
        "lights": {"green": 0, "orange": 1, "red": 0, "grey": 0},
    }
    docx = member.get(f"/api/c/alpha/matrices/{matrix}/export/docx/")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    import docx as python_docx

    assert python_docx.Document(io.BytesIO(docx.content)).tables[0].rows[0].cells[1].text == "Position"
    assert member.post(f"/api/c/alpha/matrices/{matrix}/midterm/").status_code == 403
    made = admin.post(f"/api/c/alpha/matrices/{matrix}/midterm/")
    assert made.status_code == 201 and admin.get(f"/api/c/alpha/documents/{made.json()['document']}/").status_code == 200
    assert Cluster.objects.filter(pk=minorities["id"], working_group=personas.group).exists()


@pytest.mark.parametrize("path", ["matrix-rows/", "assessments/", "evidence/", "matrices/{m}/dashboard/"])
def test_api_lists_of_the_matrix_cost_the_same_queries_whatever_their_size(personas, path):
    clustered_recommendations(personas, 2)
    admin = token_client(personas.admin)
    matrix = admin.post(
        "/api/c/alpha/matrices/", {"engagement": personas.engagement.pk, "scheme": "ohchr"}, content_type="application/json"
    ).json()["id"]

    def assess_all() -> None:
        for row in MatrixRow.objects.filter(matrix=matrix):
            made = admin.post(
                "/api/c/alpha/assessments/",
                {"row": row.pk, "assessed_on": "2027-03-01", "law": "full", "policy": "full", "practice": "full"},
                content_type="application/json",
            )
            admin.post(
                f"/api/c/alpha/assessments/{made.json()['id']}/evidence/",
                {
                    "evidence_title": "Link",
                    "evidence_source": "Gov",
                    "evidence_dated": "2027-01-01",
                    "evidence_url": "https://example.org/a",
                },
            )

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get("/api/c/alpha/" + path.format(m=matrix)).status_code == 200
        return len(queries)

    assess_all()
    small = cost()
    for extra in clustered_recommendations(personas, 4):
        MatrixRow.objects.create(
            coalition=personas.coalition,
            matrix_id=matrix,
            recommendation=extra,
            cluster=Cluster.objects.filter(matrix=matrix).first(),
        )
    assess_all()
    assess_all()
    assert cost() == small
