"""Suggestions (track changes) in a live text: reading them, checking a suggester's change, and
accepting or rejecting them.

A suggestion is made in the browser (frontend/src/suggest.js) as marks on text in the room's CRDT:
text someone proposes to insert carries the `insertion` mark, text they propose to delete keeps its
place and carries the `deletion` mark; both with attrs {"id": "<suggestion id>", "author": "<user
id>"}. One id gathers a person's continuous typing (or deleting) into one suggestion. Because the
suggestion is part of the shared text, everyone sees it live, and it moves with the words around it.

The text as it STANDS leaves suggested insertions out and keeps suggested deletions (yhtml's
views): that is Section.body, its count, its exports and signatures. A member who may comment but not
edit a section may write there only suggestions: `is_suggestion_by` checks each of their changes
against the state before it (the standing text unchanged, and nobody else's suggestion touched).

Accepting an insertion (or rejecting a deletion) removes the mark and keeps the text; rejecting an
insertion (or accepting a deletion) deletes the text. The server does it (`decide_update`), so that
the decision is checked, stored like any change, seen live, and kept in the history.

Offsets: pycrdt indexes text by UTF-8 bytes (Yjs in the browser by UTF-16 units): everything here
works in pycrdt's unit, from the chunks of `XmlText.diff()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from .yhtml import DELETION, FIELD, INSERTION, STANDING, _load, fragment_to_html, suggestion_view

KINDS = (INSERTION, DELETION)


@dataclass
class Suggestion:
    """One suggestion: who made it, what it would insert and delete (in document order)."""

    id: str
    author_id: int | None
    inserted: str = ""
    deleted: str = ""
    position: int = 0  # order of first appearance in the text
    parts: list[tuple[str, str]] = field(default_factory=list)  # (kind, text), in order

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """What must not change when someone else writes: its author and its pieces."""
        return (str(self.author_id), tuple(self.parts))


def _author(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _texts(parent: XmlFragment | XmlElement) -> Iterator[XmlText]:
    """Every XmlText of the room, in document order (footnotes' included)."""
    for child in parent.children:
        if isinstance(child, XmlText):
            yield child
        elif isinstance(child, XmlElement):
            yield from _texts(child)


def _marked(attributes: dict[str, Any] | None) -> Iterator[tuple[str, str, int | None]]:
    """(kind, id, author) of the suggestion marks of a chunk."""
    for kind in KINDS:
        value = (attributes or {}).get(kind)
        if isinstance(value, dict) and value.get("id") is not None:
            yield kind, str(value["id"]), _author(value.get("author"))


def suggestions_of(doc: Doc) -> dict[str, Suggestion]:
    """The open suggestions of a room, by id, in order of appearance."""
    found: dict[str, Suggestion] = {}
    fragment = doc.get(FIELD, type=XmlFragment)
    with doc.transaction():
        for text in _texts(fragment):
            for value, attributes in text.diff():
                if not isinstance(value, str):
                    continue
                for kind, suggestion_id, author in _marked(attributes):
                    suggestion = found.get(suggestion_id)
                    if suggestion is None:
                        suggestion = found[suggestion_id] = Suggestion(suggestion_id, author, position=len(found))
                    suggestion.parts.append((kind, value))
                    if kind == INSERTION:
                        suggestion.inserted += value
                    else:
                        suggestion.deleted += value
    return found


def suggestions_in_state(state: bytes) -> list[Suggestion]:
    return list(suggestions_of(_load(state)).values()) if state else []


def _standing(doc: Doc) -> str:
    with suggestion_view(STANDING):
        return fragment_to_html(doc.get(FIELD, type=XmlFragment))


def is_suggestion_by(state: bytes, update: bytes, author_id: int) -> bool:
    """Whether `update`, applied to `state`, only makes, changes or withdraws `author_id`'s own
    suggestions: the text as it stands reads the same, and every other person's suggestion is
    exactly as it was (none added in their name either)."""
    before = _load(state)
    after = _load(state)
    after.apply_update(update)
    if _standing(before) != _standing(after):
        return False
    mine = str(author_id)

    def others(doc: Doc) -> dict[str, Any]:
        return {sid: s.key for sid, s in suggestions_of(doc).items() if str(s.author_id) != mine}

    return others(before) == others(after)


def decide_update(state: bytes, ids: Iterable[str], *, accept: bool) -> bytes | None:
    """The update that accepts (or rejects) the suggestions `ids`, or None when none is in the text."""
    wanted = set(ids)
    doc = _load(state)
    vector = doc.get_state()
    changed = False
    fragment = doc.get(FIELD, type=XmlFragment)
    with doc.transaction():
        for text in list(_texts(fragment)):
            ranges: list[tuple[int, int, str]] = []
            offset = 0
            for value, attributes in text.diff():
                length = len(value.encode("utf-8")) if isinstance(value, str) else 1
                for kind, suggestion_id, _author_id in _marked(attributes):
                    if suggestion_id in wanted:
                        ranges.append((offset, offset + length, kind))
                offset += length
            for start, stop, kind in reversed(ranges):  # from the end: earlier offsets stay valid
                if (kind == INSERTION) == accept:
                    text.format(start, stop, {kind: None})  # the words stay, unmarked
                else:
                    del text[start:stop]
                changed = True
    return doc.get_update(vector) if changed else None
