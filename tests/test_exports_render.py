"""The Word and PDF exports, read back with real readers: python-docx and lxml for the .docx, pypdf
for the PDF. Outlines are built in Python: no database (Django settings only, for templates)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import docx
import pytest
from lxml import etree
from pypdf import PdfReader

from submissions.export_docx import render_docx
from submissions.export_pdf import render_pdf
from submissions.outline import CoverOrganisation, Outline, OutlineAnnex, OutlineRecommendation, OutlineSection

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
WITHHELD = "Zebra Underground Defenders"  # a co-signer who asked not to be named: never in any output


def outline(**changes: Any) -> Outline:
    values: dict[str, Any] = dict(
        kind="joint_submission",
        kind_label="Joint stakeholder submission",
        language="en",
        title="Civic space in Slovenia",
        review="Slovenia, 48th session of the UPR Working Group (January 2025)",
        organisations=[
            CoverOrganisation(
                "Human Rights Alliance",
                "HRA",
                "https://hra.example.org",
                "Monitors places of detention.",
                dt.date(1998, 3, 12),
                lead=True,
            ),
            CoverOrganisation("Press Freedom Watch", "", "pfw.example.org", "Defends journalists."),
        ],
        unnamed_count=3,
        summary_html="<p>Journalists face <strong>reprisals</strong>.</p>",
        keywords=["press freedom", "assembly", "detention"],
        sections=[
            OutlineSection(
                "Background",
                (
                    '<p>Alpha paragraph.<span class="footnote">First note, '
                    '<a href="https://example.org/report">report</a>.</span></p>'
                    "<h3>Legal framework</h3>"
                    "<p>Bravo paragraph with <em>emphasis</em> and <u>underline</u>.</p>"
                    "<ul><li>Bullet one</li><li>Bullet two</li></ul>"
                ),
            ),
            OutlineSection(
                "Findings",
                (
                    '<p>Charlie paragraph.<span class="footnote">Second note.</span></p>'
                    "<ol><li>Step one</li><li>Step two</li></ol>"
                    '<p>Delta paragraph.<span class="footnote">Third note.</span></p>'
                ),
            ),
        ],
        recommendations=[
            OutlineRecommendation(
                "Repeal article 5 of the Public Order Act.",
                "Ministry of Interior",
                "Article repealed",
                "By 2027",
                ("Portugal", "Chile"),
                "140.12 (Portugal), 4th cycle",
            ),
            OutlineRecommendation("Release detained journalists."),
        ],
        annexes=[
            OutlineAnnex(
                "Matrix of previous recommendations",
                (
                    "<table><tr><th>Recommendation</th><th>Status</th></tr>"
                    '<tr><td>140.12 (Portugal)</td><td>Not implemented<span class="footnote">Annex note.</span></td></tr>'
                    "<tr><td>140.13 (Chile)</td><td>Partially</td></tr></table>"
                ),
            )
        ],
        word_count=1200,
        word_limit=5630,
    )
    values.update(changes)
    return Outline(**values)


FOOTNOTES = ["First note, report.", "Second note.", "Third note.", "Annex note."]
NUMBERED = [
    "1. Alpha paragraph.",
    "2. Bravo paragraph with emphasis and underline.",
    "3. Charlie paragraph.",
    "4. Delta paragraph.",
    "5. Repeal article 5 of the Public Order Act.",
    "6. Release detained journalists.",
]


def docx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pdf_text(data: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# -- Word ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def word() -> bytes:
    return render_docx(outline())


def test_docx_paragraph_numbers_continue_across_sections_into_recommendations(word):
    texts = [p.text for p in docx.Document(io.BytesIO(word)).paragraphs]
    numbered = [text for text in texts if re.match(r"\d+\. ", text)]
    assert numbered == NUMBERED
    # the summary, list items and headings are not numbered
    assert "Journalists face reprisals." in texts and "Bullet one" in texts and "Legal framework" in texts


def test_docx_styles_headings_lists_and_details(word):
    paragraphs = docx.Document(io.BytesIO(word)).paragraphs
    style = {p.text: p.style.name for p in paragraphs}
    assert style["Background"] == style["Findings"] == style["Executive summary"] == "Heading 1"
    assert style["Recommendations"] == style["Annex 1: Matrix of previous recommendations"] == "Heading 1"
    assert style["Legal framework"] == "Heading 2"
    assert style["Bullet one"] == "List Bullet" and style["Step two"] == "List Number"
    assert "Key words: press freedom, assembly, detention" in style
    details = next(p.text for p in paragraphs if p.style.name == "Recommendation details")
    assert details == (
        "Who must act: Ministry of Interior; Indicator: Article repealed; Timeframe: By 2027; "
        "States to ask: Portugal, Chile; Follows up: 140.12 (Portugal), 4th cycle"
    )
    emphasis = next(p for p in paragraphs if p.text.startswith("2. "))
    assert [(r.text, r.italic, r.underline) for r in emphasis.runs if r.italic or r.underline] == [
        ("emphasis", True, None),
        ("underline", None, True),
    ]


def test_docx_cover_names_organisations_and_unnamed_sentence_only(word):
    document = docx.Document(io.BytesIO(word))
    cover = "\n".join(p.text for p in document.paragraphs[:12])
    for expected in (
        "Civic space in Slovenia",
        "Joint stakeholder submission",
        "Human Rights Alliance (HRA)",
        "https://hra.example.org",
        "Monitors places of detention.",
        "Established: 12 March 1998",
        "Press Freedom Watch",
        "and 3 organisations that asked not to be named for their security",
    ):
        assert expected in cover
    body = document.element.body
    assert body.xpath('.//w:br[@w:type="page"]')  # the cover ends with a page break
    single = docx.Document(io.BytesIO(render_docx(outline(unnamed_count=1))))
    assert "and 1 organisation that asked not to be named for their security" in [p.text for p in single.paragraphs]


def test_docx_withheld_name_appears_nowhere(word):
    for name, content in docx_parts(word).items():
        assert WITHHELD.encode() not in content, name


def test_docx_real_footnotes(word):
    parts = docx_parts(word)
    types = etree.fromstring(parts["[Content_Types].xml"])
    assert any(o.get("PartName") == "/word/footnotes.xml" and o.get("ContentType").endswith("footnotes+xml") for o in types)
    rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    assert any(r.get("Type").endswith("/footnotes") and r.get("Target") == "footnotes.xml" for r in rels)
    notes = etree.fromstring(parts["word/footnotes.xml"])
    separators = notes.xpath("w:footnote[@w:type]", namespaces=NS)
    assert sorted(n.get(f"{{{W}}}type") for n in separators) == ["continuationSeparator", "separator"]
    real = notes.xpath("w:footnote[not(@w:type)]", namespaces=NS)
    assert [n.get(f"{{{W}}}id") for n in real] == ["1", "2", "3", "4"]
    assert ["".join(n.itertext()).strip() for n in real] == FOOTNOTES
    assert all(n.xpath(".//w:footnoteRef", namespaces=NS) for n in real)
    document = etree.fromstring(parts["word/document.xml"])
    references = document.xpath("//w:footnoteReference/@w:id", namespaces=NS)
    assert references == ["1", "2", "3", "4"]  # in document order, the last one in the annex table
    assert document.xpath("//w:tbl//w:footnoteReference/@w:id", namespaces=NS) == ["4"]
    styles = etree.fromstring(parts["word/styles.xml"])
    assert styles.xpath('//w:style[@w:styleId="FootnoteText"]', namespaces=NS)
    assert styles.xpath('//w:style[@w:styleId="FootnoteReference"]//w:vertAlign[@w:val="superscript"]', namespaces=NS)
    # the link inside the first footnote is a real hyperlink, related from the footnotes part
    link_rels = etree.fromstring(parts["word/_rels/footnotes.xml.rels"])
    assert [r.get("Target") for r in link_rels] == ["https://example.org/report"]


def test_docx_links_tables_page_numbers_and_metadata(word):
    parts = docx_parts(word)
    document = etree.fromstring(parts["word/document.xml"])
    assert document.xpath(
        "//w:hyperlink/@r:id", namespaces={**NS, "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    )
    table = docx.Document(io.BytesIO(word)).tables[0]
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["Recommendation", "Status"],
        ["140.12 (Portugal)", "Not implemented"],
        ["140.13 (Chile)", "Partially"],
    ]
    footer = next(content for name, content in parts.items() if name.startswith("word/footer"))
    assert b'w:instr=" PAGE "' in footer and b"Page " in footer
    core = etree.fromstring(parts["docProps/core.xml"])
    people = core.xpath("//*[local-name()='creator' or local-name()='lastModifiedBy' or local-name()='description']")
    assert len(people) >= 2 and not any((element.text or "").strip() for element in people)
    assert core.xpath("string(//*[local-name()='title'])") == "Civic space in Slovenia"
    assert b"python-docx" not in parts["docProps/core.xml"] and b"<Application>UPR Coalition Hub" in parts["docProps/app.xml"]
    assert not any(name.startswith(("word/media", "docProps/thumbnail", "word/comments")) for name in parts)


def test_docx_draft_header_only_until_final(word):
    def header_text(data: bytes) -> str:
        return " ".join(p.text for p in docx.Document(io.BytesIO(data)).sections[0].header.paragraphs)

    assert "DRAFT - not for submission" in header_text(word)
    final = render_docx(outline(final=True))
    assert "DRAFT" not in header_text(final)
    assert not any(b"DRAFT" in content for content in docx_parts(final).values())


def test_docx_each_ordered_list_starts_at_one():
    data = render_docx(outline(sections=[OutlineSection("S", "<ol><li>a</li></ol><p>x</p><ol><li>b</li></ol>")]))
    numbering_ids = etree.fromstring(docx_parts(data)["word/document.xml"]).xpath("//w:numPr/w:numId/@w:val", namespaces=NS)
    assert len(set(numbering_ids)) == 2  # two w:num instances, each with a start override
    numbering = etree.fromstring(docx_parts(data)["word/numbering.xml"])
    for num_id in set(numbering_ids):
        assert numbering.xpath(f'w:num[@w:numId="{num_id}"]/w:lvlOverride/w:startOverride/@w:val', namespaces=NS) == ["1"]


# -- PDF -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(outline())


def test_pdf_numbers_footnotes_cover_and_pages(pdf):
    reader, pages = pdf_text(pdf)
    text = squash("\n".join(pages))
    for number, expected in enumerate(NUMBERED, start=1):
        assert re.search(rf"{number}\.\s+{re.escape(expected.split(' ', 1)[1])}", text), expected
    for number, note in enumerate(FOOTNOTES, start=1):
        assert f"{number}. {note}" in text  # at the foot of a page, with its number
    assert "Page 1 of" in pages[0]
    for expected in (
        "Human Rights Alliance (HRA)",
        "Press Freedom Watch",
        "Established: 12 March 1998",
        "and 3 organisations that asked not to be named for their security",
    ):
        assert expected in squash(pages[0])
    assert "Executive summary" not in pages[0]  # the cover is a page of its own
    assert "Annex 1: Matrix of previous recommendations" in pages[-1]
    assert "Recommendation Status" in squash(pages[-1])


def test_pdf_metadata_draft_mark_and_withheld_name(pdf):
    reader, pages = pdf_text(pdf)
    assert "/Author" not in reader.metadata and reader.metadata.title == "Civic space in Slovenia"
    assert all("DRAFT - not for submission" in page for page in pages)
    assert WITHHELD.encode() not in pdf
    final_reader, final_pages = pdf_text(render_pdf(outline(final=True)))
    assert not any("DRAFT" in page for page in final_pages)


def test_pdf_never_fetches_anything(monkeypatch):
    from weasyprint.urls import URLFetcher

    from submissions.export_pdf import _NoFetching

    for url in ("https://example.org/a.css", "http://127.0.0.1:8000/admin/", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            _NoFetching().fetch(url)

    def refuse(*args, **kwargs):
        raise AssertionError("the network was asked for something")

    monkeypatch.setattr(URLFetcher, "open", refuse)
    hostile = '<p>x<img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="http://127.0.0.1:9/a.css"></p>'
    reader, pages = pdf_text(render_pdf(outline(sections=[OutlineSection("S", hostile)]), base_url="http://127.0.0.1:9/"))
    assert "1. x" in squash(" ".join(pages))


# -- both ----------------------------------------------------------------------------------------


def test_french_outline_renders_through_gettext():
    french = outline(language="fr")
    texts = [p.text for p in docx.Document(io.BytesIO(render_docx(french))).paragraphs]
    assert "1. Alpha paragraph." in texts and any("1998" in text for text in texts)
    reader, pages = pdf_text(render_pdf(french))
    assert "1998" in pages[0] and len(pages) >= 3


def test_hostile_text_breaks_neither_export():
    nasty = (
        "<p>5 &lt; 6 &amp; \"quoted\" 'single' </style></p><p>" + "x" * 400 + "</p>"
        "<p>\u0627\u0644\u062d\u0642 \u0641\u064a \u0627\u0644\u062a\u062c\u0645\u0639 \U0001f600 \u200f RTL</p>"
        '<p>control\x00\x0bchars<span class="footnote">&lt;b&gt; not bold</span></p>'
        '<p><script>evil()</script>after<a href="javascript:evil()">js link</a></p>'
    )
    hostile = outline(
        title='<Title> & "quotes" \x07',
        review="R&D </title>",
        organisations=[CoverOrganisation("A & B <script>", "A&B", "javascript:alert(1)", "<b>not bold</b>")],
        sections=[OutlineSection("S & <T>", nasty)],
        keywords=["<k>", "&"],
        recommendations=[OutlineRecommendation("Do <this> & that", states=("Côte d'Ivoire",))],
    )
    word = render_docx(hostile)
    texts = [p.text for p in docx.Document(io.BytesIO(word)).paragraphs]
    assert "1. 5 < 6 & \"quoted\" 'single'" in texts and "2. " + "x" * 400 in texts
    assert "4. controlchars" in texts and "5. afterjs link" in texts
    assert not any("evil()" in text for text in texts)
    rels = b"".join(content for name, content in docx_parts(word).items() if name.endswith(".rels"))
    assert b"javascript" not in rels  # neither the link in the text nor the "website" is a hyperlink
    reader, pages = pdf_text(render_pdf(hostile))
    text = squash(" ".join(pages))
    assert '5 < 6 & "quoted"' in text and "<b> not bold" in text and "evil()" not in text
    assert "/URI (javascript" not in render_pdf(hostile).decode("latin-1")


def test_factsheet_is_a_two_page_brief():
    words = (
        "the State should ensure that journalists and human rights defenders can work freely without fear "
        "of reprisals harassment or arbitrary detention and that every allegation is promptly investigated"
    ).split()

    def prose(count: int, start: int) -> str:
        return " ".join(words[(start + index) % len(words)] for index in range(count))

    sections = [
        OutlineSection(
            f"Concern {s + 1}", f'<p>{prose(45, s)}.<span class="footnote">Source {s + 1}.</span></p><p>{prose(45, s + 3)}.</p>'
        )
        for s in range(5)
    ]
    factsheet = outline(
        kind="factsheet",
        kind_label="Advocacy factsheet",
        word_limit=None,
        annexes=[],
        sections=sections,
        summary_html=f"<p>{prose(50, 7)}.</p>",
        recommendations=[
            OutlineRecommendation(f"Adopt a law so that {prose(20, r)}.", "Parliament", "Law adopted", "By 2026", ("Portugal",))
            for r in range(5)
        ],
    )
    reader, pages = pdf_text(render_pdf(factsheet))
    assert len(pages) == 2
    text = squash(" ".join(pages))
    assert "Advocacy factsheet".upper() in text.upper() and "Recommendations" in text
    assert re.search(r"15\.\s+Adopt a law", text) and "1. Source 1." in text
    assert "Human Rights Alliance (HRA)" in text and "and 3 organisations" in text


def test_pdf_footnotes_stay_with_their_paragraphs():
    """Many footnotes: each lands on the page where its paragraph ends, never pages later (WeasyPrint
    drifts them away when the footnote area is given padding; see export.css)."""
    text = " ".join(["courts rarely reviewed the lawfulness of detention"] * 7)
    sections, note = [], 0
    for s in range(4):
        paragraphs = ""
        for _p in range(6):
            note += 2
            paragraphs += (
                f'<p>{text}.<span class="footnote">Source {note - 1}.</span><span class="footnote">Source {note}.</span></p>'
            )
        sections.append(OutlineSection(f"Part {s + 1}", paragraphs))
    reader, pages = pdf_text(render_pdf(outline(sections=sections, annexes=[], recommendations=[])))
    paragraph_page, note_page = {}, {}
    for index, page in enumerate(pages):
        for match in re.finditer(r"^(\d+)\.\s+courts", page, re.M):
            paragraph_page.setdefault(int(match.group(1)), index)
        for match in re.finditer(r"Source (\d+)\.", page):
            note_page[int(match.group(1))] = index
    assert len(note_page) == 48 and len(paragraph_page) == 24
    for number in range(1, 49):
        paragraph = (number + 1) // 2
        assert paragraph_page[paragraph] <= note_page[number] <= paragraph_page[paragraph] + 1, number
