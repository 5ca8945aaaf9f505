"""The PDF export of a document: `render_pdf(outline)`, with WeasyPrint.

The outline is read by `export_blocks.prepare`, like the Word export, so both show the same paragraph
numbers and footnote numbers. The blocks are written back as HTML by the templates
`submissions/export/blocks.html` and the ones it includes (text escaped, only the tags we know, links
only to http(s) and mailto addresses), placed in the template
`submissions/export/document.html` and laid out with `static/css/export.css`:

- paragraph and recommendation numbers are written in the HTML ("12."), not left to CSS counters,
  so that text extracted from the PDF carries them too;
- footnotes are `<span class="footnote" data-n="3">` floated with `float: footnote`: WeasyPrint
  moves them to the bottom of the page, marked with the same number as in the Word file;
- "Page N of M" and the draft marking are page margin boxes; their words come from gettext and are
  written into the template's <style> as CSS strings.

WeasyPrint fetches nothing: the stylesheet is read from disk and the URL fetcher refuses every
address but data: URIs, so no text can make the server request a URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from .export_blocks import (
    Block,
    Footnote,
    LineBreak,
    Prepared,
    Run,
    Table,
    clean,
    column_widths,
    established,
    organisation_name,
    page_label_parts,
    prepare,
    recommendation_details,
    unnamed_sentence,
    website_href,
    word_count_line,
)
from .outline import Outline

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "export.css"
_HEADINGS = {"h2": "h3", "h3": "h3", "h4": "h4"}  # the section's own title is the <h2>


class _NoFetching(URLFetcher):
    """Refuses every URL but data: ones; WeasyPrint logs a warning and goes on without it."""

    def fetch(self, url, headers=None):
        if not url.startswith("data:"):
            raise ValueError(f"the PDF export fetches nothing: {url[:80]}")
        return super().fetch(url, headers)


# The blocks become template data here and HTML in submissions/export/blocks.html (and the templates
# it includes): every text escaped there, only the tags we know.


def _inlines(inlines: list) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in inlines:
        if isinstance(item, LineBreak):
            out.append({"kind": "br"})
        elif isinstance(item, Footnote):
            out.append({"kind": "footnote", "number": item.number, "inlines": _inlines(item.inlines)})
        elif isinstance(item, Run):
            out.append(
                {
                    "kind": "run",
                    "text": item.text,
                    "bold": item.bold,
                    "italic": item.italic,
                    "underline": item.underline,
                    "href": item.href,
                }
            )
    return out


def _cells(row: list) -> list[dict[str, Any]]:
    return [{"tag": "th" if cell.header else "td", "paragraphs": [_inlines(p) for p in cell.paragraphs]} for cell in row]


def _table(table: Table) -> dict[str, Any] | None:
    rows = [row for row in table.rows if row]
    if not rows:
        return None
    head = all(cell.header for cell in rows[0])  # <thead> repeats on every page
    return {
        "kind": "table",
        "widths": [f"{width * 100:.1f}" for width in column_widths(table)],
        "head": _cells(rows[0]) if head else None,
        "rows": [_cells(row) for row in (rows[1:] if head else rows)],
    }


def _parts(nodes: list) -> list[dict[str, Any]]:
    """The blocks as template data. List items come flat, each with its depth: they are nested again
    into lists, a list opening inside the last item of the list one level up."""
    parts: list[dict[str, Any]] = []
    open_lists: list[tuple[int, dict[str, Any]]] = []  # (list_id, list) from the outermost
    for node in nodes:
        if isinstance(node, Block) and node.kind == "li":
            del open_lists[node.level :]
            if open_lists and len(open_lists) == node.level and open_lists[-1][0] != node.list_id:
                del open_lists[node.level - 1 :]  # another list at the same depth: a new one starts
            while len(open_lists) < node.level:
                new_list: dict[str, Any] = {"kind": "list", "tag": node.list_kind, "items": []}
                if open_lists:
                    parent = open_lists[-1][1]["items"]
                    if not parent:  # a list nested with no item around it: give it one
                        parent.append({"inlines": [], "lists": []})
                    parent[-1]["lists"].append(new_list)
                else:
                    parts.append(new_list)
                open_lists.append((node.list_id, new_list))
            open_lists[-1][1]["items"].append({"inlines": _inlines(node.inlines), "lists": []})
            continue
        open_lists.clear()
        if isinstance(node, Table):
            table = _table(node)
            if table is not None:
                parts.append(table)
        elif node.kind in _HEADINGS:
            parts.append({"kind": "heading", "tag": _HEADINGS[node.kind], "inlines": _inlines(node.inlines)})
        elif node.number:
            parts.append({"kind": "numbered", "number": node.number, "inlines": _inlines(node.inlines)})
        else:
            parts.append({"kind": "p", "inlines": _inlines(node.inlines)})
    return parts


def _nodes(nodes: list) -> SafeString:
    """Blocks back to HTML, through the templates."""
    return render_to_string("submissions/export/blocks.html", {"parts": _parts(nodes)})  # a SafeString


def _css_string(text: str) -> str:
    """A CSS string literal safe inside <style>: everything but letters, digits and spaces escaped."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def _page_css(outline: Outline) -> SafeString:
    counters = {"PAGE": "counter(page)", "NUMPAGES": "counter(pages)"}
    page = " ".join(counters.get(piece) or _css_string(piece) for piece in page_label_parts() if piece)
    css = f"@page {{ @bottom-center {{ content: {page}; }} }}"
    if not outline.final:
        css += f"\n@page {{ @top-center {{ content: {_css_string(_('DRAFT - not for submission'))}; }} }}"
    return mark_safe(css)


def _website(website: str) -> dict[str, str]:
    website = clean(website.strip())
    return {"text": website, "href": website_href(website)}


def _context(outline: Outline, prepared: Prepared) -> dict:
    return {
        "outline": outline,  # its language and final flag; texts below are cleaned of control characters
        "title": clean(outline.title),
        "kind_label": clean(outline.kind_label),
        "review": clean(outline.review),
        "factsheet": outline.kind == "factsheet",
        "page_css": _page_css(outline),
        "word_count": word_count_line(outline),
        "organisations": [
            {
                "name": organisation_name(org),
                "website": _website(org.website),
                "activities": clean(org.activities),
                "established": established(org),
            }
            for org in outline.organisations
        ],
        "unnamed": unnamed_sentence(outline.unnamed_count),
        "summary": _nodes(prepared.summary),
        "keywords": ", ".join(clean(word) for word in outline.keywords),
        "sections": [{"title": title, "html": _nodes(nodes)} for title, nodes in prepared.sections],
        "recommendations": [
            {"number": number, "text": clean(rec.text), "details": recommendation_details(rec)}
            for number, rec in prepared.recommendations
        ],
        "annexes": [
            {"label": _("Annex %(number)s: %(title)s") % {"number": index, "title": title}, "html": _nodes(nodes)}
            for index, (title, nodes) in enumerate(prepared.annexes, start=1)
        ],
    }


def render_html(outline: Outline) -> str:
    """The HTML the PDF is made from (also handy to look at the layout in a browser)."""
    with translation.override(outline.language):
        return render_to_string("submissions/export/document.html", _context(outline, prepare(outline)))


def render_pdf(outline: Outline, *, base_url: str | None = None) -> bytes:
    """The document as a PDF file (bytes), A4."""
    fetcher = _NoFetching()
    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    document = HTML(string=render_html(outline), base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet])
