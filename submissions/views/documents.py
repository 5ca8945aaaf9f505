"""Documents of an engagement: the list, a new document, and the editor page with its settings,
summary, recommendations and Word import."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalitions.models import Coalition, Membership, Role, WorkingGroup
from coalitions.tenancy import CoalitionRequest, require_role
from coalitions.withheld import sees_withheld
from recommendations.action_category import suggest
from upr import freshness
from upr.packed_page import PackedPage

from .. import selectors, services
from ..docx_import import DocxRefused, read_docx
from ..forms import (
    DocumentCreateForm,
    DocumentSettingsForm,
    DocxImportForm,
    RecommendationsChoiceForm,
    SectionAddForm,
    SignOnAnswerForm,
    SignOnRequestForm,
    model_choice_field,
)
from ..live import store as live_store
from ..models import Document, ExportFormat, ExportStatus, LiveText, SignOnStatus
from ..selectors.comments import section_threads
from ..services.status import TRANSITIONS
from .common import NOT_DONE, attempt, document_of, document_url, engagement_of, form_problem
from .decisions import decisions_panel

# Documents on a page of an engagement's list: a phone on a slow line gets 50 and the links to the others.
DOCUMENTS_PER_PAGE = 50


def document_list(request: CoalitionRequest, coalition_slug: str, engagement_id: int) -> HttpResponse:
    engagement = engagement_of(request, engagement_id)
    form = DocumentCreateForm(request.POST or None, coalition=request.coalition)
    if request.method == "POST":
        if not request.membership.is_admin:
            raise PermissionDenied
        if form.is_valid():
            try:
                document = services.document_create(
                    coalition=request.coalition, actor=request.user, engagement=engagement, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Document created. Assign its sections to working groups or people."))
                return redirect("documents:detail", coalition_slug=coalition_slug, document_id=document.pk)
    documents = (
        Document.objects.for_coalition(request.coalition).filter(engagement=engagement).select_related("lead_organisation")
    )
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))  # reads one page's rows
    return render(
        request,
        "submissions/document_list.html",
        {
            "engagement": engagement,
            "documents": page,
            "page": page,
            "form": form,
            "sees_withheld": sees_withheld(request.membership),
        },
        status=400 if form.errors else 200,
    )


# The page's content is kept at most this long (a safety net: every write to anything it read
# renders it afresh at once, see upr.freshness).
PAGE_CACHE_SECONDS = 600


def document_detail(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    """The editor page. The whole page (a whole submission, with its count and check) is rendered once
    per person and kept in the cache by `upr.freshness`: any write to any table the rendering read
    (a section, a comment, a draft recommendation of the engagement, an organisation, a person's
    working groups or coalitions...) renders it afresh on the next view; a dozen people reloading a
    5,630-word submission between saves cost a cache read each. It is kept compressed, per browser, with
    a CSRF token masked for that rendering (upr.packed_page: sent as it is, and why that is safe from
    BREACH); the request's messages are put in on each view."""
    membership = request.membership
    # The tenancy check (another coalition's id is 404), and whether any text was typed live and not yet
    # rendered (the last seconds before a pause): in one statement, before the watch reads the versions.
    behind = (
        Document.objects.for_coalition(request.coalition)
        .filter(pk=document_id)
        .order_by()
        .annotate(behind=Exists(LiveText.objects.filter(document_id=OuterRef("pk"), rendered_seq__lt=F("seq"))))
        .values_list("behind", flat=True)
        .first()
    )
    if behind is None:
        raise Http404
    if behind:  # rendered first, so that the page's count and check read it
        live_store.ensure_rendered(document_id)
    # This browser's CSRF token, masked afresh: the page is kept with it, for this browser's secret only
    # (another browser, or the same after a login, has its own). A request without the CSRF cookie is
    # given a secret here and its page is not kept: nothing is stored for a browser that keeps no cookie.
    returning = "CSRF_COOKIE" in request.META
    token = get_token(request)
    secret = hashlib.sha256(request.META["CSRF_COOKIE"].encode()).hexdigest()[:32]
    with freshness.Watch() as watch:
        key = ":".join(
            str(part)
            for part in (
                "document-page",
                document_id,
                request.user.pk,
                membership.pk,
                membership.role,
                membership.organisation_id,
                get_language(),
                timezone.get_current_timezone_name(),
                secret,
            )
        )

        def render_page() -> PackedPage:
            freshness.depends_on(Coalition, Membership)  # read by the tenancy middleware, before the watch
            document, notices = document_of(request, document_id), "notices" + secrets.token_hex(16)
            return PackedPage.pack(
                render_to_string(
                    "submissions/document_detail.html",
                    {
                        "document": document,
                        "body": _document_body(request, coalition_slug, document, csrf=token),  # a rendered template: safe
                        "editor_strings": editor_strings(get_language()),
                        "csrf_token": token,  # what {% csrf_token %} writes (the context wins over the context processor)
                        "messages_here": notices,
                        "language_next": request.path,  # not the query string: it is not in the key
                    },
                    request,
                ),
                slot_marker=notices,
            )

        page = watch.cached(key, render_page, seconds=PAGE_CACHE_SECONDS) if returning else render_page()
    return page.response(request, messages_html(request))


def messages_html(request: HttpRequest) -> str:
    """The request's messages ("Section saved."), as base.html shows them; nothing when there are none."""
    pending = messages.get_messages(request)
    return render_to_string("messages.html", {"messages": pending}) if pending else ""


@functools.lru_cache(maxsize=16)
def editor_strings(language: str) -> str:
    """The live editor's words in one language (about a hundred messages, a third of the page's own
    rendering when made on every view). Made once per process and language: they depend on nothing but
    the template and the catalogues, which a process never reloads (a deploy starts new processes)."""
    with translation.override(language):
        return render_to_string("submissions/partials/live_editor_strings.html")


# Carets and names of the others, one colour per person (readable on white, from a fixed list).
CARET_COLOURS = ("#b3261e", "#1b6b3a", "#0b57d0", "#7c4dff", "#a15c00", "#00695c", "#ad1457", "#37474f")


def _colour_of(user_id: int) -> str:
    return CARET_COLOURS[user_id % len(CARET_COLOURS)]


def _document_body(request: CoalitionRequest, coalition_slug: str, document: Document, *, csrf: str) -> SafeString:
    """The page's content, with `csrf` wherever a form carries its token. Each section and annex is
    templates/submissions/partials/section.html, given what it shows as attributes set here."""
    membership = request.membership
    page = selectors.document_page(document, with_comments=False)
    my_groups = set(membership.working_groups.values_list("pk", flat=True))
    editable = document.editable
    rows = {part.section_id: part for part in page.count.parts if part.section_id}
    sections_url = document_url(coalition_slug, document.pk) + "sections/"  # + <id>/, as document_urls.py declares
    for section in page.sections + page.annexes:
        section.url = f"{sections_url}{section.pk}/"  # type: ignore[attr-defined]  # shown by partials/section.html
        section.room = live_store.section_room(section.pk)  # type: ignore[attr-defined]  # shown by partials/section.html
        section.key = f"{'annex' if section.annex else 'section'}-{section.pk}"  # type: ignore[attr-defined]  # for partials/section.html: its row of the count
        section.numbered = not section.annex  # type: ignore[attr-defined]  # for partials/section.html: paragraphs are numbered in the body only
        if section.pk in rows:  # its count and budget as its row of the count shows them (the section's line marks it)
            section.words, section.over_budget_by = rows[section.pk].counted, rows[section.pk].over_budget_by  # type: ignore[attr-defined]  # shown by partials/section.html
        section.can_edit = editable and services.can_edit_section(membership, section, my_groups)  # type: ignore[attr-defined]  # shown by partials/section.html
    for number, annex in enumerate(page.annexes, start=1):
        annex.annex_number = number  # type: ignore[attr-defined]  # shown by partials/section.html
    section_threads(page.sections + page.annexes, membership=membership, my_groups=my_groups)
    assigning = membership.is_admin and editable  # the secretariat assigns and deletes sections while it can edit
    if assigning:
        group_options = _choice_options(WorkingGroup.objects.for_coalition(request.coalition).values_list("pk", "name"))
        people_options = _choice_options(
            (m.user_id, str(m.user)) for m in Membership.objects.for_coalition(request.coalition).select_related("user")
        )
        for section in page.sections + page.annexes:
            section.group_options = group_options(section.working_group_id)  # type: ignore[attr-defined]  # shown by partials/section.html
            section.people_options = people_options(section.assignee_id)  # type: ignore[attr-defined]  # shown by partials/section.html
    jobs = list(document.exports.select_related("requested_by").defer("content")[:6])
    snapshot = getattr(document, "snapshot", None) if document.status == "submitted" else None
    exported_docx = any(j.format == ExportFormat.DOCX and j.status == ExportStatus.DONE for j in jobs)
    deadline = selectors.submission_deadline(document)
    if deadline is not None:
        freshness.expire_at(deadline)  # "The deadline is ahead" turns false then
    my_sign_on = next((s for s in page.submitters.sign_ons if s.organisation_id == membership.organisation_id), None)
    signed_on = selectors.signature_texts(page)  # which text each signature was given on
    for sign_on in page.submitters.sign_ons:
        sign_on.signed_text = signed_on.get(sign_on.pk)  # type: ignore[attr-defined]  # shown by the sign-on panel
    context = {
        "document": document,
        "page": page,
        "count": page.count,
        "jobs": jobs,
        "snapshot": snapshot,
        "sections": page.sections,
        "annexes": page.annexes,
        "summary_room": live_store.SUMMARY_ROOM,
        "summary_editable": membership.is_admin and editable,
        "can_comment": membership.role != Role.OBSERVER,
        "assigning": assigning,
        "live_url": f"/ws/c/{coalition_slug}/documents/{document.pk}/live/",
        "people_labels": selectors.people_labels(request.coalition, membership),
        "mention_names": selectors.mention_names(request.coalition) if membership.role != Role.OBSERVER else [],
        "user_colour": _colour_of(request.user.pk),
        "checks": selectors.presubmission_checks(page, deadline=deadline, exported_docx=exported_docx),
        "moves": [to for (frm, to), role in TRANSITIONS.items() if frm == document.status and membership.has_role(role)],
        "pending_exports": any(j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for j in jobs),
        "settings_form": DocumentSettingsForm(instance=document) if membership.is_admin else None,
        "section_form": SectionAddForm() if membership.is_admin and editable else None,
        "to_ask": model_choice_field(
            SignOnRequestForm(document=document, signed_earlier=selectors.asked_again_allowed(page, signed_on)), "organisations"
        ).queryset
        if membership.is_admin and editable and document.kind == "joint_submission"
        else None,
        "answer_form": SignOnAnswerForm(initial={"named": my_sign_on.named}, withheld=my_sign_on.organisation.withheld)
        if my_sign_on and editable
        else None,
        "my_sign_on": my_sign_on,
        "signed": SignOnStatus.SIGNED,
        "requested": SignOnStatus.REQUESTED,
        "signed_earlier": selectors.SIGNED_EARLIER,
        "signed_current": selectors.SIGNED_CURRENT,
        "snapshot_signatures": _snapshot_signatures(snapshot),
        "sees_withheld": sees_withheld(membership),
        "can_remind": membership.is_admin and editable,
        "waiting": sum(1 for s in page.submitters.sign_ons if s.status == SignOnStatus.REQUESTED),
        "import_form": DocxImportForm() if membership.can_edit and editable else None,
        "drafts": model_choice_field(RecommendationsChoiceForm(document=document), "recommendations").queryset
        if membership.can_edit and editable
        else None,
        "chosen": {r.pk for r in page.recommendations},
        "asks": [(r, selectors.smart_checklist(r), suggest(r.text)) for r in page.recommendations],
    }
    context.update(decisions_panel(membership, document, page))
    context["csrf_token"] = csrf  # what {% csrf_token %} writes (the context wins over the context processor)
    return render_to_string("submissions/document_body.html", context, request)


def _choice_options(choices: Iterable[tuple[int, str]]) -> Callable[[int | None], str]:
    """The <option>s of `choices` (submissions/partials/options.html) with a given value selected, each
    rendered once: every section has the same two selects, which differ only in the option selected."""
    choices = list(choices)

    @functools.cache
    def rendered(selected: int | None) -> str:
        return render_to_string("submissions/partials/options.html", {"choices": choices, "selected": selected})

    return rendered


def _snapshot_signatures(snapshot: Any) -> dict[str, int] | None:
    """How many of the signatures the snapshot recorded were given on the submitted text."""
    if snapshot is None or not snapshot.signatures:
        return None
    on_text = sum(1 for s in snapshot.signatures if s.get("on_submitted_text") is True)
    return {"on_text": on_text, "total": len(snapshot.signatures)}


@require_POST
@require_role(Role.ADMIN)
def document_settings(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    document = document_of(request, document_id)
    form = DocumentSettingsForm(request.POST, instance=Document.objects.get(pk=document.pk))
    if form.is_valid():
        attempt(
            request,
            lambda: services.document_update(document=document, actor=request.user, data=form.cleaned_data),
            _("Settings saved."),
        )
    else:
        form_problem(request, form, _("The settings were not saved."))
    return redirect(document_url(coalition_slug, document.pk, "settings"))


@require_POST
@require_role(Role.ADMIN)
def section_add(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    document = document_of(request, document_id)
    form = SectionAddForm(request.POST)
    if not form.is_valid():
        form_problem(request, form, _("Give the section a title."))
        return redirect(document_url(coalition_slug, document.pk))
    section = attempt(request, lambda: services.section_add(document=document, actor=request.user, **form.cleaned_data))
    anchor = "" if section is NOT_DONE else f"section-{section.pk}"
    return redirect(document_url(coalition_slug, document.pk, anchor))


@require_POST
@require_role(Role.EDITOR)
def recommendations_choose(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    """Which of the engagement's draft recommendations this document carries, in their order."""
    document = document_of(request, document_id)
    form = RecommendationsChoiceForm(request.POST, document=document)
    if form.is_valid():
        chosen = list(form.cleaned_data["recommendations"])
        attempt(
            request,
            lambda: services.document_recommendations_set(document=document, actor=request.user, recommendations=chosen),
            _("The document's recommendations are saved."),
        )
    else:
        form_problem(request, form, _("Choose among the engagement's draft recommendations."))
    return redirect(document_url(coalition_slug, document.pk, "recommendations"))


@require_POST
@require_role(Role.EDITOR)
def docx_import(request: CoalitionRequest, coalition_slug: str, document_id: int) -> HttpResponse:
    """Continue here a draft started in Word: its headings start sections, its footnotes come across."""
    document = document_of(request, document_id)
    form = DocxImportForm(request.POST, request.FILES)
    if not form.is_valid():
        form_problem(request, form, _("Choose a Word file (.docx)."))
        return redirect(document_url(coalition_slug, document.pk))
    try:
        imported = read_docx(form.cleaned_data["file"])
    except DocxRefused as error:
        messages.error(request, str(error))
        return redirect(document_url(coalition_slug, document.pk))
    attempt(
        request,
        lambda: services.sections_import(document=document, actor=request.user, imported=imported),
        _("%(count)d sections imported from Word, with %(footnotes)d footnotes.")
        % {"count": len(imported.sections), "footnotes": imported.footnote_count},
    )
    return redirect(document_url(coalition_slug, document.pk))
