"""`manage.py makemessages` with this project's defaults: the French and Spanish catalogues under
locale/, each message with the files it comes from (not the lines: they move with every edit), no
obsolete entries kept, and only the product's own code (not the virtualenv, the editor's sources, whose
strings come from templates/submissions/partials/live_editor_strings.html, the tests or benchmarks).

`make messages` runs it, and tests/test_translations.py runs it into a scratch copy of the catalogues to
name any string of the code that the committed catalogues lack.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import makemessages

LANGUAGES = ["fr", "es"]
IGNORED = [".venv", "frontend", "static", "staticfiles", "benchmarks", "tests", "scripts", "node_modules", "media", "private"]


class Command(makemessages.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        if not options["locale"] and not options["all"]:
            options["locale"] = list(LANGUAGES)
        options["ignore_patterns"] = [*(options.get("ignore_patterns") or []), *IGNORED]
        if options.get("add_location") is None:
            options["add_location"] = "file"
        options["no_obsolete"] = True
        super().handle(*args, **options)
