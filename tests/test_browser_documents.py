"""The drafting journey in real headless Chromium: two editors draft two sections, one comments, the
secretariat sees the count pass the limit (the browser's live count agreeing with the server's),
trims, has two organisations sign, marks the submission final, exports Word and PDF and downloads
both; and two tabs typing in the same section at once both keep their text (no save, no conflict)."""

import io
import re
from pathlib import Path

import docx
import pypdf
import pytest
from playwright.sync_api import expect

from coalitions import services as coalition_services
from coalitions.models import Role
from submissions import services
from submissions.models import Document, Section
from upr.models import Review

from .browsers import log_in
from .factories import PASSWORD, CoalitionFactory, MembershipFactory, OrganisationFactory, UserFactory


def open_live(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => window.UPRLiveEditor && window.UPRLiveEditor.connected() && window.UPRLiveEditor.synced()")


def type_into(page, key: str, text: str) -> None:
    editor = page.locator(f'.live-text[data-room="{key}"] .ProseMirror')
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def saved(page, document) -> None:
    """Every change acknowledged by the server (stored), then rendered as the rest of the app reads it."""
    from submissions.live import store

    page.wait_for_function("() => window.UPRLiveEditor.pending() === 0")
    store.ensure_rendered(document)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_editors_draft_the_admin_trims_signs_finalises_and_exports(asgi_server, chromium, upr_reference):
    coalition = CoalitionFactory(name="Slovenian UPR Coalition", slug="si-upr")
    lead = OrganisationFactory(coalition=coalition, name="Peace Institute", acronym="PI")
    second = OrganisationFactory(coalition=coalition, name="Legal Information Centre", acronym="PIC")
    people = {}
    for email, role, org in (
        ("admin@pi.si", Role.ADMIN, lead),
        ("ana@pi.si", Role.EDITOR, lead),
        ("bor@pic.si", Role.EDITOR, second),
    ):
        people[email] = UserFactory(email=email)
        MembershipFactory(coalition=coalition, user=people[email], role=role, organisation=org)
    admin = people["admin@pi.si"]
    engagement = coalition_services.engagement_create(
        coalition=coalition, actor=admin, review=Review.objects.get(state__iso3="SVN", session__number=48)
    )
    document = services.document_create(
        coalition=coalition,
        actor=admin,
        engagement=engagement,
        kind="joint_submission",
        title="Joint submission of the Slovenian UPR Coalition",
        lead_organisation=lead,
    )
    document.word_limit_override = 60  # a small limit, so that a few sentences pass it
    document.save()
    first, second_section = list(document.sections.order_by("position")[:2])
    first.assignee, second_section.assignee = people["ana@pi.si"], people["bor@pic.si"]
    first.save()
    second_section.save()
    base = asgi_server.url
    doc_url = f"{base}/c/si-upr/documents/{document.pk}/"

    # Two editors draft their sections live; the browser's count agrees with the server's.
    for email, section, text in (
        ("ana@pi.si", first, "Since the third cycle, Slovenia has adopted a strategy on Roma inclusion."),
        ("bor@pic.si", second_section, "Stateless persons – the so-called erased – still wait for redress."),
    ):
        context = chromium.new_context()
        page = context.new_page()
        log_in(page, base, email, PASSWORD)
        open_live(page, doc_url)
        type_into(page, f"section-{section.pk}", text)
        saved(page, document)
        stored = Section.objects.get(pk=section.pk)
        # The live count settles a moment after the last keystroke (recounts are batched 30 ms apart):
        # wait for it to agree rather than read it mid-typing.
        expect(page.locator(f'tr[data-part="section-{section.pk}"] [data-counted]')).to_have_text(
            str(stored.counted_words + len(stored.title.split()))
        )
        context.close()

    # Bor comments on Ana's section.
    context = chromium.new_context()
    page = context.new_page()
    log_in(page, base, "bor@pic.si", PASSWORD)
    page.goto(doc_url)
    page.get_by_label("Comment on this section").first.fill("Cite the 2024 ombudsperson report.")
    page.get_by_role("button", name="Comment", exact=True).first.click()
    page.wait_for_load_state()
    assert "Cite the 2024 ombudsperson report." in page.content()
    context.close()

    # The secretariat types past the limit: red, and "Mark final" is refused.
    page = chromium.new_page()
    log_in(page, base, admin.email, PASSWORD)
    open_live(page, doc_url)
    type_into(page, f"section-{first.pk}", " " + "More evidence here. " * 25)  # past 60 words: the cover no longer counts
    expect(page.locator(".count-panel")).to_have_class(re.compile(r"\bover\b"))  # no eval: the page's CSP forbids it
    assert "Over the limit by" in page.locator("#words-left-text").inner_text()
    saved(page, document)
    server_view = chromium.new_context()
    viewer = server_view.new_page()
    log_in(viewer, base, admin.email, PASSWORD)
    viewer.goto(doc_url)
    server_total = viewer.locator("#words-total").inner_text()  # the server's count, rendered from the CRDT
    server_view.close()
    expect(page.locator("#words-total")).to_have_text(server_total)  # the live count agrees once it settles
    page.get_by_role("button", name="Mark final").click()
    page.wait_for_load_state()
    assert "over its limit" in page.content()

    # Trim back to the first sentence: under the limit again.
    page.evaluate(
        """(room) => window.UPRLiveEditor.rooms[room].editor.commands.setContent(
        '<p>Since the third cycle, Slovenia has adopted a strategy on Roma inclusion.</p>')""",
        f"section-{first.pk}",
    )
    expect(page.locator(".count-panel")).not_to_have_class(re.compile(r"\bover\b"))
    saved(page, document)

    # Sign-on: the secretariat asks the second organisation; its contact signs.
    page.get_by_label("Legal Information Centre (PIC)").check()
    page.get_by_role("button", name="Ask to sign").click()
    page.wait_for_load_state()
    context = chromium.new_context()
    bor = context.new_page()
    log_in(bor, base, "bor@pic.si", PASSWORD)
    bor.goto(doc_url)
    bor.get_by_label("Sign", exact=True).check()
    bor.get_by_role("button", name="Send the answer").click()
    bor.wait_for_load_state()
    context.close()
    page.goto(doc_url)
    cover = page.locator('[data-count-key="cover"]').inner_text()
    assert "Peace Institute (PI)" in cover and "Legal Information Centre (PIC)" in cover

    # Final, then both exports, downloaded.
    page.get_by_role("button", name="Mark final").click()
    page.wait_for_load_state()
    assert Document.objects.get(pk=document.pk).status == "final"
    files = {}
    for button, suffix in (("Export Word (.docx)", ".docx"), ("Export PDF", ".pdf")):
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state()
        link = page.locator("#export-jobs a", has_text=suffix).first
        link.wait_for(timeout=30000)
        with page.expect_download() as download:
            link.click()
        files[suffix] = Path(download.value.path()).read_bytes()
    texts = "\n".join(p.text for p in docx.Document(io.BytesIO(files[".docx"])).paragraphs)
    assert "Since the third cycle" in texts and "Legal Information Centre" in texts and "DRAFT" not in texts
    pdf_text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(files[".pdf"])).pages)
    assert "Since the third cycle" in pdf_text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_tabs_typing_in_one_section_at_once_both_keep_their_text(asgi_server, chromium, upr_reference):
    coalition = CoalitionFactory(slug="si-upr")
    lead = OrganisationFactory(coalition=coalition, name="Peace Institute")
    admin = UserFactory(email="admin@pi.si")
    MembershipFactory(coalition=coalition, user=admin, role=Role.ADMIN, organisation=lead)
    engagement = coalition_services.engagement_create(
        coalition=coalition, actor=admin, review=Review.objects.get(state__iso3="SVN", session__number=48)
    )
    document = services.document_create(
        coalition=coalition, actor=admin, engagement=engagement, kind="oral_statement", title="Statement at the adoption"
    )
    section = document.sections.first()
    key = f"section-{section.pk}"
    doc_url = f"{asgi_server.url}/c/si-upr/documents/{document.pk}/"
    context = chromium.new_context()
    one, two = context.new_page(), context.new_page()
    log_in(one, asgi_server.url, admin.email, PASSWORD)
    for page in (one, two):
        open_live(page, doc_url)
    mine, theirs = "Thank you, Mr President.", " Madam President, distinguished delegates."
    type_into(one, key, mine)
    type_into(two, key, theirs)  # while the first tab's words are still arriving: the carets may cross
    for page in (one, two):
        saved(page, document)
    one.wait_for_function("([room, n]) => window.UPRLiveEditor.htmlOf(room).length >= n", arg=[key, len(mine + theirs) + 7])
    assert one.evaluate("(room) => window.UPRLiveEditor.htmlOf(room)", key) == two.evaluate(
        "(room) => window.UPRLiveEditor.htmlOf(room)", key
    )
    # Every character of both survives (where two carets met, the words may interleave: nothing is lost).
    body = Section.objects.get(pk=section.pk).body
    assert sorted(body.removeprefix("<p>").removesuffix("</p>")) == sorted(mine + theirs), body
    context.close()
