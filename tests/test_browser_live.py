"""The live editor in real headless Chromium against the real ASGI server (pages and WebSockets),
on PostgreSQL and Redis: people typing at once, offline and back, a server restart, footnotes, rights
that change under an open editor, presence, and the browser's count agreeing with the server's.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from coalitions.models import Membership
from submissions import services
from submissions.live import store
from submissions.models import Document, Section
from submissions.wordcount import count_html

from .browsers import html_of, wait_saved, wait_synced
from .helpers import LIVE_BODY as BODY  # the `live` fixture's section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def caret_at_end_of_first_paragraph(page, live) -> None:
    editor = live.editor(page)
    editor.locator("p").nth(1).click()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")  # end of paragraph 1, after its footnote


def test_three_people_type_in_one_paragraph_one_offline_and_all_converge_with_every_keystroke(live, personas):
    pages = [live.open(personas.editor), live.open(live.second), live.open(personas.admin)]
    words = {0: ["alpha", "bravo", "charlie"], 1: ["delta", "echo", "foxtrot"], 2: ["golf", "hotel", "india"]}
    # Three carets in paragraph 1: after "Opening", after "words", and at its end (after the footnote).
    for page, position in zip(pages, (8, 14, None), strict=True):
        if position is None:
            caret_at_end_of_first_paragraph(page, live)
        else:
            live.editor(page).click()
            page.evaluate(
                "([room, at]) => window.UPRLiveEditor.rooms[room].editor.commands.setTextSelection(at)", [live.room, position]
            )
    # One of the three goes offline; everyone keeps typing into the same paragraph.
    live.contexts[1].set_offline(True)
    for round_ in range(3):
        for i, page in enumerate(pages):
            page.keyboard.type(f" {words[i][round_]}", delay=15)
    pages[1].wait_for_function("() => /offline/i.test(window.UPRLiveEditor.status()) && window.UPRLiveEditor.pending() > 0")
    assert "kept on this device" in pages[1].locator(".live-status").inner_text()
    live.contexts[1].set_offline(False)
    for page in pages:
        wait_saved(page, timeout=30)
    time.sleep(1)  # the last relays
    texts = [html_of(page, live.room) for page in pages]
    assert texts[0] == texts[1] == texts[2], texts
    stored = live.stored_html()
    assert stored == texts[0]
    # Every keystroke of everyone is there: the paragraph's characters are the original ones and every
    # character typed, each exactly once.
    first_paragraph = stored.split("</p>")[0]
    original = "Opening words of the section."
    typed_characters = "".join(f" {word}" for typed in words.values() for word in typed)
    text = first_paragraph.removeprefix("<p>").replace('<span class="footnote">A source, 2024.</span>', "")
    assert sorted(text) == sorted(original + typed_characters), text
    for typed in words.values():
        for word in typed:
            assert stored.count(word) == 1, (word, stored)
    # Each person's words stay in the order they typed them, all in paragraph 1, none in the footnote.
    for typed in words.values():
        positions = [first_paragraph.index(word) for word in typed]
        assert positions == sorted(positions)
    assert "A source, 2024.</span>" in first_paragraph


def test_the_server_restarts_mid_session_and_nothing_acknowledged_is_lost(live, personas):
    page = live.open(personas.editor)
    caret_at_end_of_first_paragraph(page, live)
    page.keyboard.type(" before the restart", delay=10)
    wait_saved(page)
    live.server.restart()
    page.keyboard.type(" during the restart", delay=10)
    wait_synced(page, timeout=30)
    wait_saved(page, timeout=30)
    stored = live.stored_html()
    assert "before the restart" in stored and "during the restart" in stored
    assert html_of(page, live.room) == stored


def test_typing_after_a_footnote_never_lands_in_it(live, personas):
    page = live.open(personas.editor)
    caret_at_end_of_first_paragraph(page, live)
    page.keyboard.type(" after the note", delay=10)
    wait_saved(page)
    html = html_of(page, live.room)
    assert '<span class="footnote">A source, 2024.</span> after the note' in html
    store.ensure_rendered(live.document)
    section = Section.objects.get(pk=live.section.pk)
    assert section.body == html
    assert section.footnote_words == 3 and "after" not in section.body.split('class="footnote">')[1].split("</span>")[0]


def test_a_removed_member_editor_stops_accepting_input_at_once(live, personas):
    page = live.open(live.second)
    editor = live.editor(page)
    assert editor.get_attribute("contenteditable") == "true"
    Membership.objects.filter(user=live.second).delete()
    page.wait_for_function(
        f"""() => document.querySelector('.live-text[data-room="{live.room}"] .ProseMirror')
                                    .getAttribute('contenteditable') === 'false'""",
        timeout=5000,
    )
    before = html_of(page, live.room)
    editor.click()
    page.keyboard.type("should not appear")
    assert html_of(page, live.room) == before
    assert "should not appear" not in live.stored_html()


def test_presence_shows_the_others_names_and_where_they_are(live, personas):
    first = live.open(personas.editor)
    second = live.open(personas.admin)
    live.editor(second).click()
    first.wait_for_function(
        "(name) => document.querySelector('.live-presence').textContent.includes(name)", arg=str(personas.admin), timeout=5000
    )
    assert str(personas.admin) in first.locator(".live-presence").inner_text()
    assert live.section.title in first.locator(".live-presence").inner_text()


def test_offline_changes_survive_closing_the_page_and_merge_when_it_opens_again(live, personas):
    page = live.open(personas.editor)
    live.contexts[0].set_offline(True)
    caret_at_end_of_first_paragraph(page, live)
    page.keyboard.type(" written on the train", delay=10)
    page.wait_for_function("() => window.UPRLiveEditor.pending() > 0")
    page.close()
    live.contexts[0].set_offline(False)
    again = live.contexts[0].new_page()
    again.goto(live.url)
    wait_synced(again)
    wait_saved(again)
    assert "written on the train" in live.stored_html()


def test_the_browser_count_agrees_with_the_server_and_every_node_renders_alike(live, personas):
    page = live.open(personas.admin)
    sample = (
        '<h3>Heading</h3><p><strong>Bold</strong> <em>it</em> <u>under</u> <a href="https://ohchr.org">link</a>'
        '<br>line<span class="footnote">Note with <em>style</em>.</span></p><ul><li>one</li><li>two<ol><li>three</li>'
        "</ol></li></ul><blockquote><p>Quoted text.</p></blockquote><table><tbody><tr><th>Head</th><td>cell</td></tr>"
        "</tbody></table><p>l'État, c'est-à-dire « guillemets » ; father-in-law 06/30/2003 — end</p>"
    )
    page.evaluate("([room, html]) => window.UPRLiveEditor.insertForTest(room, html)", [live.room, sample])
    wait_saved(page)
    browser_html = html_of(page, live.room)
    assert live.stored_html() == browser_html  # the server renders the CRDT exactly as the browser does
    store.ensure_rendered(live.document)
    section = Section.objects.get(pk=live.section.pk)
    counted = count_html(section.body)
    row = page.locator(f'tr[data-part="{live.room}"]')
    # Recounts are batched 30 ms apart: wait for the count to settle rather than read it mid-recount.
    expect(row.locator("[data-counted]")).to_have_text(str(counted.counted + len(section.title.split())))
    expect(row.locator("[data-footnotes]")).to_have_text(str(counted.footnotes))


def test_undo_is_per_person_never_undoing_the_others_typing(live, personas):
    mine, theirs = live.open(personas.editor), live.open(live.second)
    caret_at_end_of_first_paragraph(mine, live)
    mine.keyboard.type(" mine", delay=10)
    wait_saved(mine)
    live.editor(theirs).locator("p").nth(1).click()
    theirs.keyboard.press("End")
    theirs.keyboard.type(" theirs", delay=10)
    wait_saved(theirs)
    mine.wait_for_function("(room) => window.UPRLiveEditor.htmlOf(room).includes('theirs')", arg=live.room)
    live.editor(mine).focus()
    mine.keyboard.press("Control+z")
    wait_saved(mine)
    theirs.wait_for_function("(room) => !window.UPRLiveEditor.htmlOf(room).includes('mine')", arg=live.room)
    stored = live.stored_html()
    assert " mine" not in stored and "Second paragraph. theirs" in stored
    mine.keyboard.press("Control+y")
    wait_saved(mine)
    assert " mine" in live.stored_html()


def test_the_toolbar_is_one_tab_stop_with_arrow_keys_and_every_button_labelled(live, personas):
    page = live.open(personas.editor)
    toolbar = page.locator(f'.live-text[data-room="{live.room}"] [role="toolbar"]')
    buttons = toolbar.locator("button")
    assert buttons.count() >= 12
    labels = [buttons.nth(i).get_attribute("aria-label") for i in range(buttons.count())]
    assert all(label and label.strip() for label in labels), labels
    assert sum(1 for i in range(buttons.count()) if buttons.nth(i).get_attribute("tabindex") == "0") == 1
    buttons.first.focus()
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert focused == labels[1]
    page.keyboard.press("End")
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == labels[-1] or page.evaluate(
        "() => document.activeElement.closest('[role=toolbar]') !== null"
    )
    # Bold from the toolbar, through the keyboard: it is pressed and the text is bold.
    caret_at_end_of_first_paragraph(page, live)
    page.keyboard.press("Control+b")
    page.keyboard.type(" strong words", delay=10)
    wait_saved(page)
    assert "<strong> strong words</strong>" in live.stored_html()
    assert toolbar.locator('button[aria-pressed="true"]').count() >= 1


def test_a_footnote_is_written_in_place_numbered_live_and_kept_out_of_the_count(live, personas):
    page = live.open(personas.editor)
    caret_at_end_of_first_paragraph(page, live)
    page.keyboard.press("Control+Alt+f")
    popover = page.locator(".live-footnote-popover")
    popover.wait_for()
    page.keyboard.type("Second source, 2025.", delay=10)
    page.keyboard.press("Escape")
    page.keyboard.type(" Then the text goes on.", delay=10)
    wait_saved(page)
    stored = live.stored_html()
    assert (
        '<span class="footnote">A source, 2024.</span><span class="footnote">Second source, 2025.</span> Then the text goes on.'
    ) in stored
    numbers = page.locator(f'.live-text[data-room="{live.room}"] .live-footnote').all_inner_texts()
    assert [n.strip() for n in numbers] == ["1", "2"]
    store.ensure_rendered(live.document)
    section = Section.objects.get(pk=live.section.pk)
    assert section.footnote_words == 6 and section.counted_words == count_html(section.body).counted


def test_paste_from_word_and_google_docs_keeps_structure_and_footnotes_and_drops_the_rest(live, personas):
    page = live.open(personas.editor)
    caret_at_end_of_first_paragraph(page, live)
    page.keyboard.press("Enter")  # into a new, empty paragraph, as one pastes a passage
    word = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><body>'
        '<h2 style="color:red">Civic space</h2><p class="MsoNormal" style="font-family:Calibri">Defenders face '
        '<b>threats</b><a style="mso-footnote-id:ftn1" href="#_ftn1" name="_ftnref1"><span class="MsoFootnoteReference">'
        '[1]</span></a> and <a href="https://www.ohchr.org/">reprisals</a>.</p><ul><li>First point</li><li>Second point</li></ul>'
        '<div style="mso-element:footnote-list"><div style="mso-element:footnote" id="ftn1"><p class="MsoFootnoteText">'
        '<a style="mso-footnote-id:ftn1" href="#_ftnref1" name="_ftn1">[1]</a> Report of the ombudsperson, 2024.</p></div></div>'
        "</body></html>"
    )
    page.evaluate(
        """(html) => {
        const data = new DataTransfer();
        data.setData('text/html', html);
        data.setData('text/plain', 'fallback');
        document.activeElement.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""",
        word,
    )
    wait_saved(page)
    stored = live.stored_html()
    assert "<h2>Civic space</h2>" in stored
    assert '<strong>threats</strong><span class="footnote">Report of the ombudsperson, 2024.</span>' in stored
    assert '<a href="https://www.ohchr.org/"' in stored and "<ul><li>First point</li><li>Second point</li></ul>" in stored
    assert "style" not in stored and "Mso" not in stored and "[1]" not in stored


def test_a_form_write_reaches_open_editors_and_the_document_made_final_turns_them_read_only(live, personas):
    page = live.open(personas.editor)
    admin = personas.membership(personas.admin)
    services.section_save(
        section=live.section,
        membership=admin,
        base_version=Section.objects.get(pk=live.section.pk).version,
        body=BODY + "<p>Written through the API.</p>",
    )
    page.wait_for_function(
        "(room) => window.UPRLiveEditor.htmlOf(room).includes('Written through the API.')", arg=live.room, timeout=5000
    )
    # Made final (as the status service does once the checks pass): every open editor stops writing.
    document = Document.objects.get(pk=live.document.pk)
    document.status = "final"
    document.save(update_fields=["status", "updated_at"])
    page.wait_for_function(
        f"""() => document.querySelector('.live-text[data-room="{live.room}"] .ProseMirror')
                                    .getAttribute('contenteditable') === 'false'""",
        timeout=5000,
    )
    before = live.stored_html()
    live.editor(page).click()
    page.keyboard.type("too late")
    time.sleep(0.5)
    assert live.stored_html() == before


def test_the_link_form_checks_the_address_closes_on_escape_or_outside_and_links_the_words(live, personas):
    page = live.open(personas.editor)
    editor = live.editor(page)
    editor.locator("p").nth(1).click()
    page.keyboard.press("End")
    for _ in range(len("paragraph.")):
        page.keyboard.press("Shift+ArrowLeft")  # "paragraph." selected
    form = page.locator(".live-link-form")
    page.keyboard.press("Control+k")
    form.wait_for()
    page.keyboard.press("Escape")  # closes, and the text has the focus again
    expect(form).to_have_count(0)
    assert page.evaluate("() => document.activeElement.closest('.live-text') !== null")
    page.keyboard.press("Control+k")
    form.wait_for()
    page.locator("h1").first.click()  # a click outside closes it too
    expect(form).to_have_count(0)
    editor.locator("p").nth(1).click()
    page.keyboard.press("End")
    for _ in range(len("paragraph.")):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Control+k")
    form.locator("input").fill("javascript:alert(1)")
    page.keyboard.press("Enter")  # refused, said, and the form stays
    expect(form.locator(".live-popover-error")).not_to_be_empty()
    form.locator("input").fill("www.ohchr.org/en/hr-bodies/upr")
    page.keyboard.press("Enter")
    expect(form).to_have_count(0)
    wait_saved(page)
    assert (
        '<p>Second <a href="https://www.ohchr.org/en/hr-bodies/upr" rel="noopener noreferrer">paragraph.</a></p>'
        in live.stored_html()
    )
