"""The drafting engine through its pages: documents, sections, the conflict rule, revisions,
comments, the limit and the status flow, sign-on, exports, the frozen submission, Word import."""

import hashlib
import io
import json

import docx
import pypdf
import pytest
from django.db import reset_queries
from django.urls import reverse

from coalitions.models import AuditEvent, MemberOrganisation, Membership
from submissions import selectors, services
from submissions.models import Comment, Document, ExportJob, Section, SectionRevision, SignOn, Snapshot

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def url(name: str, *args) -> str:
    return reverse(f"documents:{name}", args=("alpha", *args))


def words(n: int, word: str = "word") -> str:
    return "<p>" + " ".join([word] * n) + "</p>"


def save(client, document, section, body, version, **extra):
    return client.post(url("section_save", document.pk, section.pk), {"body": body, "base_version": version, **extra}, **JSON)


# --- creating documents -------------------------------------------------------------------------


def test_the_secretariat_creates_each_kind_with_its_limit_as_data(personas):
    admin = personas.client_for(personas.admin)
    limits = {
        "individual_submission": 2815,
        "joint_submission": 5630,
        "factsheet": None,
        "oral_statement": 300,
        "written_statement": None,
        "mid_term_report": None,
    }
    for kind, limit in limits.items():
        response = admin.post(
            url("list", personas.engagement.pk),
            {
                "kind": kind,
                "title": f"A {kind}",
                "language": "fr",
                "lead_organisation": personas.organisation.pk,
            },
        )
        assert response.status_code == 302, response.content
        document = Document.objects.get(title=f"A {kind}")
        assert document.word_limit == limit and document.language == "fr" and document.sections.exists()
    document.word_limit_override = 1200
    assert document.word_limit == 1200
    page = admin.get(url("list", personas.engagement.pk)).content.decode()
    assert "A joint_submission" in page and "OHCHR publishes every stakeholder submission" in page


def test_an_organisation_makes_one_individual_submission_per_review(personas):
    admin = personas.client_for(personas.admin)
    data = {"kind": "individual_submission", "title": "Ours", "language": "en", "lead_organisation": personas.organisation.pk}
    assert admin.post(url("list", personas.engagement.pk), data).status_code == 302
    again = admin.post(url("list", personas.engagement.pk), {**data, "title": "Ours again"})
    assert again.status_code == 400 and "already has an individual submission" in again.content.decode()
    assert Document.objects.filter(kind="individual_submission").count() == 1
    # A stakeholder submission names its lead submitter; members do not create documents.
    anonymous = admin.post(url("list", personas.engagement.pk), {**data, "lead_organisation": "", "kind": "joint_submission"})
    assert anonymous.status_code == 400 and "no anonymous submission" in anonymous.content.decode()
    assert personas.client_for(personas.editor).post(url("list", personas.engagement.pk), data).status_code == 403


# --- writing: permissions, conflicts, revisions -------------------------------------------------


def test_editors_edit_their_groups_sections_admins_all_members_none(personas, joint):
    group_section, other = joint.sections.order_by("position")[:2]
    editor, member = personas.client_for(personas.editor), personas.client_for(personas.member)
    saved = save(editor, joint, group_section, words(3) + '<script>alert(1)</script><p onclick="x()">Hi</p>', 1)
    assert saved.status_code == 200 and saved.json()["version"] == 2 and saved.json()["counted"] == 4
    assert "script" not in Section.objects.get(pk=group_section.pk).body
    assert save(editor, joint, other, words(2), 1).status_code == 403
    assert save(member, joint, group_section, words(2), 2).status_code == 403
    assert save(personas.client_for(personas.admin), joint, other, words(2), 1).status_code == 200
    assert Section.objects.get(pk=other.pk).updated_by == personas.admin


def test_a_stale_save_is_refused_with_both_versions_and_nothing_is_lost(personas, joint):
    section = joint.sections.order_by("position").first()
    editor, admin = personas.client_for(personas.editor), personas.client_for(personas.admin)
    assert save(admin, joint, section, "<p>The secretariat's paragraph.</p>", 1).status_code == 200
    late = save(editor, joint, section, "<p>The group's paragraph.</p>", 1)
    assert late.status_code == 409
    body = late.json()
    assert body["conflict"] and body["version"] == 2 and "secretariat's paragraph" in body["body"]
    assert "secretariat's paragraph" in Section.objects.get(pk=section.pk).body  # nothing overwritten
    # Without JavaScript: a page with both versions, the unsaved one in the form, ready to save again.
    page = editor.post(url("section_save", joint.pk, section.pk), {"body": "<p>The group's paragraph.</p>", "base_version": 1})
    assert page.status_code == 409
    text = page.content.decode()
    assert "secretariat&#x27;s paragraph" in text or "secretariat's paragraph" in text
    assert "group&#x27;s paragraph" in text and 'name="base_version" value="2"' in text
    # Merged and saved on the version seen.
    assert save(editor, joint, section, "<p>Both paragraphs.</p>", 2).status_code == 200


def test_history_shows_a_word_diff_and_restores_an_old_version(personas, joint):
    section = joint.sections.order_by("position").first()
    admin = personas.client_for(personas.admin)
    save(admin, joint, section, "<p>Torture is prohibited.</p>", 1)
    save(admin, joint, section, "<p>Torture remains widespread.</p>", 2)
    history = admin.get(url("section_history", joint.pk, section.pk)).content.decode()
    assert "<del>is prohibited.</del>" in history and "<ins>remains widespread.</ins>" in history
    # Kept versions are numbered from 1 (the first text kept), apart from the section's version, which
    # counts every change of its HTML (1 when empty): version 1 kept is "is prohibited".
    assert admin.post(url("section_restore", joint.pk, section.pk, 1)).status_code == 302
    restored = Section.objects.get(pk=section.pk)
    assert restored.version == 4 and "prohibited" in restored.body
    assert list(SectionRevision.objects.filter(section=section).values_list("version", flat=True)) == [3, 2, 1]
    assert AuditEvent.objects.filter(action="section.restore").exists()


def test_members_comment_and_resolve_observers_read(personas, joint):
    section = joint.sections.first()
    member = personas.client_for(personas.member)
    assert member.post(url("comment_add", joint.pk, section.pk), {"text": "Add the 2023 figures"}).status_code == 302
    comment = Comment.objects.get()
    assert "Add the 2023 figures" in member.get(url("detail", joint.pk)).content.decode()
    assert personas.client_for(personas.observer).post(url("comment_add", joint.pk, section.pk), {"text": "x"}).status_code == 403
    assert member.post(url("comment_resolve", joint.pk, section.pk, comment.pk)).status_code == 302
    assert Comment.objects.get().resolved_by == personas.member
    resolved = member.get(url("detail", joint.pk)).content.decode()  # listed under "Resolved (1)", to reopen
    assert "0 open comments" in resolved and "Resolved (1)" in resolved and 'data-resolved="1"' in resolved


# --- the limit and the status flow --------------------------------------------------------------


def sign(personas, document, name="Second Org", named=True):
    organisation = MemberOrganisation.objects.create(coalition=personas.coalition, name=name, acronym="SO")
    contact = Membership.objects.get(user=personas.observer)
    contact.organisation = organisation
    contact.save()
    (sign_on,) = services.signon_request(document=document, actor=personas.admin, organisations=[organisation])
    return services.signon_answer(sign_on=sign_on, membership=contact, sign=True, named=named)


def test_over_the_limit_it_is_red_and_cannot_be_final_until_it_fits(personas, joint):
    joint.word_limit_override = 50
    joint.save()
    sign(personas, joint)
    section = joint.sections.order_by("position").first()
    admin = personas.client_for(personas.admin)
    save(admin, joint, section, words(60) + '<p>Fine<span class="footnote">' + "ignored " * 30 + "</span></p>", 1)
    page = admin.get(url("detail", joint.pk))
    assert selectors.document_count(joint).over and 'class="card count-panel over"' in page.content.decode()
    refused = admin.post(url("status", joint.pk), {"to": "final"}, follow=True)
    assert "over its limit" in refused.content.decode()
    assert Document.objects.get(pk=joint.pk).status == "draft"
    assert admin.post(url("export_create", joint.pk), {"format": "docx", "final": "on"}, follow=True).status_code == 200
    assert not ExportJob.objects.filter(final=True).exists()
    # Trimmed: footnotes never counted, so only the body had to shrink.
    save(admin, joint, section, words(5) + '<p>Fine<span class="footnote">' + "ignored " * 30 + "</span></p>", 2)
    assert admin.post(url("status", joint.pk), {"to": "final"}).status_code == 302
    assert Document.objects.get(pk=joint.pk).status == "final"
    # Final locks editing; reopening takes a reason, kept in the audit trail.
    locked = save(admin, joint, section, words(1), 3)
    assert locked.status_code == 400 and "can no longer be edited" in locked.json()["error"]
    admin.post(url("status", joint.pk), {"to": "draft"})
    assert Document.objects.get(pk=joint.pk).status == "final"
    admin.post(url("status", joint.pk), {"to": "draft", "reason": "A late figure from the ombudsperson"})
    assert Document.objects.get(pk=joint.pk).status == "draft"
    event = AuditEvent.objects.filter(action="document.status").first()
    assert event.changes["reason"][1] == "A late figure from the ombudsperson"


def test_a_joint_submission_needs_two_organisations_and_the_cover_lists_exactly_the_signers(personas, joint):
    admin = personas.client_for(personas.admin)
    admin.post(url("status", joint.pk), {"to": "final"})
    assert Document.objects.get(pk=joint.pk).status == "draft"  # the lead alone
    sign(personas, joint, "Roma Rights Watch", named=False)
    declined = MemberOrganisation.objects.create(coalition=personas.coalition, name="Declining Org")
    services.signon_request(document=joint, actor=personas.admin, organisations=[declined])
    page = admin.get(url("detail", joint.pk)).content.decode()
    cover = page.split('data-count-key="cover">')[1].split("</div>")[0]
    assert "Centre for Equal Rights (CER)" in cover
    assert "and 1 organisation that asked not to be named for its security" in cover
    assert "Roma Rights Watch" not in cover and "Declining Org" not in cover
    assert admin.post(url("status", joint.pk), {"to": "final"}).status_code == 302
    assert Document.objects.get(pk=joint.pk).status == "final"


def test_only_the_organisations_own_contact_signs_for_it(personas, joint):
    organisation = MemberOrganisation.objects.create(coalition=personas.coalition, name="Other Org")
    (sign_on,) = services.signon_request(document=joint, actor=personas.admin, organisations=[organisation])
    editor = personas.client_for(personas.editor)  # a contact of the lead organisation, not of Other Org
    editor.post(url("signon_answer", joint.pk, sign_on.pk), {"answer": "sign", "named": "on"})
    assert SignOn.objects.get().status == "requested"


# --- exports and the submitted snapshot ----------------------------------------------------------


def test_exports_run_as_tasks_and_read_back_as_word_and_pdf(personas, joint, django_capture_on_commit_callbacks):
    section = joint.sections.order_by("position").first()
    admin = personas.client_for(personas.admin)
    save(admin, joint, section, '<p>First paragraph<span class="footnote">A source.</span></p><p>Second paragraph</p>', 1)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url("export_create", joint.pk), {"format": "docx"})
        admin.post(url("export_create", joint.pk), {"format": "pdf"})
    jobs = {job.format: job for job in ExportJob.objects.all()}
    assert {j.status for j in jobs.values()} == {"done"}
    word = admin.get(url("export_download", joint.pk, jobs["docx"].pk))
    assert word["Content-Disposition"].endswith('-draft.docx"')
    texts = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert any(t.startswith("1.") and "First paragraph" in t for t in texts)
    assert any(t.startswith("2.") and "Second paragraph" in t for t in texts)
    pdf = pypdf.PdfReader(io.BytesIO(admin.get(url("export_download", joint.pk, jobs["pdf"].pk)).content))
    assert "Second paragraph" in "".join(page.extract_text() for page in pdf.pages)
    panel = admin.get(url("exports", joint.pk)).content.decode()
    assert "Download" in panel and "every 2s" not in panel


def test_submitted_freezes_a_snapshot_that_never_changes(personas, joint, django_capture_on_commit_callbacks):
    sign(personas, joint)
    admin = personas.client_for(personas.admin)
    save(admin, joint, joint.sections.first(), "<p>What we handed in.</p>", 1)
    admin.post(url("status", joint.pk), {"to": "final"})
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url("status", joint.pk), {"to": "submitted"})
    snapshot = Snapshot.objects.get(document=joint)
    assert snapshot.checksum == hashlib.sha256(bytes(snapshot.docx)).hexdigest()
    assert "What we handed in." in json.dumps(snapshot.outline)
    assert snapshot.outline["organisations"][1]["name"] == "Second Org"
    download = admin.get(url("snapshot", joint.pk, "docx"))
    assert download.content == bytes(snapshot.docx)
    with pytest.raises(ValueError):
        snapshot.save()
    assert admin.post(url("status", joint.pk), {"to": "draft", "reason": "x"}).status_code == 302
    assert Document.objects.get(pk=joint.pk).status == "submitted"


# --- Word import ----------------------------------------------------------------------------------


def test_a_word_draft_continues_here_and_a_bad_file_changes_nothing(personas, joint):
    source = docx.Document()
    source.add_heading("Right to education", level=1)
    source.add_paragraph("Roma children are segregated in schools.")
    buffer = io.BytesIO()
    source.save(buffer)
    admin = personas.client_for(personas.admin)
    before = joint.sections.count()
    buffer.name = "draft.docx"
    buffer.seek(0)
    answer = admin.post(url("import", joint.pk), {"file": buffer}, follow=True).content.decode()
    assert "1 sections imported" in answer or "sections imported" in answer
    imported = joint.sections.order_by("-position").first()
    assert imported.title == "Right to education" and "segregated" in imported.body and imported.counted_words == 6
    bad = io.BytesIO(b"this is not a Word file")
    bad.name = "draft.docx"
    refused = admin.post(url("import", joint.pk), {"file": bad}, follow=True)
    assert refused.status_code == 200 and joint.sections.count() == before + 1


# --- speed ----------------------------------------------------------------------------------------


def test_the_document_page_costs_the_same_queries_whatever_its_size(personas, joint, django_assert_max_num_queries):
    admin = personas.client_for(personas.admin)

    def grow(n: int) -> None:
        for i in range(n):
            section = services.section_add(document=joint, actor=personas.admin, title=f"Issue {i}")
            services.section_save(section=section, membership=personas.membership(personas.admin), base_version=1, body=words(5))
            Comment.objects.create(coalition=personas.coalition, section=section, author=personas.member, text="ok")

    grow(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the request clears the log it starts with: capture from an empty one
    with CaptureQueriesContext(connection) as small:
        assert admin.get(url("detail", joint.pk)).status_code == 200
    grow(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert admin.get(url("detail", joint.pk)).status_code == 200


def test_the_matrix_of_previous_recommendations_is_an_annex_that_does_not_count(personas, joint):
    from pathlib import Path

    from recommendations.models import CoalitionRecommendation, Recommendation
    from recommendations.row_import import import_thematic_list
    from upr.models import Review

    admin = personas.client_for(personas.admin)
    annex_url = reverse("implementation:matrix_annex", args=["alpha", joint.pk])
    missing = admin.post(annex_url, follow=True).content.decode()
    assert "not imported yet" in missing and not joint.sections.filter(annex=True).exists()
    data = Path(__file__).resolve().parent.parent / "recommendations" / "reference_data"
    cycle3 = Review.objects.get(state__iso3="SVN", session__number=34)
    import_thematic_list(str(data / "UPR34_Slovenia_Thematic_list_of_Recommendations.docx"), review=cycle3)
    noted = Recommendation.objects.filter(review=cycle3).order_by("paragraph_major", "paragraph_minor").first()
    CoalitionRecommendation.objects.create(coalition=personas.coalition, recommendation=noted, notes="Partly: a bill in 2024.")
    before = selectors.document_count(joint).total
    assert admin.post(annex_url).status_code == 302
    annex = joint.sections.get(annex=True)
    assert annex.body.count("<tr>") == Recommendation.objects.filter(review=cycle3).count() + 1
    assert "Partly: a bill in 2024." in annex.body and "Assessment/comments on level of implementation" in annex.body
    count = selectors.document_count(joint)
    assert count.total == before and count.annex_words == annex.counted_words > 1000
    assert f"Annexes: {count.annex_words:,} words, not counted." in admin.get(url("detail", joint.pk)).content.decode()


def test_the_page_is_kept_per_person_and_shows_every_change_at_once(personas, joint):
    """The page's content is cached (see document_detail): a save, a comment or a sign-on by
    someone else shows on the next load, and each person's page carries their own CSRF token."""
    section = joint.sections.order_by("position").first()
    admin, editor = personas.client_for(personas.admin), personas.client_for(personas.editor)
    first = admin.get(url("detail", joint.pk)).content.decode()
    assert "Bread and roses" not in first
    save(editor, joint, section, "<p>Bread and roses</p>", 1)
    assert "Bread and roses" in admin.get(url("detail", joint.pk)).content.decode()
    services.comment_add(section=section, membership=personas.membership(personas.member), text="A new comment")
    assert "A new comment" in admin.get(url("detail", joint.pk)).content.decode()
    # The token in each person's forms is theirs: a form posted from the cached page is accepted.
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.admin)
    page = strict.get(url("detail", joint.pk)).content.decode()
    page = strict.get(url("detail", joint.pk)).content.decode()  # from the cache this time
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    posted = strict.post(url("comment_add", joint.pk, section.pk), {"text": "From a cached page", "csrfmiddlewaretoken": token})
    assert posted.status_code == 302 and Comment.objects.filter(text="From a cached page").exists()


def test_the_list_and_history_cost_the_same_queries_whatever_their_size(personas, joint, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = personas.client_for(personas.admin)
    section = joint.sections.order_by("position").first()
    pages = (url("list", personas.engagement.pk), url("section_history", joint.pk, section.pk))

    def grow(n: int) -> None:
        for i in range(n):
            services.document_create(
                coalition=personas.coalition,
                actor=personas.admin,
                engagement=personas.engagement,
                kind="factsheet",
                title=f"Factsheet {i}",
                theme="Water",
            )
            current = Section.objects.get(pk=section.pk)
            services.section_save(
                section=current, membership=personas.membership(personas.admin), base_version=current.version, body=words(3 + i)
            )

    grow(2)
    small = []
    for page in pages:
        reset_queries()  # the request clears the log it starts with: capture from an empty one
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(page).status_code == 200
        small.append(len(captured.captured_queries))
    grow(8)
    for page, allowed in zip(pages, small, strict=True):
        with django_assert_max_num_queries(allowed):
            assert admin.get(page).status_code == 200


def test_the_recommendations_show_their_smart_checklist_and_category(personas, joint):
    from submissions.models import DraftRecommendation

    draft = DraftRecommendation.objects.create(
        coalition=personas.coalition,
        engagement=personas.engagement,
        text="Ratify the Optional Protocol to CAT",
        responsible_actor="National Assembly",
    )
    admin = personas.client_for(personas.admin)
    assert admin.post(url("recommendations", joint.pk), {"recommendations": [draft.pk]}).status_code == 302
    page = admin.get(url("detail", joint.pk)).content.decode()
    assert "✓ Who must act" in page and "✗ Time-bound" in page and "UPR Info action category 5" in page
    assert DraftRecommendation.objects.get().document == joint


def test_an_individual_submission_is_signed_by_its_lead_alone_and_observers_only_read(personas):
    document = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="individual_submission",
        title="Ours alone",
        lead_organisation=personas.organisation,
    )
    other = MemberOrganisation.objects.create(coalition=personas.coalition, name="Other")
    with pytest.raises(Exception, match="individual one is its lead"):
        services.signon_request(document=document, actor=personas.admin, organisations=[other])
    assert 'name="organisations"' not in personas.client_for(personas.admin).get(url("detail", document.pk)).content.decode()
    observer = personas.client_for(personas.observer)
    section = document.sections.first()
    assert observer.get(url("detail", document.pk)).status_code == 200
    assert save(observer, document, section, "<p>x</p>", 1).status_code == 403
    assert observer.post(url("export_create", document.pk), {"format": "docx"}).status_code == 403


def test_a_text_too_long_or_a_title_too_long_is_refused_and_nothing_is_lost(personas, joint):
    section = joint.sections.order_by("position").first()
    admin = personas.client_for(personas.admin)
    assert save(admin, joint, section, "<p>Kept.</p>", 1).status_code == 200
    huge = save(admin, joint, section, "<p>" + "word " * 120_000 + "</p>", 2)
    assert huge.status_code == 400 and huge.json()["error"]
    long_title = save(admin, joint, section, "<p>Changed.</p>", 2, title="T" * 301)
    assert long_title.status_code == 400 and "300 characters" in long_title.json()["error"]
    stored = Section.objects.get(pk=section.pk)
    assert stored.body == "<p>Kept.</p>" and stored.version == 2
