"""The PDF export of a document: `render_pdf(outline)`, with WeasyPrint.

The outline is read by `export_html.prepare`, like the Word export, so both show the same paragraph
numbers and footnote numbers. The blocks are written back as HTML here (text escaped, only the tags
we know, links only to http(s) and mailto addresses), placed in the template
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

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from .export_html import (
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


def _inlines(inlines: list) -> str:
    out = []
    for item in inlines:
        if isinstance(item, LineBreak):
            out.append("<br>")
        elif isinstance(item, Footnote):
            out.append(f'<span class="footnote" data-n="{item.number}">{_inlines(item.inlines)}</span>')
        elif isinstance(item, Run):
            text: str = escape(item.text)
            text = f"<strong>{text}</strong>" if item.bold else text
            text = f"<em>{text}</em>" if item.italic else text
            text = f"<u>{text}</u>" if item.underline else text
            out.append(f'<a href="{escape(item.href)}">{text}</a>' if item.href else text)
    return "".join(out)


def _table(table: Table) -> str:
    rows = [row for row in table.rows if row]
    if not rows:
        return ""
    widths = "".join(f'<col style="width: {width * 100:.1f}%">' for width in column_widths(table))
    out = [f"<table><colgroup>{widths}</colgroup>"]
    for index, row in enumerate(rows):
        head = index == 0 and all(cell.header for cell in row)  # <thead> repeats on every page
        cells = "".join(
            f"<{'th' if cell.header else 'td'}>{'<br>'.join(_inlines(p) for p in cell.paragraphs)}</{'th' if cell.header else 'td'}>"
            for cell in row
        )
        out.append(f"<thead><tr>{cells}</tr></thead><tbody>" if head else f"<tr>{cells}</tr>")
        if index == 0 and not head:
            out.insert(1, "<tbody>")
    out.append("</tbody></table>")
    return "".join(out)


def _nodes(nodes: list) -> SafeString:
    """Blocks back to HTML; flat list items are nested again into <ul>/<ol> by their level."""
    out: list[str] = []
    lists: list[tuple[int, str]] = []  # open (list_id, tag); each has an open <li>

    def close_lists(depth: int) -> None:
        while len(lists) > depth:
            out.append(f"</li></{lists.pop()[1]}>")

    for node in nodes:
        if isinstance(node, Block) and node.kind == "li":
            close_lists(node.level)
            if lists and len(lists) == node.level and lists[-1][0] != node.list_id:
                close_lists(node.level - 1)
            if len(lists) == node.level:
                out.append("</li>")
            while len(lists) < node.level:
                lists.append((node.list_id, node.list_kind))
                out.append(f"<{node.list_kind}>")
            out.append(f"<li>{_inlines(node.inlines)}")
            continue
        close_lists(0)
        if isinstance(node, Table):
            out.append(_table(node))
        elif node.kind in _HEADINGS:
            out.append(f"<{_HEADINGS[node.kind]}>{_inlines(node.inlines)}</{_HEADINGS[node.kind]}>")
        elif node.number:
            out.append(f'<p class="numbered"><span class="n">{node.number}.&nbsp;</span>{_inlines(node.inlines)}</p>')
        else:
            out.append(f"<p>{_inlines(node.inlines)}</p>")
    close_lists(0)
    return mark_safe("".join(out))


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
