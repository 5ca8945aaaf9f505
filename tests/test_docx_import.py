"""Importing a Word draft (submissions.docx_import) and counting one (`manage.py count_words`).

The .docx files are built with python-docx (tests/docx_drafts.py, which says how footnotes are written).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from submissions import docx_import
from submissions.docx_import import MAX_BYTES, DocxRefused, ImportedDocument, count_docx, read_docx

from .docx_drafts import W_NS, Footnotes, draft, saved, zipped
from .helpers import CYCLE4

# --- read_docx --------------------------------------------------------------------------------------


def test_sections_headings_and_title() -> None:
    imported = read_docx(io.BytesIO(draft()))
    assert isinstance(imported, ImportedDocument)
    assert imported.title == "Joint submission on education"
    assert [section.title for section in imported.sections] == [
        "Joint submission on education",
        "Introduction",
        "Recommendations",
    ]
    assert imported.sections[0].html == "<p>Submitted by the Coalition for Schools &amp; Rights &lt;CSR&gt;.</p>"
    introduction = imported.sections[1].html
    assert "<h3>Background</h3><h4>Details</h4>" in introduction
    assert imported.footnote_count == 2


def test_runs_lists_links_and_footnotes() -> None:
    introduction = read_docx(io.BytesIO(draft())).sections[1].html
    assert introduction.startswith(
        "<p>The coalition <strong>strongly</strong> urges <em>immediate</em> and <u>lasting</u> action."
        '<span class="footnote">Report of the Special Rapporteur, A/HRC/59/15.</span></p>'
    )
    assert "<ul><li>First bullet</li><li>Second bullet</li></ul><ol><li>First step</li><li>Second step</li></ol>" in introduction
    assert (
        '<p>See <a href="https://www.ohchr.org/en/hr-bodies/upr" rel="noopener noreferrer">the UPR page</a>.'
        '<span class="footnote">Source: <em>annual</em> '
        '<a href="https://example.org/report?a=1&amp;b=2" rel="noopener noreferrer">report</a></span></p>'
    ) in introduction


def test_tables() -> None:
    recommendations = read_docx(io.BytesIO(draft())).sections[2].html
    assert recommendations == (
        "<table><tbody><tr><td>Recommendation</td><td>Status</td></tr>"
        "<tr><td>Ratify OP-ICESCR</td><td>Supported</td></tr></tbody></table><p>Last words.</p>"
    )


def test_merged_cells_become_spans() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "wide"
    table.cell(0, 2).text = "c"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "tall"
    for row, column in ((1, 1), (1, 2), (2, 1), (2, 2)):
        table.cell(row, column).text = f"{row}{column}"
    html = read_docx(saved(document)).sections[0].html
    assert html == (
        '<table><tbody><tr><td colspan="2">wide</td><td>c</td></tr>'
        '<tr><td rowspan="2">tall</td><td>11</td><td>12</td></tr>'
        "<tr><td>21</td><td>22</td></tr></tbody></table>"
    )


def test_text_before_any_heading_goes_to_an_untitled_first_section() -> None:
    document = docx.Document()
    document.add_paragraph("Opening words.")
    document.add_heading("Part one", level=1)
    document.add_paragraph("Body.")
    imported = read_docx(saved(document))
    assert imported.title == ""
    assert [(s.title, s.html) for s in imported.sections] == [("", "<p>Opening words.</p>"), ("Part one", "<p>Body.</p>")]
    assert imported.footnote_count == 0


def test_a_title_followed_by_a_heading_is_not_an_empty_section() -> None:
    document = docx.Document()
    document.add_paragraph("The title", style="Title")
    document.add_heading("Part one", level=1)
    document.add_paragraph("Body.")
    imported = read_docx(saved(document))
    assert imported.title == "The title"
    assert [s.title for s in imported.sections] == ["Part one"]


def test_paragraph_numbering_across_sections_stays_paragraphs() -> None:
    """OHCHR asks for numbered paragraphs: Word numbering that runs on across sections is not a list
    (the app numbers the paragraphs itself)."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(
        docx.oxml.parse_xml(
            f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
        )
    )
    numbering.append(docx.oxml.parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str) -> None:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(
            docx.oxml.parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>')
        )

    document.add_heading("One", level=1)
    numbered("First paragraph.")
    numbered("Second paragraph.")
    document.add_heading("Two", level=1)
    numbered("Third paragraph.")
    sections = read_docx(saved(document)).sections
    assert [s.html for s in sections] == ["<p>First paragraph.</p><p>Second paragraph.</p>", "<p>Third paragraph.</p>"]


def test_nested_lists_and_bullets_by_numbering() -> None:
    document = docx.Document()
    document.add_paragraph("a", style="List Bullet")
    document.add_paragraph("a.1", style="List Bullet 2")
    document.add_paragraph("a.2", style="List Bullet 2")
    document.add_paragraph("b", style="List Bullet")
    document.add_paragraph("b.1", style="List Number 2")
    numbering = document.part.numbering_part.element
    numbering.append(
        docx.oxml.parse_xml(
            f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="91"><w:lvl w:ilvl="0">'
            '<w:numFmt w:val="bullet"/><w:lvlText w:val="-"/></w:lvl></w:abstractNum>'
        )
    )
    numbering.append(docx.oxml.parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))
    paragraph = document.add_paragraph("dash item", style="List Paragraph")
    paragraph._p.get_or_add_pPr().append(
        docx.oxml.parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="0"/><w:numId w:val="91"/></w:numPr>')
    )
    document.add_paragraph("after")
    assert read_docx(saved(document)).sections[0].html == (
        # adjacent bullet paragraphs make one list, whatever their bullet character
        "<ul><li>a<ul><li>a.1</li><li>a.2</li></ul></li><li>b<ol><li>b.1</li></ol></li><li>dash item</li></ul><p>after</p>"
    )


def test_tracked_changes_hidden_text_and_fields() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("visible ")
    paragraph.add_run("hidden").font.hidden = True
    for xml in (
        '<w:del w:id="1" w:author="x"><w:r><w:delText>deleted </w:delText></w:r></w:del>',
        '<w:ins w:id="2" w:author="x"><w:r><w:t xml:space="preserve">inserted, </w:t></w:r></w:ins>',
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://www.un.org/" </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        "<w:r><w:rPr><w:b/></w:rPr><w:t>the UN</w:t></w:r>",
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
        '<w:r><w:t xml:space="preserve">, page </w:t></w:r>',
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        "<w:r><w:instrText> PAGE </w:instrText></w:r>",
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        "<w:r><w:t>3</w:t></w:r>",
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(docx.oxml.parse_xml(_with_namespace(xml)))
    paragraph = document.add_paragraph("line one")
    paragraph.add_run().add_break()
    paragraph.add_run("line two")
    assert read_docx(saved(document)).sections[0].html == (
        '<p>visible inserted, <a href="https://www.un.org/" rel="noopener noreferrer"><strong>the UN</strong></a>'
        ", page 3</p><p>line one<br>line two</p>"
    )


def _with_namespace(xml: str) -> str:
    """The element's XML with the w: namespace declared on its root."""
    end = xml.index(">")
    if xml[end - 1] == "/":
        end -= 1
    return f'{xml[:end]} xmlns:w="{W_NS}"{xml[end:]}'


def test_external_entities_are_not_resolved() -> None:
    with zipfile.ZipFile(io.BytesIO(saved(docx.Document()))) as archive:
        files: dict[str, str | bytes] = {name: archive.read(name) for name in archive.namelist()}
    files["word/document.xml"] = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>start &secret;</w:t></w:r></w:p></w:body></w:document>'
    ).encode()
    with pytest.raises(DocxRefused, match="DOCTYPE") as caught:  # refused before parsing (upr.uploads)
        read_docx(zipped(files))
    assert "root" not in caught.value.message


def test_a_path_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "draft.docx"
    path.write_bytes(draft())
    assert read_docx(path).footnote_count == 2
    assert read_docx(str(path)).title == "Joint submission on education"


def test_the_ohchr_thematic_list_reads() -> None:
    imported = read_docx(CYCLE4)
    html = "".join(section.html for section in imported.sections)
    assert html.count("<table>") >= 1
    assert html.count("<tr>") > 100
    assert "Ratify the Optional Protocol" in html
    with CYCLE4.open("rb") as handle:
        assert read_docx(handle).sections == imported.sections


# --- refusals ---------------------------------------------------------------------------------------


def refused(source) -> str:
    with pytest.raises(DocxRefused) as caught:
        read_docx(source)
    assert isinstance(caught.value, ValueError)
    return caught.value.message


def test_a_text_file_renamed_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_text("Just some notes, not a Word file.\n")
    assert "not a Word document (.docx)" in refused(path)
    assert "not a Word document (.docx)" in refused(io.BytesIO(b""))


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    message = refused(io.BytesIO(zipped({"readme.txt": "hello", "xl/workbook.xml": "<workbook/>"})))
    assert "not a Word document" in message and "word/document.xml" in message


def test_a_macro_enabled_document_is_refused() -> None:
    with zipfile.ZipFile(io.BytesIO(draft())) as archive:
        files: dict[str, str | bytes] = {name: archive.read(name) for name in archive.namelist()}
        files["[Content_Types].xml"] = archive.read("[Content_Types].xml").replace(
            b"wordprocessingml.document.main+xml", b"vnd.ms-word.document.macroEnabled.main+xml"
        )
    assert "macros" in refused(zipped(files))


def test_a_broken_zip_is_refused() -> None:
    data = draft()
    assert "not a Word document (.docx)" in refused(io.BytesIO(data[:200]))


def test_a_damaged_word_document_is_refused_with_a_generic_message() -> None:
    data = zipped({"word/document.xml": "<not xml", "[Content_Types].xml": "<Types/>"})
    assert "could not be read" in refused(io.BytesIO(data))


def test_an_encrypted_or_old_doc_file_is_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    message = refused(io.BytesIO(ole))
    assert "encrypted" in message and ".doc" in message


def test_a_file_over_20_mb_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.docx"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    assert "larger than 20 MB" in refused(path)

    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the size is checked before reading")

    big = Unreadable()
    big.seek(MAX_BYTES)
    big.write(b"x")
    big.seek(0)
    assert "larger than 20 MB" in refused(big)
    assert "larger than 20 MB" in refused(b"\0" * (MAX_BYTES + 1))


def test_a_document_without_text_is_refused() -> None:
    document = docx.Document()
    document.add_paragraph("")
    document.add_paragraph("   ")
    assert refused(saved(document)) == "This Word document has no text to import."


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert "could not be opened" in refused(tmp_path / "missing.docx")


def test_unexpected_errors_become_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self):
        raise KeyError("surprise")

    monkeypatch.setattr(docx_import._Converter, "convert", broken)
    assert "could not be read" in refused(draft())


# --- counting ---------------------------------------------------------------------------------------


def counted_draft() -> bytes:
    """12 body words (3 in the heading, 6 in the paragraph, 3 in the list) and 3 in a footnote."""
    document = docx.Document()
    footnotes = Footnotes(document)
    document.add_heading("Right to education", level=1)
    paragraph = document.add_paragraph("Schools remain ")
    paragraph.add_run("closed").bold = True
    paragraph.add_run(" in rural areas.")
    footnotes.add_text(paragraph, "See UNICEF report.")
    document.add_paragraph("Reopen schools now", style="List Bullet")
    return saved(document)


def test_count_docx() -> None:
    result = count_docx(io.BytesIO(counted_draft()), 5630)
    assert (result.counted, result.footnotes) == (12, 3)
    assert result.left == 5618 and result.over_by == 0
    assert count_docx(io.BytesIO(counted_draft()), 10).over_by == 2
    assert count_docx(io.BytesIO(counted_draft()), None).left is None


def test_count_docx_counts_the_title_and_tables() -> None:
    result = count_docx(io.BytesIO(draft()), None)
    imported = read_docx(io.BytesIO(draft()))
    assert imported.sections[0].title == "Joint submission on education"
    # The cover does not count: the Title (4) and its first section (8, "Submitted by ...") stand
    # before the first Heading 1. "Introduction" 1, paragraph 8, Background 1, Details 1, lists 8,
    # "See the UPR page." 4, "Recommendations" 1, table 5, "Last words." 2; footnotes 6 and 3.
    assert imported.sections[0].cover and not any(section.cover for section in imported.sections[1:])
    assert result.counted == 1 + 8 + 1 + 1 + 8 + 4 + 1 + 5 + 2
    assert result.footnotes == 6 + 3


def command(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("count_words", *args, stdout=out)
    return out.getvalue().splitlines()


def test_count_words_command(tmp_path: Path) -> None:
    path = tmp_path / "draft.docx"
    path.write_bytes(counted_draft())
    lines = command(str(path))
    assert lines[0] == "12 words counted, 3 in footnotes excluded"
    assert lines[1] == "Within the limit of 5,630 words for a joint stakeholder submission: 5,618 left."
    assert command(str(path), "--kind", "individual")[1] == (
        "Within the limit of 2,815 words for an individual stakeholder submission: 2,803 left."
    )
    assert command(str(path), "--kind", "mid_term_report") == [
        "12 words counted, 3 in footnotes excluded",
        "No word limit for a mid-term report.",
    ]
    assert command(str(path), "--kind", "written")[1] == "No word limit for a written statement."


def test_count_words_command_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from upr import rules

    path = tmp_path / "draft.docx"
    path.write_bytes(counted_draft())
    monkeypatch.setitem(rules.WORD_LIMITS, "oral_statement", 10)
    assert command(str(path), "--kind", "oral")[1] == (
        "Over the limit of 10 words for an oral statement at the Human Rights Council by 2 words."
    )
    monkeypatch.setitem(rules.WORD_LIMITS, "oral_statement", 11)
    assert command(str(path), "--kind", "oral")[1].endswith("by 1 word.")


def test_count_words_command_refuses_bad_files_and_kinds(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_text("not a Word file")
    with pytest.raises(CommandError, match=r"not a Word document \(\.docx\)"):
        command(str(path))
    good = tmp_path / "draft.docx"
    good.write_bytes(counted_draft())
    with pytest.raises(CommandError, match="Unknown kind"):
        command(str(good), "--kind", "novel")


def test_count_words_command_exits_with_1_on_a_bad_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "notes.docx"
    path.write_text("not a Word file")
    root = Path(__file__).resolve().parent.parent
    completed = subprocess.run(
        [sys.executable, str(root / "manage.py"), "count_words", str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert "not a Word document" in completed.stderr
    assert "Traceback" not in completed.stderr
