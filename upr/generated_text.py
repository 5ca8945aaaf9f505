"""Texts the app writes into a document (a cover's list of submitters, the draft recommendations, a
mid-term report's chapters, the matrix annex): built as parts here, written as HTML by the template
generated/text.html, where every value is escaped.

The template is one line on purpose: these texts are stored and counted word for word, and the
browser's counter reads the same string, so no whitespace may slip in between the elements."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.template.loader import render_to_string

Part = dict[str, Any]


def paragraph(text: object, *, css_class: str = "") -> Part:
    return {"kind": "p", "text": text, "css_class": css_class}


def lines(strong: object, rest: Iterable[object]) -> Part:
    """A paragraph of lines: the first in bold, the others after a line break each."""
    return {"kind": "lines", "strong": strong, "lines": list(rest)}


def table(head: Iterable[object], rows: Iterable[Iterable[object]]) -> Part:
    return {"kind": "table", "head": list(head), "rows": [list(row) for row in rows]}


def bullets(items: Iterable[object]) -> Part:
    return {"kind": "ul", "items": list(items)}


def render(parts: Iterable[Part]) -> str:
    """The parts as HTML (the template's leading comment line is not part of it)."""
    return render_to_string("generated/text.html", {"parts": list(parts)}).strip()
