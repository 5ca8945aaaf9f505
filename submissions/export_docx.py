"""The Word export of a document, as OHCHR asks for a stakeholder submission: `render_docx(outline)`.

python-docx (1.2) gives the package, its styles, the page, the header and the footer. The body is
written as WordprocessingML with lxml by one small writer (`_Writer`), because python-docx writes
no footnotes and builds big tables slowly, and because body, table cells and footnotes then get
exactly the same runs, links and footnote references.

What the file holds (OHCHR's guidance): a cover page naming the submitters (never those who asked
not to be named), an executive summary with key words, the sections with their paragraphs then the
draft recommendations numbered 1., 2., ... as literal text (so that every Word version and
LibreOffice show the same numbers as the PDF), real Word footnotes, the annexes each on a new page,
"Page N of M" in the footer, and a "DRAFT" header until the document is final. No pictures and no
personal metadata: the template's author, description and thumbnail are removed.
"""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, RGBColor
from lxml import etree

from .export_blocks import (
    Block,
    Footnote,
    LineBreak,
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

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_LANGUAGE_TAGS = {"en": "en-GB", "fr": "fr-FR", "es": "es-ES"}
_HEADING_STYLES = {"h2": "Heading2", "h3": "Heading2", "h4": "Heading3"}
_LIST_STYLES = {"ul": ("ListBullet", "ListBullet2", "ListBullet3"), "ol": ("ListNumber", "ListNumber2", "ListNumber3")}

# Word's own separators: ids -1 and 0, referenced from settings.xml, as Word 2010 and later write them.
_FOOTNOTES_XML = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
    "</w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)
# The default template lacks these; Word's own definitions, trimmed.
_STYLES = {
    "FootnoteText": '<w:style w:type="paragraph" w:styleId="FootnoteText"><w:name w:val="footnote text"/>'
    '<w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>',
    "FootnoteReference": '<w:style w:type="character" w:styleId="FootnoteReference"><w:name w:val="footnote reference"/>'
    '<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
    '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>',
    "Hyperlink": '<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>'
    '<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
    '<w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>',
    "TableText": '<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableText"><w:name w:val="Table Text"/>'
    '<w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    '<w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>',
    "RecommendationDetails": '<w:style w:type="paragraph" w:customStyle="1" w:styleId="RecommendationDetails">'
    '<w:name w:val="Recommendation details"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:left="567"/></w:pPr>'
    '<w:rPr><w:color w:val="404040"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>',
}
_APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>UPR Coalition Hub</Application><DocSecurity>0</DocSecurity></Properties>"
)


def _sub(parent, tag: str, attrs: dict[str, str] | None = None):
    element = etree.SubElement(parent, qn(tag))
    for name, value in (attrs or {}).items():
        element.set(qn(name), value)
    return element


def _link_target(href: str) -> str:
    """An address Word accepts as a relationship target: spaces and non-ASCII percent-encoded."""
    return quote(href, safe=":/?#[]@!$&'()*+,;=%~")


def _website_run(website: str) -> Run:
    website = clean(website.strip())
    return Run(website, href=website_href(website))


class _Writer:
    """Appends paragraphs and tables to the body; writes footnotes into their own part."""

    def __init__(self, doc, footnotes_part: XmlPart, text_width: int) -> None:
        self.doc = doc
        self.part = doc.part
        self.end = doc.element.body.sectPr  # the body's last child: content goes before it
        self.footnotes_part = footnotes_part
        self.text_width = text_width
        self.list_numbers: dict[int, str] = {}  # list_id of an <ol> -> its w:num, so each starts at 1

    def add(self, element) -> None:
        self.end.addprevious(element)

    def paragraph(
        self, inlines: list, style: str = "", *, num_id: str = "", page_break_before: bool = False, part: XmlPart | None = None
    ):
        p = OxmlElement("w:p")
        if style or num_id or page_break_before:
            ppr = _sub(p, "w:pPr")  # children in schema order: pStyle, pageBreakBefore, numPr
            if style:
                _sub(ppr, "w:pStyle", {"w:val": style})
            if page_break_before:
                _sub(ppr, "w:pageBreakBefore")
            if num_id:
                numpr = _sub(ppr, "w:numPr")
                _sub(numpr, "w:ilvl", {"w:val": "0"})
                _sub(numpr, "w:numId", {"w:val": num_id})
        self.inlines(p, inlines, part or self.part)
        return p

    def page_break(self) -> None:
        p = OxmlElement("w:p")
        _sub(_sub(p, "w:r"), "w:br", {"w:type": "page"})
        self.add(p)

    def inlines(self, p, inlines: list, part: XmlPart) -> None:
        link, link_href = None, ""
        for item in inlines:
            if isinstance(item, Run) and item.href:
                if link is None or item.href != link_href:  # consecutive runs of one link share it
                    link = _sub(p, "w:hyperlink", {"w:history": "1"})
                    link.set(qn("r:id"), part.relate_to(_link_target(item.href), RT.HYPERLINK, is_external=True))
                    link_href = item.href
                self.run(link, item)
                continue
            link = None
            if isinstance(item, Run):
                self.run(p, item)
            elif isinstance(item, LineBreak):
                _sub(_sub(p, "w:r"), "w:br")
            elif isinstance(item, Footnote):
                self.footnote(p, item)

    def run(self, parent, run: Run) -> None:
        r = _sub(parent, "w:r")
        if run.href or run.bold or run.italic or run.underline:
            rpr = _sub(r, "w:rPr")  # schema order: rStyle, b, i, u
            if run.href:
                _sub(rpr, "w:rStyle", {"w:val": "Hyperlink"})
            if run.bold:
                _sub(rpr, "w:b")
            if run.italic:
                _sub(rpr, "w:i")
            if run.underline:
                _sub(rpr, "w:u", {"w:val": "single"})
        t = _sub(r, "w:t")
        t.set(_XML_SPACE, "preserve")
        t.text = run.text

    def footnote(self, p, footnote: Footnote) -> None:
        """The reference at the anchor, and the note itself (w:id = its number) in footnotes.xml."""
        number = str(footnote.number)
        r = _sub(p, "w:r")
        _sub(_sub(r, "w:rPr"), "w:rStyle", {"w:val": "FootnoteReference"})
        _sub(r, "w:footnoteReference", {"w:id": number})
        note = _sub(self.footnotes_part.element, "w:footnote", {"w:id": number})
        note_p = self.paragraph([], "FootnoteText", part=self.footnotes_part)
        mark = _sub(note_p, "w:r")
        _sub(_sub(mark, "w:rPr"), "w:rStyle", {"w:val": "FootnoteReference"})
        _sub(mark, "w:footnoteRef")
        self.inlines(note_p, [Run(" "), *footnote.inlines], self.footnotes_part)
        note.append(note_p)

    def nodes(self, nodes: list) -> None:
        for node in nodes:
            if isinstance(node, Table):
                self.add(self.table(node))
            elif isinstance(node, Block):
                style, num_id = _HEADING_STYLES.get(node.kind, ""), ""
                if node.kind == "li":
                    style = _LIST_STYLES[node.list_kind][min(node.level, 3) - 1]
                    num_id = self.list_number(node.list_id, style) if node.list_kind == "ol" else ""
                inlines = [Run(f"{node.number}. "), *node.inlines] if node.number else node.inlines
                self.add(self.paragraph(inlines, style, num_id=num_id))

    def list_number(self, list_id: int, style: str) -> str:
        """A numbering instance of the style's list that restarts at 1: else every <ol> of the
        document would continue the previous one's numbers."""
        if list_id not in self.list_numbers:
            numbering = self.part.numbering_part.element
            style_num = self.doc.styles.element.get_by_id(style).pPr.numPr.numId.val
            abstract = numbering.xpath(f'w:num[@w:numId="{style_num}"]/w:abstractNumId/@w:val')[0]
            num = numbering.add_num(int(abstract))
            num.add_lvlOverride(ilvl=0).add_startOverride(1)
            self.list_numbers[list_id] = str(num.numId)
        return self.list_numbers[list_id]

    def table(self, table: Table):
        """A table written as XML directly: python-docx's add_table is slow for hundreds of rows."""
        rows = [row for row in table.rows if row]
        widths = [str(int(self.text_width * share)) for share in column_widths(table)]
        columns = len(widths)
        tbl = OxmlElement("w:tbl")
        tblpr = _sub(tbl, "w:tblPr")
        _sub(tblpr, "w:tblStyle", {"w:val": "TableGrid"})
        _sub(tblpr, "w:tblW", {"w:w": "5000", "w:type": "pct"})
        grid = _sub(tbl, "w:tblGrid")
        _sub(tblpr, "w:tblLayout", {"w:type": "fixed"})  # keep these widths, as the PDF does
        for width in widths:
            _sub(grid, "w:gridCol", {"w:w": width})
        for row in rows:
            tr = _sub(tbl, "w:tr")
            if all(cell.header for cell in row):  # a header row repeats on every page of the table
                _sub(_sub(tr, "w:trPr"), "w:tblHeader")
            for index in range(columns):  # short rows are padded: LibreOffice wants a full grid
                tc = _sub(tr, "w:tc")
                _sub(_sub(tc, "w:tcPr"), "w:tcW", {"w:w": widths[index], "w:type": "dxa"})
                for inlines in row[index].paragraphs if index < len(row) else [[]]:
                    tc.append(self.paragraph(inlines, "TableText"))
        return tbl


def _setup(doc, outline: Outline) -> XmlPart:
    """A4 page, styles, language, footnotes part, no personal metadata. Returns the footnotes part."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(25)
    styles = doc.styles.element
    for style_id, xml in _STYLES.items():
        if styles.get_by_id(style_id) is None:
            styles.append(parse_xml(xml.replace("<w:style ", f"<w:style {nsdecls('w')} ", 1)))
    lang = styles.find(f"{qn('w:docDefaults')}//{qn('w:lang')}")
    if lang is not None:
        lang.set(qn("w:val"), _LANGUAGE_TAGS.get(outline.language, outline.language))

    footnotes_part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(_FOOTNOTES_XML), doc.part.package)
    doc.part.relate_to(footnotes_part, RT.FOOTNOTES)
    settings = doc.settings.element
    footnote_pr = parse_xml(f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>')
    compat = settings.find(qn("w:compat"))
    compat.addprevious(footnote_pr) if compat is not None else settings.append(footnote_pr)
    for tag in ("w:savePreviewPicture", "w:rsids"):  # no thumbnail; no editing-session ids
        for element in settings.findall(qn(tag)):
            settings.remove(element)
    zoom = settings.find(qn("w:zoom"))
    if zoom is not None:  # Word then strips personal information whenever someone saves the file
        zoom.addnext(OxmlElement("w:removePersonalInformation"))

    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rid]
    for part in package.iter_parts():
        if part.partname == "/docProps/app.xml":
            part._blob = _APP_XML  # the template's says "Microsoft Macintosh Word" and its template
    props = doc.core_properties
    props.author = props.last_modified_by = props.comments = props.category = ""
    props.title = clean(outline.title)[:255]
    props.subject = clean(outline.kind_label)[:255]
    props.keywords = clean(", ".join(outline.keywords))[:255]
    props.language = outline.language
    props.revision = 1
    props.created = props.modified = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    return footnotes_part


def _header_and_footer(doc, writer: _Writer, outline: Outline) -> None:
    section = doc.sections[0]
    if not outline.final:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        mark = header.add_run(_("DRAFT - not for submission"))
        mark.bold = True
        mark.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in page_label_parts():
        if piece in ("PAGE", "NUMPAGES"):
            field = _sub(footer._p, "w:fldSimple", {"w:instr": f" {piece} "})
            _sub(_sub(field, "w:r"), "w:t").text = "1"  # shown until the reader updates fields
        elif piece:
            writer.run(footer._p, Run(piece))


def _cover(writer: _Writer, outline: Outline) -> None:
    writer.add(writer.paragraph([Run(clean(outline.title))], "Title"))
    writer.add(writer.paragraph([Run(clean(outline.kind_label))], "Subtitle"))
    writer.add(writer.paragraph([Run(clean(outline.review), bold=True)]))
    if line := word_count_line(outline):
        writer.add(writer.paragraph([Run(line)]))
    if outline.organisations or outline.unnamed_count:
        writer.add(writer.paragraph([Run(_("Submitted by"))], "Heading2"))
    for org in outline.organisations:
        inlines: list = [Run(organisation_name(org), bold=True)]
        for extra in (_website_run(org.website), Run(clean(org.activities)), Run(established(org))):
            if extra.text.strip():
                inlines += [LineBreak(), extra]
        writer.add(writer.paragraph(inlines))
    if sentence := unnamed_sentence(outline.unnamed_count):
        writer.add(writer.paragraph([Run(sentence, italic=True)]))
    if outline.kind != "factsheet":  # a one- or two-page brief does not spend a page on its cover
        writer.page_break()


def render_docx(outline: Outline) -> bytes:
    """The document as a .docx file (bytes)."""
    with translation.override(outline.language):
        prepared = prepare(outline)
        doc = Document()
        footnotes_part = _setup(doc, outline)
        section = doc.sections[0]  # lengths in EMU: 635 to a twip
        width, left, right = section.page_width, section.left_margin, section.right_margin
        assert width is not None and left is not None and right is not None  # the default template sets the page's size
        writer = _Writer(doc, footnotes_part, (width - left - right) // 635)
        _header_and_footer(doc, writer, outline)
        _cover(writer, outline)
        if prepared.summary or outline.keywords:
            writer.add(writer.paragraph([Run(_("Executive summary"))], "Heading1"))
            writer.nodes(prepared.summary)
            if outline.keywords:
                words = ", ".join(clean(word) for word in outline.keywords)
                writer.add(writer.paragraph([Run(_("Key words") + ": ", bold=True), Run(words)]))
        for title, nodes in prepared.sections:
            writer.add(writer.paragraph([Run(title)], "Heading1"))
            writer.nodes(nodes)
        if prepared.recommendations:
            writer.add(writer.paragraph([Run(_("Recommendations"))], "Heading1"))
            for number, rec in prepared.recommendations:
                writer.add(writer.paragraph([Run(f"{number}. "), Run(clean(rec.text))]))
                details: list = []
                for label, value in recommendation_details(rec):
                    details += [Run("; ")] if details else []
                    details += [Run(f"{label}: ", bold=True), Run(value)]
                if details:
                    writer.add(writer.paragraph(details, "RecommendationDetails"))
        for index, (title, nodes) in enumerate(prepared.annexes, start=1):
            label = _("Annex %(number)s: %(title)s") % {"number": index, "title": title}
            writer.add(writer.paragraph([Run(label)], "Heading1", page_break_before=True))
            writer.nodes(nodes)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()
