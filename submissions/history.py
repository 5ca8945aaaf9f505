"""What changed between two versions of a section: its title, its text and its footnotes, word by word.

Pure functions over the sanitised HTML of `submissions.richtext` (what `live.store.html_at` gives for a
version): no database, no Django settings. The result is plain data (`Comparison`) that a template
turns into `<ins>`/`<del>`; no HTML is built here, so every word a person wrote is escaped by the
template like any other value.

How the text is read: every block (paragraph, heading, list item, table cell, quotation) is a line of
text, whitespace collapsed, a `<br>` starting a new line; footnotes (`<span class="footnote">`) are
taken out of the line where they are anchored and listed apart, numbered in their order in the
section, each with the few words before its anchor so that a reader finds it.

How it is compared, so that the diff stays readable when a paragraph is added or footnotes shift:

- the lines are aligned first (difflib over whole lines); equal lines are unchanged; a line replaced
  by another is compared word by word (when they share no word, one is removed and the other added);
  lines only on one side are added or removed whole;
- footnotes are aligned the same way over their texts, so inserting footnote 2 shows one added
  footnote, not every later one changed (their numbers are given on both sides: "3, was 2"); a
  footnote counts as changed only when it is still much like what it was, otherwise it is one
  removed and one added.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .richtext import BLOCK_TAGS, FOOTNOTE_CLASS

__all__ = [
    "ADDED",
    "CHANGED",
    "REMOVED",
    "SAME",
    "SKIPPED",
    "BlockChange",
    "Comparison",
    "Footnote",
    "FootnoteChange",
    "Piece",
    "Text",
    "compare",
    "read",
    "word_diff",
]

SAME, ADDED, REMOVED, CHANGED, SKIPPED = "same", "added", "removed", "changed", "skipped"

# Words shown before a footnote's anchor.
ANCHOR_WORDS = 6
# In a replaced run (see `_align`), an item of the older version is paired with one of the next few of
# the newer that is at least this similar (`_similarity`); otherwise it is removed whole.
PAIRING_WINDOW = 5
PAIRING_SIMILARITY = 0.5
SIMILARITY_CHARS = 2000

_SPACES = re.compile(r"\s+")


# --- Reading a version ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Footnote:
    text: str
    anchor: str  # the last words before it in its line ("" at the start of a line)


@dataclass(frozen=True)
class Text:
    """A version as the diff reads it: its lines of text (footnotes out) and its footnotes in order."""

    lines: tuple[str, ...]
    footnotes: tuple[Footnote, ...]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.footnotes: list[Footnote] = []
        self.line: list[str] = []
        self.note: list[str] | None = None  # the text of the footnote being read
        self.note_spans = 0  # spans opened inside it (the sanitiser leaves none; a stray one is harmless)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.note is not None:
            if tag == "span":
                self.note_spans += 1
            elif tag == "br" or tag in BLOCK_TAGS:
                self.note.append(" ")
            return
        if tag == "span" and any(k == "class" and (v or "").split() == [FOOTNOTE_CLASS] for k, v in attrs):
            self.note, self.note_spans = [], 0
        elif tag == "br" or tag in BLOCK_TAGS:
            self.end_line()

    def handle_endtag(self, tag: str) -> None:
        if self.note is not None:
            if tag != "span":
                return
            if self.note_spans:
                self.note_spans -= 1
                return
            text = _collapse("".join(self.note))
            before = _collapse("".join(self.line)).split()
            anchor = " ".join(before[-ANCHOR_WORDS:])
            if len(before) > ANCHOR_WORDS:
                anchor = "… " + anchor
            if text:
                self.footnotes.append(Footnote(text=text, anchor=anchor))
            self.note = None
        elif tag in BLOCK_TAGS:
            self.end_line()

    def handle_data(self, data: str) -> None:
        (self.note if self.note is not None else self.line).append(data)

    def end_line(self) -> None:
        text = _collapse("".join(self.line))
        if text:
            self.lines.append(text)
        self.line.clear()


def _collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def read(html: str) -> Text:
    """The lines and footnotes of a version's (sanitised) HTML."""
    reader = _Reader()
    reader.feed(html or "")
    reader.close()
    if reader.note is not None:  # an unclosed footnote: keep its words rather than lose them
        reader.footnotes.append(Footnote(text=_collapse("".join(reader.note)), anchor=""))
    reader.end_line()
    return Text(lines=tuple(reader.lines), footnotes=tuple(f for f in reader.footnotes if f.text))


# --- Comparing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A run of words that is in both versions (SAME), only in the newer (ADDED) or only in the older (REMOVED)."""

    kind: str
    text: str


@dataclass(frozen=True)
class BlockChange:
    """A line of the text: SAME, ADDED or REMOVED whole, CHANGED (its pieces say how), or SKIPPED
    (`skipped` unchanged lines left out of a short diff)."""

    kind: str
    pieces: tuple[Piece, ...] = ()
    skipped: int = 0


@dataclass(frozen=True)
class FootnoteChange:
    """A footnote ADDED, REMOVED or CHANGED; its number in the older and in the newer version
    (None on the side where it is not), and the words before its anchor."""

    kind: str
    old_number: int | None
    new_number: int | None
    pieces: tuple[Piece, ...]
    anchor: str = ""

    @property
    def renumbered(self) -> bool:
        return self.old_number is not None and self.new_number is not None and self.old_number != self.new_number


@dataclass(frozen=True)
class Comparison:
    """Everything that differs between two versions, as data for a template."""

    title: tuple[Piece, ...]  # empty when the title did not change
    blocks: tuple[BlockChange, ...]
    footnotes: tuple[FootnoteChange, ...]  # only those that differ
    footnotes_unchanged: int
    words_added: int
    words_removed: int
    counts: dict[str, int] = field(default_factory=dict)  # footnotes added/removed/changed

    @property
    def changed(self) -> bool:
        return bool(self.title or self.footnotes or any(b.kind not in (SAME, SKIPPED) for b in self.blocks))

    @property
    def text_changed(self) -> bool:
        return any(b.kind not in (SAME, SKIPPED) for b in self.blocks)


def word_diff(old: str, new: str) -> tuple[Piece, ...]:
    """`old` to `new` word by word: runs of words kept, removed and added, in reading order (a
    replaced run gives its removed words before its added ones)."""
    a, b = old.split(), new.split()
    pieces: list[Piece] = []

    def add(kind: str, words: Sequence[str]) -> None:
        if not words:
            return
        if pieces and pieces[-1].kind == kind:
            pieces[-1] = Piece(kind, f"{pieces[-1].text} {' '.join(words)}")
        else:
            pieces.append(Piece(kind, " ".join(words)))

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            add(SAME, a[i1:i2])
        else:
            add(REMOVED, a[i1:i2])
            add(ADDED, b[j1:j2])
    return tuple(pieces)


def _similarity(old: str, new: str) -> float:
    """How alike two items are, by characters (words are too coarse for a short footnote: adding a
    second source to "Constitution, art. 18." keeps it the same footnote). Long lines are judged on
    their beginning, which bounds the cost of a rewritten section."""
    matcher = difflib.SequenceMatcher(a=old[:SIMILARITY_CHARS], b=new[:SIMILARITY_CHARS], autojunk=False)
    if matcher.real_quick_ratio() < PAIRING_SIMILARITY or matcher.quick_ratio() < PAIRING_SIMILARITY:
        return 0.0
    return matcher.ratio()


def _align(old: Sequence[str], new: Sequence[str], *, in_place: bool) -> list[tuple[int | None, int | None]]:
    """Pairs of indexes (old, new) in reading order: both for a kept or changed item, one side None
    for an item only on the other side. `in_place`: a run of items replaced by as many items is
    paired one for one however different (a line rewritten where it stands reads best as a word
    diff); otherwise only similar items pair (a footnote replaced by an unrelated one is one removed
    and one added)."""
    pairs: list[tuple[int | None, int | None]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=list(old), b=list(new), autojunk=False).get_opcodes():
        if op == "equal" or (in_place and op == "replace" and i2 - i1 == j2 - j1):
            pairs.extend(zip(range(i1, i2), range(j1, j2), strict=True))
            continue
        j = j1
        for i in range(i1, i2):
            best, best_score = None, 0.0
            for k in range(j, min(j2, j + PAIRING_WINDOW)):
                score = _similarity(old[i], new[k])
                if score >= PAIRING_SIMILARITY and score > best_score:
                    best, best_score = k, score
            if best is None:
                pairs.append((i, None))
                continue
            pairs.extend((None, k) for k in range(j, best))
            pairs.append((i, best))
            j = best + 1
        pairs.extend((None, k) for k in range(j, j2))
    return pairs


def _words(pieces: Sequence[Piece], kind: str) -> int:
    return sum(len(p.text.split()) for p in pieces if p.kind == kind)


def _blocks(old: Sequence[str], new: Sequence[str], context: int | None) -> list[BlockChange]:
    blocks: list[BlockChange] = []
    for i, j in _align(old, new, in_place=True):
        if i is None and j is not None:
            blocks.append(BlockChange(ADDED, (Piece(ADDED, new[j]),)))
        elif j is None and i is not None:
            blocks.append(BlockChange(REMOVED, (Piece(REMOVED, old[i]),)))
        elif i is not None and j is not None:
            if old[i] == new[j]:
                blocks.append(BlockChange(SAME, (Piece(SAME, new[j]),)))
                continue
            pieces = word_diff(old[i], new[j])
            if any(p.kind == SAME for p in pieces):
                blocks.append(BlockChange(CHANGED, pieces))
            else:  # nothing in common: a line replaced by another, not changed
                blocks += [BlockChange(REMOVED, (Piece(REMOVED, old[i]),)), BlockChange(ADDED, (Piece(ADDED, new[j]),))]
    return blocks if context is None else _shorten(blocks, context)


def _shorten(blocks: list[BlockChange], context: int) -> list[BlockChange]:
    """Unchanged lines further than `context` lines from a change, each run as one SKIPPED entry."""
    changed = [n for n, b in enumerate(blocks) if b.kind != SAME]
    near = {m for n in changed for m in range(n - context, n + context + 1)}
    out: list[BlockChange] = []
    for n, block in enumerate(blocks):
        if block.kind != SAME or n in near:
            out.append(block)
        elif out and out[-1].kind == SKIPPED:
            out[-1] = BlockChange(SKIPPED, skipped=out[-1].skipped + 1)
        else:
            out.append(BlockChange(SKIPPED, skipped=1))
    return out


def _footnotes(old: Sequence[Footnote], new: Sequence[Footnote]) -> tuple[list[FootnoteChange], int]:
    changes: list[FootnoteChange] = []
    unchanged = 0
    for i, j in _align([f.text for f in old], [f.text for f in new], in_place=False):
        if i is not None and j is not None and old[i].text == new[j].text:
            unchanged += 1
        elif i is None and j is not None:
            changes.append(FootnoteChange(ADDED, None, j + 1, (Piece(ADDED, new[j].text),), new[j].anchor))
        elif j is None and i is not None:
            changes.append(FootnoteChange(REMOVED, i + 1, None, (Piece(REMOVED, old[i].text),), old[i].anchor))
        elif i is not None and j is not None:
            changes.append(FootnoteChange(CHANGED, i + 1, j + 1, word_diff(old[i].text, new[j].text), new[j].anchor))
    return changes, unchanged


def compare(old_html: str, new_html: str, *, old_title: str = "", new_title: str = "", context: int | None = None) -> Comparison:
    """What changed from `old_html` to `new_html` (sanitised HTML of two versions), and in the title.

    `context`: None keeps every line (the whole text, changes marked); a number keeps only that many
    unchanged lines around each change and counts the others (SKIPPED)."""
    before, after = read(old_html), read(new_html)
    blocks = _blocks(before.lines, after.lines, context)
    footnotes, unchanged = _footnotes(before.footnotes, after.footnotes)
    pieces = [p for b in blocks for p in b.pieces]
    title = word_diff(old_title, new_title) if old_title != new_title else ()
    counts = {kind: sum(1 for f in footnotes if f.kind == kind) for kind in (ADDED, REMOVED, CHANGED)}
    return Comparison(
        title=title,
        blocks=tuple(blocks),
        footnotes=tuple(footnotes),
        footnotes_unchanged=unchanged,
        words_added=_words(pieces, ADDED),
        words_removed=_words(pieces, REMOVED),
        counts=counts,
    )
