"""Uploads as an attacker or a careless person makes them: a zip bomb, an XXE .docx, a PDF renamed
.docx, file names that climb out of their folder, and files over the limit. Each is refused with a
clear message through the page and the API, in well under a second, and nothing is saved (what was
typed stays, what was saved before stays). The one guard is upr.uploads.check_zip."""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
from html import unescape
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, encode_multipart

from implementation.models import Assessment, Evidence, Matrix, MatrixRow
from recommendations.models import Recommendation
from submissions.models import Document, Section
from upr import uploads
from upr.uploads import WORD, WORKBOOK, UnsafeArchive, check_zip, display_name

from .factories import RecommendationFactory
from .helpers import CYCLE4, PDF

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- files -------------------------------------------------------------------------------------------


def blank_docx(text: str = "A paragraph of the draft.") -> bytes:
    document = docx.Document()
    document.add_heading("Right to education", level=1)
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(files: dict[str, bytes], *, big: tuple[str, int] | None = None) -> bytes:
    """A zip of `files`, and optionally a member `big` = (name, size) of repeated XML, written by streaming."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        if big:
            name, size = big
            paragraph = b"<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>"
            block = paragraph * (MB // len(paragraph))
            with archive.open(name, "w", force_zip64=False) as member:
                member.write(f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body>'.encode())
                written = 0
                while written < size:
                    member.write(block)
                    written += len(block)
                member.write(b"</w:body></w:document>")
    return out.getvalue()


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    """A real .docx whose word/document.xml unpacks to 150 MB (the file itself is some 150 KB)."""
    files = members_of(blank_docx())
    files.pop("word/document.xml")
    return zipped(files, big=("word/document.xml", 150 * MB))


@pytest.fixture(scope="module")
def xlsx_bomb() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Recommendation", "State under Review"])
    out = io.BytesIO()
    book.save(out)
    files = members_of(out.getvalue())
    files.pop("xl/worksheets/sheet1.xml")
    return zipped(files, big=("xl/worksheets/sheet1.xml", 150 * MB))


def lying(data: bytes, name: str, claimed: int = 1000) -> bytes:
    """`data` with the uncompressed size of `name` rewritten to `claimed` in both of its headers."""
    raw = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<I", raw, info.header_offset + 22, claimed)  # the local header
    central = raw.find(b"PK\x01\x02")
    while central >= 0:
        length = struct.unpack_from("<H", raw, central + 28)[0]
        if bytes(raw[central + 46 : central + 46 + length]) == name.encode():
            struct.pack_into("<I", raw, central + 24, claimed)
            break
        central = raw.find(b"PK\x01\x02", central + 1)
    return bytes(raw)


def refused_in_time(data: bytes, limits: uploads.ZipLimits = WORD) -> str:
    started = time.perf_counter()
    with pytest.raises(UnsafeArchive) as caught:
        check_zip(data, limits=limits)
    assert time.perf_counter() - started < 1.0
    return caught.value.message


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- the guard itself -----------------------------------------------------------------------------------


def test_a_150_mb_document_xml_is_refused_in_well_under_a_second(docx_bomb):
    assert len(docx_bomb) < 1 * MB
    assert "unpacks to far more" in refused_in_time(docx_bomb)


def test_a_bomb_whose_headers_lie_about_its_size_is_refused_by_streaming(docx_bomb):
    liar = lying(docx_bomb, "word/document.xml")
    with zipfile.ZipFile(io.BytesIO(liar)) as archive:
        assert archive.getinfo("word/document.xml").file_size == 1000  # the headers alone say "small"
    assert "damaged" in refused_in_time(liar)


def test_a_member_that_inflates_a_thousandfold_is_refused_while_it_streams():
    files = members_of(blank_docx())
    files.pop("word/document.xml")
    data = zipped(files, big=("word/document.xml", 30 * MB))  # under the 64 MB per member, but 1:1000
    assert "unpacks to far more" in refused_in_time(data)


def test_too_many_members_are_refused_before_the_archive_is_listed():
    data = zipped({f"word/part{i}.xml": b"<x/>" for i in range(1001)})
    assert "more than 1000 parts" in refused_in_time(data)


def test_a_nested_archive_is_refused_but_an_embedded_workbook_is_not():
    inner = zipped({"a.txt": b"x"})
    files = members_of(blank_docx())
    assert "another archive" in refused_in_time(zipped({**files, "word/media/image1.png": inner}))
    check_zip(zipped({**files, "word/embeddings/Microsoft_Excel_Worksheet.xlsx": inner}))  # a chart's data: kept


def test_real_files_pass_the_guard_quickly():
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("R")
    for n in range(20_000):
        sheet.append([f"150.{n}", f"Ratify the Optional Protocol, number {n} (Chile);", "Supported"])
    workbook = io.BytesIO()
    book.save(workbook)
    started = time.perf_counter()
    check_zip(CYCLE4.read_bytes(), limits=WORD)
    with CYCLE4.open("rb") as handle:
        check_zip(handle, limits=WORD)
        assert handle.tell() == 0  # left where it was
    check_zip(workbook.getvalue(), limits=WORKBOOK)
    assert time.perf_counter() - started < 1.0
    check_zip(b"not a zip at all")  # left to the reader of the format to name


# --- through the pages and the API ---------------------------------------------------------------------


@pytest.fixture
def document(personas) -> Document:
    response = personas.client_for(personas.admin).post(
        "/api/c/alpha/documents/",
        {
            "engagement": personas.engagement.pk,
            "kind": "joint_submission",
            "title": "Joint",
            "lead_organisation": personas.organisation.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    made = Document.objects.get(pk=response.json()["id"])
    page = personas.client_for(personas.admin).post(
        f"/c/alpha/documents/{made.pk}/import/", {"file": upload("draft.docx", blank_docx("Saved before."))}
    )
    assert page.status_code == 302
    assert Section.objects.filter(document=made, body__contains="Saved before.").count() == 1
    return made


def import_page(personas, document, name: str, content: bytes) -> str:
    response = personas.client_for(personas.admin).post(
        f"/c/alpha/documents/{document.pk}/import/", {"file": upload(name, content)}, follow=True
    )
    assert response.status_code == 200
    return unescape(response.content.decode())


def import_api(personas, document, name: str, content: bytes) -> str:
    response = personas.client_for(personas.admin).post(
        f"/api/c/alpha/documents/{document.pk}/import/", {"file": upload(name, content)}
    )
    assert response.status_code == 400
    return " ".join(response.json()["file"])


def unchanged(document: Document) -> bool:
    """The document still has its template sections and the one imported before, and nothing else."""
    sections = list(Section.objects.filter(document=document).order_by("position", "id"))
    return len(sections) == 4 and sum("Saved before." in s.body for s in sections) == 1


def test_a_word_bomb_is_refused_by_the_import_page_and_the_api_in_under_a_second(personas, document, docx_bomb):
    started = time.perf_counter()
    assert "unpacks to far more" in import_page(personas, document, "draft.docx", docx_bomb)
    assert "unpacks to far more" in import_api(personas, document, "draft.docx", docx_bomb)
    assert time.perf_counter() - started < 2.0  # both requests, each well under a second
    assert unchanged(document)


def test_bombs_are_refused_by_the_recommendation_import_with_nothing_imported(personas, docx_bomb, xlsx_bomb):
    review = personas.engagement.review
    before = Recommendation.objects.count()
    admin = personas.client_for(personas.admin)
    for name, content in (("thematic-list.docx", docx_bomb), ("upr-info.xlsx", xlsx_bomb)):
        started = time.perf_counter()
        response = admin.post(
            "/c/alpha/recommendations/import/", {"review": review.pk, "mode": "skip", "file": upload(name, content)}
        )
        assert time.perf_counter() - started < 1.0
        assert response.status_code == 400 and "unpacks to far more" in unescape(response.content.decode())
    assert Recommendation.objects.count() == before


def evidence_row(personas) -> MatrixRow:
    RecommendationFactory(review=personas.engagement.review, thematic_cluster="Right to health")
    built = personas.client_for(personas.admin).post(
        f"/c/alpha/engagements/{personas.engagement.pk}/matrix/build/", {"scheme": "ohchr"}
    )
    assert built.status_code == 302
    return MatrixRow.objects.get(matrix=Matrix.objects.get(engagement=personas.engagement))


def assess(personas, row, file: SimpleUploadedFile):
    return personas.client_for(personas.admin).post(
        f"/c/alpha/engagements/{personas.engagement.pk}/matrix/rows/{row.pk}/assess/",
        {
            "assessed_on": "2027-06-30",
            "law": "full",
            "policy": "partial",
            "practice": "not",
            "narrative": "The new law passed in May",
            "evidence_title": "Minutes",
            "evidence_source": "Parliament",
            "evidence_dated": "2027-05-01",
            "evidence_file": file,
        },
    )


def test_a_bomb_is_not_kept_as_evidence_by_the_page_or_the_api(personas, docx_bomb):
    row = evidence_row(personas)
    started = time.perf_counter()
    page = assess(personas, row, upload("minutes.docx", docx_bomb))
    assert time.perf_counter() - started < 1.0
    text = unescape(page.content.decode())
    assert page.status_code == 400 and "unpacks to far more" in text
    assert "The new law passed in May" in text  # what was typed stays
    assert not Assessment.objects.exists() and not Evidence.objects.exists()
    made = personas.client_for(personas.admin).post(
        "/api/c/alpha/assessments/",
        {
            "row": row.pk,
            "assessed_on": "2027-03-01",
            "law": "full",
            "policy": "partial",
            "practice": "not",
            "narrative": "Law passed",
            "shared": False,
        },
        content_type="application/json",
    )
    api = personas.client_for(personas.admin).post(
        f"/api/c/alpha/assessments/{made.json()['id']}/evidence/",
        {
            "evidence_title": "Minutes",
            "evidence_source": "Parliament",
            "evidence_dated": "2027-02-01",
            "evidence_file": upload("minutes.docx", docx_bomb),
        },
    )
    assert api.status_code == 400 and "unpacks to far more" in " ".join(api.json()["evidence_file"])
    assert not Evidence.objects.exists()


def xxe_docx(secret_file: Path) -> bytes:
    files = members_of(blank_docx())
    files["word/document.xml"] = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY secret SYSTEM "file://{secret_file}">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>Start &secret; end</w:t></w:r></w:p></w:body>'
        "</w:document>"
    ).encode()
    return zipped(files)


def test_an_xxe_docx_is_refused_and_the_local_file_never_appears(personas, document, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT-42")
    data = xxe_docx(secret)
    for said in (import_page(personas, document, "draft.docx", data), import_api(personas, document, "draft.docx", data)):
        assert "DOCTYPE" in said and "TOP-SECRET" not in said
    assert unchanged(document)
    assert not Section.objects.filter(body__contains="TOP-SECRET").exists()
    row = evidence_row(personas)
    assert assess(personas, row, upload("minutes.docx", data)).status_code == 400
    assert not Evidence.objects.exists()


def test_behind_the_guard_the_word_parser_leaves_an_external_entity_unexpanded(tmp_path):
    """The second lock: were a DOCTYPE let through, python-docx's parser would not read the file."""
    from docx.oxml.parser import parse_xml

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT-42")
    xml = members_of(xxe_docx(secret))["word/document.xml"]
    parsed = parse_xml(xml)
    assert "TOP-SECRET" not in "".join(parsed.itertext())


def test_a_pdf_renamed_docx_is_told_it_is_not_a_word_file(personas, document):
    for said in (import_page(personas, document, "draft.docx", PDF), import_api(personas, document, "draft.docx", PDF)):
        assert "is a PDF, not a Word document (.docx)" in said
    assert unchanged(document)
    review = personas.engagement.review
    response = personas.client_for(personas.admin).post(
        "/c/alpha/recommendations/import/", {"review": review.pk, "mode": "skip", "file": upload("thematic-list.docx", PDF)}
    )
    assert response.status_code == 400 and "not a Word (.docx) file" in unescape(response.content.decode())
    row = evidence_row(personas)
    assert "does not match its name" in unescape(assess(personas, row, upload("minutes.docx", PDF)).content.decode())


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\win.ini.pdf",
        "report\x00.exe.pdf",
        "report\u202egnp.pdf",
        "r" * 400 + ".pdf",
        "/absolute/path/report.pdf",
    ],
)
def test_evidence_is_stored_under_a_name_of_ours_and_shown_under_a_clean_one(personas, name, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path
    row = evidence_row(personas)
    response = assess(personas, row, upload(name, PDF))
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert re.fullmatch(r"c\d+/[0-9a-f]{32}\.pdf", item.file.name)  # never a name the user chose
    assert Path(item.file.path).resolve().is_relative_to(Path(item.file.storage.location).resolve())
    assert item.filename.endswith(".pdf") and len(item.filename) <= 90
    assert not set(item.filename) & set("/\\\x00\u202e") and ".." not in item.filename
    page = (
        personas.client_for(personas.member)
        .get(f"/c/alpha/engagements/{personas.engagement.pk}/matrix/rows/{row.pk}/")
        .content.decode()
    )
    assert item.filename in page
    download = personas.client_for(personas.member).get(f"/c/alpha/evidence/{item.pk}/")
    assert download.status_code == 200 and "\x00" not in download["Content-Disposition"]


def test_display_names_drop_paths_controls_and_length():
    assert display_name("../../etc/passwd.docx") == "passwd.docx"
    assert display_name("C:\\Users\\a\\draft.docx") == "draft.docx"
    assert display_name("dra\x00ft\u202e.docx") == "draft.docx"
    assert display_name("") == "file" and display_name("../..") == "file"
    long = display_name("x" * 500 + ".docx")
    assert len(long) == 120 and long.endswith(".docx")


def test_the_shown_name_of_an_imported_file_is_sanitised(personas):
    """The name recorded for an import (shown in every following coalition's audit trail) loses its
    NUL and its bidirectional control; a template import is an operator's, so site staff upload it."""
    from recommendations.models import SharedImport
    from recommendations.template import HEADER

    personas.admin.is_staff = True
    personas.admin.save(update_fields=["is_staff"])
    review = personas.engagement.review
    response = personas.client_for(personas.admin).post(
        "/c/alpha/recommendations/import/",
        {"review": review.pk, "mode": "skip", "file": upload("x\x00y\u202egpj.csv", (",".join(HEADER) + "\n").encode())},
    )
    assert response.status_code == 200, response.content.decode()[-2000:]
    assert SharedImport.objects.get().file_name == "xygpj.csv"


# --- files over the limit -------------------------------------------------------------------------------


def test_a_file_over_20_mb_gets_the_limit_in_words_from_the_page_and_the_api(personas, document):
    big = b"PK\x03\x04" + b"\0" * (20 * MB + 10)
    assert "larger than 20 MB" in import_page(personas, document, "draft.docx", big)
    assert "larger than 20 MB" in import_api(personas, document, "draft.docx", big)
    assert unchanged(document)
    response = personas.client_for(personas.admin).post(
        "/c/alpha/recommendations/import/",
        {"review": personas.engagement.review.pk, "mode": "skip", "file": upload("list.docx", big)},
    )
    assert response.status_code == 400 and "larger than 20 MB" in unescape(response.content.decode())
    row = evidence_row(personas)
    page = assess(personas, row, upload("report.pdf", PDF + big))
    assert page.status_code == 400 and "larger than 20 MB" in unescape(page.content.decode())
    assert not Evidence.objects.exists()


def test_the_upload_handler_keeps_no_more_than_the_bound_but_reports_the_real_size(settings, rf):
    settings.UPLOAD_MAX_BYTES = 1 * MB
    body = encode_multipart(BOUNDARY, {"file": upload("big.docx", b"x" * (3 * MB))})
    request = rf.post("/", data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    parser = MultiPartParser(request.META, io.BytesIO(body), [uploads.BoundedUploadHandler(request)], request.encoding)
    _, files = parser.parse()
    kept = files["file"]
    assert kept.size == 3 * MB  # what the form compares with its limit
    assert Path(kept.temporary_file_path()).stat().st_size <= 1 * MB  # what the server kept
    assert "upr.uploads.BoundedUploadHandler" in settings.FILE_UPLOAD_HANDLERS


def test_an_outsider_uploading_to_another_coalition_gets_404_and_nothing_is_read(personas, document, docx_bomb):
    outsider = personas.client_for(personas.outsider)
    for url in (
        f"/c/alpha/documents/{document.pk}/import/",
        f"/api/c/alpha/documents/{document.pk}/import/",
        "/c/alpha/recommendations/import/",
    ):
        assert outsider.post(url, {"file": upload("draft.docx", docx_bomb)}).status_code == 404
    assert unchanged(document)
