"""The rules of the UPR that the product applies, as data in one readable place.

Sources: the guides in shared/reference/seeds (Civil Society Compendium; The Butterfly Effect).
OHCHR publishes the exact deadline of each session; these are the defaults when it has not, and a
coalition may override any date for its own engagement.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Geneva keeps Zurich time; the IANA database has no separate "Europe/Geneva" zone.
GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")
# OHCHR's stakeholder deadline falls at 15:00 Geneva time; late submissions are not considered.
STAKEHOLDER_DEADLINE_TIME = dt.time(15, 0)


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document the coalition writes, with OHCHR's limit for it (None: no word limit).
    A document may override the limit (e.g. a written statement the Council's secretariat limits)."""

    key: str
    label: StrOrPromise
    word_limit: int | None
    guidance: StrOrPromise
    submission: bool = False  # handed in to OHCHR: cover, submitters, sign-on, deadline


# Footnotes and annexes do not count toward a limit (OHCHR: "There is no upper word limit for
# references or annexes"). Sources: the Civil Society Compendium; UPR Info's guides.
DOCUMENT_KINDS: dict[str, DocumentKind] = {
    kind.key: kind
    for kind in (
        DocumentKind(
            "individual_submission",
            _("Individual stakeholder submission"),
            2815,
            _("One organisation. At most 2,815 words, footnotes and annexes excluded; one per organisation and review."),
            submission=True,
        ),
        DocumentKind(
            "joint_submission",
            _("Joint stakeholder submission"),
            5630,
            _("Two or more organisations. At most 5,630 words, footnotes and annexes excluded."),
            submission=True,
        ),
        DocumentKind(
            "factsheet",
            _("Advocacy factsheet"),
            None,
            _("One theme, one or two pages, with four or five questions or draft recommendations for States."),
        ),
        DocumentKind(
            "presession_statement",
            _("Pre-session statement"),
            None,
            _(
                "5 to 10 minutes at a pre-session (UPR Info's in Geneva, or in the country), about 750 to 1,500 words: "
                "the situation, questions and recommendations for States. A shorter version goes to missions by email."
            ),
        ),
        DocumentKind(
            "oral_statement",
            _("HRC oral statement"),
            300,
            _("Two minutes at the adoption of the outcome in the Human Rights Council: about 300 words."),
        ),
        DocumentKind("written_statement", _("Written statement"), None, _("No word limit.")),
        DocumentKind("mid_term_report", _("Mid-term report"), None, _("No word limit.")),
    )
}
WORD_LIMITS: dict[str, int | None] = {key: kind.word_limit for key, kind in DOCUMENT_KINDS.items()}
# An advocacy factsheet asks States four or five things.
FACTSHEET_ASKS = (4, 5)
# A joint submission is made by two organisations at least.
JOINT_SUBMISSION_MINIMUM_SIGNERS = 2
# OHCHR's preferred languages for submissions.
DOCUMENT_LANGUAGES = (("en", _("English")), ("fr", _("French")), ("es", _("Spanish")))

# NGO oral statements at the adoption of the outcome in the Human Rights Council plenary.
ORAL_STATEMENT_SLOTS = 10
ORAL_STATEMENT_MINUTES = 2


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Offset:
    months: int = 0
    days: int = 0

    def from_(self, day_zero: dt.date) -> dt.date:
        return add_months(day_zero, self.months) + dt.timedelta(days=self.days)


@dataclass(frozen=True)
class MilestoneRule:
    kind: str
    label: StrOrPromise
    offset: Offset
    # A milestone that is a period (the lobbying window) ends at another milestone's date.
    ends_with: str | None = None
    # A deadline at a fixed hour of Geneva time (OHCHR's stakeholder deadline).
    geneva_time: dt.time | None = None


# The cycle and its clock, counted from the review (day 0). Order is chronological.
MILESTONE_RULES: tuple[MilestoneRule, ...] = (
    MilestoneRule("national_consultation", _("National consultation held by the State"), Offset(months=-12)),
    MilestoneRule(
        "stakeholder_deadline",
        _("Stakeholder submission deadline (15:00 Geneva time)"),
        Offset(months=-7),
        geneva_time=STAKEHOLDER_DEADLINE_TIME,
    ),
    MilestoneRule("contact_embassies", _("Contact embassies in the country"), Offset(months=-4)),
    MilestoneRule("in_country_presession", _("In-country pre-session"), Offset(months=-2)),
    MilestoneRule("contact_missions", _("Contact permanent missions in Geneva"), Offset(months=-2)),
    MilestoneRule(
        "documents_published",
        _("National report, UN compilation and stakeholder summary published"),
        Offset(days=-42),
    ),
    MilestoneRule("geneva_presession", _("Geneva pre-session (UPR Info)"), Offset(months=-1)),
    MilestoneRule("review", _("Review: interactive dialogue in the Working Group (webcast)"), Offset()),
    MilestoneRule("outcome_report", _("Outcome report available"), Offset(days=2)),
    MilestoneRule(
        "lobby_for_support",
        _("Lobby the State to support recommendations"),
        Offset(days=2),
        ends_with="adoption",
    ),
    MilestoneRule("oral_statement_signup", _("Sign-up for NGO oral statements at the adoption"), Offset(months=4, days=-7)),
    MilestoneRule("adoption", _("Adoption of the outcome at the Human Rights Council plenary"), Offset(months=4)),
    MilestoneRule("one_year_update", _("One-year update"), Offset(months=12)),
    MilestoneRule("mid_term_report", _("Mid-term report (HRC item 6 general debate)"), Offset(months=30)),
    MilestoneRule("next_review", _("Next review"), Offset(months=54)),
)
MILESTONE_RULES_BY_KIND = {rule.kind: rule for rule in MILESTONE_RULES}

# The internal deadlines a coalition usually sets, counted back from OHCHR's stakeholder deadline
# (days before it): the app proposes them, the secretariat moves or deletes them.
USUAL_INTERNAL_DEADLINES: tuple[tuple[StrOrPromise, int], ...] = (
    (_("Working groups' drafts due"), 42),
    (_("Comments on the full draft closed"), 28),
    (_("Sign-on closes"), 14),
    (_("Final text agreed"), 7),
    (_("Submit online (a day early, in case of technical problems)"), 1),
)


def geneva_deadline(day: dt.date, at: dt.time = STAKEHOLDER_DEADLINE_TIME) -> dt.datetime:
    """The aware instant of a Geneva-time deadline on `day` (daylight saving included)."""
    return dt.datetime.combine(day, at, tzinfo=GENEVA)
