"""Tables in, tables out: the rows of a CSV or XLSX file as dictionaries, whichever a person saved.

UPR Info's export and our own template are the same table in either format; people open a CSV in
Excel and save it back as .xlsx, so the importers read both through this one door.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import IO, Any, cast


class UnreadableTable(ValueError):
    """The file is neither a readable CSV (UTF-8) nor an Excel workbook."""


class Table:
    """The header and the rows of the first sheet (or the CSV), read lazily, each with its line number
    as a spreadsheet shows it (the header is line 1), so that a problem report points at the right row.
    Blank rows are skipped."""

    def __init__(self, fieldnames: list[str], rows: Iterator[tuple[int, dict[str, str]]]) -> None:
        self.fieldnames = fieldnames
        self._rows = rows

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return self._rows


def read_table(file: IO[bytes] | IO[str], name: str = "") -> Table:
    if name.lower().endswith(".xlsx"):
        return _xlsx(cast(IO[bytes], file))  # a workbook is a binary file
    return _csv(file)


def _csv(file: IO[bytes] | IO[str]) -> Table:
    # Not a text stream: an upload, read as bytes.
    handle: IO[str] = (
        file if isinstance(file, io.TextIOBase) else io.TextIOWrapper(cast(IO[bytes], file), encoding="utf-8-sig", newline="")
    )
    reader = csv.DictReader(handle)
    try:
        fieldnames = [f.strip() for f in (reader.fieldnames or [])]
    except (UnicodeDecodeError, csv.Error) as error:
        raise UnreadableTable("This is not a readable CSV file (UTF-8 expected).") from error
    reader.fieldnames = fieldnames
    return Table(fieldnames, _checked(reader))


def _checked(reader: csv.DictReader) -> Iterator[tuple[int, dict[str, str]]]:
    line = 1
    try:
        for line, row in enumerate(reader, start=2):  # the row as a spreadsheet numbers it
            if any((v or "").strip() for v in row.values() if isinstance(v, str)):
                yield line, row
    except (UnicodeDecodeError, csv.Error) as error:
        raise UnreadableTable(f"The file could not be read past line {line}: {error}") from error


def _xlsx(file: IO[bytes]) -> Table:
    import openpyxl

    from upr.uploads import WORKBOOK, UnsafeArchive, check_zip

    try:
        check_zip(file, limits=WORKBOOK)  # bounded by streaming before openpyxl unpacks it
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except UnsafeArchive as error:
        raise UnreadableTable(error.message) from error
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise UnreadableTable("This is not an Excel (.xlsx) workbook.") from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    fieldnames = [_cell(v).strip() for v in header]

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for line, values in enumerate(rows, start=2):
                if values is None or all(v is None or str(v).strip() == "" for v in values):
                    continue
                yield line, {name: _cell(value) for name, value in zip(fieldnames, values, strict=False)}
        finally:
            workbook.close()

    return Table(fieldnames, records())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores the session "12" as 12.0
    return str(value)


def write_xlsx(header: list[str], rows: Iterator[list[Any]], *, title: str) -> bytes:
    """A workbook of one sheet, every text a string cell, never a formula (upr.cells)."""
    from upr.cells import xlsx_book

    return xlsx_book(header, rows, title=title)
