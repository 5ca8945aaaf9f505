"""Count the words of a Word file as the app counts them, and compare with OHCHR's limit.

    python manage.py count_words DRAFT.docx [--kind joint|individual|oral|written|mid_term|...]

The first line is always `N words counted, M in footnotes excluded`; the second, the verdict against
the limit of the kind of document (a joint stakeholder submission unless told).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext, ngettext

from submissions.docx_import import DocxRefused, count_docx
from upr import rules

# Short names for the kinds (the keys of upr.rules.WORD_LIMITS are accepted too).
ALIASES = {
    "individual": "individual_submission",
    "joint": "joint_submission",
    "oral": "oral_statement",
    "written": "written_statement",
    "mid_term": "mid_term_report",
    "midterm": "mid_term_report",
    "mid-term": "mid_term_report",
}


def kind_phrase(kind: str) -> str:
    """The kind as the verdict names it ("a joint stakeholder submission")."""
    phrases = {
        "individual_submission": gettext("an individual stakeholder submission"),
        "joint_submission": gettext("a joint stakeholder submission"),
        "oral_statement": gettext("an oral statement at the Human Rights Council"),
        "written_statement": gettext("a written statement"),
        "mid_term_report": gettext("a mid-term report"),
        "factsheet": gettext("an advocacy factsheet"),
    }
    if kind in phrases:
        return phrases[kind]
    document_kind = rules.DOCUMENT_KINDS.get(kind)
    return str(document_kind.label) if document_kind else kind


def resolve_kind(value: str) -> str:
    key = value.strip().lower()
    key = ALIASES.get(key, key)
    if key not in rules.WORD_LIMITS:
        raise CommandError(
            gettext("Unknown kind “%(kind)s”. Use one of: %(kinds)s.")
            % {"kind": value, "kinds": ", ".join([*ALIASES, *rules.WORD_LIMITS])}
        )
    return key


def verdict(counted: int, limit: int | None, kind: str) -> str:
    phrase = kind_phrase(kind)
    if limit is None:
        return gettext("No word limit for %(kind)s.") % {"kind": phrase}
    if counted > limit:
        over = counted - limit
        return ngettext(
            "Over the limit of %(limit)s words for %(kind)s by %(over)s word.",
            "Over the limit of %(limit)s words for %(kind)s by %(over)s words.",
            over,
        ) % {"limit": f"{limit:,}", "kind": phrase, "over": f"{over:,}"}
    return gettext("Within the limit of %(limit)s words for %(kind)s: %(left)s left.") % {
        "limit": f"{limit:,}",
        "kind": phrase,
        "left": f"{limit - counted:,}",
    }


class Command(BaseCommand):
    help = "Count the words of a Word file (.docx) as the app does, footnotes excluded, against a kind's limit."
    requires_system_checks: list[str] = []  # reads a file; needs neither the database nor the checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The Word file (.docx).")
        parser.add_argument(
            "--kind",
            default="joint",
            help="The kind of document whose limit applies: individual, joint (the default), oral, written, "
            "mid_term, or a key of upr.rules.WORD_LIMITS.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = resolve_kind(options["kind"])
        limit = rules.WORD_LIMITS[kind]
        try:
            result = count_docx(options["path"], limit)
        except DocxRefused as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            gettext("%(counted)d words counted, %(footnotes)d in footnotes excluded")
            % {"counted": result.counted, "footnotes": result.footnotes}
        )
        self.stdout.write(verdict(result.counted, limit, kind))
