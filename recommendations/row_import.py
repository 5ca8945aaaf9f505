"""Import a review's recommendations into the shared reference data, idempotently.

Re-importing the same file changes nothing; a corrected file updates rows in place (keyed by review
and paragraph number), so every coalition's own record, which points at these rows, is kept. A change
of the State's response is recorded as a new ResponseRecord, never written over the old one. Rows
that cannot be read are reported with their row number and the reason; the caller chooses whether
the rest imports ("skip") or nothing does ("all_or_nothing").
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction

from upr.models import Review, State
from upr.reference import StateIndex

from .action_category import suggest
from .models import (
    SDG,
    ActionCategoryStatus,
    AffectedGroup,
    Recommendation,
    Response,
    ResponseRecord,
    Source,
    Theme,
    groups_of,
)
from .ohchr import ParsedRecommendation, read_thematic_list

POSITIONS = {
    "supported": Response.SUPPORTED,
    "accepted": Response.SUPPORTED,
    "noted": Response.NOTED,
    "supported in part": Response.SUPPORTED_IN_PART,
    "partially supported": Response.SUPPORTED_IN_PART,
    "pending": Response.PENDING,
    "": Response.PENDING,
}


@dataclass
class Problem:
    row: int
    paragraph: str
    reason: str

    def __str__(self) -> str:
        if not self.paragraph:  # a CSV: its line number is what a person finds in a spreadsheet
            return f"line {self.row}: {self.reason}"
        return f"row {self.row} ({self.paragraph}): {self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    response_changes: int = 0
    problems: list[Problem] = field(default_factory=list)
    responses: Counter = field(default_factory=Counter)
    saved: bool = True
    review_ids: set[int] = field(default_factory=set)  # the reviews the file's rows belong to

    def summary(self) -> str:
        """The one line the command ends with, e.g. '254 recommendations: 217 supported, 37 noted, 0 pending'."""
        total = sum(self.responses.values())
        parts = [
            f"{self.responses[r]} {r.label.lower()}" for r in Response if self.responses[r] or r != Response.SUPPORTED_IN_PART
        ]
        return f"{total} recommendations: {', '.join(parts)}"


@dataclass
class Row:
    parsed: ParsedRecommendation
    states: list[State]
    response: str
    action: int | None = None  # a category a person gave (the CSV template); otherwise suggested


PARAGRAPH_NUMBER = re.compile(r"^(\d+)\.(\d+)$")


def source_key(row: Row) -> str:
    """What identifies a row within its review: the paragraph number where there is one (a corrected
    file updates it in place), else a digest of the text."""
    if row.parsed.paragraph:
        return row.parsed.paragraph
    return "t:" + hashlib.sha256(" ".join(row.parsed.text.lower().split()).encode()).hexdigest()[:40]


def resolve(parsed: ParsedRecommendation, states: StateIndex) -> tuple[Row | None, str | None]:
    """The row with its States and response, or the reason it cannot be imported."""
    found: list[State] = []
    unknown: list[str] = []
    for group, trailing in parsed.state_groups:
        whole = states.get(group)
        if whole is not None:
            found.append(whole)
            continue
        parts = [p.strip() for p in group.split(",") if p.strip()]
        matched = [states.get(p) for p in parts]
        if len(parts) > 1 and all(matched):
            found.extend(m for m in matched if m is not None)  # none is None: all(matched) above
        elif trailing and (any(matched) or len(parts) == 1) and _looks_like_a_name(group):
            unknown.extend(p for p, m in zip(parts, matched, strict=True) if m is None)
            found.extend(m for m in matched if m is not None)
    if unknown:
        return None, f"unknown recommending State: {', '.join(unknown)}"
    if not found:
        return None, "no recommending State found in brackets"
    position = " ".join(parsed.position.lower().split())
    if position not in POSITIONS:
        return None, f"unknown position {parsed.position!r} (expected Supported, Noted, Supported in part or Pending)"
    unique = list(dict.fromkeys(found))
    return Row(parsed=parsed, states=unique, response=POSITIONS[position]), None


def _looks_like_a_name(group: str) -> bool:
    """A State's name starts with a capital letter and has no digit: "(2009-2014)", "(a)", "(No. 189)"
    and acronyms such as "(OPCAT)" are not States."""
    return group[:1].isupper() and not group.isupper() and not any(c.isdigit() for c in group)


def import_thematic_list(file: str | IO[bytes], *, review: Review, source_name: str = "", mode: str = "skip") -> ImportReport:
    """Import OHCHR's thematic list of recommendations (Word) for `review`."""
    parsed = read_thematic_list(file)
    states = StateIndex()
    report = ImportReport()
    rows: list[Row] = []
    for item in parsed:
        row, problem = resolve(item, states)
        if problem:
            report.problems.append(Problem(item.row, item.paragraph, problem))
        else:
            assert row is not None  # resolve() gives a row whenever it gives no problem
            rows.append(row)
    if report.problems and mode == "all_or_nothing":
        report.saved = False
        return report
    with transaction.atomic():
        save_rows(rows, review=review, source=Source.OHCHR, source_name=source_name, report=report)
    return report


class Vocabulary:
    """Themes, groups and SDGs by name, created on first sight, looked up once per import."""

    def __init__(self) -> None:
        self.themes = {t.name: t for t in Theme.objects.all()}
        self.groups = {g.name: g for g in AffectedGroup.objects.all()}
        self.sdgs = {s.number: s for s in SDG.objects.all()}

    def theme(self, name: str) -> Theme:
        return self._term(Theme, self.themes, name)

    def group(self, name: str) -> AffectedGroup:
        return self._term(AffectedGroup, self.groups, name)

    @staticmethod
    def _term(model, known: dict, name: str):
        if name not in known:
            known[name] = model.objects.get_or_create(name=name[:200])[0]
        return known[name]

    def sdg(self, number: int, name: str) -> SDG:
        if number not in self.sdgs:
            self.sdgs[number] = SDG.objects.get_or_create(number=number, defaults={"name": name.title()[:100]})[0]
        return self.sdgs[number]


def save_rows(rows: list[Row], *, review: Review, source: str, source_name: str, report: ImportReport) -> None:
    vocabulary = Vocabulary()
    report.review_ids.add(review.pk)
    existing = {
        r.source_key: r
        for r in Recommendation.objects.filter(review=review, source=source).prefetch_related(
            "recommending_states", "themes", "affected_groups", "sdgs", "response_history"
        )
    }
    for row in rows:
        item = row.parsed
        key = source_key(row)
        numbered = PARAGRAPH_NUMBER.match(item.paragraph)
        major, minor = (int(numbered.group(1)), int(numbered.group(2))) if numbered else (0, 0)
        status = ActionCategoryStatus.CONFIRMED if row.action else ActionCategoryStatus.SUGGESTED
        fields = {
            "text": item.text,
            "action_category": row.action or suggest(item.text),
            "thematic_cluster": item.cluster[:300],
            "recommending_groups": groups_of(row.states),
            "response_source": item.source[:200],
            "source_document": source_name[:300],
            "paragraph_major": major,
            "paragraph_minor": minor,
        }
        related = {
            "recommending_states": {s.pk for s in row.states},
            "themes": {vocabulary.theme(n).pk for n in dict.fromkeys(item.themes)},
            "affected_groups": {vocabulary.group(n).pk for n in dict.fromkeys(item.groups)},
            "sdgs": {vocabulary.sdg(n, name).pk for n, name in item.sdgs},
        }
        report.responses[Response(row.response)] += 1
        recommendation = existing.get(key)
        if recommendation is None:
            recommendation = Recommendation.objects.create(
                review=review,
                source=source,
                source_key=key,
                paragraph=item.paragraph,
                response=row.response,
                **{"action_category_status": status, **fields},
            )
            for name, ids in related.items():
                getattr(recommendation, name).set(ids)
            ResponseRecord.objects.create(recommendation=recommendation, response=row.response, source=item.source[:200])
            report.created += 1
            continue
        if recommendation.action_category_status == ActionCategoryStatus.CONFIRMED and not row.action:
            fields["action_category"] = recommendation.action_category  # a person's choice outlives a re-import
        elif row.action:
            fields["action_category_status"] = status
        changed = [name for name, value in fields.items() if getattr(recommendation, name) != value and name != "source_document"]
        for name, ids in related.items():
            if {o.pk for o in getattr(recommendation, name).all()} != ids:
                getattr(recommendation, name).set(ids)
                changed.append(name)
        history = list(recommendation.response_history.all())
        imported = [h.response for h in history if not h.by_person]
        if (imported[-1] if imported else None) != row.response:
            # A corrected file: recorded beside the old record, never over it. A response a person
            # recorded later (at mid-term, say) stays the current one.
            ResponseRecord.objects.create(recommendation=recommendation, response=row.response, source=item.source[:200])
            report.response_changes += 1
            if not any(h.by_person for h in history):
                recommendation.response = row.response
                changed.append("response")
        if changed:
            for name, value in fields.items():
                setattr(recommendation, name, value)
            recommendation.save()
            report.updated += 1
        else:
            report.unchanged += 1
