"""Word drafts built with python-docx, for the tests of the Word import and of the live editor.

python-docx cannot write footnotes, so `Footnotes` adds a footnotes part (word/footnotes.xml, with the
separator notes Word writes) and its relationship through python-docx's OPC layer, and
`w:footnoteReference` runs where the notes are anchored. `draft()` is a submission with everything the
import reads (headings, runs, lists, links, footnotes, a table).
"""

from __future__ import annotations

import io
import zipfile
from html import escape

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

FOOTNOTES_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class Footnotes:
    """The footnotes part of a document being built, as Word writes it."""

    def __init__(self, document: docx.document.Document):
        self.part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CONTENT_TYPE, b"", document.part.package)
        document.part.relate_to(self.part, RT.FOOTNOTES)
        self.notes: list[str] = []
        self.next_id = 1
        self._write()

    def link(self, url: str) -> str:
        """The relationship id of an external link from a footnote (a part's links are its own)."""
        return self.part.relate_to(url, RT.HYPERLINK, is_external=True)

    def add(self, paragraph, runs_xml: str) -> int:
        """A footnote anchored at the end of `paragraph`, its text the given runs (w:r, w:hyperlink)."""
        note_id = self.next_id
        self.next_id += 1
        self.notes.append(
            f'<w:footnote w:id="{note_id}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
            f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>{runs_xml}</w:p></w:footnote>'
        )
        run = paragraph.add_run()
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), str(note_id))
        run._r.append(reference)
        self._write()
        return note_id

    def add_text(self, paragraph, text: str) -> int:
        return self.add(paragraph, run_xml(" " + text))

    def _write(self) -> None:
        self.part._blob = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
            + "".join(self.notes)
            + "</w:footnotes>"
        ).encode()


def run_xml(text: str, bold: bool = False, italic: bool = False) -> str:
    properties = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text, quote=False)}</w:t></w:r>'


def add_hyperlink(paragraph, url: str, text: str) -> None:
    relationship_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship_id)
    run = OxmlElement("w:r")
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def saved(document: docx.document.Document) -> bytes:
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def zipped(files: dict[str, str | bytes]) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return stream.getvalue()


def draft() -> bytes:
    """A submission draft with everything the import reads."""
    document = docx.Document()
    footnotes = Footnotes(document)
    document.add_paragraph("Joint submission on education", style="Title")
    document.add_paragraph("Submitted by the Coalition for Schools & Rights <CSR>.")
    document.add_heading("Introduction", level=1)
    paragraph = document.add_paragraph("The coalition ")
    paragraph.add_run("strongly").bold = True
    paragraph.add_run(" urges ")
    paragraph.add_run("immediate").italic = True
    paragraph.add_run(" and ")
    paragraph.add_run("lasting").underline = True
    paragraph.add_run(" action.")
    footnotes.add_text(paragraph, "Report of the Special Rapporteur, A/HRC/59/15.")
    document.add_heading("Background", level=2)
    document.add_heading("Details", level=3)
    document.add_paragraph("First bullet", style="List Bullet")
    document.add_paragraph("Second bullet", style="List Bullet")
    document.add_paragraph("First step", style="List Number")
    document.add_paragraph("Second step", style="List Number")
    paragraph = document.add_paragraph("See ")
    add_hyperlink(paragraph, "https://www.ohchr.org/en/hr-bodies/upr", "the UPR page")
    paragraph.add_run(".")
    link_id = footnotes.link("https://example.org/report?a=1&b=2")
    footnotes.add(
        paragraph,
        run_xml(" Source: ")
        + run_xml("annual", italic=True)
        + run_xml(" ")
        + f'<w:hyperlink r:id="{link_id}">{run_xml("report")}</w:hyperlink>',
    )
    document.add_heading("Recommendations", level=1)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Recommendation"
    table.cell(0, 1).text = "Status"
    table.cell(1, 0).text = "Ratify OP-ICESCR"
    table.cell(1, 1).text = "Supported"
    document.add_paragraph("Last words.")
    return saved(document)
