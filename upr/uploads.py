"""The one guard every uploaded zip package passes before anything parses it (.docx, .xlsx, .odt, .ods).

Why: a Word or Excel file is a zip archive, and a zip says in its own headers how large its parts
are. A "zip bomb" lies or simply compresses well: a 570 KB .docx whose word/document.xml unpacks to
150 MB took 40 s and 1.9 GB of memory before python-docx gave up. `check_zip` refuses such a file in
a few milliseconds, before python-docx, openpyxl or the evidence store see it:

- the number of members is read from the archive's end record before the central directory is
  parsed (a 20 MB file can hold 400,000 empty members, slow to list);
- every member is *decompressed by streaming* in chunks, counting the bytes that really come out
  (the headers' sizes are checked first but never trusted alone), and refused as soon as one
  member or the whole archive passes its bound, or a member inflates more than `max_ratio` times
  its compressed size (the bound Apache POI uses for Office files: 1 %, past a grace size);
- a member that is itself a zip archive is refused, except Office's embedded objects
  (`word/embeddings/…`, a chart's workbook), which are bounded like any member and never opened;
- an Office package's XML must not declare a DOCTYPE: Word and Excel never write one, and a DOCTYPE
  is how external entities (XXE) and entity expansion ("billion laughs") come in. The XML parsers
  behind python-docx (lxml, resolve_entities=False) and openpyxl (expat) do not resolve external
  entities either; this is the second lock.

It also names files: `display_name` is what a person may be shown of an uploaded file's name, and
`stored_name` is the name a file is kept under, never taken from the user.
"""

from __future__ import annotations

import io
import secrets
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext

MB = 1024 * 1024
CHUNK = 256 * 1024
ZIP_MAGIC = b"PK\x03\x04"
END_RECORD = b"PK\x05\x06"
XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class ZipLimits:
    """What an archive may hold. Defaults fit a Word document: a 5,630-word submission's
    document.xml is well under 1 MB, a 300-page report's some 10 MB; pictures do not compress."""

    max_members: int = 1_000
    max_member_bytes: int = 64 * MB
    max_total_bytes: int = 160 * MB
    max_ratio: int = 100
    ratio_grace_bytes: int = 1 * MB  # small XML parts compress very well and cost nothing
    no_doctype: bool = True  # an Office or OpenDocument package: no DOCTYPE in its XML


WORD = ZipLimits()
# UPR Info's export of 41,066 recommendations saved as .xlsx: its sheet and shared strings are tens of MB.
WORKBOOK = ZipLimits(max_member_bytes=256 * MB, max_total_bytes=400 * MB)
# Evidence is only stored and downloaded (never parsed here), but members open it in Word, Excel or
# LibreOffice, none of which writes a DOCTYPE either.
EVIDENCE = ZipLimits()


class UnsafeArchive(ValueError):
    """An archive refused before it is parsed; its message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_zip(source: bytes | IO[bytes], *, limits: ZipLimits = WORD) -> None:
    """Refuse (UnsafeArchive) an archive that would unpack to more than `limits` allow; else return.
    A file-like `source` is left where it was. A file that is not a zip at all passes: the caller's
    own reader says what it is not."""
    handle: IO[bytes] = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
    start = handle.tell()
    try:
        members = _declared_members(handle)
        if members is None:
            return
        if members > limits.max_members:
            raise _too_many(limits)
        handle.seek(start)
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return  # not a readable zip: the format check of the caller refuses it with its own words
        try:
            with archive:
                _check_members(archive, limits)
        except UnsafeArchive:
            raise
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            NotImplementedError,
            RuntimeError,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
        ) as error:
            # encrypted members, unknown compression, truncated data, a CRC that does not match
            raise UnsafeArchive(
                gettext("This file is damaged or protected, and cannot be read. Open it, save it again and try again.")
            ) from error
    finally:
        handle.seek(start)


def _declared_members(handle: IO[bytes]) -> int | None:
    """The member count of the archive's end record (the last 22 bytes plus a comment of up to 64 KB),
    or None when there is none."""
    start = handle.tell()
    end = handle.seek(0, io.SEEK_END)
    tail_start = max(start, end - (22 + 65_535))
    handle.seek(tail_start)
    tail = handle.read(end - tail_start)
    at = tail.rfind(END_RECORD)
    if at < 0 or len(tail) - at < 22:
        return None
    (entries,) = struct.unpack("<H", tail[at + 10 : at + 12])
    return int(entries)  # 0xFFFF (ZIP64) reads as 65,535: more than any Office file holds


def _check_members(archive: zipfile.ZipFile, limits: ZipLimits) -> None:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise _too_many(limits)
    if sum(info.file_size for info in infos) > limits.max_total_bytes or any(
        info.file_size > limits.max_member_bytes for info in infos
    ):
        raise _too_large()  # what the headers say: refused without unpacking anything
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        allowed = min(limits.max_member_bytes, limits.max_total_bytes - total)
        ratio_bound = max(limits.ratio_grace_bytes, limits.max_ratio * max(info.compress_size, 1))
        xml = limits.no_doctype and info.filename.lower().endswith(XML_SUFFIXES)
        embedded = "/embeddings/" in f"/{info.filename}"
        seen = 0
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                if seen == 0 and chunk.startswith(ZIP_MAGIC) and not embedded:
                    raise UnsafeArchive(
                        gettext(
                            "This file holds another archive inside it, which is not accepted. Save the "
                            "document again without the attached archive and try again."
                        )
                    )
                if seen == 0 and xml and b"<!DOCTYPE" in chunk:
                    raise UnsafeArchive(
                        gettext(
                            "This file's XML declares a document type (DOCTYPE), which Word and Excel never "
                            "write; it is refused for safety. Open it, save it again and try again."
                        )
                    )
                seen += len(chunk)
                if seen > allowed or seen > ratio_bound:
                    raise _too_large()
        total += seen


def _too_large() -> UnsafeArchive:
    return UnsafeArchive(
        gettext(
            "This file unpacks to far more than its size (a compressed archive that grows when opened), and "
            "is refused. Open it, save it again without large embedded content, and try again."
        )
    )


def _too_many(limits: ZipLimits) -> UnsafeArchive:
    return UnsafeArchive(gettext("This file holds more than %(count)d parts, and is refused.") % {"count": limits.max_members})


# --- names of uploaded files -------------------------------------------------------------------------


def display_name(name: Any, *, default: str = "file", limit: int = 120) -> str:
    """What may be shown of an uploaded file's name: its last path part (of either slash), without
    control or format characters (NUL, bidirectional overrides that disguise ".exe" as ".pdf"),
    whitespace collapsed, at most `limit` characters with its extension kept."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    text = " ".join(text.split()).strip(" .")
    if not text:
        return default
    if len(text) > limit:
        suffix = PurePosixPath(text).suffix[:16]
        text = text[: limit - len(suffix)].rstrip(" .") + suffix
    return text


def stored_name(suffix: str) -> str:
    """A name to keep a file under: random, with only a known, short extension of ours."""
    clean = suffix.lower() if suffix[:1] == "." and suffix[1:].isalnum() and len(suffix) <= 6 else ""
    return f"{secrets.token_hex(16)}{clean}"


# --- the upload itself ---------------------------------------------------------------------------------


class BoundedUploadHandler(TemporaryFileUploadHandler):
    """Writes an uploaded file to disk up to settings.UPLOAD_MAX_BYTES and drops the rest, still
    counting it: the form then sees the file's real size and answers "larger than …" without the app
    ever keeping (or reading) more than the bound."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.seen = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        from django.conf import settings

        self.seen += len(raw_data)
        if self.seen <= settings.UPLOAD_MAX_BYTES:
            self.file.write(raw_data)

    def file_complete(self, file_size: int) -> Any:
        uploaded = super().file_complete(file_size)
        assert uploaded is not None  # TemporaryFileUploadHandler always returns the file it wrote
        uploaded.size = self.seen
        return uploaded
