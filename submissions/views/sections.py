"""Working on sections: save (with the conflict rule), assign, delete (the history, its diffs and
restore are in `history`; comments in `comments`).

The editor saves with fetch and reads JSON; without JavaScript the same address takes the form and
redirects. A refused save never loses the text: the answer carries both versions (409), and the
browser keeps the unsaved text until a save succeeds.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.models import Membership, Role, WorkingGroup
from coalitions.tenancy import CoalitionRequest, require_role
from upr.inputs import MAX_ID, parse_int

from .. import services
from ..forms import SectionAssignForm
from ..models import Document, Section
from ..wordcount import count_html
from .common import attempt, document_of, document_url, form_problem


def section_of(request: CoalitionRequest, document_id: int, section_id: int) -> Section:
    document = document_of(request, document_id)
    section = get_object_or_404(
        Section.objects.for_coalition(request.coalition).select_related("working_group"),
        document=document,
        pk=section_id,
    )
    section.document = document
    return section


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _version(request: HttpRequest) -> int | None:
    return parse_int(request.POST.get("base_version"), minimum=1, maximum=MAX_ID)


def _refused(request: HttpRequest, message: str, status: int, back: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    messages.error(request, message)
    return redirect(back)


@require_POST
@require_role(Role.EDITOR)
def section_save(request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int) -> HttpResponse:
    section = section_of(request, document_id, section_id)
    back = f"{document_url(coalition_slug, document_id)}#section-{section.pk}"
    base = _version(request)
    if base is None:
        return _refused(request, _("The page is out of date: reload it (your text is kept in this browser)."), 400, back)
    try:
        saved = services.section_save(
            section=section,
            membership=request.membership,
            base_version=base,
            body=request.POST.get("body"),
            title=request.POST.get("title"),
        )
    except services.SaveConflict as conflict:
        theirs = conflict.current
        assert isinstance(theirs, Section)  # section_save's conflict carries the section
        if _wants_json(request):
            return JsonResponse(
                {
                    "error": str(conflict),
                    "conflict": True,
                    "version": theirs.version,
                    "title": theirs.title,
                    "body": theirs.body,
                    "updated_by": str(theirs.updated_by or ""),
                },
                status=409,
            )
        return render(
            request,
            "submissions/section_conflict.html",
            {
                "section": theirs,
                "document": section.document,
                "mine": request.POST.get("body", ""),  # shown escaped
                "my_title": request.POST.get("title", ""),
            },
            status=409,
        )
    except PermissionDenied as error:
        return _refused(request, str(error) or _("You may not edit this section."), 403, back)
    except ValidationError as error:
        return _refused(request, " ".join(error.messages), 400, back)
    if _wants_json(request):
        return JsonResponse(
            {
                "version": saved.version,
                "body": saved.body,
                "title": saved.title,
                "counted": saved.counted_words,
                "footnotes": saved.footnote_words,
            }
        )
    messages.success(request, _("Section saved."))
    return redirect(back)


@require_POST
@require_role(Role.ADMIN)
def summary_save(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    document = document_of(request, document_id)
    back = f"{document_url(coalition_slug, document_id)}#summary"
    base = _version(request)
    if base is None:
        return _refused(request, _("The page is out of date: reload it (your text is kept in this browser)."), 400, back)
    try:
        saved = services.summary_save(
            document=document, membership=request.membership, base_version=base, summary=request.POST.get("body", "")
        )
    except services.SaveConflict as conflict:
        current = conflict.current
        assert isinstance(current, Document)  # summary_save's conflict carries the document
        if _wants_json(request):
            return JsonResponse(
                {
                    "error": str(conflict),
                    "conflict": True,
                    "version": current.summary_version,
                    "body": current.summary,
                    "title": "",
                },
                status=409,
            )
        return _refused(request, str(conflict), 409, back)
    except ValidationError as error:
        return _refused(request, " ".join(error.messages), 400, back)
    counted = count_html(saved.summary)
    if _wants_json(request):
        return JsonResponse(
            {"version": saved.summary_version, "body": saved.summary, "counted": counted.counted, "footnotes": counted.footnotes}
        )
    messages.success(request, _("Executive summary saved."))
    return redirect(back)


@require_POST
@require_role(Role.ADMIN)
def section_assign(request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int) -> HttpResponse:
    section = section_of(request, document_id, section_id)
    form = SectionAssignForm(request.POST, coalition=request.coalition)
    if form.is_valid():
        group_id, user_id = form.cleaned_data["working_group"], form.cleaned_data["assignee"]
        group = WorkingGroup.objects.for_coalition(request.coalition).get(pk=group_id) if group_id else None
        person = Membership.objects.for_coalition(request.coalition).get(user_id=user_id).user if user_id else None
        attempt(
            request,
            lambda: services.section_save(
                section=section,
                membership=request.membership,
                base_version=section.version,
                body=None,
                working_group=group,
                assignee=person,
            ),
            _("Section assigned."),
        )
    else:
        form_problem(request, form, _("Choose a working group or a person of the coalition."))
    return redirect(document_url(coalition_slug, document_id, f"section-{section.pk}"))


@require_POST
@require_role(Role.ADMIN)
def section_delete(request: CoalitionRequest, coalition_slug: str, document_id: int, section_id: int) -> HttpResponse:
    section = section_of(request, document_id, section_id)
    attempt(
        request,
        lambda: services.section_delete(section=section, actor=request.user),
        _("Section deleted. Its history went with it."),
    )
    return redirect(document_url(coalition_slug, document_id))
