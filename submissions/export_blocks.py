"""The outline read once for both exports: its HTML as blocks and runs, numbered, and the fixed words.

The Word and PDF exports must agree on everything a reader can check against the other: which
paragraphs carry which number, the order of the footnotes, the words of the cover. So both read
the outline through `prepare`, which parses the sanitised HTML (see `submissions.outline`) with the
standard library's parser into a small model:

    blocks: Block (a paragraph, a heading or a list item, holding inlines) and Table (cells of
    paragraphs); inlines: Run (text with bold/italic/underline/link), LineBreak, Footnote (its own
    inlines, numbered in document order).

The model is rebuilt from text only: whatever the HTML held besides the tags listed in the
outline's docstring is dropped, so neither export can be made to emit markup it did not write.
The fixed words of the exports are here too, translated in the language of whoever calls them
(the exports call them inside `translation.override(outline.language)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .outline import CoverOrganisation, Outline, OutlineRecommendation

# Characters XML 1.0 cannot carry (control characters, lone surrogates): lxml refuses them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# HTML's collapsible white space, not Python's \s: a no-break space must survive.
_SPACES = re.compile("[ \t\n\r\f]+")
_HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_FORMATS = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "u": "underline", "a": "href"}
LINK_SCHEMES = ("http://", "https://", "mailto:")
_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)+(/\S*)?$")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    href: str = ""  # only an http(s) or mailto address: anything else is kept as plain text

    def same_format(self, other: Run) -> bool:
        return (self.bold, self.italic, self.underline, self.href) == (other.bold, other.italic, other.underline, other.href)


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(eq=False)
class Footnote:
    inlines: list = field(default_factory=list)  # Run | LineBreak
    number: int = 0  # set by `prepare`, in document order


@dataclass(eq=False)
class Block:
    kind: str  # "p", "h2", "h3", "h4" or "li"
    inlines: list = field(default_factory=list)  # Run | LineBreak | Footnote
    top_level: bool = False  # a <p> directly in the HTML: the ones a section numbers
    list_kind: str = ""  # "ul" or "ol", for "li"
    level: int = 0  # list depth, 1 for an outer list's items
    list_id: int = 0  # tells two lists apart, so that a second <ol> starts again at 1
    number: int = 0  # paragraph number, set by `prepare`


@dataclass(eq=False)
class Cell:
    header: bool
    paragraphs: list = field(default_factory=lambda: [[]])  # lists of inlines


@dataclass(eq=False)
class Table:
    rows: list = field(default_factory=list)  # lists of Cell


def _append(inlines: list, item) -> None:
    """Add an inline, collapsing white space across runs the way a browser does."""
    if isinstance(item, Run):
        previous = inlines[-1] if inlines else None
        if item.text.startswith(" ") and (
            previous is None or isinstance(previous, LineBreak) or (isinstance(previous, Run) and previous.text.endswith(" "))
        ):
            item = Run(item.text[1:], item.bold, item.italic, item.underline, item.href)
        if not item.text:
            return
        if isinstance(previous, Run) and previous.same_format(item):
            inlines[-1] = Run(previous.text + item.text, item.bold, item.italic, item.underline, item.href)
            return
    inlines.append(item)


def _trim(inlines: list) -> list:
    """Drop the trailing spaces of a paragraph and of its lines."""
    for index, item in enumerate(inlines):
        following = inlines[index + 1] if index + 1 < len(inlines) else None
        if isinstance(item, Run) and (following is None or isinstance(following, LineBreak)):
            inlines[index] = Run(item.text.rstrip(" "), item.bold, item.italic, item.underline, item.href)
    while inlines and (isinstance(inlines[-1], LineBreak) or (isinstance(inlines[-1], Run) and not inlines[-1].text)):
        inlines.pop()
    return [item for item in inlines if not (isinstance(item, Run) and not item.text)]


def has_content(inlines: list) -> bool:
    return any(isinstance(item, Footnote) or (isinstance(item, Run) and item.text.strip()) for item in inlines)


class _Walker(HTMLParser):
    """Turns sanitised HTML into blocks. Unknown tags are transparent; script/style are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list = []
        self.block: Block | None = None
        self.formats: list[tuple[str, str]] = []  # open (tag, href) formatting tags
        self.spans: list[bool] = []  # for each open <span>: is it a footnote?
        self.footnote: Footnote | None = None
        self.lists: list[tuple[str, int]] = []  # open (kind, id)
        self.list_count = 0
        self.table: Table | None = None
        self.cell: Cell | None = None
        self.skipping = 0

    # -- where text goes
    def _target(self, *, create: bool) -> list | None:
        if self.footnote is not None:
            return self.footnote.inlines
        if self.cell is not None:
            return self.cell.paragraphs[-1]
        if self.block is None and create:  # loose text outside any <p>: a paragraph, not numbered
            self._open(Block("p"))
        return self.block.inlines if self.block is not None else None

    def _open(self, block: Block) -> None:
        self._close()
        self.block = block

    def _close(self) -> None:
        if self.block is not None:
            self.block.inlines = _trim(self.block.inlines)
            if has_content(self.block.inlines):
                self.nodes.append(self.block)
            self.block = None

    def _run(self, text: str) -> Run:
        tags = {tag for tag, _href in self.formats}
        href = next((href for tag, href in reversed(self.formats) if tag == "href"), "")
        bold = "bold" in tags or (self.cell is not None and self.cell.header)
        return Run(text, bold, "italic" in tags, "underline" in tags, href if href.lower().startswith(LINK_SCHEMES) else "")

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag in _FORMATS:
            self.formats.append((_FORMATS[tag], clean(dict(attrs).get("href") or "").strip() if tag == "a" else ""))
        elif tag == "span":
            is_footnote = "footnote" in (dict(attrs).get("class") or "").split() and self.footnote is None
            self.spans.append(is_footnote)
            if is_footnote:
                self.footnote = Footnote()
        elif tag == "br":
            target = self._target(create=True)
            if target is not None:
                target.append(LineBreak())
        elif self.table is not None:
            self._table_tag(tag)
        elif tag == "p":
            if self.lists:  # a paragraph inside a list item goes on a new line of the item
                if self.block is not None and self.block.inlines:
                    self.block.inlines.append(LineBreak())
            else:
                self._open(Block("p", top_level=True))
        elif tag in _HEADINGS:
            self._open(Block(_HEADINGS[tag]))
        elif tag in ("ul", "ol"):
            self._close()
            self.list_count += 1
            self.lists.append((tag, self.list_count))
        elif tag == "li" and self.lists:
            kind, list_id = self.lists[-1]
            self._open(Block("li", list_kind=kind, level=len(self.lists), list_id=list_id))
        elif tag == "table":
            self._close()
            self.table = Table()

    def _table_tag(self, tag: str) -> None:
        assert self.table is not None
        if tag == "tr":
            self.table.rows.append([])
        elif tag in ("td", "th"):
            if not self.table.rows:
                self.table.rows.append([])
            self.cell = Cell(header=tag == "th")
            self.table.rows[-1].append(self.cell)
        elif tag in ("p", "li") and self.cell is not None and self.cell.paragraphs[-1]:
            self.cell.paragraphs.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        elif tag in _FORMATS:
            for index in range(len(self.formats) - 1, -1, -1):
                if self.formats[index][0] == _FORMATS[tag]:
                    del self.formats[index]
                    break
        elif tag == "span" and self.spans:
            if self.spans.pop() and self.footnote is not None:
                footnote, self.footnote = self.footnote, None
                footnote.inlines = _trim(footnote.inlines)
                target = self._target(create=True)
                if target is not None and has_content(footnote.inlines):
                    target.append(footnote)
        elif self.table is not None:
            if tag in ("td", "th"):
                self.cell = None
            elif tag == "table":
                for row in self.table.rows:
                    for cell in row:
                        cell.paragraphs = [_trim(p) for p in cell.paragraphs if has_content(p)] or [[]]
                self.nodes.append(self.table)
                self.table = self.cell = None
        elif tag in ("p", "li", *_HEADINGS) and not (tag == "p" and self.lists):
            self._close()
        elif tag in ("ul", "ol") and self.lists:
            self._close()
            self.lists.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        text = _SPACES.sub(" ", clean(data))
        target = self._target(create=bool(text.strip()))
        if target is not None:
            _append(target, self._run(text))

    def close(self) -> None:
        super().close()
        self._close()


def parse(html: str) -> list:
    """The blocks and tables of a piece of sanitised HTML."""
    walker = _Walker()
    walker.feed(html or "")
    walker.close()
    return walker.nodes


def footnotes_in(nodes: list):
    """The footnotes of some blocks, in reading order (tables row by row)."""
    for node in nodes:
        paragraphs = (
            [cell_p for row in node.rows for cell in row for cell_p in cell.paragraphs]
            if isinstance(node, Table)
            else [node.inlines]
        )
        for inlines in paragraphs:
            yield from (item for item in inlines if isinstance(item, Footnote))


def column_widths(table: Table) -> list[float]:
    """Relative widths of a table's columns (summing to 1), from the length of their text.

    Both exports lay tables out with fixed column widths: WeasyPrint's automatic table layout takes
    seconds for a 250-row matrix. Each column gets room for its longest word (up to 14 letters, on
    a line of about 75 characters: the Word file's in 9 pt with a wide font, the narrower line) and
    the rest of the width goes to the columns in proportion to their text, so that long texts do
    not run over many lines beside a short "Response" column.
    """
    rows = [row for row in table.rows if row]
    columns = max((len(row) for row in rows), default=1)
    lengths, longest = [0] * columns, [0] * columns
    for row in rows:
        for index, cell in enumerate(row):
            text = " ".join(run.text for inlines in cell.paragraphs for run in inlines if isinstance(run, Run))
            lengths[index] += len(text)
            longest[index] = max([longest[index], *(len(word) for word in text.split())])
    minimum = [(min(length, 14) + 2) / 75 for length in longest]
    if sum(minimum) >= 1:
        return [share / sum(minimum) for share in minimum]
    spare, total = 1 - sum(minimum), sum(lengths) or 1
    return [minimum[index] + spare * lengths[index] / total for index in range(columns)]


@dataclass
class Prepared:
    summary: list
    sections: list  # (title, nodes)
    recommendations: list  # (number, OutlineRecommendation)
    annexes: list  # (title, nodes)
    footnotes: list  # every Footnote, numbered 1.. in document order


def prepare(outline: Outline) -> Prepared:
    """Parse the outline and number its paragraphs and footnotes, the same for every export."""
    summary = parse(outline.summary_html)
    sections = [(clean(section.title), parse(section.html)) for section in outline.sections]
    annexes = [(clean(annex.title), parse(annex.html)) for annex in outline.annexes]
    number = 0
    for _title, nodes in sections:
        for node in nodes:
            if isinstance(node, Block) and node.kind == "p" and node.top_level:
                number += 1
                node.number = number
    recommendations = [(number + index, rec) for index, rec in enumerate(outline.recommendations, start=1)]
    footnotes = list(footnotes_in(summary))
    for _title, nodes in sections + annexes:
        footnotes.extend(footnotes_in(nodes))
    for index, footnote in enumerate(footnotes, start=1):
        footnote.number = index
    return Prepared(summary, sections, recommendations, annexes, footnotes)


# -- the fixed words, shared so that both exports say the same ------------------------------------


def website_href(website: str) -> str:
    """Where an organisation's website links to: its address, given a scheme when it has none
    ("hra.org"), or nothing when it is not a web address at all."""
    if website.startswith(LINK_SCHEMES):
        return website
    return f"https://{website}" if _DOMAIN.match(website) else ""


def organisation_name(org: CoverOrganisation) -> str:
    return clean(f"{org.name} ({org.acronym})" if org.acronym else org.name)


def established(org: CoverOrganisation) -> str:
    if org.established_on is None:
        return ""
    return _("Established: %(date)s") % {"date": formats.date_format(org.established_on, "DATE_FORMAT")}


def unnamed_sentence(count: int) -> str:
    if count <= 0:
        return ""
    return ngettext(
        "and %(count)d organisation that asked not to be named for their security",
        "and %(count)d organisations that asked not to be named for their security",
        count,
    ) % {"count": count}


def word_count_line(outline: Outline) -> str:
    if not outline.word_limit:
        return ""
    return _("Word count: %(count)s (limit: %(limit)s)") % {
        "count": formats.number_format(outline.word_count, force_grouping=True),
        "limit": formats.number_format(outline.word_limit, force_grouping=True),
    }


def recommendation_details(rec: OutlineRecommendation) -> list[tuple[str, str]]:
    """(label, value) for the parts of a SMART recommendation that are filled in."""
    parts = [
        (_("Who must act"), rec.responsible_actor),
        (_("Indicator"), rec.indicator),
        (_("Timeframe"), rec.timeframe),
        (_("States to ask"), ", ".join(rec.states)),
        (_("Follows up"), rec.follows_up),
    ]
    return [(label, clean(value)) for label, value in parts if value.strip()]


def page_label_parts() -> list[str]:
    """The translated "Page N of M", split into text and the field names "PAGE" and "NUMPAGES"."""
    text = _("Page %(page)s of %(pages)s")
    pieces = re.split(r"%\((page|pages)\)s", text)
    return [{"page": "PAGE", "pages": "NUMPAGES"}[piece] if index % 2 else piece for index, piece in enumerate(pieces)]
