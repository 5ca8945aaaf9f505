"""Imports into the shared recommendations from the page and the API: verified, previewed, recorded,
announced and undoable.

Who may run one (a choice, and why):
- Site staff (`is_staff`) always: operators, answerable for the shared data. Their files are still
  verified, and a mismatch is refused for them too.
- A coalition's admin only for a file that verifies against the chosen review (OHCHR's thematic list
  naming that State and session, UPR Info's export with rows of that review), in a review of a State
  the coalition follows. Such a file is OHCHR's (or UPR Info's) own publication of that review: what it
  brings is what every coalition should read. Verification cannot prove the text authentic, so each
  import is recorded (who, when, file name and SHA-256, counts), shown before it changes anything,
  announced in the trail of every coalition following the State, and can be undone by its coalition
  or by staff.
- Our CSV template names no review and no source: nothing in it can be verified, so for anyone but
  staff it is refused (not kept as a coalition's private rows: the list, its search cache and the
  statistics read the shared table, and private rows there would leak into every coalition's searches).
  A coalition's own asks are its draft recommendations.

A preview runs the whole import inside a transaction that is rolled back: its counts are exactly what
the import would do. Undo restores exactly the state before: the rows the import added are removed,
the response records it added are deleted, and every changed row gets its fields and tags back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from coalitions.models import Coalition
from upr.models import Review

from . import services
from .file_import import ImportRefused, import_file
from .models import AffectedGroup, Issue, Recommendation, ResponseRecord, SharedImport, SharedImportStatus, Source, Theme
from .row_import import ImportReport
from .verification import Verdict, verify

PREVIEW_TTL = dt.timedelta(hours=1)  # a preview not confirmed within the hour must be made again
SNAPSHOT_FIELDS = (
    "paragraph",
    "paragraph_major",
    "paragraph_minor",
    "text",
    "recommending_groups",
    "thematic_cluster",
    "action_category",
    "action_category_status",
    "response",
    "response_source",
    "source_document",
)
RELATIONS = ("recommending_states", "themes", "affected_groups", "sdgs", "issues")
# What the apps built on these rows say when undoing an import would take their work away: each
# takes the ids of the recommendations the import added and returns a refusal, or None. (The
# implementation matrix adds its own in ImplementationConfig.ready; this app may not import it.)
UNDO_REFUSALS: list[Callable[[list[int]], str | None]] = []
TERMS = (Theme, AffectedGroup, Issue)  # the vocabularies an import may add to (the 17 SDGs are fixed)


class ImportNotAllowed(PermissionDenied):
    """The caller may not change the shared data with this file; the message says why and what to do."""


def refusal_for(*, user: Any, verdict: Verdict, review: Review | None) -> str:
    """Why `user` may not import this file into the shared data ("" when they may)."""
    if verdict.refusal:
        return verdict.refusal
    if getattr(user, "is_staff", False):
        return ""
    if verdict.source == Source.TEMPLATE:
        return _(
            "Our CSV template names no review and no source, so it cannot be verified and cannot change the "
            "recommendations every coalition shares. Ask the site staff to import it, or keep your coalition's "
            "own asks as draft recommendations."
        )
    if review is None:
        return _("A coalition imports one review at a time: choose the review (the site staff import whole exports).")
    if not verdict.verified:
        return _(
            "This file does not say which State and session it is for, so it cannot be verified against the "
            "review you chose. Ask the site staff to import it."
        )
    return ""


# --- the state of a review's rows, to compare and to restore ---------------------------------------


def _snapshot(review_ids: list[int]) -> tuple[dict[int, dict[str, Any]], set[int]]:
    """Every row of these reviews (its fields and tags) and the ids of their response records."""
    rows = {
        pk: {**dict(zip(SNAPSHOT_FIELDS, values, strict=True)), **{name: [] for name in RELATIONS}}
        for pk, *values in Recommendation.objects.filter(review_id__in=review_ids).values_list("pk", *SNAPSHOT_FIELDS)
    }
    for name in RELATIONS:
        field = getattr(Recommendation, name).field
        through = field.remote_field.through
        other = f"{field.m2m_reverse_field_name()}_id"
        for rec_id, other_id in through.objects.filter(recommendation__review_id__in=review_ids).values_list(
            "recommendation_id", other
        ):
            rows[rec_id][name].append(other_id)
    for row in rows.values():
        for name in RELATIONS:
            row[name].sort()
    records = set(ResponseRecord.objects.filter(recommendation__review_id__in=review_ids).values_list("pk", flat=True))
    return rows, records


@dataclasses.dataclass
class Outcome:
    record: SharedImport
    report: ImportReport


def _run(record: SharedImport, content: bytes, review: Review | None, *, dry_run: bool) -> ImportReport:
    """Import `content` as `record` describes it; with `dry_run`, roll everything back."""
    review_ids = list(record.review_ids)
    with transaction.atomic():
        before, records_before = _snapshot(review_ids)
        terms = {model.__name__: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in TERMS}
        report = import_file(io.BytesIO(content), name=record.file_name, review=review, mode=record.mode, refresh=False)
        touched = sorted(set(review_ids) | report.review_ids)
        after, records_after = _snapshot(touched)
        if set(touched) - set(review_ids):
            # Rows went into a review the verdict did not foresee: without its earlier state the import
            # could not be undone exactly, so it does not happen (rolled back with this block).
            raise ImportRefused(_("The file's rows belong to reviews it was not verified for. Nothing was imported."))
        record.review_ids = touched
        for name in ("created", "updated", "unchanged", "response_changes"):
            setattr(record, name, getattr(report, name))
        record.problems = len(report.problems)
        record.summary = report.summary()[:300] if report.saved else _("nothing imported")
        if dry_run:
            transaction.set_rollback(True)
        else:
            record.undo = {
                "created": sorted(set(after) - set(before)),
                "records": sorted(records_after - records_before),
                "before": {str(pk): row for pk, row in before.items() if pk in after and after[pk] != row},
                "terms": terms,  # themes, groups and issues newer than these were named first by this file
            }
    return report


def shared_import_start(
    *,
    content: bytes,
    name: str,
    review: Review | None,
    mode: str,
    actor: User,
    coalition: Coalition | None,
    dry_run: bool,
    keep_preview: bool = False,
) -> Outcome:
    """Verify the file, then preview it (`dry_run`: nothing changes; `keep_preview` keeps the file for
    a later confirmation) or import it at once. Raises ImportRefused (a mismatch, an unreadable file)
    or ImportNotAllowed."""
    verdict = verify(content, name=name, review=review)
    if verdict.unreadable:
        # The importer says exactly what is wrong with the file ("not a Word (.docx) file"); read in a
        # transaction rolled back, so that even a file it could read would change nothing.
        with transaction.atomic():
            import_file(io.BytesIO(content), name=name, review=review, mode=mode, refresh=False)
            transaction.set_rollback(True)
        raise ImportRefused(_("This file cannot be read as OHCHR's list, UPR Info's export or our template."))
    refused = refusal_for(user=actor, verdict=verdict, review=review)
    if refused:
        raise (ImportRefused if verdict.refusal else ImportNotAllowed)(refused)
    record = SharedImport(
        review=review,
        review_ids=verdict.review_ids or ([review.pk] if review else []),
        coalition=coalition,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        by_staff=bool(getattr(actor, "is_staff", False)),
        file_name=name[:300],
        sha256=hashlib.sha256(content).hexdigest(),
        source=verdict.source,
        identification=verdict.identification[:300],
        verified=verdict.verified,
        mode=mode,
    )
    if dry_run:
        report = _run(record, content, review, dry_run=True)
        if keep_preview and report.saved:
            # One pending preview per person, and none older than the hour: the kept files stay few.
            SharedImport.objects.filter(status=SharedImportStatus.PREVIEW).filter(
                Q(created_at__lt=timezone.now() - PREVIEW_TTL) | Q(actor=record.actor, coalition=coalition)
            ).delete()
            record.content = content
            record.save()
        return Outcome(record, report)
    return _apply(record, content, review)


def _apply(record: SharedImport, content: bytes, review: Review | None) -> Outcome:
    with transaction.atomic():
        report = _run(record, content, review, dry_run=False)
        if not report.saved:  # "import nothing if any row has a problem", and some had
            record.status = SharedImportStatus.PREVIEW
            if record.pk:
                record.delete()
            return Outcome(record, report)
        record.status, record.applied_at, record.content = SharedImportStatus.APPLIED, timezone.now(), None
        record.save()
        if report.created or report.updated:
            services.after_import(review_ids=record.review_ids)
        services.shared_change_announce(
            review_ids=record.review_ids,
            actor=record.actor,
            coalition=record.coalition,
            by_staff=record.by_staff,
            action="recommendation.shared_import",
            target=record.review or record,
            changes={
                "file": ["", record.file_name],
                "sha256": ["", record.sha256],
                "result": ["", record.summary],
                "counts": [
                    "",
                    _("%(c)d new, %(u)d updated, %(r)d responses changed")
                    % {"c": record.created, "u": record.updated, "r": record.response_changes},
                ],
            },
        )
    return Outcome(record, report)


def pending_for(*, pk: Any, actor: User, coalition: Coalition) -> SharedImport | None:
    """The caller's own preview in this coalition, still fresh (None for anything else)."""
    if not str(pk).isascii() or not str(pk).isdigit() or len(str(pk)) > 18:
        return None
    return (
        SharedImport.objects.filter(
            pk=int(pk),
            status=SharedImportStatus.PREVIEW,
            coalition=coalition,
            actor=actor,
            created_at__gte=timezone.now() - PREVIEW_TTL,
        )
        .select_related("review__state", "review__session")
        .first()
    )


def shared_import_confirm(*, pending: SharedImport, actor: User) -> Outcome:
    """Import the previewed file, verified again (the verdict is re-read from the kept file)."""
    content = bytes(pending.content or b"")
    if hashlib.sha256(content).hexdigest() != pending.sha256:
        raise ImportRefused(_("The previewed file is no longer available: upload it again."))
    refused = refusal_for(
        user=actor, verdict=verify(content, name=pending.file_name, review=pending.review), review=pending.review
    )
    if refused:
        raise ImportNotAllowed(refused)
    return _apply(pending, content, pending.review)


def operator_import_recorded(*, path: Any, review: Review | None, report: ImportReport) -> int:
    """The site staff's command-line import, recorded and announced like the others (by the site staff).
    It keeps no undo data (the operator holds the files and the database); returns how many
    coalitions were told."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    record = SharedImport.objects.create(
        review=review,
        review_ids=sorted(report.review_ids),
        by_staff=True,
        file_name=str(path.name)[:300],
        sha256=digest.hexdigest(),
        verified=False,
        status=SharedImportStatus.APPLIED,
        applied_at=timezone.now(),
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        response_changes=report.response_changes,
        problems=len(report.problems),
        summary=report.summary()[:300],
    )
    return services.shared_change_announce(
        review_ids=record.review_ids,
        actor=None,
        coalition=None,
        by_staff=True,
        action="recommendation.shared_import",
        target=review or record,
        changes={"file": ["", record.file_name], "sha256": ["", record.sha256], "result": ["", record.summary]},
    )


# --- the log and undo -----------------------------------------------------------------------------


def imports_for(*, coalition: Coalition):
    """The shared imports of the reviews of every State the coalition follows, newest first."""
    from coalitions.models import Engagement

    states = Engagement.objects.filter(coalition=coalition).values("review__state")
    reviews = Review.objects.filter(state__in=states).values("pk")
    return (
        SharedImport.objects.exclude(status=SharedImportStatus.PREVIEW)
        .filter(review__in=reviews)
        .select_related("review__state", "review__session")
        .defer("content", "undo")
    )


def may_undo(record: SharedImport, *, actor: User | None, coalition: Coalition) -> bool:
    # A command-line import (no coalition) keeps no undo data: the operator holds the files and the database.
    if record.status != SharedImportStatus.APPLIED or record.coalition_id is None:
        return False
    return bool(getattr(actor, "is_staff", False)) or (record.coalition_id == coalition.pk and not record.by_staff)


def undoable_for(*, pk: Any, actor: User, coalition: Coalition) -> SharedImport | None:
    """The import the caller may undo from this coalition (None: as if it did not exist)."""
    if not str(pk).isascii() or not str(pk).isdigit() or len(str(pk)) > 18:
        return None
    record = imports_for(coalition=coalition).defer(None).filter(pk=int(pk)).first()
    return record if record is not None and may_undo(record, actor=actor, coalition=coalition) else None


@transaction.atomic
def shared_import_undo(*, record: SharedImport, actor: User, coalition: Coalition) -> SharedImport:
    """Restore the shared rows to what they were before `record`. Refused while a later import of
    the same reviews stands (undo that first), and when a coalition's implementation matrix already
    follows a row the import added (removing it would take that coalition's work away)."""
    record = SharedImport.objects.select_for_update().get(pk=record.pk)
    if record.status != SharedImportStatus.APPLIED:
        raise ValidationError(_("This import was already undone."))
    later = [
        i
        for i in SharedImport.objects.filter(status=SharedImportStatus.APPLIED, applied_at__gt=record.applied_at).only(
            "file_name", "review_ids"
        )
        if set(i.review_ids) & set(record.review_ids)
    ]
    if later:
        raise ValidationError(
            _("A later import changed the same review (%(file)s): undo it first.") % {"file": later[0].file_name}
        )
    created, records = record.undo.get("created", []), record.undo.get("records", [])
    for refusal in filter(None, (refuses(created) for refuses in UNDO_REFUSALS)):
        raise ValidationError(refusal)
    ResponseRecord.objects.filter(pk__in=records).delete()
    Recommendation.objects.filter(pk__in=created).delete()
    now = timezone.now()
    for pk_text, row in record.undo.get("before", {}).items():
        pk = int(pk_text)
        Recommendation.objects.filter(pk=pk).update(**{name: row[name] for name in SNAPSHOT_FIELDS}, updated_at=now)
        for name in RELATIONS:
            field = getattr(Recommendation, name).field
            through, other = field.remote_field.through, f"{field.m2m_reverse_field_name()}_id"
            through.objects.filter(recommendation_id=pk).delete()
            through.objects.bulk_create([through(recommendation_id=pk, **{other: value}) for value in row[name]])
    # Themes, groups of persons and issues this file named first, and no row names any more.
    for model in TERMS:
        last = record.undo.get("terms", {}).get(model.__name__)
        if last is not None:
            model.objects.filter(pk__gt=last, recommendations__isnull=True).delete()
    # A new version of the data for the search cache (it keys on the newest updated_at).
    Recommendation.objects.filter(review_id__in=record.review_ids).update(updated_at=now)
    record.status, record.undone_at = SharedImportStatus.UNDONE, now
    record.undone_by = actor if getattr(actor, "is_authenticated", False) else None
    record.save(update_fields=["status", "undone_at", "undone_by"])
    services.after_import(review_ids=record.review_ids)
    services.shared_change_announce(
        review_ids=record.review_ids,
        actor=actor,
        coalition=coalition,
        by_staff=bool(getattr(actor, "is_staff", False)),
        action="recommendation.shared_undo",
        target=record.review or record,
        changes={"file": ["", record.file_name], "sha256": ["", record.sha256], "result": ["", record.summary]},
    )
    return record
