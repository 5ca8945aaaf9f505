"""A live room's Y.XmlFragment and the app's sanitised HTML, in both directions.

The browser edits a section through TipTap, whose collaboration binding (y-prosemirror) keeps the
ProseMirror document in the room's `Y.XmlFragment` named "default" (see PROTOCOL.md for the schema).
Everything else in the app (exports, the word counter, snapshots, diffs) reads the HTML convention of
`submissions.richtext`, so the server needs:

- `fragment_to_html` / `state_to_html`: the HTML of a room, always `richtext.clean` output;
- `html_to_state`: a room built from HTML (a new section, or an existing section's stored HTML);
- `html_to_update` / `html_to_update_or_none`: a change written through the API, a Word import or a
  restore, as a Y update made against the room's current state. It replaces only the top-level blocks
  that differ, so that people typing elsewhere in the section keep their carets and their typing.

How y-prosemirror stores a document: each node is an `XmlElement` named after its node type, with its
non-null attrs as attributes (numbers stay numbers; pycrdt reads them back as floats); the consecutive
text nodes inside a node are ONE `XmlText` whose formatting attributes are the marks (key: the mark's
name, value: the mark's attrs); inline nodes that are not text (`hardBreak`, `footnote`) are
`XmlElement`s between the `XmlText`s. Marks on inline nodes are not stored at all.

What the server writes must fit the schema exactly: where it does not, y-prosemirror deletes the part
it cannot show from the shared document, words included. So both directions go through one small
document model (`Node`, `Text`, `Mark`) whose constructors enforce the schema's content rules
(inline content at block level gets a paragraph, a list item starts with a paragraph, containers are
never empty, tables hold rows of cells), and the HTML is always built from that model by a serialiser
that escapes every text and attribute, then passed through `richtext.clean`.

Conventions chosen so that HTML read from the app survives the round trip unchanged:

- the one paragraph of a list item, table cell or quotation is written without `<p>` when it comes
  first and is its only paragraph with text (`<li>a<ul>...</ul></li>`, `<td>a</td>`, as the Word
  import writes them); with several paragraphs every one is a `<p>`;
- marks nest in ProseMirror's order (TipTap ranks the link mark first): `<a>`, then `<strong>`,
  `<em>`, `<u>`; a line break or footnote inside formatting does not close it
  (`<strong>a<br>b</strong>` stays as written);
- tabs and line feeds in text become spaces: the editor shows text with `white-space: pre-wrap`,
  where a line feed from HTML source would show as a line break that the HTML never had.

This module needs no database and no Django settings beyond what `richtext` imports.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import Any, cast

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from submissions import richtext

__all__ = [
    "DELETION",
    "EMPTY_UPDATE",
    "FIELD",
    "INSERTION",
    "PROPOSED",
    "STANDING",
    "Mark",
    "Node",
    "Text",
    "blocks_from_fragment",
    "blocks_from_html",
    "blocks_to_html",
    "fragment_blocks_html",
    "fragment_to_html",
    "html_blocks_html",
    "html_to_state",
    "html_to_update",
    "html_to_update_or_none",
    "state_to_html",
    "suggestion_view",
    "write_blocks",
]

# TipTap's Collaboration extension keeps the document in the Y.XmlFragment of this name.
FIELD = "default"

# A Yjs update that changes nothing (no structs, empty delete set): what `Doc().get_update()` returns.
# `b""` is not a valid update, so "no change" is written as this, or as None by
# `html_to_update_or_none`.
EMPTY_UPDATE = b"\x00\x00"

# --- The schema (PROTOCOL.md) --------------------------------------------------------------------

PARAGRAPH = "paragraph"
HEADING = "heading"
BULLET_LIST = "bulletList"
ORDERED_LIST = "orderedList"
LIST_ITEM = "listItem"
BLOCKQUOTE = "blockquote"
TABLE = "table"
TABLE_ROW = "tableRow"
TABLE_HEADER = "tableHeader"
TABLE_CELL = "tableCell"
HARD_BREAK = "hardBreak"
FOOTNOTE = "footnote"

LINK = "link"
BOLD = "bold"
ITALIC = "italic"
UNDERLINE = "underline"

# Suggestions (track changes): marks on text, with attrs {"id": ..., "author": "<user id>"} (see
# submissions/live/suggestions.py). They are not marks of the app's HTML: the text is read either as
# it STANDS (what the section says: suggested insertions left out, suggested deletions still in),
# which is what Section.body, the count, exports and signatures read; or as PROPOSED (every open
# suggestion accepted), for the count beside it.
INSERTION = "insertion"
DELETION = "deletion"
STANDING = "standing"
PROPOSED = "proposed"
_VIEW: ContextVar[str] = ContextVar("suggestion_view", default=STANDING)
_HIDDEN_IN = {STANDING: INSERTION, PROPOSED: DELETION}

# Nodes of the schema's "block" group: what may stand at the top level and in containers.
BLOCK_TYPES = frozenset({PARAGRAPH, HEADING, BULLET_LIST, ORDERED_LIST, BLOCKQUOTE, TABLE})
LIST_TYPES = frozenset({BULLET_LIST, ORDERED_LIST})
CELL_TYPES = frozenset({TABLE_HEADER, TABLE_CELL})
# Nodes whose content is inline (text and inline nodes), not blocks.
TEXTBLOCK_TYPES = frozenset({PARAGRAPH, HEADING})
INLINE_NODE_TYPES = frozenset({HARD_BREAK, FOOTNOTE})
HEADING_LEVELS = (2, 3, 4)

# ProseMirror nests marks by rank; TipTap gives the link extension a higher priority (1000) than the
# others (100), so the link is the outermost mark. The HTML follows the same order.
MARK_ORDER = (LINK, BOLD, ITALIC, UNDERLINE)
_MARK_RANK = {name: rank for rank, name in enumerate(MARK_ORDER)}
_MARK_TAGS = {BOLD: "strong", ITALIC: "em", UNDERLINE: "u"}
_TAG_MARKS = {tag: name for name, tag in _MARK_TAGS.items()}

# y-prosemirror suffixes the attribute name of marks that may overlap with themselves with a hash
# ("comment--aBc+/9xY"); the mark is the name before it.
_HASHED_MARK_NAME = re.compile(r"--[a-zA-Z0-9+/=]{8}$")
# See the module's docstring: line feeds and tabs in text are spaces.
_WHITESPACE_TO_SPACE = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\f": " "})


# --- The document model --------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A mark of the schema. Only the link has an attribute the app uses: its href."""

    name: str
    href: str | None = None

    def y_value(self) -> dict[str, Any]:
        """The formatting attribute's value, as y-prosemirror writes the mark's attrs."""
        return {"href": self.href} if self.name == LINK else {}


@dataclass
class Text:
    """A run of text with its marks, in MARK_ORDER (so that equal runs compare equal)."""

    text: str
    marks: tuple[Mark, ...] = ()


@dataclass
class Node:
    """A ProseMirror node: its type name, its non-default attrs that matter, its content.

    Build blocks with the `_paragraph`, `_list_item`... constructors, which keep the schema's rules.
    """

    type: str
    attrs: dict[str, int] = field(default_factory=dict)
    content: list[Node | Text] = field(default_factory=list)


Inline = Node | Text


def _text(value: str, marks: tuple[Mark, ...] = ()) -> Text:
    return Text(value.translate(_WHITESPACE_TO_SPACE), marks)


def _with_mark(marks: tuple[Mark, ...], mark: Mark) -> tuple[Mark, ...]:
    """`marks` plus `mark` (replacing a mark of the same name: the innermost link wins), in order."""
    kept = [m for m in marks if m.name != mark.name]
    kept.append(mark)
    return tuple(sorted(kept, key=lambda m: _MARK_RANK[m.name]))


def _merge_runs(items: Iterable[Inline]) -> list[Inline]:
    """Inline content without empty runs, adjacent runs of the same marks joined (as y-prosemirror's
    single XmlText per run of text nodes, and ProseMirror's own text nodes, are)."""
    merged: list[Inline] = []
    for item in items:
        if isinstance(item, Text):
            if not item.text:
                continue
            previous = merged[-1] if merged else None
            if isinstance(previous, Text) and previous.marks == item.marks:
                merged[-1] = Text(previous.text + item.text, item.marks)
                continue
        merged.append(item)
    return merged


def _has_text(items: Iterable[Node | Text]) -> bool:
    """Whether the content holds text other than whitespace (footnotes included): what
    `richtext.clean` keeps a paragraph, heading, list item or quotation for."""
    for item in items:
        if isinstance(item, Text):
            if item.text.strip():
                return True
        elif _has_text(item.content):
            return True
    return False


def _paragraph(inline: Iterable[Inline] = ()) -> Node:
    return Node(PARAGRAPH, {}, _merge_runs(inline))


def _heading(level: int, inline: Iterable[Inline]) -> Node:
    return Node(HEADING, {"level": min(max(level, HEADING_LEVELS[0]), HEADING_LEVELS[-1])}, _merge_runs(inline))


def _footnote(inline: Iterable[Inline]) -> Node:
    """A footnote's content is text only: a line break becomes a space (carrying the formatting that
    surrounds it) and a footnote nested in it gives its text."""
    items = _flatten_footnote(inline)
    texts: list[Inline] = []
    for index, item in enumerate(items):
        if isinstance(item, Node):  # a line break
            before = _neighbour_marks(items, index, -1)
            after = _neighbour_marks(items, index, 1)
            texts.append(Text(" ", _common_prefix(before, after)))
        else:
            texts.append(item)
    return Node(FOOTNOTE, {}, _merge_runs(texts))


def _flatten_footnote(inline: Iterable[Inline]) -> list[Inline]:
    items: list[Inline] = []
    for item in inline:
        if isinstance(item, Node) and item.type == FOOTNOTE:
            items.extend(_flatten_footnote(item.content))
        else:
            items.append(item)
    return items


def _list(list_type: str, items: Iterable[Node]) -> Node | None:
    """A list (`listItem+`); None when there is no item, as the schema has no empty list."""
    content: list[Node | Text] = list(items)
    if not content:
        return None
    attrs = {"start": 1} if list_type == ORDERED_LIST else {}  # TipTap's default, which y-prosemirror writes
    return Node(list_type, attrs, content)


def _list_item(blocks: list[Node]) -> Node:
    """A list item (`paragraph block*`): one that does not start with a paragraph (it is empty, or
    starts with a nested list) gets an empty paragraph first, as ProseMirror's parser would."""
    content: list[Node | Text] = list(blocks)
    if not content or not (isinstance(content[0], Node) and content[0].type == PARAGRAPH):
        content.insert(0, _paragraph())
    return Node(LIST_ITEM, {}, content)


def _container(node_type: str, blocks: list[Node], attrs: dict[str, int] | None = None) -> Node:
    """A quotation or a table cell (`block+`): an empty one holds an empty paragraph."""
    content: list[Node | Text] = list(blocks) if blocks else [_paragraph()]
    return Node(node_type, attrs or {}, content)


def _cell(cell_type: str, blocks: list[Node], colspan: int = 1, rowspan: int = 1) -> Node:
    # y-prosemirror writes every non-null attr: colspan and rowspan always, colwidth (null) never.
    return _container(cell_type, blocks, {"colspan": colspan, "rowspan": rowspan})


def _row(cells: Iterable[Node]) -> Node | None:
    content: list[Node | Text] = list(cells)
    return Node(TABLE_ROW, {}, content) if content else None


def _table(rows: Iterable[Node | None]) -> Node | None:
    """A table (`tableRow+`): rows without cells were dropped already; no rows, no table."""
    content: list[Node | Text] = [row for row in rows if row is not None]
    return Node(TABLE, {}, content) if content else None


def _wrap_inline(inline: list[Inline]) -> list[Node]:
    """Inline content found where blocks belong: a paragraph if it holds text, else nothing (the
    whitespace and line breaks that HTML has between blocks, which `richtext.clean` drops too)."""
    return [_paragraph(inline)] if _has_text(inline) else []


def _positive_int(value: Any, default: int = 1) -> int:
    """A number attribute as y-prosemirror stores it (pycrdt reads 2 back as 2.0), or as HTML has it."""
    try:
        number = int(float(value))
    except (TypeError, ValueError, OverflowError):
        return default
    return number if number > 0 else default


# --- Y.XmlFragment -> model ----------------------------------------------------------------------


def blocks_from_fragment(fragment: XmlFragment | XmlElement) -> list[Node]:
    """The blocks of a room's fragment, repaired to fit the schema where a writer did not.

    Unknown elements keep their text: at block level their content is read as blocks (text in it
    becoming a paragraph), inside text as text.
    """
    with fragment.doc.transaction():
        return _blocks_from_y(fragment.children)


def _blocks_from_y(children: Iterable[XmlElement | XmlText | XmlFragment]) -> list[Node]:
    blocks: list[Node] = []
    inline: list[Inline] = []
    for child in children:
        if isinstance(child, XmlText):
            inline.extend(_runs_from_y(child))
            continue
        if not isinstance(child, XmlElement):
            continue
        name = child.tag
        if name in INLINE_NODE_TYPES:
            inline.extend(_inline_from_y([child]))
            continue
        blocks.extend(_wrap_inline(inline))
        inline = []
        blocks.extend(_block_from_y(child, name))
    blocks.extend(_wrap_inline(inline))
    return blocks


def _attributes(element: XmlElement) -> dict[str, Any]:
    """An element's attributes, read at once."""
    # pycrdt's XmlAttributesView iterates (name, value) pairs, but declares __iter__ as returning an
    # Iterable rather than an Iterator, so the checker does not see it as iterable.
    return dict(cast(Iterable[tuple[str, Any]], element.attributes))


def _block_from_y(element: XmlElement, name: str | None) -> list[Node]:
    attributes = _attributes(element)
    if name == PARAGRAPH:
        return [_paragraph(_inline_from_y(element.children))]
    if name == HEADING:
        return [_heading(_positive_int(attributes.get("level"), HEADING_LEVELS[0]), _inline_from_y(element.children))]
    if name in LIST_TYPES:
        items = []
        for child in element.children:
            if isinstance(child, XmlElement) and child.tag == LIST_ITEM:
                items.append(_list_item(_blocks_from_y(child.children)))
            else:  # a stray child keeps its words in an item of its own
                blocks = _blocks_from_y([child])
                if blocks:
                    items.append(_list_item(blocks))
        made = _list(name, items)
        return [made] if made else []
    if name == LIST_ITEM:  # outside a list
        made = _list(BULLET_LIST, [_list_item(_blocks_from_y(element.children))])
        return [made] if made else []
    if name == BLOCKQUOTE:
        return [_container(BLOCKQUOTE, _blocks_from_y(element.children))]
    if name == TABLE:
        made = _table(_row_from_y(child) for child in element.children)
        return [made] if made else []
    if name == TABLE_ROW:  # outside a table
        made = _table([_row_from_y(element)])
        return [made] if made else []
    # A cell outside a row, or an element the schema does not know: its content, read as blocks.
    return _blocks_from_y(element.children)


def _row_from_y(child: XmlElement | XmlText | XmlFragment) -> Node | None:
    if isinstance(child, XmlElement) and child.tag == TABLE_ROW:
        return _row(cell for cell in map(_cell_from_y, child.children) if cell is not None)
    cell = _cell_from_y(child)  # a cell, or stray content, directly in the table: a row of its own
    return _row([cell]) if cell is not None else None


def _cell_from_y(child: XmlElement | XmlText | XmlFragment) -> Node | None:
    if isinstance(child, XmlElement) and child.tag in CELL_TYPES:
        attributes = _attributes(child)
        return _cell(
            str(child.tag),
            _blocks_from_y(child.children),
            _positive_int(attributes.get("colspan")),
            _positive_int(attributes.get("rowspan")),
        )
    blocks = _blocks_from_y([child])
    return _cell(TABLE_CELL, blocks) if blocks else None


def _inline_from_y(children: Iterable[XmlElement | XmlText | XmlFragment]) -> list[Inline]:
    items: list[Inline] = []
    for child in children:
        if isinstance(child, XmlText):
            items.extend(_runs_from_y(child))
        elif isinstance(child, XmlElement):
            name = child.tag
            if name == HARD_BREAK:
                items.append(Node(HARD_BREAK))
            elif name == FOOTNOTE:
                footnote = _footnote(_inline_from_y(child.children))
                if footnote.content:
                    items.append(footnote)
            elif name in BLOCK_TYPES or name in (LIST_ITEM, TABLE_ROW, TABLE_HEADER, TABLE_CELL):
                # A block where text belongs: its text, set apart from the words around it.
                items.append(Text(" "))
                items.extend(_inline_from_y(child.children))
                items.append(Text(" "))
            else:  # unknown inline element: its text
                items.extend(_inline_from_y(child.children))
    return items


@contextmanager
def suggestion_view(view: str) -> Iterator[None]:
    """Reads the text as it STANDS (the default) or as PROPOSED, within the block."""
    token = _VIEW.set(view)
    try:
        yield
    finally:
        _VIEW.reset(token)


def _runs_from_y(text: XmlText) -> list[Text]:
    runs = []
    hidden = _HIDDEN_IN[_VIEW.get()]
    for value, attributes in text.diff():
        if attributes and attributes.get(hidden) is not None:
            continue  # a suggestion this view leaves out
        if isinstance(value, str) and value:  # embeds are not part of the schema
            runs.append(_text(value, _marks_from_y(attributes)))
    return runs


def _marks_from_y(attributes: dict[str, Any] | None) -> tuple[Mark, ...]:
    """The marks of a text run's formatting attributes; unknown marks (code, strike...) are dropped
    with their formatting only, and a link without an href is no link."""
    if not attributes:
        return ()
    marks: dict[str, Mark] = {}
    for key, value in attributes.items():
        name = _HASHED_MARK_NAME.sub("", key)
        if value is None or name in marks or name not in _MARK_RANK:
            continue
        if name == LINK:
            href = value.get("href") if isinstance(value, dict) else None
            if isinstance(href, str) and href.strip():
                marks[name] = Mark(LINK, href)
        else:
            marks[name] = Mark(name)
    return tuple(sorted(marks.values(), key=lambda m: _MARK_RANK[m.name]))


# --- HTML (richtext convention) -> model ---------------------------------------------------------


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    children: list[_Element | str]


class _TreeBuilder(HTMLParser):
    """A tree of `richtext.clean` output, which is well-formed (a stray end tag is ignored anyway)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", {}, [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, {key: value or "" for key, value in attrs}, [])
        self.stack[-1].children.append(element)
        if tag != "br":
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Element(tag, {key: value or "" for key, value in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


_INLINE_TAGS = frozenset({"strong", "em", "u", "a", "span", "br"})
_HEADING_TAGS = {"h2": 2, "h3": 3, "h4": 4}


def blocks_from_html(html: str) -> list[Node]:
    """The blocks of `html` after `richtext.clean`, fitted to the schema (see the module's docstring).

    Raises ValueError (from `richtext.clean`) when the HTML is longer than richtext.MAX_HTML_CHARS.
    """
    return _blocks_from_clean_html(richtext.clean(html))


def _blocks_from_clean_html(cleaned: str) -> list[Node]:
    builder = _TreeBuilder()
    builder.feed(cleaned)
    builder.close()
    return _blocks_from_html(builder.root.children)


def _blocks_from_html(children: Sequence[_Element | str]) -> list[Node]:
    blocks: list[Node] = []
    pending: list[_Element | str] = []  # inline content waiting for a paragraph
    for child in children:
        if isinstance(child, str) or child.tag in _INLINE_TAGS:
            pending.append(child)
            continue
        blocks.extend(_wrap_inline(_inline_from_html(pending)))
        pending = []
        blocks.extend(_block_from_html(child))
    blocks.extend(_wrap_inline(_inline_from_html(pending)))
    return blocks


def _block_from_html(element: _Element) -> list[Node]:
    tag = element.tag
    if tag == "p":
        return [_paragraph(_inline_from_html(element.children))]
    if tag in _HEADING_TAGS:
        return [_heading(_HEADING_TAGS[tag], _inline_from_html(element.children))]
    if tag in ("ul", "ol"):
        items = []
        for child in element.children:
            if isinstance(child, _Element) and child.tag == "li":
                items.append(_list_item(_blocks_from_html(child.children)))
            else:  # `richtext.clean` puts stray text in an item: only whitespace is left here
                blocks = _blocks_from_html([child])
                if blocks:
                    items.append(_list_item(blocks))
        made = _list(BULLET_LIST if tag == "ul" else ORDERED_LIST, items)
        return [made] if made else []
    if tag == "li":  # outside a list
        made = _list(BULLET_LIST, [_list_item(_blocks_from_html(element.children))])
        return [made] if made else []
    if tag == "blockquote":
        return [_container(BLOCKQUOTE, _blocks_from_html(element.children))]
    if tag == "table":
        made = _table(_row_from_html(row) for row in _table_rows(element))
        return [made] if made else []
    # Table parts outside a table, and anything else: the content, read as blocks.
    return _blocks_from_html(element.children)


def _table_rows(table: _Element) -> list[_Element]:
    """The rows of a table in order, whether in `<thead>`, `<tbody>`, `<tfoot>` or directly in it:
    the schema has rows only (a header row is a row of `tableHeader` cells)."""
    rows = []
    for child in table.children:
        if isinstance(child, _Element):
            if child.tag == "tr":
                rows.append(child)
            elif child.tag in ("thead", "tbody", "tfoot"):
                rows.extend(c for c in child.children if isinstance(c, _Element) and c.tag == "tr")
    return rows


def _row_from_html(row: _Element) -> Node | None:
    cells = []
    for child in row.children:
        if isinstance(child, _Element) and child.tag in ("th", "td"):
            cells.append(
                _cell(
                    TABLE_HEADER if child.tag == "th" else TABLE_CELL,
                    _blocks_from_html(child.children),
                    _positive_int(child.attrs.get("colspan")),
                    _positive_int(child.attrs.get("rowspan")),
                )
            )
    return _row(cells)


def _inline_from_html(children: Sequence[_Element | str], marks: tuple[Mark, ...] = ()) -> list[Inline]:
    items: list[Inline] = []
    for child in children:
        if isinstance(child, str):
            items.append(_text(child, marks))
            continue
        tag = child.tag
        if tag in _TAG_MARKS:
            items.extend(_inline_from_html(child.children, _with_mark(marks, Mark(_TAG_MARKS[tag]))))
        elif tag == "a":
            href = child.attrs.get("href", "")
            inner = _with_mark(marks, Mark(LINK, href)) if href.strip() else marks
            items.extend(_inline_from_html(child.children, inner))
        elif tag == "br":
            items.append(Node(HARD_BREAK))
        elif tag == "span" and richtext.FOOTNOTE_CLASS in child.attrs.get("class", "").split():
            # Formatting around a footnote is not the footnote's: inline nodes carry no marks in the
            # shared document (y-prosemirror does not store them).
            footnote = _footnote(_inline_from_html(child.children))
            if footnote.content:
                items.append(footnote)
        elif tag in _INLINE_TAGS:  # a plain span
            items.extend(_inline_from_html(child.children, marks))
        else:  # a block where text belongs (`richtext.clean` flattens these): its text, set apart
            items.append(_text(" ", marks))
            items.extend(_inline_from_html(child.children, marks))
            items.append(_text(" ", marks))
    return items


# --- model -> HTML -------------------------------------------------------------------------------


def blocks_to_html(blocks: Sequence[Node]) -> str:
    """The app's HTML of `blocks`: serialised, then `richtext.clean` (so exactly its convention)."""
    parts: list[str] = []
    for block in blocks:
        _write_block_html(block, parts)
    return richtext.clean("".join(parts))


def _write_block_html(node: Node, out: list[str]) -> None:
    kind = node.type
    if kind == PARAGRAPH:
        out.append("<p>")
        _write_inline_html(node.content, out)
        out.append("</p>")
    elif kind == HEADING:
        tag = f"h{node.attrs.get('level', HEADING_LEVELS[0])}"
        out.append(f"<{tag}>")
        _write_inline_html(node.content, out)
        out.append(f"</{tag}>")
    elif kind in LIST_TYPES:
        tag = "ul" if kind == BULLET_LIST else "ol"  # `richtext.clean` keeps no `start`
        out.append(f"<{tag}>")
        for item in node.content:
            assert isinstance(item, Node)
            out.append("<li>")
            _write_container_html(item.content, out)
            out.append("</li>")
        out.append(f"</{tag}>")
    elif kind == BLOCKQUOTE:
        out.append("<blockquote>")
        _write_container_html(node.content, out)
        out.append("</blockquote>")
    elif kind == TABLE:
        out.append("<table><tbody>")
        for row in node.content:
            assert isinstance(row, Node)
            out.append("<tr>")
            for cell in row.content:
                assert isinstance(cell, Node)
                tag = "th" if cell.type == TABLE_HEADER else "td"
                spans = "".join(
                    f' {name}="{cell.attrs[name]}"' for name in ("colspan", "rowspan") if cell.attrs.get(name, 1) != 1
                )
                out.append(f"<{tag}{spans}>")
                _write_container_html(cell.content, out)
                out.append(f"</{tag}>")
            out.append("</tr>")
        out.append("</tbody></table>")
    else:  # not made by this module's constructors; keep the words
        _write_inline_html(node.content, out)


def _write_container_html(content: Sequence[Node | Text], out: list[str]) -> None:
    """The blocks of a list item, cell or quotation. Empty paragraphs are left out (`richtext.clean`
    drops them anyway); the first block, when it is the only paragraph left, is written without
    `<p>`: the app's convention (`<li>text<ul>...</ul></li>`), which `richtext.clean` keeps."""
    blocks = [b for b in content if isinstance(b, Node) and not (b.type == PARAGRAPH and not _has_text(b.content))]
    paragraphs = sum(1 for b in blocks if b.type == PARAGRAPH)
    for index, block in enumerate(blocks):
        if index == 0 and block.type == PARAGRAPH and paragraphs == 1:
            _write_inline_html(block.content, out)
        else:
            _write_block_html(block, out)


def _write_inline_html(items: Sequence[Node | Text], out: list[str]) -> None:
    """Inline content with its marks nested in MARK_ORDER, a mark kept open for as long as the runs
    have it. A line break or footnote (which carry no marks) leaves open the marks that the text on
    both sides of it has, so `<strong>a<br>b</strong>` is not split into two."""
    open_marks: list[Mark] = []
    for index, item in enumerate(items):
        if isinstance(item, Text):
            marks = item.marks
        else:
            marks = _common_prefix(_neighbour_marks(items, index, -1), _neighbour_marks(items, index, 1))
        kept = 0
        while kept < len(open_marks) and kept < len(marks) and open_marks[kept] == marks[kept]:
            kept += 1
        for mark in reversed(open_marks[kept:]):
            out.append(_closing_tag(mark))
        del open_marks[kept:]
        for mark in marks[kept:]:
            out.append(_opening_tag(mark))
            open_marks.append(mark)
        if isinstance(item, Text):
            out.append(escape(item.text, quote=False))
        elif item.type == HARD_BREAK:
            out.append("<br>")
        elif item.type == FOOTNOTE:
            out.append(f'<span class="{richtext.FOOTNOTE_CLASS}">')
            _write_inline_html(item.content, out)
            out.append("</span>")
        else:
            _write_inline_html(item.content, out)
    for mark in reversed(open_marks):
        out.append(_closing_tag(mark))


def _neighbour_marks(items: Sequence[Node | Text], index: int, step: int) -> tuple[Mark, ...]:
    """The marks of the nearest text run before (step -1) or after (step 1) `items[index]`."""
    index += step
    while 0 <= index < len(items):
        item = items[index]
        if isinstance(item, Text):
            return item.marks
        index += step
    return ()


def _common_prefix(first: tuple[Mark, ...], second: tuple[Mark, ...]) -> tuple[Mark, ...]:
    length = 0
    while length < len(first) and length < len(second) and first[length] == second[length]:
        length += 1
    return first[:length]


def _opening_tag(mark: Mark) -> str:
    if mark.name == LINK:
        return f'<a href="{escape(mark.href or "", quote=True)}">'  # `richtext.clean` drops bad schemes
    return f"<{_MARK_TAGS[mark.name]}>"


def _closing_tag(mark: Mark) -> str:
    return "</a>" if mark.name == LINK else f"</{_MARK_TAGS[mark.name]}>"


# --- model -> Y.XmlFragment ----------------------------------------------------------------------


def write_blocks(parent: XmlFragment | XmlElement, index: int, blocks: Sequence[Node]) -> None:
    """Inserts `blocks` into `parent`'s children at `index`, as y-prosemirror would write them."""
    with parent.doc.transaction():
        for offset, block in enumerate(blocks):
            _write_node(parent, index + offset, block)


def _write_node(parent: XmlFragment | XmlElement, index: int, node: Node) -> None:
    element = parent.children.insert(index, XmlElement(node.type, dict(node.attrs)))  # type: ignore[arg-type]  # pycrdt declares str values; numbers are stored as numbers, as y-prosemirror does
    if node.type in TEXTBLOCK_TYPES or node.type == FOOTNOTE:
        _write_inline(element, node.content)
    else:
        for position, child in enumerate(node.content):
            assert isinstance(child, Node)
            _write_node(element, position, child)


def _write_inline(element: XmlElement, items: Sequence[Node | Text]) -> None:
    """Consecutive runs go into one XmlText (never an empty one), formatted with their marks; line
    breaks and footnotes are elements between them."""
    text: XmlText | None = None
    for item in items:
        if isinstance(item, Text):
            if text is None:
                text = element.children.append(XmlText())
            # Every run passes its attributes, `{}` included: an insert without attributes would
            # take on the formatting of the run before it.
            text.insert(len(text), item.text, {mark.name: mark.y_value() for mark in item.marks})
        else:
            text = None
            _write_node(element, len(element.children), item)


# --- Public API ----------------------------------------------------------------------------------


def fragment_to_html(fragment: XmlFragment) -> str:
    """The app's HTML of a room's fragment (PROTOCOL.md's table, then `richtext.clean`).

    Raises ValueError (from `richtext.clean`) when the HTML would exceed richtext.MAX_HTML_CHARS.
    """
    return blocks_to_html(blocks_from_fragment(fragment))


def state_to_html(state: bytes, *, view: str = STANDING) -> str:
    """The app's HTML of a stored Y update or full state ("" for no state), as the text stands
    (or, with `view=PROPOSED`, as it would stand with every open suggestion accepted).

    Raises ValueError when the bytes are not a Y update (pycrdt's decoding error), or from
    `richtext.clean` when the HTML would exceed richtext.MAX_HTML_CHARS.
    """
    if not state:
        return ""
    with suggestion_view(view):
        return fragment_to_html(_load(state).get(FIELD, type=XmlFragment))


def may_hold_suggestions(state: bytes) -> bool:
    """False when the state certainly holds no suggestion (the mark names appear in the encoded
    update wherever a suggestion is, even a rejected one): rendering twice is then not needed."""
    return INSERTION.encode() in state or DELETION.encode() in state


def fragment_blocks_html(fragment: XmlFragment) -> list[str]:
    """The HTML of each top-level child of the fragment, in order: "" for a child that shows nothing
    (an empty paragraph, where someone may be about to type), and a string starting with "\\x00"
    for one that breaks the schema (so that it never equals a block of HTML). What the block diff
    compares."""
    with fragment.doc.transaction():
        return [_child_key(child) for child in fragment.children]


def html_blocks_html(html: str) -> list[str]:
    """The HTML of each top-level block that `html` becomes in a room (blocks that show nothing left
    out): what the block diff compares with `fragment_blocks_html`."""
    keys = (blocks_to_html([block]) for block in blocks_from_html(html))
    return [key for key in keys if key]


def html_to_state(html: str) -> bytes:
    """A room's full state (a Y update from nothing) holding `html`, for a new section or for an
    existing section's stored HTML. Empty HTML gives an empty room (EMPTY_UPDATE), which the editor
    shows as one empty paragraph."""
    # The update from an empty room is the room's whole state.
    return html_to_update(html)


def html_to_update(html: str, *, current_state: bytes = b"") -> bytes:
    """A Y update that, applied on top of `current_state`, makes the room show `html`: afterwards
    `state_to_html` gives `richtext.clean(html)`, up to the conventions of the module's docstring
    (and inline text at the top level, which gets a paragraph).

    Only the top-level blocks that differ are deleted and inserted (see `html_to_update_or_none`).
    When nothing differs the update is EMPTY_UPDATE (`b"\\x00\\x00"`), a valid update that changes
    nothing; use `html_to_update_or_none` to tell that case apart without comparing bytes.
    """
    update = html_to_update_or_none(html, current_state=current_state)
    return EMPTY_UPDATE if update is None else update


def html_to_update_or_none(html: str, *, current_state: bytes = b"") -> bytes | None:
    """The update of `html_to_update`, or None when the room already shows `html`.

    Why a block-level diff: whoever is editing the section live keeps the Y items they are typing
    in. The top-level blocks of the room and of the target are compared by their HTML
    (difflib.SequenceMatcher); matching blocks are left alone, only the others are deleted and the
    target's inserted in their place, all in one transaction of a fresh Doc loaded with
    `current_state`. Blocks of the room that show nothing (an empty paragraph where a caret may
    be) are not compared and stay where they are, so they are never a reason to write. A top-level
    child that breaks the schema (text, an unknown element, a list item without its paragraph...)
    never matches, so it is always rewritten as valid blocks (or deleted if it shows nothing).
    """
    target = blocks_from_html(html)
    target_keys = [blocks_to_html([block]) for block in target]
    target, target_keys = [b for b, k in zip(target, target_keys, strict=True) if k], [k for k in target_keys if k]

    doc = _load(current_state)
    fragment = doc.get(FIELD, type=XmlFragment)
    state_vector = doc.get_state()
    with doc.transaction():
        children = list(fragment.children)
        keys = [_child_key(child) for child in children]
        visible = [index for index, key in enumerate(keys) if key]
        matcher = difflib.SequenceMatcher(None, [keys[i] for i in visible], target_keys, autojunk=False)
        changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
        if not changes:
            return None
        # From the end, so that the indices of the children before each change stay valid.
        for _tag, first, last, target_first, target_last in reversed(changes):
            if last > first:
                del fragment.children[visible[first] : visible[last - 1] + 1]
            # Where the replaced (or next) block was; at the end, right after the last block that
            # shows, so that an empty paragraph at the end (a caret waiting there) stays last.
            if first < len(visible):
                at = visible[first]
            else:
                at = visible[-1] + 1 if visible else 0
            write_blocks(fragment, at, target[target_first:target_last])
        if len(fragment.children) == 0:
            # The document's content is `block+`: an emptied room keeps one empty paragraph.
            write_blocks(fragment, 0, [_paragraph()])
    return doc.get_update(state_vector)


def _load(state: bytes) -> Doc:
    doc: Doc[XmlFragment] = Doc()
    if state:
        doc.apply_update(state)
    return doc


def _child_key(child: XmlElement | XmlText | XmlFragment) -> str:
    """What a top-level child is compared by: its HTML, "" when it shows nothing. A child that does
    not fit the schema there (text, an unknown or misplaced element, which y-prosemirror cannot
    show) never matches, so that the diff replaces it with the valid blocks of the target."""
    html = blocks_to_html(_blocks_from_y([child]))
    if not (isinstance(child, XmlElement) and child.tag in BLOCK_TYPES and _fits_schema(child)):
        return f"\x00invalid:{html}"  # even when it shows nothing: y-prosemirror fails on it
    return html


def _fits_schema(element: XmlElement) -> bool:
    """Whether a block element and everything in it is content the schema accepts (PROTOCOL.md), so
    that y-prosemirror can show it without deleting any part of it."""
    name = element.tag
    children = list(element.children)
    if name in TEXTBLOCK_TYPES:
        return all(_inline_fits(child) for child in children)
    blocks = [child for child in children if isinstance(child, XmlElement)]
    if len(blocks) != len(children) or (not blocks and name != TABLE_ROW):
        return False  # text among blocks; or an empty list, item, quotation, table or cell
    if name in LIST_TYPES:
        return all(block.tag == LIST_ITEM and _fits_schema(block) for block in blocks)
    if name == LIST_ITEM:
        return blocks[0].tag == PARAGRAPH and all(block.tag in BLOCK_TYPES and _fits_schema(block) for block in blocks)
    if name == BLOCKQUOTE or name in CELL_TYPES:
        return all(block.tag in BLOCK_TYPES and _fits_schema(block) for block in blocks)
    if name == TABLE:
        return all(block.tag == TABLE_ROW and _fits_schema(block) for block in blocks)
    if name == TABLE_ROW:
        return all(block.tag in CELL_TYPES and _fits_schema(block) for block in blocks)
    return False


def _inline_fits(child: XmlElement | XmlText | XmlFragment) -> bool:
    if isinstance(child, XmlText):
        return True
    if not isinstance(child, XmlElement):
        return False
    if child.tag == HARD_BREAK:
        return len(child.children) == 0
    if child.tag == FOOTNOTE:
        return all(isinstance(text, XmlText) for text in child.children)
    return False
