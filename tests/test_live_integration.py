"""Everything that existed before the live editor keeps working on it (issue "Write together, live",
item 7): a Word import becomes live content; Word and PDF exports, the pre-submission check, the
status change, the API and the frozen snapshot read what was typed live, rendered or not yet; a
signature is bound to the exact text signed; a write through the API reaches open editors; comments
and the mid-term report work; and existing documents (the demo, a large Word draft) convert to the
live representation with nothing lost.

"Typed live" here is what the live editor's socket does with a keystroke: a Yjs update appended to
the text's log (`store.append`, committed and acknowledged) and not yet rendered into `Section.body`
(that happens after a pause in editing, or on demand with `store.ensure_rendered`).
"""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from typing import Any

import docx
import pycrdt
import pypdf
import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from lxml import etree

from coalitions.models import Coalition, MemberOrganisation, Membership
from implementation.models import Matrix
from submissions import outline as outlines
from submissions import richtext, selectors, services
from submissions.docx_import import read_docx
from submissions.live import broadcast, store, yhtml
from submissions.models import (
    Comment,
    Document,
    ExportJob,
    LiveText,
    LiveUpdate,
    RevisionReason,
    Section,
    SectionRevision,
    SignOn,
    Snapshot,
)
from submissions.wordcount import count_html

from .docx_drafts import Footnotes, saved
from .factories import RecommendationFactory
from .helpers import joint_submission

pytestmark = pytest.mark.django_db
JSON = "application/json"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
HIDDEN = "Defenders at Risk"
FIRST_BODY = '<p>The State supported the recommendations on water.<span class="footnote">A/HRC/59/15, para. 12.</span></p>'
LIVE_WORDS = "Typed live just now: Roma settlements still wait for drinking water"
LIVE_NOTE = "Live footnote: Ombudsperson, annual report 2025."
LIVE_BODY = FIRST_BODY + f'<p>{LIVE_WORDS}.<span class="footnote">{LIVE_NOTE}</span></p>'


def url(name: str, *args: Any) -> str:
    return reverse(f"documents:{name}", args=("alpha", *args))


def api(path: str) -> str:
    return f"/api/c/alpha/{path}"


@pytest.fixture
def joint(personas):
    """A joint submission led by the personas' organisation, its first section and summary written."""
    document = joint_submission(personas, group_first=False, body=FIRST_BODY)
    services.summary_save(
        document=document,
        membership=personas.membership(personas.admin),
        base_version=1,
        summary="<p>Our summary of the text.</p>",
    )
    document.refresh_from_db()
    return document


def first_section(document: Document) -> Section:
    section = Section.objects.filter(document=document).order_by("annex", "position").first()
    assert section is not None  # every document here was made with its sections
    return section


def room_html(text: LiveText) -> str:
    """What the room holds now, as the server renders it."""
    text.refresh_from_db()
    return yhtml.state_to_html(store.current_state(text))


def type_live(target: Section | Document, html: str, user: Any) -> LiveText:
    """A change made in the browser: stored in the live text's log like a keystroke, NOT rendered."""
    text = store.text_for_section(target) if isinstance(target, Section) else store.text_for_summary(target)
    update = yhtml.html_to_update(html, current_state=store.current_state(text))
    store.append(text_id=text.pk, update=update, author_id=user.pk)
    text.refresh_from_db()
    assert text.rendered_seq < text.seq  # the HTML the app reads is behind: what follows must render it
    return text


def typed_live_in_first_section(personas, document: Document) -> Section:
    section = first_section(document)
    type_live(section, LIVE_BODY, personas.editor)
    assert LIVE_WORDS not in Section.objects.get(pk=section.pk).body
    return section


# --- Word files (built with tests/docx_drafts.py) -----------------------------------------------------


def small_draft() -> bytes:
    """Two sections, formatting, a list and two footnotes."""
    document = docx.Document()
    notes = Footnotes(document)
    document.add_heading("Civic space", level=1)
    paragraph = document.add_paragraph("Defenders face ")
    paragraph.add_run("judicial harassment").bold = True
    paragraph.add_run(" for their work.")
    notes.add_text(paragraph, "Report of the Special Rapporteur, A/HRC/58/12.")
    document.add_paragraph("Arbitrary detention", style="List Bullet")
    document.add_paragraph("Travel bans", style="List Bullet")
    document.add_heading("Education", level=1)
    paragraph = document.add_paragraph("Roma children are placed in special schools.")
    notes.add_text(paragraph, "Ministry of Education, statistics 2024.")
    return saved(document)


VOCABULARY = (
    "the State should ensure that every Roma settlement has safe drinking water sanitation and electricity "
    "while the ombudsperson monitors evictions discrimination in schools access to health care and legal aid "
    "for women children persons with disabilities migrants and defenders"
).split()


def sentence(seed: int, length: int) -> str:
    return " ".join(VOCABULARY[(seed * 7 + i * 3) % len(VOCABULARY)] for i in range(length)).capitalize()


def large_draft() -> bytes:
    """A submission drafted in Word at OHCHR's limit: ~5,600 words in 10 sections, 150 footnotes, headings,
    bold and italic runs, bulleted and numbered lists, and a table."""
    document = docx.Document()
    notes = Footnotes(document)
    document.add_paragraph("Joint submission on equality and non-discrimination", style="Title")
    for s in range(10):
        document.add_heading(f"Issue {s + 1}: {sentence(s, 4)}", level=1)
        document.add_heading(f"Background to issue {s + 1}", level=2)
        for p in range(15):
            paragraph = document.add_paragraph(sentence(s * 15 + p, 20) + " ")
            paragraph.add_run(sentence(p, 3)).bold = True
            paragraph.add_run(" " + sentence(s + p, 4) + " ")
            paragraph.add_run(sentence(s, 2)).italic = True
            paragraph.add_run(" " + sentence(p + 3, 6) + ".")
            notes.add_text(paragraph, f"Source {s * 15 + p + 1}: report A/HRC/{40 + s}/{p + 1}, paragraph {p + 7}.")
        for item in range(3):
            document.add_paragraph(sentence(s + item, 5), style="List Bullet")
        for item in range(2):
            document.add_paragraph(sentence(s + item + 5, 6), style="List Number")
        if s == 9:
            table = document.add_table(rows=4, cols=3)
            for row in range(4):
                for column in range(3):
                    table.cell(row, column).text = sentence(row * 3 + column, 3)
    return saved(document)


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("draft.docx", content, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def word_footnotes(content: bytes) -> list[str]:
    """The real footnotes (not the separators) of a .docx, their text."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        notes = etree.fromstring(archive.read("word/footnotes.xml"))
    return ["".join(n.itertext()).strip() for n in notes.xpath("w:footnote[not(@w:type)]", namespaces=NS)]


def word_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def export(personas, document: Document, format: str, capture) -> bytes:
    """An export asked for on the page, made by its task (in process), read back."""
    admin = personas.client_for(personas.admin)
    with capture(execute=True):
        assert admin.post(url("export_create", document.pk), {"format": format}).status_code == 302
    job = ExportJob.objects.filter(document=document, format=format).order_by("-pk").first()
    assert job is not None and job.status == "done", job and job.error
    return bytes(job.content)


# --- 1. Writes: a new section is live from its creation; a Word import becomes live content --------


def test_a_word_import_into_an_existing_document_becomes_its_live_content(personas, joint):
    imported = read_docx(small_draft())
    assert imported.footnote_count == 2
    editor = personas.client_for(personas.editor)
    response = editor.post(url("import", joint.pk), {"file": upload(small_draft())})
    assert response.status_code == 302
    added = list(Section.objects.filter(document=joint, title__in=["Civic space", "Education"]).order_by("position"))
    assert [s.title for s in added] == ["Civic space", "Education"]
    civic, education = (LiveText.objects.get(section=s) for s in added)  # made with the section, not later
    held = room_html(civic)
    assert "Defenders face <strong>judicial harassment</strong> for their work." in held
    assert '<span class="footnote">Report of the Special Rapporteur, A/HRC/58/12.</span>' in held
    assert "<li>Arbitrary detention</li>" in held and "<li>Travel bans</li>" in held
    assert '<span class="footnote">Ministry of Education, statistics 2024.</span>' in room_html(education)
    for section, text in zip(added, (civic, education), strict=True):
        section.refresh_from_db()
        assert section.body == room_html(text) and section.version == 2  # the HTML pages read is the CRDT's
        assert count_html(section.body).counted == section.counted_words > 0
        (kept,) = SectionRevision.objects.filter(section=section)
        assert kept.reason == RevisionReason.IMPORT and bytes(kept.state) and kept.created_by == personas.editor
    # The first later edit, made live, builds on the imported content: nothing is converted twice.
    type_live(added[0], added[0].body + "<p>One more paragraph.</p>", personas.editor)
    store.ensure_rendered(joint)
    body = Section.objects.get(pk=added[0].pk).body
    assert body.count("judicial harassment") == 1 and body.endswith("<p>One more paragraph.</p>")


def test_a_word_import_through_the_api_is_live_too(personas, joint):
    response = personas.client_for(personas.admin).post(api(f"documents/{joint.pk}/import/"), {"file": upload(small_draft())})
    assert response.status_code == 201, response.content
    for row in response.json():
        text = LiveText.objects.get(section_id=row["id"])
        assert room_html(text) == row["body"] and "footnote" in row["body"]


def test_sections_added_with_a_text_are_live_from_their_creation(personas, joint):
    annex = services.section_add(
        document=joint,
        actor=personas.admin,
        title="Annex: sources",
        annex=True,
        body="<table><tr><td>Source</td><td>Date</td></tr></table><p>Inline <em>text</em>.</p>",
    )
    text = LiveText.objects.get(section=annex)
    assert annex.body == room_html(text) and "<td>Source</td>" in annex.body and annex.version == 2
    assert LiveUpdate.objects.filter(text=text).count() == 0  # its state is its text: no conversion left to make
    empty = services.section_add(document=joint, actor=personas.admin, title="To be written")
    assert LiveText.objects.filter(section=empty).exists() and empty.body == "" and empty.version == 1
    assert not SectionRevision.objects.filter(section=empty).exists()
    # Too long to keep: the sanitiser's message, and no section left behind.
    before = Section.objects.count()
    with pytest.raises(Exception, match="too long to be saved"):
        services.section_add(
            document=joint, actor=personas.admin, title="Huge", body="<p>" + "x" * (richtext.MAX_HTML_CHARS + 1) + "</p>"
        )
    assert Section.objects.count() == before


# --- 2. Reads: everything that must be exact reads what was typed live, rendered or not ----------


def test_word_and_pdf_exports_read_what_was_typed_live(personas, joint, django_capture_on_commit_callbacks):
    typed_live_in_first_section(personas, joint)
    type_live(joint, "<p>The summary as typed live.</p>", personas.admin)
    word = export(personas, joint, "docx", django_capture_on_commit_callbacks)
    assert LIVE_WORDS in word_text(word) and "The summary as typed live." in word_text(word)
    type_live(joint, "<p>The summary typed again.</p>", personas.admin)
    assert word_footnotes(word) == ["A/HRC/59/15, para. 12.", LIVE_NOTE]  # real Word footnotes, in order
    pdf = pypdf.PdfReader(io.BytesIO(export(personas, joint, "pdf", django_capture_on_commit_callbacks)))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert LIVE_WORDS in text and LIVE_NOTE in text and "The summary typed again." in text


def test_the_pre_submission_check_and_the_status_change_read_what_was_typed_live(personas, joint):
    joint.word_limit_override = 20
    joint.save()
    admin = personas.client_for(personas.admin)
    # The summary emptied live: the check sees it empty, not the rendered HTML from before.
    type_live(joint, "", personas.admin)
    checks = {c["label"]: c for c in admin.get(api(f"documents/{joint.pk}/count/")).json()["checks"]}
    assert checks["An executive summary"]["ok"] is False
    type_live(joint, "<p>A summary written live.</p>", personas.admin)
    count = admin.get(api(f"documents/{joint.pk}/count/")).json()
    assert {c["label"]: c["ok"] for c in count["checks"]}["An executive summary"] is True
    assert count["count"]["parts"][0]["counted"] == 4  # the summary's words as typed live (no key words)
    other = MemberOrganisation.objects.create(coalition=personas.coalition, name="Second Org")
    signed_by(personas, joint, other)  # (signing renders every text: done before typing what follows)
    # Typed live past the limit (20 words), in the summary and in a section, neither rendered: marking it
    # final is refused on the live texts (each alone stays within the limit).
    # (Rendered, the summary alone gives 8 + 10 words, the section alone 4 + 13: both are needed.)
    type_live(joint, "<p>" + "summary " * 8 + "</p>", personas.admin)
    section = first_section(joint)
    type_live(section, "<p>" + "word " * 10 + "</p>", personas.editor)
    refused = admin.post(url("status", joint.pk), {"to": "final"}, follow=True)
    assert "over its limit" in refused.content.decode()
    assert Document.objects.get(pk=joint.pk).status == "draft"
    checks = {c["label"]: c for c in admin.get(api(f"documents/{joint.pk}/count/")).json()["checks"]}
    assert checks["Within the word limit"]["ok"] is False


def test_the_api_reads_a_sections_text_as_it_is_now(personas, joint):
    section = typed_live_in_first_section(personas, joint)
    text = LiveText.objects.get(section=section)
    observer = personas.client_for(personas.observer)
    read = observer.get(api(f"sections/{section.pk}/")).json()
    assert LIVE_WORDS in read["body"] and LIVE_NOTE in read["body"] and read["version"] == section.version + 1
    assert read["body"] == room_html(text) and read["counted_words"] == count_html(read["body"]).counted
    listed = observer.get(api(f"sections/?document={joint.pk}")).json()["results"]
    assert any(LIVE_WORDS in row["body"] for row in listed)
    type_live(joint, "<p>Summary typed live.</p>", personas.admin)
    assert observer.get(api(f"documents/{joint.pk}/")).json()["summary"] == "<p>Summary typed live.</p>"
    type_live(joint, "<p>Summary typed again.</p>", personas.admin)
    listed = observer.get(api(f"documents/?engagement={personas.engagement.pk}")).json()["results"]
    assert [d["summary"] for d in listed] == ["<p>Summary typed again.</p>"]


def test_the_frozen_snapshot_holds_what_was_typed_live(personas, joint):
    typed_live_in_first_section(personas, joint)
    type_live(joint, "<p>The summary handed in.</p>", personas.admin)
    snapshot = services.snapshot_make(document_id=joint.pk, user_id=personas.admin.pk)
    assert snapshot.outline["summary_html"] == "<p>The summary handed in.</p>"
    assert LIVE_WORDS in json.dumps(snapshot.outline) and LIVE_WORDS in word_text(bytes(snapshot.docx))
    assert word_footnotes(bytes(snapshot.docx)) == ["A/HRC/59/15, para. 12.", LIVE_NOTE]
    assert snapshot.text_digest == outlines.text_digest(selectors.document_outline(Document.objects.get(pk=joint.pk)))


def test_the_document_page_shows_what_was_typed_live(personas, joint):
    typed_live_in_first_section(personas, joint)
    page = personas.client_for(personas.member).get(url("detail", joint.pk)).content.decode()
    assert LIVE_WORDS in page


# --- 3. Sign-on bound to the exact version signed ---------------------------------------------------


def contact_of(personas, organisation: MemberOrganisation) -> Membership:
    """The member persona speaks for `organisation` from now on."""
    membership = Membership.objects.get(user=personas.member)
    membership.organisation = organisation
    membership.save()
    return membership


def signed_by(personas, document: Document, organisation: MemberOrganisation, named: bool = True) -> SignOn:
    (sign_on,) = services.signon_request(document=document, actor=personas.admin, organisations=[organisation])
    return services.signon_answer(sign_on=sign_on, membership=contact_of(personas, organisation), sign=True, named=named)


def digest_now(document: Document) -> str:
    store.ensure_rendered(document)
    return selectors.text_digest(selectors.document_page(Document.objects.get(pk=document.pk), with_comments=False))


def test_a_signature_records_the_digest_and_the_versions_of_the_text_signed(personas, joint):
    section = typed_live_in_first_section(personas, joint)  # typed live a moment before the signature
    organisation = MemberOrganisation.objects.create(coalition=personas.coalition, name="Roma Rights Watch")
    sign_on = signed_by(personas, joint, organisation)
    text = LiveText.objects.get(section=section)
    assert text.rendered_seq == text.seq  # what was typed live is what was signed
    assert LIVE_WORDS in Section.objects.get(pk=section.pk).body
    others = Section.objects.filter(document=joint).exclude(pk=section.pk)
    summary = LiveText.objects.get(document=joint, section__isnull=True)
    assert sign_on.signed_seqs == {
        f"section-{section.pk}": text.seq,
        "summary": summary.seq,
        **{f"section-{s.pk}": 0 for s in others},
    }
    assert len(sign_on.signed_digest) == 64 and sign_on.signed_digest == digest_now(joint)
    # The digest is the text's as the exports read it: the outline's title, summary, sections, footnotes...
    assert sign_on.signed_digest == outlines.text_digest(selectors.document_outline(Document.objects.get(pk=joint.pk)))
    # ... and not the cover: another organisation signing later leaves this signature on the current text.
    signed_by(personas, joint, MemberOrganisation.objects.create(coalition=personas.coalition, name="Third Org"))
    page = selectors.document_page(Document.objects.get(pk=joint.pk), with_comments=False)
    assert set(selectors.signature_texts(page).values()) == {selectors.SIGNED_CURRENT}
    declined = services.signon_answer(
        sign_on=SignOn.objects.get(pk=sign_on.pk), membership=contact_of(personas, organisation), sign=False
    )
    assert declined.signed_digest == "" and declined.signed_seqs == {}


def test_a_signature_on_an_earlier_text_is_shown_warned_and_asked_again(
    personas, joint, at_risk, django_capture_on_commit_callbacks
):
    roma = MemberOrganisation.objects.create(coalition=personas.coalition, name="Roma Rights Watch")
    signed_by(personas, joint, roma)
    signed_by(personas, joint, at_risk, named=False)
    admin, observer = personas.client_for(personas.admin), personas.client_for(personas.observer)
    page = admin.get(url("detail", joint.pk)).content.decode()
    assert page.count("(on the current text)") == 2 and "signed an earlier version of the text" not in page
    checks = {c["label"]: c for c in admin.get(api(f"documents/{joint.pk}/count/")).json()["checks"]}
    assert checks["Every signature given on the current text"]["ok"] is True

    typed_live_in_first_section(personas, joint)  # the text changes after both signed (not rendered yet)
    page = admin.get(url("detail", joint.pk)).content.decode()
    assert page.count("signed an earlier version of the text: ask again") == 2
    assert page.count("Ask again") >= 2  # the secretariat's button beside each
    checks = {c["label"]: c for c in admin.get(api(f"documents/{joint.pk}/count/")).json()["checks"]}
    warning = checks["Every signature given on the current text"]
    assert warning["ok"] is False and warning["detail"].startswith("2 organisations signed an earlier version")
    signatures = admin.get(api(f"documents/{joint.pk}/sign-ons/")).json()
    assert [s["signed_text"] for s in signatures] == ["earlier", "earlier"]
    # The withheld organisation stays unnamed to an observer, on the page, in the check and in the API.
    seen = observer.get(url("detail", joint.pk)).content.decode()
    assert HIDDEN not in seen and seen.count("signed an earlier version of the text: ask again") == 2
    assert HIDDEN not in json.dumps(observer.get(api(f"documents/{joint.pk}/count/")).json())
    listed = observer.get(api(f"documents/{joint.pk}/sign-ons/")).json()
    hidden = next(s for s in listed if s["organisation"] is None)
    assert hidden["signed_text"] == "earlier" and HIDDEN not in json.dumps(listed)
    assert {s["signed_text"] for s in observer.get(api("sign-ons/")).json()["results"]} == {"earlier"}

    # Asked again: the organisation is asked (and emailed) to sign the text as it is now.
    contact = contact_of(personas, roma)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url("signon_request", joint.pk), {"organisations": [roma.pk]}).status_code == 302
    again = SignOn.objects.get(document=joint, organisation=roma)
    assert again.status == "requested" and again.signed_digest == ""
    assert [m.to for m in mail.outbox] == [[personas.member.email]]
    signed = services.signon_answer(sign_on=again, membership=contact, sign=True)
    assert signed.signed_digest == digest_now(joint)
    states = {s["organisation"]: s["signed_text"] for s in admin.get(api(f"documents/{joint.pk}/sign-ons/")).json()}
    assert states == {roma.pk: "current", at_risk.pk: "earlier"}
    # An organisation that signed the current text is not asked again (no second email).
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.signon_request(document=joint, actor=personas.admin, organisations=[roma])
    assert SignOn.objects.get(pk=again.pk).status == "signed" and not mail.outbox


def test_a_signature_from_before_the_record_is_for_the_secretariat_to_confirm(personas, joint):
    organisation = MemberOrganisation.objects.create(coalition=personas.coalition, name="Early Org")
    sign_on = signed_by(personas, joint, organisation)
    SignOn.objects.filter(pk=sign_on.pk).update(signed_digest="", signed_seqs={})  # as signed before this release
    checks = {
        c["label"]: c for c in personas.client_for(personas.admin).get(api(f"documents/{joint.pk}/count/")).json()["checks"]
    }
    assert checks["Every signature given on the current text"]["ok"] is None
    assert personas.client_for(personas.admin).get(api(f"sign-ons/{sign_on.pk}/")).json()["signed_text"] == "unknown"


def test_the_snapshot_records_which_signatures_were_given_on_the_submitted_text(
    personas, joint, at_risk, django_capture_on_commit_callbacks
):
    roma = MemberOrganisation.objects.create(coalition=personas.coalition, name="Roma Rights Watch")
    signed_by(personas, joint, roma)
    admin = personas.membership(personas.admin)
    section = first_section(joint)
    services.section_save(section=section, membership=admin, base_version=section.version, body=LIVE_BODY)
    signed_by(personas, joint, at_risk, named=False)  # on the text as changed
    client = personas.client_for(personas.admin)
    assert client.post(url("status", joint.pk), {"to": "final"}).status_code == 302
    assert Document.objects.get(pk=joint.pk).status == "final"  # a warning, not a refusal
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("status", joint.pk), {"to": "submitted"})
    snapshot = Snapshot.objects.get(document=joint)
    assert snapshot.text_digest == SignOn.objects.get(organisation=at_risk).signed_digest
    assert [(s["organisation"], s["on_submitted_text"]) for s in snapshot.signatures] == [
        ("Roma Rights Watch", False),
        (None, True),
    ]
    assert HIDDEN not in json.dumps(snapshot.signatures) and snapshot.signatures[1]["signed_at"] is None
    page = personas.client_for(personas.observer).get(url("detail", joint.pk)).content.decode()
    assert "1 of the 2 signatures were given on the submitted text." in page and HIDDEN not in page


@pytest.fixture
def at_risk(personas):
    return MemberOrganisation.objects.create(coalition=personas.coalition, name=HIDDEN, withheld=True)


# --- 4. The API: a write reaches the open editors; outsiders see nothing; too long is refused ------


def _received(layer: Any, channel: str, wanted: str) -> dict[str, Any]:
    """The first message of type `wanted` on `channel` (others, such as access changes, are skipped)."""

    async def wait() -> dict[str, Any]:
        while True:
            message = await asyncio.wait_for(layer.receive(channel), timeout=5)
            if message["type"] == wanted:
                return message

    return async_to_sync(wait)()


def test_a_patch_of_a_sections_text_is_a_live_change_that_open_editors_receive(
    settings, personas, joint, django_capture_on_commit_callbacks
):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    editor_channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(broadcast.document_group(joint.pk), editor_channel)  # an open editor's socket
    section = first_section(joint)
    text = LiveText.objects.get(section=section)
    before_state, before_updates = store.current_state(text), LiveUpdate.objects.filter(text=text).count()
    body = FIRST_BODY + "<p>Added through the API.</p>"
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client_for(personas.admin).patch(
            api(f"sections/{section.pk}/"), {"base_version": section.version, "body": body}, content_type=JSON
        )
    assert response.status_code == 200, response.json()
    assert response.json()["body"] == body and response.json()["version"] == section.version + 1
    assert LiveUpdate.objects.filter(text=text).count() == before_updates + 1
    assert room_html(text) == body
    message = _received(layer, editor_channel, "live.update")
    assert message["room"] == f"section-{section.pk}"
    # The editor applies what it received to what it had: it now shows the API's text.
    editor = pycrdt.Doc()
    editor.apply_update(before_state)
    editor.apply_update(message["update"])
    assert yhtml.fragment_to_html(editor.get(yhtml.FIELD, type=pycrdt.XmlFragment)) == body
    # A title alone changes no text: nothing is written into the live text.
    renamed = personas.client_for(personas.admin).patch(
        api(f"sections/{section.pk}/"), {"base_version": response.json()["version"], "title": "Introduction"}, content_type=JSON
    )
    assert renamed.status_code == 200 and renamed.json()["title"] == "Introduction" and renamed.json()["body"] == body
    assert LiveUpdate.objects.filter(text=text).count() == before_updates + 1


def test_a_text_too_long_is_refused_with_the_sanitisers_message_and_nothing_changes(personas, joint):
    section = first_section(joint)
    text = LiveText.objects.get(section=section)
    updates, revisions = LiveUpdate.objects.filter(text=text).count(), SectionRevision.objects.filter(section=section).count()
    response = personas.client_for(personas.admin).patch(
        api(f"sections/{section.pk}/"),
        {"base_version": section.version, "body": "<p>" + "word " * (richtext.MAX_HTML_CHARS // 5 + 1) + "</p>"},
        content_type=JSON,
    )
    assert response.status_code == 400 and "too long to be saved" in json.dumps(response.json())
    after = Section.objects.get(pk=section.pk)
    assert (after.body, after.version) == (section.body, section.version)
    assert LiveUpdate.objects.filter(text=text).count() == updates
    assert SectionRevision.objects.filter(section=section).count() == revisions


def test_outsiders_get_404_on_every_endpoint_that_reads_or_writes_the_live_text(personas, joint):
    section = first_section(joint)
    organisation = MemberOrganisation.objects.create(coalition=personas.coalition, name="Roma Rights Watch")
    sign_on = signed_by(personas, joint, organisation)
    typed_live_in_first_section(personas, joint)
    outsider = personas.client_for(personas.outsider)
    for path in (
        f"sections/{section.pk}/",
        f"sections/?document={joint.pk}",
        f"documents/{joint.pk}/",
        f"documents/{joint.pk}/count/",
        f"documents/{joint.pk}/sign-ons/",
        f"sign-ons/{sign_on.pk}/",
    ):
        assert outsider.get(api(path)).status_code == 404, path
    refused = outsider.patch(api(f"sections/{section.pk}/"), {"base_version": 2, "body": "<p>Theirs</p>"}, content_type=JSON)
    assert refused.status_code == 404
    # Nothing was rendered nor written for them: the live change is still waiting for its render.
    text = LiveText.objects.get(section=section)
    assert text.rendered_seq < text.seq and "Theirs" not in room_html(text)


# --- 5. Existing documents convert with nothing lost ------------------------------------------------


def _converted(section: Section) -> str:
    """A section as it was before the live editor (its HTML, no live text), converted now."""
    LiveText.objects.filter(section=section).delete()
    return room_html(store.text_for_section(section))


def _same_text(before: str, after: str) -> None:
    """Nothing lost: the same counted words, the same footnotes (their number and words), the same text."""
    first, second = count_html(before), count_html(after)
    assert (first.counted, first.footnotes) == (second.counted, second.footnotes)
    assert before.count('class="footnote"') == after.count('class="footnote"')
    assert richtext.plain_text(before) == richtext.plain_text(after)


def test_the_demo_converts_with_nothing_lost(upr_reference):
    call_command("load_demo", stdout=io.StringIO())
    coalition = Coalition.objects.get(slug="demo")
    sections = list(Section.objects.filter(coalition=coalition).order_by("pk"))
    assert sections and any(s.body for s in sections)
    for section in sections:
        held = room_html(store.text_for_section(section))
        assert held == section.body  # written through the live store: its HTML is the CRDT's
        assert count_html(held).counted == section.counted_words
        # As if the demo had been loaded before the live editor: converted from its HTML alone.
        assert _converted(section) == section.body, section.title
    for document in Document.objects.filter(coalition=coalition):
        assert room_html(store.text_for_summary(document)) == document.summary
    submission = Document.objects.get(coalition=coalition, kind="joint_submission")
    page = selectors.document_page(submission, with_comments=False)
    assert set(selectors.signature_texts(page).values()) == {selectors.SIGNED_CURRENT}  # signed on the whole text


def test_a_large_word_draft_converts_with_nothing_lost(personas, joint, django_capture_on_commit_callbacks):
    imported = read_docx(large_draft())
    assert imported.footnote_count == 150
    source = {part.title: richtext.clean(part.html) for part in imported.sections}
    words = sum(count_html(html).counted for html in source.values())
    assert 5_400 <= words <= 5_800, words
    added = services.sections_import(document=joint, actor=personas.admin, imported=imported)
    assert len(added) == 10
    for section in added:
        section.refresh_from_db()
        text = LiveText.objects.get(section=section)
        held = room_html(text)
        assert held == section.body
        # The HTML of the import, as the app stored it before the live editor, and the live text hold the
        # same words, footnotes and structure. Where the HTML differs it is only in the conventions of
        # yhtml (a list item's lone paragraph without <p>, inline text given a <p>), so the comparison is by
        # counts and plain text, with the exact HTML compared where it is the same.
        _same_text(source[section.title], held)
        for tag in ("<h3>", "<li>", "<table>", "<strong>", "<em>"):
            assert source[section.title].count(tag) == held.count(tag), tag
        if held != source[section.title]:
            assert yhtml.blocks_to_html(yhtml.blocks_from_html(source[section.title])) == held
    assert sum(s.counted_words for s in Section.objects.filter(pk__in=[s.pk for s in added])) == words
    assert sum(s.body.count('class="footnote"') for s in Section.objects.filter(pk__in=[s.pk for s in added])) == 150
    # The same draft imported before the live editor (its HTML alone, no live text): converted, nothing lost.
    for section in added:
        Section.objects.filter(pk=section.pk).update(body=source[section.title])
        section.refresh_from_db()
        _same_text(source[section.title], _converted(section))
    # Exported to Word: every footnote is a real Word footnote.
    notes = word_footnotes(export(personas, joint, "docx", django_capture_on_commit_callbacks))
    assert len(notes) == 150 + 1  # the draft's and the joint fixture's own
    assert notes[1] == "Source 1: report A/HRC/40/1, paragraph 7." and notes[-1].startswith("Source 150:")


# --- 6. Comments and the mid-term report ------------------------------------------------------------


def test_comments_on_a_live_section_keep_working(personas, joint):
    section = first_section(joint)
    member, admin = personas.client_for(personas.member), personas.client_for(personas.admin)
    made = member.post(api(f"sections/{section.pk}/comments/"), {"text": "Which report is this?"}, content_type=JSON)
    assert made.status_code == 201
    typed_live_in_first_section(personas, joint)  # the section changes live under the comment
    assert "Which report is this?" in member.get(url("detail", joint.pk)).content.decode()
    assert member.post(url("comment_resolve", joint.pk, section.pk, made.json()["id"])).status_code == 302
    assert Comment.objects.get(pk=made.json()["id"]).resolved_by == personas.member
    assert admin.get(api(f"sections/{section.pk}/comments/")).json()[0]["resolved_by"] == personas.member.pk


def test_the_mid_term_report_is_made_of_live_chapters(personas):
    for i in range(3):
        RecommendationFactory(
            review=personas.engagement.review, thematic_cluster="Right to health", response="supported" if i % 2 == 0 else "noted"
        )
    admin = personas.client_for(personas.admin)
    base = f"/c/alpha/engagements/{personas.engagement.pk}/matrix/"
    assert admin.post(base + "build/", {"scheme": "ohchr"}).status_code == 302
    assert Matrix.objects.filter(engagement=personas.engagement).exists()
    assert admin.post(base + "midterm/").status_code == 302
    report = Document.objects.get(kind="mid_term_report")
    chapters = list(report.sections.order_by("position"))
    assert len(chapters) >= 4
    for chapter in chapters:
        text = LiveText.objects.get(section=chapter)  # live from the start
        assert room_html(text) == chapter.body and chapter.counted_words == count_html(chapter.body).counted
    assert any("<table>" in chapter.body for chapter in chapters)  # a cluster's traffic-light table
    # A working group edits a chapter live; the report's export reads the edit.
    type_live(chapters[0], chapters[0].body + "<p>Edited live by the working group.</p>", personas.admin)
    store.ensure_rendered(report)
    assert "Edited live by the working group." in Section.objects.get(pk=chapters[0].pk).body
