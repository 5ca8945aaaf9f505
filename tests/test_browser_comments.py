"""Comments on a passage in real headless Chromium against the real ASGI server: a member selects
words and comments; the editor's open page shows the thread at once with its passage highlighted; the
comment stays on its words while the editor types before them and inside them, in both browsers;
once the words are deleted the thread says so and still shows the words it was on."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from submissions.models import Comment

from .browsers import caret_after, wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The highlighted words of the page (a highlight may be cut in several pieces by other decorations).
HIGHLIGHTED = "Array.from(document.querySelectorAll('.comment-passage')).map((e) => e.textContent).join('')"


def select_words(page, live, words: str) -> None:
    page.evaluate(
        """([room, words]) => {
        const editor = window.UPRLiveEditor.rooms[room].editor;
        let from = null;
        editor.state.doc.descendants((node, pos) => {
            if (from === null && node.isText && node.text.includes(words)) from = pos + node.text.indexOf(words);
        });
        editor.commands.focus();
        editor.commands.setTextSelection({ from, to: from + words.length });
    }""",
        [live.room, words],
    )
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('ProseMirror')")


def passages(page, live) -> dict:
    return page.evaluate("(room) => window.UPRLiveEditor.commentPassages(room)", live.room)


def test_a_comment_stays_on_its_passage_through_edits_before_and_inside_it_and_outlives_it(live, personas):
    editor = live.open(personas.editor)
    member = live.open(personas.member)
    select_words(member, live, "words of the")
    member.keyboard.press("Control+Alt+M")
    dialog = member.get_by_role("dialog")
    expect(dialog).to_contain_text("words of the")
    field = dialog.get_by_label("Your comment")
    field.fill("Say which section, ")
    # "@" and the first letters of a name offer the coalition's people; Enter writes the whole name.
    field.press_sequentially("@" + str(personas.editor)[:-1], delay=20)
    expect(member.get_by_role("listbox", name="People to mention").get_by_role("option").first).to_have_text(str(personas.editor))
    field.press("Enter")
    expect(field).to_have_value(f"Say which section, @{personas.editor} ")
    field.press_sequentially(".")
    dialog.get_by_role("button", name="Comment").click()
    expect(dialog).to_have_count(0)

    comment = Comment.objects.get(section=live.section)
    assert comment.quote == "words of the" and set(comment.anchor) == {"start", "end"}
    assert list(comment.mentions.all()) == [personas.editor]
    card = f"#comment-{comment.pk}"
    for page in (member, editor):  # the editor's page learns of it through the socket
        expect(page.locator(card)).to_contain_text("Say which section")
        page.wait_for_function("(text) => highlighted() === text".replace("highlighted()", HIGHLIGHTED), arg="words of the")

    # The editor types before the passage, then inside it.
    caret_after(editor, live, "Opening")
    editor.keyboard.type(" plain", delay=15)
    caret_after(editor, live, "words")
    editor.keyboard.type(" and figures", delay=15)
    wait_saved(editor)
    for page in (editor, member):
        page.wait_for_function("(room) => window.UPRLiveEditor.htmlOf(room).includes('words and figures of')", arg=live.room)
        assert passages(page, live) == {str(comment.pk): "words and figures of the"}
        page.wait_for_function(
            "(text) => highlighted() === text".replace("highlighted()", HIGHLIGHTED), arg="words and figures of the"
        )

    # Clicking the passage brings its thread forward.
    editor.locator(f'.live-text[data-room="{live.room}"] .comment-passage').first.click()
    expect(editor.locator(card)).to_have_class(_re("comment-active"))

    # The passage is deleted: the thread stays, says so, and keeps the words it was on.
    select_words(editor, live, "plain words and figures of the ")
    editor.keyboard.press("Backspace")
    wait_saved(editor)
    for page in (editor, member):
        page.wait_for_function("(room) => !window.UPRLiveEditor.htmlOf(room).includes('figures')", arg=live.room)
        assert passages(page, live) == {str(comment.pk): ""}
        expect(page.locator(card)).to_contain_text("has been deleted")
        expect(page.locator(f"{card} .comment-quote")).to_have_text("words of the")
        expect(page.locator(f'.live-text[data-room="{live.room}"] .comment-passage')).to_have_count(0)
    # Comments never count as words: the passage's words left the count with the text.
    assert "Say which section" not in live.stored_html()


def _re(text: str):
    import re

    return re.compile(rf"\b{re.escape(text)}\b")
