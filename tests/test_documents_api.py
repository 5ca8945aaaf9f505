"""The documents API: the same rules as the pages (roles, the conflict rule, the limit, sign-on,
exports as tasks), scoped by coalition."""

import io

import docx
import pytest

from coalitions.models import MemberOrganisation, Membership
from submissions.models import Document, ExportJob, SignOn

pytestmark = pytest.mark.django_db
JSON = "application/json"


def api(path: str) -> str:
    return f"/api/c/alpha/{path}"


@pytest.fixture
def created(personas):
    response = personas.client_for(personas.admin).post(
        api("documents/"),
        {
            "engagement": personas.engagement.pk,
            "kind": "joint_submission",
            "title": "Joint",
            "language": "es",
            "lead_organisation": personas.organisation.pk,
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    return Document.objects.get(pk=response.json()["id"])


def test_only_the_secretariat_creates_and_ids_of_another_coalition_are_unknown(personas, created):
    editor = personas.client_for(personas.editor)
    body = {"engagement": personas.engagement.pk, "kind": "factsheet", "title": "F"}
    assert editor.post(api("documents/"), body, content_type=JSON).status_code == 403
    foreign = MemberOrganisation.objects.get(name="Beta Org")
    refused = personas.client_for(personas.admin).post(
        api("documents/"), {**body, "kind": "joint_submission", "lead_organisation": foreign.pk}, content_type=JSON
    )
    assert refused.status_code == 400 and "lead_organisation" in refused.json()
    listed = personas.client_for(personas.observer).get(api(f"documents/?engagement={personas.engagement.pk}")).json()
    assert [d["title"] for d in listed["results"]] == ["Joint"] and listed["results"][0]["word_limit"] == 5630


def test_sections_save_with_the_version_and_a_stale_save_gets_409(personas, created):
    admin = personas.client_for(personas.admin)
    section = created.sections.order_by("position").first()
    first = admin.patch(api(f"sections/{section.pk}/"), {"base_version": 1, "body": "<p>Uno dos tres</p>"}, content_type=JSON)
    assert first.status_code == 200 and first.json()["counted_words"] == 3 and first.json()["version"] == 2
    stale = admin.patch(api(f"sections/{section.pk}/"), {"base_version": 1, "body": "<p>Otro</p>"}, content_type=JSON)
    assert stale.status_code == 409 and "Uno dos tres" in stale.json()["body"] and stale.json()["version"] == 2
    assert (
        personas.client_for(personas.member)
        .patch(api(f"sections/{section.pk}/"), {"base_version": 2, "body": "<p>x</p>"}, content_type=JSON)
        .status_code
        == 403
    )
    revisions = admin.get(api(f"sections/{section.pk}/revisions/")).json()
    assert [r["version"] for r in revisions] == [1]  # the first version kept (the section itself is at version 2)
    comment = personas.client_for(personas.member).post(
        api(f"sections/{section.pk}/comments/"), {"text": "¿Fuente?"}, content_type=JSON
    )
    assert comment.status_code == 201
    assert admin.post(api(f"comments/{comment.json()['id']}/resolve/")).json()["resolved_by"] == personas.admin.pk


def test_count_status_sign_on_and_export_through_the_api(personas, created, django_capture_on_commit_callbacks):
    admin = personas.client_for(personas.admin)
    created.word_limit_override = 5
    created.save()
    section = created.sections.order_by("position").first()
    admin.patch(api(f"sections/{section.pk}/"), {"base_version": 1, "body": "<p>" + "palabra " * 10 + "</p>"}, content_type=JSON)
    count = admin.get(api(f"documents/{created.pk}/count/")).json()
    assert count["count"]["over"] and count["count"]["total"] > 10
    assert any(c["label"] == "Within the word limit" and c["ok"] is False for c in count["checks"])
    refused = admin.post(api(f"documents/{created.pk}/status/"), {"to": "final"}, content_type=JSON)
    assert refused.status_code == 400 and "over its limit" in str(refused.json())
    # Sign-on: asked by the secretariat, answered by the organisation's own contact.
    other = MemberOrganisation.objects.create(coalition=personas.coalition, name="Otra")
    asked = admin.post(api(f"documents/{created.pk}/sign-ons/"), {"organisations": [other.pk]}, content_type=JSON)
    assert asked.status_code == 200 and asked.json()[0]["status"] == "requested"
    sign_on = SignOn.objects.get()
    assert admin.post(api(f"sign-ons/{sign_on.pk}/answer/"), {"sign": True}, content_type=JSON).status_code == 403
    Membership.objects.filter(user=personas.observer).update(organisation=other)
    observer_answer = personas.client_for(personas.observer).post(api(f"sign-ons/{sign_on.pk}/answer/"), {"sign": True})
    assert observer_answer.status_code == 403  # observers read only
    Membership.objects.filter(user=personas.member).update(organisation=other)
    answered = personas.client_for(personas.member).post(
        api(f"sign-ons/{sign_on.pk}/answer/"), {"sign": True, "named": False}, content_type=JSON
    )
    assert answered.status_code == 200 and answered.json()["status"] == "signed" and not answered.json()["named"]
    # Export as a task; poll, then download.
    with django_capture_on_commit_callbacks(execute=True):
        queued = admin.post(api(f"documents/{created.pk}/exports/"), {"format": "docx"}, content_type=JSON)
    assert queued.status_code == 202
    job = admin.get(api(f"export-jobs/{queued.json()['id']}/")).json()
    assert job["status"] == "done" and job["progress"] == 100
    file = admin.get(api(f"export-jobs/{job['id']}/download/"))
    assert any("palabra" in p.text for p in docx.Document(io.BytesIO(file.content)).paragraphs)
    assert (
        admin.post(api(f"documents/{created.pk}/exports/"), {"format": "docx", "final": True}, content_type=JSON).status_code
        == 400
    )
    assert ExportJob.objects.count() == 1


def test_a_word_draft_imports_and_a_bad_file_is_refused(personas, created):
    admin = personas.client_for(personas.admin)
    source = docx.Document()
    source.add_heading("Derecho a la educación", level=1)
    source.add_paragraph("Texto importado.")
    buffer = io.BytesIO()
    source.save(buffer)
    buffer.seek(0)
    buffer.name = "borrador.docx"
    imported = admin.post(api(f"documents/{created.pk}/import/"), {"file": buffer})
    assert imported.status_code == 201 and imported.json()[0]["title"] == "Derecho a la educación"
    bad = io.BytesIO(b"not a word file")
    bad.name = "x.docx"
    before = created.sections.count()
    refused = admin.post(api(f"documents/{created.pk}/import/"), {"file": bad})
    assert refused.status_code == 400 and "file" in refused.json() and created.sections.count() == before


def test_the_schema_documents_the_drafting_endpoints_without_warnings(tmp_path):
    from django.core.management import call_command

    schema = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(schema), stderr=io.StringIO())
    text = schema.read_text()
    for path in (
        "documents/",
        "documents/{id}/count/",
        "documents/{id}/status/",
        "documents/{id}/sign-ons/",
        "documents/{id}/exports/",
        "documents/{id}/import/",
        "sections/{id}/",
        "sections/{id}/revisions/",
        "sections/{id}/restore/",
        "comments/{id}/resolve/",
        "sign-ons/{id}/answer/",
        "export-jobs/{id}/download/",
    ):
        assert f"/api/c/{{coalition_slug}}/{path}:" in text, path
