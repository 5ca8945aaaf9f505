"""Evidence files: checked before they are kept, stored privately, served only to members.

The type is decided from the file's first bytes, not from its name or the browser's word: a PDF, a
Word, Excel or OpenDocument file, a PNG or JPEG picture, or plain text/CSV. Anything else, an empty
file, one over EVIDENCE_MAX_BYTES or a zip package that unpacks to far more than its size
(upr.uploads.check_zip) is refused with a message, and nothing is stored.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from upr.uploads import EVIDENCE, UnsafeArchive, check_zip, display_name

ZIP_KINDS = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
MAGIC = (
    (b"%PDF-", ".pdf", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", ".png", "image/png"),
    (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
)
TEXT_KINDS = {".txt": "text/plain", ".csv": "text/csv"}
ACCEPTED = ".pdf, .docx, .xlsx, .odt, .ods, .png, .jpg, .txt, .csv"


def checked(upload: Any) -> tuple[str, str]:
    """(content type, safe file name) of an acceptable upload, else ValidationError."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    if upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(mb)d MB. Link to it instead, or send a smaller copy.") % {"mb": limit // (1024 * 1024)}
        )
    suffix = PurePath(upload.name).suffix.lower()
    suffix = ".jpg" if suffix == ".jpeg" else suffix
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = None
    for magic, ext, content_type in MAGIC:
        if head.startswith(magic) and suffix == ext:
            kind = content_type
    if head.startswith(b"PK\x03\x04") and suffix in ZIP_KINDS and _is_zip(upload):
        try:
            check_zip(upload, limits=EVIDENCE)  # members open it in Word or Excel: no zip bomb is kept
        except UnsafeArchive as error:
            raise ValidationError(error.message) from error
        kind = ZIP_KINDS[suffix]
    if suffix in TEXT_KINDS and _is_text(upload):
        kind = TEXT_KINDS[suffix]
    if kind is None:
        raise ValidationError(
            _("This file is not one we keep as evidence, or its content does not match its name. Accepted: %(kinds)s.")
            % {"kinds": ACCEPTED}
        )
    # The name shown on the page and given to the download; the file is stored under a random name
    # (implementation.models.evidence_path), never under one the user chose.
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in PurePath(display_name(upload.name)).stem)[:80]
    return kind, f"{stem or 'evidence'}{suffix}"


def _is_zip(upload: Any) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names or "mimetype" in names


def _is_text(upload: Any) -> bool:
    sample = upload.read(64 * 1024)
    upload.seek(0)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 3:  # not merely a character cut at the end of the sample
            return False
    return b"\x00" not in sample
