"""Suggestions in a live text (submissions/live/suggestions.py, yhtml's views): what the text says as
it stands and as proposed, what a suggester may write, and accepting or rejecting."""

from __future__ import annotations

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from submissions.live import suggestions, yhtml
from submissions.live.yhtml import DELETION, INSERTION, PROPOSED


def mark(kind: str, sid: str, author: int) -> dict:
    return {kind: {"id": sid, "author": str(author)}}


def room(*runs: tuple[str, dict | None]) -> tuple[Doc, XmlText]:
    """A room of one paragraph made of `runs` (text, formatting attributes)."""
    doc: Doc = Doc()
    fragment = doc.get(yhtml.FIELD, type=XmlFragment)
    fragment.children.append(XmlElement("paragraph"))
    paragraph = fragment.children[0]
    paragraph.children.append(XmlText())
    text = paragraph.children[0]
    at = 0
    for value, attrs in runs:
        text.insert(at, value, attrs)
        at += len(value.encode())
    return doc, text


def change(doc: Doc, edit) -> bytes:
    """The update that `edit(doc)` makes."""
    vector = doc.get_state()
    edit(doc)
    return doc.get_update(vector)


def test_the_text_as_it_stands_leaves_insertions_out_and_keeps_deletions_the_proposed_text_the_reverse():
    doc, _ = room(
        ("L’État ", None),
        ("a ratifié ", mark(DELETION, "d1", 3)),
        ("n’a pas ratifié ", mark(INSERTION, "i1", 3)),
        ("la convention.", None),
    )
    state = doc.get_update()
    assert yhtml.state_to_html(state) == "<p>L’État a ratifié la convention.</p>"
    assert yhtml.state_to_html(state, view=PROPOSED) == "<p>L’État n’a pas ratifié la convention.</p>"
    assert yhtml.may_hold_suggestions(state)
    plain, _ = room(("Nothing suggested.", None))
    assert not yhtml.may_hold_suggestions(plain.get_update())
    found = suggestions.suggestions_in_state(state)
    assert [(s.id, s.author_id, s.inserted, s.deleted) for s in found] == [
        ("d1", 3, "", "a ratifié "),
        ("i1", 3, "n’a pas ratifié ", ""),
    ]


def test_a_suggester_may_add_change_and_withdraw_their_own_suggestions_only():
    doc, text = room(("Slovenia adopted a strategy. ", None), ("Roma ", mark(INSERTION, "other", 9)))
    state = doc.get_update()
    mine = change(doc, lambda d: text.insert(len("Slovenia adopted "), "in 2021 ", mark(INSERTION, "mine", 3)))
    assert suggestions.is_suggestion_by(state, mine, 3)
    after_mine = doc.get_update()
    deleting = change(doc, lambda d: text.format(0, len("Slovenia "), mark(DELETION, "mine2", 3)))
    assert suggestions.is_suggestion_by(after_mine, deleting, 3)

    for forbidden in (
        lambda t: t.insert(0, "Plainly ", None),  # a real insertion
        lambda t: t.__delitem__(slice(0, 3)),  # a real deletion
        lambda t: t.format(0, 3, {"bold": {}}),  # formatting
        lambda t: t.format(
            len("Slovenia adopted a strategy. "), len("Slovenia adopted a strategy. Roma "), {INSERTION: None}
        ),  # accepting someone else's suggestion
        lambda t: t.insert(0, "Forged ", mark(INSERTION, "forged", 9)),  # in someone else's name
    ):
        probe, probe_text = room(("Slovenia adopted a strategy. ", None), ("Roma ", mark(INSERTION, "other", 9)))
        assert not suggestions.is_suggestion_by(probe.get_update(), change(probe, lambda d, f=forbidden, t=probe_text: f(t)), 3)


def test_accepting_and_rejecting_insertions_and_deletions():
    runs = (
        ("Since ", None),
        ("2019 ", mark(DELETION, "d", 3)),
        ("2021 ", mark(INSERTION, "i", 3)),
        ("the law", None),
        (" applies", mark(INSERTION, "x", 4)),
        (".", None),
    )
    for ids, accept, standing in (
        (["i"], True, "<p>Since 2019 2021 the law.</p>"),
        (["i"], False, "<p>Since 2019 the law.</p>"),
        (["d"], True, "<p>Since the law.</p>"),
        (["d"], False, "<p>Since 2019 the law.</p>"),
        (["d", "i"], True, "<p>Since 2021 the law.</p>"),
    ):
        doc, _ = room(*runs)
        state = doc.get_update()
        update = suggestions.decide_update(state, ids, accept=accept)
        assert update is not None
        doc.apply_update(update)
        after = doc.get_update()
        assert yhtml.state_to_html(after) == standing
        left = {s.id for s in suggestions.suggestions_in_state(after)}
        assert left == {"d", "i", "x"} - set(ids)  # "x" (another person's) untouched
    doc, _ = room(*runs)
    assert suggestions.decide_update(doc.get_update(), ["absent"], accept=True) is None


def test_offsets_are_right_past_accents_and_emoji():
    doc, _ = room(("Ça 😀 é ", None), ("très ", mark(INSERTION, "i", 3)), ("bien", None))
    update = suggestions.decide_update(doc.get_update(), ["i"], accept=True)
    doc.apply_update(update)
    assert yhtml.state_to_html(doc.get_update()) == "<p>Ça 😀 é très bien</p>"
    assert suggestions.suggestions_in_state(doc.get_update()) == []
