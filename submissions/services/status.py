"""A document's status flow (draft -> in review -> final -> submitted), its exports and the frozen
snapshot of what was handed in.

Final locks editing; an admin reopens a final document with a reason, kept in the audit trail. A
document over its word limit cannot be marked final nor exported as final. Submitted is for ever:
the snapshot (outline, Word and PDF files, checksum) is made once, by a task, and never changed.
Exports run in Celery tasks on the `exports` queue, never in the request.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coalitions.audit import audit_record
from coalitions.models import Membership, Role
from upr.rules import JOINT_SUBMISSION_MINIMUM_SIGNERS

from ..live import store
from ..models import Document, DocumentStatus, ExportFormat, ExportJob, ExportStatus, RevisionReason, Snapshot
from ..outline import text_digest

__all__ = ["document_set_status", "export_request", "export_run", "snapshot_make", "TRANSITIONS"]

S = DocumentStatus
# (from, to): the least role that may make the move.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.IN_REVIEW): Role.EDITOR,
    (S.IN_REVIEW, S.DRAFT): Role.EDITOR,
    (S.DRAFT, S.FINAL): Role.ADMIN,
    (S.IN_REVIEW, S.FINAL): Role.ADMIN,
    (S.FINAL, S.DRAFT): Role.ADMIN,  # reopen, with a reason
    (S.FINAL, S.IN_REVIEW): Role.ADMIN,  # reopen, with a reason
    (S.FINAL, S.SUBMITTED): Role.ADMIN,
}


def _final_problems(document: Document) -> list[str]:
    """Why the document cannot be final yet (empty: it can)."""
    from ..selectors import document_page

    page = document_page(document, with_comments=False)
    problems = []
    if page.count.over:
        problems.append(
            _("It is over its limit: %(total)s words of %(limit)s. Shorten it by %(over)s words.")
            % {"total": f"{page.count.total:,}", "limit": f"{page.count.limit:,}", "over": f"{page.count.over_by:,}"}
        )
    if page.submitters.lead_withheld:
        problems.append(
            _(
                "Its lead submitter's name is withheld, and OHCHR publishes the lead's name: make another "
                "organisation the lead in the settings."
            )
        )
    if document.kind == "joint_submission" and page.submitters.total < JOINT_SUBMISSION_MINIMUM_SIGNERS:
        problems.append(_("A joint submission is made by two organisations at least: ask a member organisation to sign."))
    return problems


@transaction.atomic
def document_set_status(*, document: Document, membership: Membership, to: str, reason: str = "") -> Document:
    current = Document.objects.select_for_update().get(pk=document.pk)
    move = (current.status, to)
    if move not in TRANSITIONS:
        raise ValidationError(
            _("A %(from)s document cannot become %(to)s.")
            % {"from": current.get_status_display().lower(), "to": dict(S.choices).get(to, to).lower()}
        )
    if not membership.has_role(TRANSITIONS[move]):
        raise PermissionDenied(_("Only the secretariat does that."))
    # What was typed live until now is what is checked, kept as a version and, if final, frozen: the
    # texts' HTML is rendered first, and from the commit on no live change is accepted (store.append).
    store.keep_versions_of(current, reason=RevisionReason.STATUS, actor=membership.user)
    if to == S.FINAL:
        problems = _final_problems(current)
        if problems:
            raise ValidationError(problems)
    reopening = current.status == S.FINAL and to in (S.DRAFT, S.IN_REVIEW)
    if reopening and not reason.strip():
        raise ValidationError(_("Say why the final document is reopened: the reason is kept in the audit trail."))
    before = current.status
    current.status = to
    current.save(update_fields=["status", "updated_at"])
    changes = {"status": [before, to]}
    if reason.strip():
        changes["reason"] = ["", reason.strip()[:500]]
    audit_record(coalition=current.coalition, actor=membership.user, action="document.status", target=current, changes=changes)
    if to == S.SUBMITTED:
        from ..tasks import make_snapshot

        document_id, user_id = current.pk, membership.user_id
        transaction.on_commit(lambda: make_snapshot.delay(document_id, user_id))
    return current


@transaction.atomic
def export_request(*, document: Document, membership: Membership, format: str, final: bool = False) -> ExportJob:
    """Queue a Word or PDF export. As final: only a final (or submitted) document, within its limit."""
    if format not in ExportFormat.values:
        raise ValidationError(_("Choose Word or PDF."))
    if final and document.status not in (S.FINAL, S.SUBMITTED):
        raise ValidationError(_("Only a final document is exported as final. Mark it final first (it must fit its limit)."))
    job = ExportJob.objects.create(
        coalition=document.coalition, document=document, format=format, final=final, requested_by=membership.user
    )
    from ..tasks import export_document

    transaction.on_commit(lambda: export_document.delay(job.pk))
    return job


def _render(outline: Any, format: str) -> bytes:
    if format == ExportFormat.DOCX:
        from ..export_docx import render_docx

        return render_docx(outline)
    from ..export_pdf import render_pdf

    return render_pdf(outline)


def export_run(*, job_id: int) -> ExportJob:
    """Make the file of an export job (the task calls this), reporting progress on the job."""
    from ..selectors import document_outline

    job = ExportJob.objects.select_related("document__engagement__review__state", "document__engagement__review__session").get(
        pk=job_id
    )
    if job.status == ExportStatus.DONE:
        return job  # delivered twice (acks late): the file is already there
    store.ensure_rendered(job.document)  # (the instance's summary is read again if it was behind)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=10)
    try:
        outline = document_outline(job.document, final=job.final)
        ExportJob.objects.filter(pk=job.pk).update(progress=40)
        content = _render(outline, job.format)
    except Exception as error:  # the person sees that it failed and may try again; the log has the rest
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED,
            error=_("The export failed: %(error)s") % {"error": type(error).__name__},
            finished_at=timezone.now(),
        )
        raise
    name = f"{slugify(job.document.title)[:80] or 'document'}{'' if job.final else '-draft'}.{job.format}"
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, progress=100, content=content, filename=name, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def snapshot_make(*, document_id: int, user_id: int | None) -> Snapshot:
    """Freeze a submitted document: its outline, both files and the Word file's checksum."""
    from ..selectors import document_outline

    document = Document.objects.select_related("engagement__review__state", "engagement__review__session").get(pk=document_id)
    existing = Snapshot.objects.filter(document=document).first()
    if existing:
        return existing  # never made twice, never changed
    store.ensure_rendered(document)
    outline = document_outline(document, final=True)
    docx, pdf = _render(outline, ExportFormat.DOCX), _render(outline, ExportFormat.PDF)
    frozen = json.loads(json.dumps(dataclasses.asdict(outline), default=str))
    digest = text_digest(outline)
    return Snapshot.objects.create(
        coalition=document.coalition,
        document=document,
        outline=frozen,
        docx=docx,
        pdf=pdf,
        checksum=hashlib.sha256(docx).hexdigest(),
        submitted_by_id=user_id,
        text_digest=digest,
        signatures=_signatures(document, digest),
    )


def _signatures(document: Document, digest: str) -> list[dict[str, Any]]:
    """Each signature of the submitted document, and whether it was given on the submitted text
    (`on_submitted_text`: null when it was given before the app recorded what was signed). An
    organisation whose name is withheld, or that signed unnamed, is recorded without its name, id or
    date (as the cover counts it): the snapshot is read by observers too."""
    from ..selectors import SIGNED_UNKNOWN, signed_text

    signatures = []
    for sign_on in document.sign_ons.select_related("organisation").order_by("answered_at", "pk"):
        state = signed_text(sign_on, digest)
        if state is None:
            continue
        named = sign_on.named and not sign_on.organisation.withheld
        signatures.append(
            {
                "organisation": sign_on.organisation.name if named else None,
                "signed_at": sign_on.answered_at.isoformat() if named and sign_on.answered_at else None,
                "on_submitted_text": None if state == SIGNED_UNKNOWN else sign_on.signed_digest == digest,
                "signed_digest": sign_on.signed_digest,
            }
        )
    return signatures
