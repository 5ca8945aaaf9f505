"""One entry point for every file a person may bring: which format it is, and its import.

OHCHR's thematic list (.docx), UPR Info's export (.csv/.xlsx) or our template (.csv/.xlsx), told
apart by extension and columns. The command line and the upload page both come through here, then
refresh what depends on the texts (search index, cross-cycle suggestions).
"""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _

from upr.models import Review

from . import services
from .ohchr import NotAThematicList
from .row_import import ImportReport, import_thematic_list
from .spreadsheet import UnreadableTable, read_table
from .template import HEADER, import_template, is_template
from .upr_info import REQUIRED_COLUMNS, NotAnUprInfoExport, import_upr_info

EXTENSIONS = (".docx", ".csv", ".xlsx")


class ImportRefused(ValueError):
    """The file cannot be imported at all; the message says why and what to do."""


def import_file(file: IO[bytes], *, name: str, review: Review | None, mode: str = "skip", refresh: bool = True) -> ImportReport:
    """Import `file` (told apart by `name`'s extension and its columns). `review` is required for a
    Word list or a template; an UPR Info export without it places each row in its own review."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in EXTENSIONS:
        raise ImportRefused(_("Give OHCHR's thematic list (.docx), UPR Info's export or our template (.csv or .xlsx)."))
    try:
        if suffix == ".docx":
            if review is None:
                raise ImportRefused(_("A Word thematic list belongs to one review: choose the review."))
            report = import_thematic_list(file, review=review, source_name=name, mode=mode)
        else:
            table = read_table(file, name)
            if is_template(table):
                if review is None:
                    raise ImportRefused(_("A template belongs to one review: choose the review."))
                report = import_template(table, review=review, source_name=name, mode=mode)
            elif all(column in table.fieldnames for column in REQUIRED_COLUMNS):
                file.seek(0)
                report = import_upr_info(file, review=review, source_name=name, mode=mode, name=name)
            else:
                raise ImportRefused(
                    _("The columns are neither UPR Info's export (%(upr_info)s) nor our template (%(template)s).")
                    % {"upr_info": ", ".join(REQUIRED_COLUMNS), "template": ", ".join(HEADER)}
                )
    except (NotAThematicList, NotAnUprInfoExport, UnreadableTable) as error:
        raise ImportRefused(str(error)) from error
    if report.saved and refresh and (report.created or report.updated):
        services.after_import(review_ids=report.review_ids)
    return report
