"""Import UPR Info's database export (CSV or XLSX): one row per recommendation and recommending State.

Columns: Session, To, From, Text, Response, Action, Issue (and regional groups and organisations,
which we derive from our State records instead). The whole 41,066-row export of sessions 1-20 takes
well under a minute: rows are read, checked and matched in memory, then written with bulk inserts.
UPR Info numbers no paragraphs, so a row is identified within its review by a digest of its
recommending State and text (with an occurrence number for the rare exact repeats).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from upr.inputs import parse_int
from upr.models import Review
from upr.reference import StateIndex

from .action_category import suggest
from .models import ActionCategoryStatus, Issue, Recommendation, Response, ResponseRecord, Source
from .row_import import ImportReport, Problem
from .spreadsheet import Table, UnreadableTable, read_table

REQUIRED_COLUMNS = ("Session", "To", "From", "Text", "Response")
RESPONSES = {
    "accepted": Response.SUPPORTED,
    "supported": Response.SUPPORTED,
    "noted": Response.NOTED,
    "rejected": Response.NOTED,  # UPR Info's older exports say "rejected" for what OHCHR now calls noted
    "supported in part": Response.SUPPORTED_IN_PART,
    "partially accepted": Response.SUPPORTED_IN_PART,
    "pending": Response.PENDING,
    "": Response.PENDING,
}


class NotAnUprInfoExport(ValueError):
    """The file is not a table in UPR Info's export format."""


@dataclass
class UprInfoRow:
    line: int
    review: Review
    state_id: int
    text: str
    response: str
    action: int | None
    issues: list[str]
    group: str = ""  # the recommending State's regional group
    key: str = ""


def read_export(file: IO[bytes] | IO[str], name: str = "") -> Table:
    """The export's table (CSV, or XLSX when `name` ends in .xlsx), its columns checked."""
    try:
        table = read_table(file, name)
    except UnreadableTable as error:
        raise NotAnUprInfoExport(str(error)) from error
    missing = [c for c in REQUIRED_COLUMNS if c not in table.fieldnames]
    if missing:
        raise NotAnUprInfoExport(f"Missing columns for UPR Info's format: {', '.join(missing)}.")
    return table


def check_rows(table: Table, *, only: Review | None, report: ImportReport) -> list[UprInfoRow]:
    """Rows matched to our reviews and States; problems reported by line number."""
    states = StateIndex()
    reviews = {(r.session.number, r.state_id): r for r in Review.objects.select_related("session", "state")}
    rows: list[UprInfoRow] = []
    seen: Counter[tuple[int, str]] = Counter()
    try:
        for line, raw in table:
            row, problem = _check(raw, line, states, reviews)
            if problem:
                report.problems.append(Problem(line, "", problem))
                continue
            assert row is not None
            if only is not None and row.review.pk != only.pk:
                continue
            base = f"{row.state_id}|{' '.join(row.text.lower().split())}"
            seen[(row.review.pk, base)] += 1
            row.key = hashlib.sha256(f"{base}|{seen[(row.review.pk, base)]}".encode()).hexdigest()
            rows.append(row)
    except UnreadableTable as error:
        raise NotAnUprInfoExport(str(error)) from error
    return rows


def _check(raw: dict, line: int, states: StateIndex, reviews: dict) -> tuple[UprInfoRow | None, str | None]:
    session = (raw.get("Session") or "").strip()
    if parse_int(session, minimum=1, maximum=999) is None:
        return None, f"session {session!r} is not a number"
    under_review = states.get(raw.get("To") or "")
    if under_review is None:
        return None, f"unknown State under Review: {raw.get('To')!r}"
    review = reviews.get((int(session), under_review.pk))
    if review is None:
        return None, f"no review of {under_review.name} in session {session} in the UPR calendar"
    recommending = states.get(raw.get("From") or "")
    if recommending is None:
        return None, f"unknown recommending State: {raw.get('From')!r}"
    text = " ".join((raw.get("Text") or "").split())
    if not text:
        return None, "the recommendation has no text"
    response = RESPONSES.get(" ".join((raw.get("Response") or "").lower().split()))
    if response is None:
        return None, f"unknown response {raw.get('Response')!r} (expected Accepted, Noted or Pending)"
    action_text = (raw.get("Action") or "").strip()
    if action_text and action_text not in {"1", "2", "3", "4", "5"}:
        return None, f"action category {action_text!r} is not 1 to 5"
    issues = [i.strip() for i in (raw.get("Issue") or "").split(",") if i.strip()]
    action = int(action_text) if action_text else None
    return UprInfoRow(line, review, recommending.pk, text, response, action, issues, recommending.regional_group), None


def import_upr_info(
    file: str | IO[bytes] | IO[str],
    *,
    review: Review | None = None,
    mode: str = "skip",
    source_name: str = "",
    name: str = "",
) -> ImportReport:
    """Import UPR Info's export (CSV or XLSX, told apart by `name`); with `review`, only that review's rows."""
    if isinstance(file, str):
        with open(file, "rb") as handle:
            return import_upr_info(handle, review=review, mode=mode, source_name=source_name, name=file)
    report = ImportReport()
    rows = check_rows(read_export(file, name or source_name), only=review, report=report)
    if report.problems and mode == "all_or_nothing":
        report.saved = False
        return report
    with transaction.atomic():
        _save(rows, report=report, source_name=source_name)
    return report


def _save(rows: list[UprInfoRow], *, report: ImportReport, source_name: str) -> None:
    issues = {i.name: i.pk for i in Issue.objects.all()}
    for name in {n for row in rows for n in row.issues} - set(issues):
        issues[name] = Issue.objects.create(name=name[:200]).pk
    review_ids = {row.review.pk for row in rows}
    report.review_ids |= review_ids
    existing = {
        (review_id, key): (pk, response, (action, status), text, group)
        for pk, review_id, key, response, action, status, text, group in Recommendation.objects.filter(
            review_id__in=review_ids, source=Source.UPR_INFO
        ).values_list(
            "pk",
            "review_id",
            "source_key",
            "response",
            "action_category",
            "action_category_status",
            "text",
            "recommending_groups",
        )
    }
    # Recommendations whose current response a person recorded after the export (e.g. at mid-term):
    # the export's older response must not take it back.
    restated = set(
        ResponseRecord.objects.filter(
            recommendation__review_id__in=review_ids, recommendation__source=Source.UPR_INFO, by_person=True
        ).values_list("recommendation_id", flat=True)
    )
    existing_issues: dict[int, set[int]] = {}
    for rec_id, issue_id in Recommendation.issues.through.objects.filter(
        recommendation__review_id__in=review_ids, recommendation__source=Source.UPR_INFO
    ).values_list("recommendation_id", "issue_id"):
        existing_issues.setdefault(rec_id, set()).add(issue_id)

    new, changed, history = [], [], []
    now = timezone.now()  # bulk_update does not touch auto_now fields; search caches key on updated_at
    Through = Recommendation.issues.through
    issue_links: list[Any] = []  # Through's rows: a class Django makes, with no name to give here
    for row in rows:
        report.responses[Response(row.response)] += 1
        wanted_issues = {issues[n] for n in row.issues}
        found = existing.get((row.review.pk, row.key))
        if found is None:
            new.append((row, wanted_issues))
            continue
        pk, response, category, text, group = found
        wanted_category = _category(row, category)
        dirty = False
        if response != row.response and pk not in restated:
            history.append(ResponseRecord(recommendation_id=pk, response=row.response, source=source_name[:200]))
            report.response_changes += 1
            response = row.response
            dirty = True
        if category != wanted_category or text != row.text or group != row.group:
            dirty = True
        if existing_issues.get(pk, set()) != wanted_issues:
            Through.objects.filter(recommendation_id=pk).delete()
            issue_links.extend(Through(recommendation_id=pk, issue_id=i) for i in wanted_issues)
            dirty = True
        if dirty:
            changed.append(
                Recommendation(
                    pk=pk,
                    response=response,
                    action_category=wanted_category[0],
                    text=row.text,
                    action_category_status=wanted_category[1],
                    recommending_groups=row.group,
                    updated_at=now,
                )
            )
        else:
            report.unchanged += 1
    if changed:
        Recommendation.objects.bulk_update(
            changed,
            ["response", "action_category", "action_category_status", "text", "recommending_groups", "updated_at"],
            batch_size=2000,
        )
        report.updated += len(changed)

    created = Recommendation.objects.bulk_create(
        [
            Recommendation(
                review=row.review,
                source=Source.UPR_INFO,
                source_key=row.key,
                text=row.text,
                response=row.response,
                action_category=category,
                action_category_status=status,
                source_document=source_name[:300],
                recommending_groups=row.group,
            )
            for row, _ in new
            for category, status in [_category(row)]
        ],
        batch_size=2000,
    )
    report.created += len(created)
    States = Recommendation.recommending_states.through
    States.objects.bulk_create(
        [States(recommendation_id=rec.pk, state_id=row.state_id) for rec, (row, _) in zip(created, new, strict=True)],
        batch_size=5000,
    )
    issue_links.extend(
        Through(recommendation_id=rec.pk, issue_id=i) for rec, (_, wanted) in zip(created, new, strict=True) for i in wanted
    )
    Through.objects.bulk_create(issue_links, batch_size=5000)
    history.extend(ResponseRecord(recommendation_id=rec.pk, response=rec.response, source=source_name[:200]) for rec in created)
    ResponseRecord.objects.bulk_create(history, batch_size=5000)


def _category(row: UprInfoRow, stored: tuple[int | None, str] | None = None) -> tuple[int | None, str]:
    """UPR Info's category where the export has one; else a person's confirmed choice; else a suggestion."""
    if row.action:
        return row.action, ActionCategoryStatus.IMPORTED
    if stored and stored[1] == ActionCategoryStatus.CONFIRMED:
        return stored
    return suggest(row.text), ActionCategoryStatus.SUGGESTED
