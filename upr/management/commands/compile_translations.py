"""Compile the French and Spanish catalogues (locale/<language>/LC_MESSAGES/*.po) into the .mo files
Django reads. The .mo files are built, never committed or edited by hand.

Django's own `compilemessages` calls GNU gettext's `msgfmt`, which a fresh machine running `make run`
may not have; polib writes the same binary catalogue in pure Python. The catalogues' correctness
(every message translated, none fuzzy, placeholders kept) is checked by tests/test_translations.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogues() -> list[Path]:
    """Every .po file of the project's locale folders."""
    return sorted(path for folder in settings.LOCALE_PATHS for path in Path(folder).glob("*/LC_MESSAGES/*.po"))


def compile_catalogue(po_path: Path) -> Path:
    """Write the .mo beside its .po. Fuzzy and untranslated entries are left out, as msgfmt does."""
    mo_path = po_path.with_suffix(".mo")
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return mo_path


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (.po) into .mo files, without GNU gettext."

    def handle(self, *args: Any, **options: Any) -> None:
        for po_path in catalogues():
            mo_path = compile_catalogue(po_path)
            if options["verbosity"] > 1:
                self.stdout.write(f"{po_path} -> {mo_path}")
        self.stdout.write(f"Compiled {len(catalogues())} translation catalogues.")
