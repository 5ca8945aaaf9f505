"""Reading a Word file before its contents: the size, the container (a zip holding a Word document,
not an encrypted or old .doc file, not a macro-enabled one, not a zip bomb: upr.uploads.check_zip)."""

from __future__ import annotations

import io
import os
import zipfile
from typing import Any

from django.utils.translation import gettext

from upr.uploads import WORD, UnsafeArchive, check_zip

MAX_BYTES = 20 * 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
MAIN_PART = "word/document.xml"
CT_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


class DocxRefused(ValueError):
    """A file that cannot be imported; its message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _too_large() -> DocxRefused:
    return DocxRefused(
        gettext(
            "This file is larger than %(size)s MB. Remove large images from the document (the import "
            "keeps only its text), or split it, and try again."
        )
        % {"size": MAX_BYTES // (1024 * 1024)}
    )


def _read_bytes(source: Any) -> bytes:
    """At most MAX_BYTES of `source`; the size is checked before anything is read when it can be."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) > MAX_BYTES:
            raise _too_large()
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        try:
            if os.path.getsize(source) > MAX_BYTES:
                raise _too_large()
            with open(source, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise DocxRefused(
                gettext("The file %(name)s could not be opened.") % {"name": os.path.basename(os.fspath(source))}
            ) from exc
    else:
        size = getattr(source, "size", None)  # Django's uploaded files know their size
        if not isinstance(size, int):
            size = None
            try:
                if source.seekable():
                    position = source.tell()
                    size = source.seek(0, io.SEEK_END) - position
                    source.seek(position)
            except (AttributeError, OSError, ValueError):
                size = None
        if size is not None and size > MAX_BYTES:
            raise _too_large()
        try:
            data = source.read(MAX_BYTES + 1)
        except (AttributeError, OSError, ValueError) as exc:
            raise DocxRefused(gettext("The file could not be read.")) from exc
        if isinstance(data, str) or not isinstance(data, (bytes, bytearray)):
            raise DocxRefused(gettext("The file could not be read."))
    if len(data) > MAX_BYTES:
        raise _too_large()
    return bytes(data)


def _not_a_docx() -> DocxRefused:
    return DocxRefused(
        gettext(
            "This file is not a Word document (.docx). In Word, use “Save as” and choose "
            "“Word Document (.docx)”, then import that file."
        )
    )


def _check_container(data: bytes) -> None:
    if data.startswith(OLE_MAGIC):
        raise DocxRefused(
            gettext(
                "This file is encrypted (protected by a password) or in the old Word 97-2003 format "
                "(.doc). Remove the password in Word, or save the file as a Word Document (.docx), and "
                "try again."
            )
        )
    if data.startswith(b"%PDF-"):
        raise DocxRefused(
            gettext(
                "This file is a PDF, not a Word document (.docx), whatever its name says. Import the Word "
                "file the PDF was made from (in Word, “Save as” “Word Document (.docx)”)."
            )
        )
    if not data.startswith(ZIP_MAGICS):
        raise _not_a_docx()
    try:
        check_zip(data, limits=WORD)  # what it unpacks to is bounded, by streaming, before any parsing
    except UnsafeArchive as exc:
        raise DocxRefused(exc.message) from exc
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if MAIN_PART not in names:
                raise DocxRefused(
                    gettext(
                        "This file is a ZIP archive but not a Word document: it has no document text "
                        "(word/document.xml). Import the .docx file saved by Word itself."
                    )
                )
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except zipfile.BadZipFile as exc:
        raise _not_a_docx() from exc
    main_type = _main_content_type(content_types)
    if main_type is not None and main_type != CT_DOCUMENT:
        raise DocxRefused(
            gettext(
                "This is a Word template or a document with macros, which cannot be imported. In Word, use "
                "“Save as” and choose “Word Document (.docx)”, then import that file."
            )
        )


def _main_content_type(content_types: bytes) -> str | None:
    if not content_types:
        return None
    from docx.oxml.parser import parse_xml

    try:
        root = parse_xml(content_types)
    except Exception:
        return None
    for override in root:
        if str(override.tag).endswith("}Override") and override.get("PartName", "").lower() == "/" + MAIN_PART:
            return override.get("ContentType")
    return None
