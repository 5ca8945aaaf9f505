"""python manage.py import_recommendations PATH [--review ISO3-SESSION]"""

import re
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations import shared_imports
from recommendations.file_import import ImportRefused, import_file
from recommendations.row_import import ImportReport
from recommendations.services import after_import
from recommendations.verification import verify
from upr.models import Review


class Command(BaseCommand):
    help = (
        "Import recommendations from OHCHR's thematic list (Word, needs --review), UPR Info's database "
        "export (CSV or XLSX; without --review each row goes to its own review) or the app's CSV template "
        "(CSV or XLSX, needs --review). Safe to run again: the same "
        "file changes nothing, a corrected one updates rows in place."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--review", help="State and session, e.g. SVN-48")
        parser.add_argument(
            "--force",
            action="store_true",
            help="import even when the file names another review than --review (default: refuse, as the pages do)",
        )
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="import nothing if any row has a problem (default: import the rest and report the problems)",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        review = self.review(options["review"]) if options["review"] else None
        mode = "all_or_nothing" if options["all_or_nothing"] else "skip"
        if review is None and path.suffix.lower() == ".docx":
            raise CommandError("A Word thematic list belongs to one review: give --review, e.g. SVN-48")
        if review is not None and not options["force"]:
            # The operator's tool checks the file against --review as the pages do (a session-48 list
            # given for session 20 is refused); --force is the operator's decision to overrule it.
            verdict = verify(path.read_bytes(), name=path.name, review=review)
            if verdict.refusal:
                raise CommandError(f"{path.name}: {verdict.refusal}")
        started = time.monotonic()
        try:
            with path.open("rb") as handle:
                report = import_file(handle, name=path.name, review=review, mode=mode, refresh=False)
        except ImportRefused as error:
            raise CommandError(f"{path.name}: {error}") from None
        imported = time.monotonic() - started
        if report.saved and (report.created or report.updated):
            after_import(review_ids=report.review_ids)
            announced = shared_imports.operator_import_recorded(path=path, review=review, report=report)
            if options["verbosity"] > 1:
                self.stderr.write(f"announced to {announced} coalitions following these States")
        if options["verbosity"] > 1:
            self.stderr.write(
                f"import {imported:.1f} s, search index and cross-cycle links {time.monotonic() - started - imported:.1f} s"
            )
        self.finish(report)

    def review(self, text: str) -> Review:
        match = re.fullmatch(r"([A-Za-z]{3})-(\d+)", text.strip())
        if not match:
            raise CommandError("--review takes the State's ISO code and the session, e.g. SVN-48")
        review = Review.objects.filter(state__iso3=match.group(1).upper(), session__number=int(match.group(2))).first()
        if review is None:
            raise CommandError(f"No review {text} in the UPR calendar (run load_upr_reference first?)")
        return review

    def finish(self, report: ImportReport) -> None:
        for problem in report.problems:
            self.stderr.write(str(problem))
        if not report.saved:
            raise CommandError(f"{len(report.problems)} rows have problems; nothing was imported.")
        self.stdout.write(
            f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, {len(report.problems)} skipped"
        )
        self.stdout.write(report.summary())
