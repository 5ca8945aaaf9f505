"""A document's status, its sign-on, its exports and the snapshot of what was submitted."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.models import Role
from coalitions.tenancy import CoalitionRequest, require_role

from .. import selectors, services
from ..forms import SignOnAnswerForm, SignOnRequestForm, StatusForm
from ..live import store
from ..models import Document, DocumentStatus, ExportFormat, ExportJob, ExportStatus, SignOn, Snapshot
from .common import attempt, document_of, document_url, form_problem

CONTENT_TYPES: dict[str, str] = {
    ExportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ExportFormat.PDF: "application/pdf",
}


@require_POST
@require_role(Role.EDITOR)
def status_change(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    document = document_of(request, document_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        to = form.cleaned_data["to"]
        attempt(
            request,
            lambda: services.document_set_status(
                document=document, membership=request.membership, to=to, reason=form.cleaned_data["reason"]
            ),
            _("The document is now %(status)s.") % {"status": str(DocumentStatus(to).label).lower()},
        )
    else:
        form_problem(request, form, _("Choose a status."))
    return redirect(document_url(coalition_slug, document_id, "status"))


@require_POST
@require_role(Role.ADMIN)
def signon_request(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    document = document_of(request, document_id)
    form = SignOnRequestForm(request.POST, document=document, signed_earlier=_signed_earlier(document))
    if form.is_valid():
        organisations = list(form.cleaned_data["organisations"])
        attempt(
            request,
            lambda: services.signon_request(document=document, actor=request.user, organisations=organisations),
            _("%(count)d organisations asked to sign.") % {"count": len(organisations)},
        )
    else:
        form_problem(request, form, _("Choose the organisations to ask."))
    return redirect(document_url(coalition_slug, document_id, "sign-on"))


def _signed_earlier(document: Document) -> list[int]:
    """The organisations whose signature was not given on the text as it is now (asked again on request)."""
    store.ensure_rendered(document)
    return selectors.asked_again_allowed(selectors.document_page(Document.objects.get(pk=document.pk), with_comments=False))


@require_POST
@require_role(Role.ADMIN)
def signon_remind(request: CoalitionRequest, coalition_slug: str, document_id: int, sign_on_id: int) -> HttpResponse:
    """Email the contacts of an organisation that has not answered again."""
    document = document_of(request, document_id)
    sign_on = get_object_or_404(SignOn.objects.for_coalition(request.coalition), document=document, pk=sign_on_id)
    attempt(
        request,
        lambda: services.signon_remind(sign_on=sign_on, membership=request.membership),
        _("Reminder sent to the organisation's contacts."),
    )
    return redirect(document_url(coalition_slug, document_id, "sign-on"))


@require_POST
@require_role(Role.MEMBER)
def signon_answer(request: CoalitionRequest, coalition_slug: str, document_id: int, sign_on_id: int) -> HttpResponse:
    document = document_of(request, document_id)
    sign_on = get_object_or_404(
        SignOn.objects.for_coalition(request.coalition).select_related("organisation"),
        document=document,
        pk=sign_on_id,
    )
    sign_on.document = document
    form = SignOnAnswerForm(request.POST, withheld=sign_on.organisation.withheld)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: services.signon_answer(
                sign_on=sign_on,
                membership=request.membership,
                sign=data["answer"] == "sign",
                named=data.get("named", False),
                note=data["note"],
            ),
            _("Your answer is recorded."),
        )
    else:
        form_problem(request, form, _("Choose to sign or to decline."))
    return redirect(document_url(coalition_slug, document_id, "sign-on"))


@require_POST
@require_role(Role.EDITOR)
def export_create(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    document = document_of(request, document_id)
    attempt(
        request,
        lambda: services.export_request(
            document=document,
            membership=request.membership,
            format=request.POST.get("format", ""),
            final=request.POST.get("final") == "on",
        ),
        _("The export is being made: it will be offered here when ready."),
    )
    return redirect(document_url(coalition_slug, document_id, "exports"))


def export_list(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    """The exports panel alone: htmx asks for it every two seconds while an export is being made."""
    document = document_of(request, document_id)
    jobs = list(document.exports.select_related("requested_by").defer("content")[:6])
    return render(
        request,
        "submissions/partials/exports.html",
        {
            "document": document,
            "jobs": jobs,
            "pending_exports": any(j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for j in jobs),
        },
    )


def _download(content: bytes, filename: str, format: str) -> HttpResponse:
    response = HttpResponse(bytes(content), content_type=CONTENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def export_download(request: CoalitionRequest, coalition_slug: str, document_id: int, job_id: int) -> HttpResponseBase:
    document = document_of(request, document_id)
    job = get_object_or_404(
        ExportJob.objects.for_coalition(request.coalition),
        document=document,
        pk=job_id,
        status=ExportStatus.DONE,
    )
    return _download(job.content, job.filename, job.format)


def snapshot_download(request: CoalitionRequest, coalition_slug: str, document_id: int, format: str) -> HttpResponseBase:
    """What was handed in, as it was frozen: for ever the same bytes."""
    document = document_of(request, document_id)
    snapshot = get_object_or_404(Snapshot.objects.for_coalition(request.coalition), document=document)
    if format not in CONTENT_TYPES:
        raise Http404
    content = snapshot.docx if format == ExportFormat.DOCX else snapshot.pdf
    return _download(content, f"submitted-{document.pk}-{snapshot.checksum[:12]}.{format}", format)
