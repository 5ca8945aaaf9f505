"""Suggestion mode in real headless Chromium against the real ASGI server: a member (who may
comment, not edit) suggests a change while the section's editor types in the same paragraph; both
browsers see the suggestion with its author; the editor accepts it; the text, the counts and the
history are right in both browsers and on the server. And what a suggester may not do."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from submissions.live import store
from submissions.models import RevisionReason, Section, SectionRevision

from .browsers import caret_after, html_of, wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def proposed_of(page, room: str) -> str:
    return page.evaluate("(room) => window.UPRLiveEditor.proposedHtmlOf(room)", room)


def test_a_member_suggests_while_the_editor_types_in_the_same_paragraph_and_the_editor_accepts(live, personas):
    editor = live.open(personas.editor)
    member = live.open(personas.member)
    # The member may only suggest here: the mode is on and cannot be turned off.
    member.wait_for_function("(room) => window.UPRLiveEditor.suggesting(room)", arg=live.room)
    toggle = member.locator(f'.live-text[data-room="{live.room}"] .live-toolbar-suggest')
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_attribute("aria-disabled", "true")
    assert not editor.evaluate("(room) => window.UPRLiveEditor.suggesting(room)", live.room)

    # Both in paragraph 1 at once: the member replaces "words" by "sentences" (a deletion and an
    # insertion) near its start, the editor types near its end.
    caret_after(editor, live, "of the section")
    caret_after(member, live, "Opening words")
    for _ in range(len("words")):
        member.keyboard.press("Backspace")
    member.keyboard.type("sentences", delay=20)
    editor.keyboard.type(" today", delay=20)
    wait_saved(member)
    wait_saved(editor)
    for page in (editor, member):  # every keystroke of both relayed to both
        page.wait_for_function(
            """(room) => window.UPRLiveEditor.suggestionsOf(room).length === 1 &&
            window.UPRLiveEditor.htmlOf(room).includes('section today') &&
            window.UPRLiveEditor.proposedHtmlOf(room).includes('sentences of')""",
            arg=live.room,
        )
    # As it stands: the editor's words are in, the member's only proposed.
    for page in (editor, member):
        assert html_of(page, live.room).startswith("<p>Opening words of the section today.")
        assert proposed_of(page, live.room).startswith("<p>Opening sentences of the section today.")
    store.ensure_rendered(live.document)
    section = Section.objects.get(pk=live.section.pk)
    assert "sentences" not in section.body and section.proposed_words == section.counted_words  # one word for one
    listed = editor.locator(f'.live-text[data-room="{live.room}"] .live-suggestions li')
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(f"{personas.member} (Centre for Equal Rights (CER))")  # its author, and their organisation
    expect(listed).to_contain_text("sentences")
    # The member cannot decide; the editor can.
    expect(member.locator(".live-suggestions li button")).to_have_count(0)

    listed.get_by_role("button", name="Accept").click()
    for page in (editor, member):
        page.wait_for_function(
            """(room) => window.UPRLiveEditor.suggestionsOf(room).length === 0 &&
            window.UPRLiveEditor.htmlOf(room).startsWith('<p>Opening sentences of the section today.')""",
            arg=live.room,
        )
    assert html_of(editor, live.room) == html_of(member, live.room) == live.stored_html()
    store.ensure_rendered(live.document)
    assert Section.objects.get(pk=live.section.pk).body.startswith("<p>Opening sentences of the section today.")
    accepted = SectionRevision.objects.filter(section=live.section, reason=RevisionReason.ACCEPT).get()
    assert accepted.note == f"Accepted 1 suggestion(s) by {personas.member}: “sentences”"
    assert accepted.created_by == personas.editor
    assert "sentences" in accepted.body
    # The history says so in both browsers: the version the acceptance made, who accepted whose suggestion.
    for page in (editor, member):
        page.goto(f"{live.url}sections/{live.section.pk}/history/")
        expect(page.locator("body")).to_contain_text("A suggestion accepted")
        expect(page.locator("body")).to_contain_text(accepted.note)


def test_a_suggesters_plain_change_never_reaches_the_text_and_rejecting_all_of_one_persons_works(live, personas):
    member = live.open(personas.member)
    member.wait_for_function("(room) => window.UPRLiveEditor.suggesting(room)", arg=live.room)
    caret_after(member, live, "Second paragraph")
    member.keyboard.press("Enter")  # a new paragraph is not a suggestion: refused in the browser
    expect(member.locator(f'.live-text[data-room="{live.room}"] .live-notice')).to_contain_text("words only")
    member.keyboard.type(" indeed", delay=20)
    caret_after(member, live, "Opening")
    member.keyboard.type(" first", delay=20)
    wait_saved(member)
    member.wait_for_function("(room) => window.UPRLiveEditor.suggestionsOf(room).length === 2", arg=live.room)
    # Suggestion mode cannot be left where one may only suggest...
    assert member.evaluate("(room) => window.UPRLiveEditor.setSuggesting(room, false)", live.room) is False
    assert member.evaluate("(room) => window.UPRLiveEditor.suggesting(room)", live.room)
    # ...and a plain change made straight in the shared document (bypassing the editor, as a
    # tampered browser could) is refused by the server, not stored, and undone in that browser.
    before = live.stored_html()
    member.evaluate(
        """(room) => window.UPRLiveEditor.rooms[room].doc.getXmlFragment("default").get(1).get(0)
        .insert(0, "Forged ")""",
        live.room,
    )
    expect(member.locator(f'.live-text[data-room="{live.room}"] .live-notice')).to_contain_text("only suggest")
    member.wait_for_function("(room) => !window.UPRLiveEditor.htmlOf(room).includes('Forged')", arg=live.room)
    wait_saved(member)
    assert live.stored_html() == before and "Forged" not in before

    admin = live.open(personas.admin)
    admin.wait_for_function("(room) => window.UPRLiveEditor.suggestionsOf(room).length === 2", arg=live.room)
    panel = admin.locator(f'.live-text[data-room="{live.room}"] .live-suggestions')
    panel.get_by_role("button", name="Reject all by").click()
    for page in (admin, member):
        page.wait_for_function("(room) => window.UPRLiveEditor.suggestionsOf(room).length === 0", arg=live.room)
    assert live.stored_html() == before
    assert SectionRevision.objects.filter(section=live.section, reason=RevisionReason.REJECT).count() == 1
