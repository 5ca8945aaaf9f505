"""The cells of every CSV and XLSX file the app writes: never a formula.

Why: spreadsheet programs run a cell that starts with =, +, - or @ (and, in some, a tab or a carriage
return, or the fullwidth ＝＋－＠ that they fold to the same) as a formula. A recommendation, a note or
a name pasted from elsewhere, or an imported file, could carry `=HYPERLINK("http://x", "y")` and send
what the coalition's spreadsheet shows to a stranger ("CSV injection"). So:

- in CSV, such a cell is written with an apostrophe before it (`'=HYPERLINK(…)`), which the
  spreadsheet shows as text;
- in XLSX, every text is written as a string cell (data_type "s", quote-prefixed so that editing it
  in Excel keeps it text), never as a formula, and keeps its exact text.

Every export goes through `csv_lines` or `xlsx_book`, so no export can forget it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralised(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would run as a formula gets an apostrophe before it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write returns the line, for a streamed CSV response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header_row: list[str], body: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV, line by line (for a streamed response), UTF-8 with the byte-order mark Excel needs."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([neutralised(v) for v in header_row])
    for row in body:
        yield writer.writerow([neutralised(v) for v in row])


def xlsx_book(
    header_row: list[str], body: Iterable[Iterable[Any]], *, title: str, bold_header: bool = False, freeze: str | None = None
) -> bytes:
    """A workbook of one sheet, streamed row by row (write-only mode keeps 41,066 rows in little memory).
    No author or company in the document properties: exports carry no author metadata."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    book.properties.creator = ""
    book.properties.lastModifiedBy = ""
    sheet = book.create_sheet(title=title[:31])
    if freeze:
        sheet.freeze_panes = freeze
    bold = Font(bold=True) if bold_header else None
    sheet.append([_cell(sheet, value, font=bold) for value in header_row])
    for row in body:
        sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: Any, value: Any, *, font: Any = None) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        cell = WriteOnlyCell(sheet, value=None)
        # Set directly: openpyxl's setter would make "=…" a formula (and refuse a control character,
        # which XML cannot hold: it is dropped, as Excel's own limit of 32,767 characters is kept).
        cell._value = ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
        cell.data_type = "s"
        value = cell._value
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    if font is not None:
        cell.font = font
    return cell
