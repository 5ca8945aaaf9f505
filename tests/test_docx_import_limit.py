"""An imported Word draft is counted as OHCHR counts it: its cover (title page, organisation list)
and its template's empty sections (headings with instructions or placeholders only) do not count, so
a draft whose body is under the limit is not "over the limit" once imported."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from submissions.docx_import import count_docx, read_docx
from submissions.models import Document, Section
from submissions.selectors.documents import document_count

pytestmark = pytest.mark.django_db
BODY_WORDS = 5_000


def large_draft() -> bytes:
    """Cover (title, 40 organisations with their activities: 1,240 words), three template sections
    with instructions only, then 5,000 words of body under two headings (5 words of headings)."""
    document = docx.Document()
    document.add_paragraph("Joint stakeholder submission Slovenia", style="Title")
    document.add_paragraph("Submitted by the following organisations:")
    for n in range(40):
        document.add_paragraph(
            f"Organisation {n} (ORG{n}), established 1995: works on the rights of Roma, "
            "migrants and persons with disabilities through litigation, research, training and "
            "advocacy with the national human rights institution."
        )
    document.add_heading("Introduction and methodology", level=1)
    document.add_paragraph("[Describe how the coalition consulted its members and gathered information]")
    document.add_heading("Follow-up to the previous review", level=1)
    placeholder = document.add_paragraph().add_run("Click or tap here to enter text.")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "PlaceholderText")
    placeholder._r.get_or_add_rPr().append(style)
    document.add_heading("New developments", level=1)
    document.add_heading("Right to education", level=1)
    sentence = "Roma children in Slovenia still attend segregated classes in several municipalities today. "  # 12 words
    for _ in range(BODY_WORDS // 2 // 12):
        document.add_paragraph(sentence)
    document.add_paragraph("word " * (BODY_WORDS // 2 - (BODY_WORDS // 2 // 12) * 12))
    document.add_heading("Housing", level=1)
    for _ in range(BODY_WORDS // 2 // 12):
        document.add_paragraph(sentence)
    document.add_paragraph("word " * (BODY_WORDS // 2 - (BODY_WORDS // 2 // 12) * 12))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_cover_and_empty_template_sections_of_a_word_draft_do_not_count():
    data = large_draft()
    counted = count_docx(data, kind_limit=5630)
    assert counted.counted == BODY_WORDS + 4  # the body and its two headings ("Right to education", "Housing")
    assert counted.over_by == 0
    imported = read_docx(data)
    cover = [s for s in imported.sections if s.cover]
    assert len(cover) == 1 and "Organisation 39 (ORG39)" in cover[0].html  # kept, marked as the cover
    body = "".join(s.html for s in imported.sections)
    assert "Click or tap here" not in body and "[Describe how" not in body


def test_an_imported_large_draft_is_not_over_the_limit_when_its_body_is_under_it(personas):
    created = personas.client_for(personas.admin).post(
        "/api/c/alpha/documents/",
        {
            "engagement": personas.engagement.pk,
            "kind": "joint_submission",
            "title": "Joint",
            "lead_organisation": personas.organisation.pk,
        },
        content_type="application/json",
    )
    document = Document.objects.get(pk=created.json()["id"])
    response = personas.client_for(personas.admin).post(
        f"/c/alpha/documents/{document.pk}/import/", {"file": _named(large_draft())}
    )
    assert response.status_code == 302
    count = document_count(document)
    assert count.limit == 5630 and count.total == BODY_WORDS + 4 and count.left >= 0
    annex = Section.objects.get(document=document, annex=True)  # the draft's cover: nothing lost, not counted
    assert "Organisation 0 (ORG0)" in annex.body
    page = personas.client_for(personas.admin).get(f"/c/alpha/documents/{document.pk}/").content.decode()
    assert f'<span id="words-total">{BODY_WORDS + 4:,}</span>' in page  # grouped the English way (upr/numbers.py)


def _named(data: bytes) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = "draft.docx"
    return handle
