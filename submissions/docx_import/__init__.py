"""Import a Word draft (.docx), so that a coalition that started in Word can go on in the app.

`read_docx` turns the body of a .docx into sections of HTML of the convention of
`submissions.outline` (see `submissions.richtext`):

- a paragraph in a Heading 1 or Title style (or a style based on one) starts a new section, its text
  the section's title; the first Title paragraph is also the document's title. Text before any such
  heading goes to a first section titled "" (the caller names it);
- Heading 2 becomes `<h3>`, Heading 3 and deeper `<h4>`; other paragraphs `<p>`;
- list paragraphs (List Bullet / List Number styles, or Word numbering) become `<ul>`/`<ol>` with
  `<li>`, nested by their level. Paragraph numbering, as OHCHR asks for ("number the paragraphs"),
  is not a list: a decimal numbering that runs on across sections is read as plain paragraphs,
  which the app numbers itself;
- bold, italic and underlined runs become `<strong>`, `<em>` and `<u>`; hyperlinks (and HYPERLINK
  fields) `<a href>`; tables `<table>` with `<tr>` and `<td>` (`<th>` in header rows), merged cells
  as `colspan`/`rowspan`;
- footnote and endnote references become `<span class="footnote">the note's text</span>` where they
  are anchored. python-docx 1.2 does not read notes: their text comes from the footnotes and
  endnotes parts (word/footnotes.xml, word/endnotes.xml), found through the main document part's
  relationships and parsed with python-docx's own (entity-safe) lxml parser; the separator notes are
  skipped.

Deleted tracked changes, hidden text, field codes, tables of contents, images and text boxes are left
out. Everything is run through `richtext.clean`.

A file that cannot be imported raises `DocxRefused` (a ValueError) with a message for the user; no
other exception leaves `read_docx`.
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass
from html import escape
from typing import IO, Any

from django.utils.translation import gettext

from .. import richtext
from .container import MAX_BYTES, DocxRefused, _check_container, _read_bytes
from .convert import ImportedDocument, ImportedSection, _Converter, footnotes_in

__all__ = [
    "MAX_BYTES",
    "DocxCount",
    "DocxRefused",
    "ImportedDocument",
    "ImportedSection",
    "count_docx",
    "footnotes_in",
    "read_docx",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocxCount:
    """Words of a Word file by the project's rules: `counted` toward the limit, and the words in
    footnotes, which are not. `limit` is the one it was counted against (None: no limit)."""

    counted: int
    footnotes: int
    limit: int | None = None

    @property
    def left(self) -> int | None:
        """Words left before the limit (negative when over); None without a limit."""
        return None if self.limit is None else self.limit - self.counted

    @property
    def over_by(self) -> int:
        return 0 if self.limit is None else max(0, self.counted - self.limit)


# --- Public API -------------------------------------------------------------------------------------


def read_docx(source: str | os.PathLike[str] | IO[bytes] | bytes) -> ImportedDocument:
    """The document in `source` (a path, a binary file-like object or bytes), as sections of HTML."""
    return _import(source)[0]


def count_docx(source: str | os.PathLike[str] | IO[bytes] | bytes, kind_limit: int | None = None) -> DocxCount:
    """Counts a Word file as the app counts a document: headings and section titles, paragraphs, lists
    and tables count; footnotes, the cover (title page, organisation list) and the headings of empty
    template sections do not. Raises DocxRefused as `read_docx` does."""
    from submissions.wordcount import count_html  # written alongside; imported when first used

    document, _uncarried_titles = _import(source)  # the title page's titles: the cover, not counted
    parts = []
    for section in document.sections:
        if section.cover:
            continue  # the cover does not count toward the limit
        if section.title and richtext.plain_text(section.html):  # an empty template heading does not count
            parts.append(f"<h2>{escape(section.title)}</h2>")
        parts.append(section.html)
    counted = count_html("".join(parts))
    return DocxCount(counted=counted.counted, footnotes=counted.footnotes, limit=kind_limit)


# --- Reading the file -------------------------------------------------------------------------------


def _import(source: Any) -> tuple[ImportedDocument, list[str]]:
    """The document, and the titles (Title paragraphs) that are text of the file no section carries."""
    data = _read_bytes(source)
    _check_container(data)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        return _Converter(document).convert()
    except DocxRefused:
        raise
    except Exception as exc:  # a damaged file must not become a server error
        logger.warning("Word import failed: %r", exc, exc_info=True)
        raise DocxRefused(
            gettext(
                "This Word document could not be read; it may be damaged. Open it in Word, save it again "
                "as a Word Document (.docx) and try again."
            )
        ) from exc
