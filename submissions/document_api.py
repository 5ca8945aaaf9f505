"""The documents API under /api/c/<slug>/: documents (with their count and pre-submission check,
word budgets, status, sign-ons, exports), sections (save with the conflict rule, revisions, restore, comments),
comments, sign-on answers and export jobs. The same services as the pages; the coalition comes
from the URL and every id in a body is checked against it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from coalitions.api import CoalitionScopedMixin
from coalitions.models import Coalition, MemberOrganisation, Role
from upr.inputs import MAX_ID, JSONObjectParser, parse_id, parse_int

from . import selectors, services
from .comment_api import FILTERS as COMMENT_FILTERS
from .comment_api import (
    CommentViewSet,  # noqa: F401 (hub.api_urls routes it from here, with the other viewsets)
    comment_data,
    comment_write,
)
from .comment_api import filtered as comments_filtered
from .comment_serializers import CommentSerializer, CommentWriteSerializer
from .document_serializers import (
    BudgetsSerializer,
    CheckSerializer,
    CountSerializer,
    DocumentCreateSerializer,
    DocumentSerializer,
    DocumentSettingsSerializer,
    ExportJobSerializer,
    ExportRequestSerializer,
    RevisionSerializer,
    SectionCreateSerializer,
    SectionSaveSerializer,
    SectionSerializer,
    SignOnAnswerSerializer,
    SignOnRequestSerializer,
    SignOnSerializer,
    StatusSerializer,
    SummarySaveSerializer,
)
from .docx_import import DocxRefused, read_docx
from .models import Comment, Document, ExportJob, ExportStatus, Section, SectionRevision, SignOn
from .selectors.comments import threads
from .views.workflow import CONTENT_TYPES


def _require(allowed: bool) -> None:
    """The finer role checks of an endpoint whose readers and writers differ by action."""
    if not allowed:
        raise PermissionDenied


def _valid(serializer_class: type[serializers.Serializer], request: Request, **context: Any) -> dict[str, Any]:
    body = serializer_class(data=request.data, context=context)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _read_live(coalition: Coalition, **filters: Any) -> None:
    """What a GET reads is the text as typed live until this moment: the live texts it shows whose HTML
    is behind their log (edited in the last seconds) are rendered first (submissions.live.store)."""
    from .live import store

    store.ensure_rendered_where(coalition=coalition, **filters)


def _conflict(conflict: services.SaveConflict, version: int, body: str) -> Response:
    return Response(
        {"detail": str(conflict), "conflict": True, "version": version, "body": body}, status=status.HTTP_409_CONFLICT
    )


class DocumentViewSet(CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Documents. Members read; the secretariat (admins) creates them and changes their settings;
    the status, sign-on and export actions check each person's role in the service."""

    model = Document
    write_role = Role.MEMBER
    serializer_class = DocumentSerializer
    parser_classes = [JSONObjectParser, FormParser, MultiPartParser]

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        documents = Document.objects.for_coalition(coalition).select_related(
            "engagement__review__state", "engagement__review__session", "lead_organisation"
        )
        engagement = self.request.query_params.get("engagement") if self.action == "list" else None
        if engagement:
            documents = documents.filter(engagement=pk) if (pk := parse_id(engagement)) is not None else documents.none()
        if self.request.method == "GET":
            if self.action == "list":  # the list shows each document's summary
                _read_live(coalition, section__isnull=True, document__in=documents.values("pk"))
            elif self.action != "comments" and (pk := parse_id(self.kwargs.get("pk"))) is not None:
                _read_live(coalition, document_id=pk)  # a document, its count, its sign-ons (not its comments)
        return documents

    def _admin(self) -> None:
        _require(self.membership.is_admin)  # type: ignore[union-attr]  # set by CoalitionScopedMixin.initial before any action runs

    @extend_schema(request=DocumentCreateSerializer, responses=DocumentSerializer)
    def create(self, request: Request, **kwargs: Any) -> Response:
        self._admin()
        data = _valid(DocumentCreateSerializer, request, coalition=self.coalition)
        document = self.call_service(services.document_create, coalition=self.coalition, actor=request.user, **data)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DocumentSettingsSerializer, responses=DocumentSerializer)
    def partial_update(self, request: Request, **kwargs: Any) -> Response:
        self._admin()
        document = self.get_object()
        body = DocumentSettingsSerializer(document, data=request.data, partial=True, context={"coalition": self.coalition})
        body.is_valid(raise_exception=True)
        self.call_service(services.document_update, document=document, actor=request.user, data=dict(body.validated_data))
        return Response(DocumentSerializer(document).data)

    @extend_schema(
        responses=inline_serializer("DocumentCount", {"count": CountSerializer(), "checks": CheckSerializer(many=True)})
    )
    @action(detail=True, methods=["get"])
    def count(self, request: Request, **kwargs: Any) -> Response:
        """The word count by part (footnotes and annexes excluded) and the pre-submission check."""
        document = self.get_object()
        page = selectors.document_page(document, with_comments=False)
        exported = document.exports.filter(format="docx", status=ExportStatus.DONE).exists()
        checks = selectors.presubmission_checks(page, deadline=selectors.submission_deadline(document), exported_docx=exported)
        count = page.count
        return Response(
            {
                "count": {
                    "total": count.total,
                    "proposed_total": count.proposed_total,
                    "limit": count.limit,
                    "left": count.left,
                    "over": count.over,
                    "footnotes": count.footnotes,
                    "annex_words": count.annex_words,
                    "budgeted": count.budgeted,
                    "parts": [
                        {
                            "label": p.label,
                            "key": p.key,
                            "counted": p.counted,
                            "footnotes": p.footnotes,
                            "budget": p.budget,
                            "over_budget": p.over_budget,
                            "proposed": p.counted if p.proposed is None else p.proposed,
                        }
                        for p in count.parts
                    ],
                },
                "checks": [{"label": c.label, "ok": c.ok, "detail": c.detail} for c in checks],
            }
        )

    @extend_schema(methods=["get"], responses=BudgetsSerializer)
    @extend_schema(methods=["post"], request=BudgetsSerializer, responses=BudgetsSerializer)
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def budgets(self, request: Request, **kwargs: Any) -> Response:
        """The word budgets of the counted sections; the secretariat (admins) sets several at once, refused
        (400, nothing saved) when they would add up to more than the limit."""
        document = self.get_object()
        if request.method == "POST":
            self._admin()
            data = _valid(BudgetsSerializer, request)
            self.call_service(
                services.document_budgets_set,
                document=document,
                actor=request.user,
                budgets={b["section"]: b["word_budget"] for b in data["budgets"]},
            )
        budgets = selectors.document_budgets(document)
        return Response(
            {
                "limit": budgets.limit,
                "budgeted": budgets.budgeted,
                "budgets": [
                    {
                        "section": r.section.pk,
                        "title": r.section.title,
                        "word_budget": r.budget,
                        "words": r.words,
                        "over_budget": r.over_by > 0,
                    }
                    for r in budgets.rows
                ],
            }
        )

    @extend_schema(responses=CommentSerializer(many=True), parameters=COMMENT_FILTERS[1:])
    @action(detail=True, methods=["get"], pagination_class=None, url_path="comments", url_name="comments")
    def comments(self, request: Request, **kwargs: Any) -> Response:
        """Every thread of the document (replies nested), for its margin: filter by section, resolved or not."""
        document = self.get_object()
        found = comments_filtered(Comment.objects.filter(section__document=document), request.query_params)
        return Response(comment_data(threads(found), membership=self.membership, many=True))  # type: ignore[arg-type]  # set by CoalitionScopedMixin.initial before any action runs

    @extend_schema(request=SummarySaveSerializer, responses=DocumentSerializer)
    @action(detail=True, methods=["post"])
    def summary(self, request: Request, **kwargs: Any) -> Response:
        document = self.get_object()
        data = _valid(SummarySaveSerializer, request)
        try:
            saved = self.call_service(services.summary_save, document=document, membership=self.membership, **data)
        except services.SaveConflict as conflict:
            current = conflict.current
            assert isinstance(current, Document)  # summary_save's conflict carries the document
            return _conflict(conflict, current.summary_version, current.summary)
        return Response(DocumentSerializer(saved).data)

    @extend_schema(request=StatusSerializer, responses=DocumentSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, **kwargs: Any) -> Response:
        """Move the document: draft, in_review, final (within the limit), submitted (frozen); reopening a final one takes a reason."""
        document = self.get_object()
        data = _valid(StatusSerializer, request)
        moved = self.call_service(services.document_set_status, document=document, membership=self.membership, **data)
        return Response(DocumentSerializer(moved).data)

    @extend_schema(methods=["get"], responses=SignOnSerializer(many=True))
    @extend_schema(methods=["post"], request=SignOnRequestSerializer, responses=SignOnSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="sign-ons", url_name="signons", pagination_class=None)
    def sign_ons(self, request: Request, **kwargs: Any) -> Response:
        document = self.get_object()
        if request.method == "POST":
            self._admin()
            ids = _valid(SignOnRequestSerializer, request)["organisations"]
            organisations = [self.scoped(MemberOrganisation, pk) for pk in ids]
            self.call_service(services.signon_request, document=document, actor=request.user, organisations=organisations)
        page = selectors.document_page(Document.objects.get(pk=document.pk), with_comments=False)
        return Response(
            SignOnSerializer(
                page.submitters.sign_ons,
                many=True,
                context={"membership": self.membership, "digests": {document.pk: selectors.text_digest(page)}},
            ).data
        )

    @extend_schema(methods=["get"], responses=ExportJobSerializer(many=True))
    @extend_schema(methods=["post"], request=ExportRequestSerializer, responses=ExportJobSerializer)
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def exports(self, request: Request, **kwargs: Any) -> Response:
        """Queue a Word or PDF export (a task on the exports queue); poll export-jobs/{id}/ for it."""
        document = self.get_object()
        if request.method == "POST":
            if not self.membership.can_edit:  # type: ignore[union-attr]  # set by CoalitionScopedMixin.initial before any action runs
                from rest_framework.exceptions import PermissionDenied

                raise PermissionDenied
            data = _valid(ExportRequestSerializer, request)
            job = self.call_service(services.export_request, document=document, membership=self.membership, **data)
            return Response(ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        return Response(ExportJobSerializer(document.exports.defer("content")[:20], many=True).data)

    @extend_schema(
        request=inline_serializer("DocxUpload", {"file": serializers.FileField()}), responses=SectionSerializer(many=True)
    )
    @action(detail=True, methods=["post"], url_path="import", url_name="import", parser_classes=[MultiPartParser])
    def import_docx(self, request: Request, **kwargs: Any) -> Response:
        """Add the sections of a Word draft (.docx, at most 20 MB): headings 1 start sections, footnotes come across."""
        document = self.get_object()
        _require(self.membership.can_edit)  # type: ignore[union-attr]  # set by CoalitionScopedMixin.initial before any action runs
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": [_("Give a .docx file.")]})
        try:
            imported = read_docx(upload)
        except DocxRefused as error:
            raise serializers.ValidationError({"file": [str(error)]}) from None
        added = self.call_service(services.sections_import, document=document, actor=request.user, imported=imported)
        return Response(SectionSerializer(added, many=True).data, status=status.HTTP_201_CREATED)


class SectionViewSet(CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sections. A save names the version it was edited from: a stale save answers 409 with the
    saved version, and changes nothing. Editors save their assigned sections, admins all."""

    model = Section
    write_role = Role.MEMBER  # comments; the services check who may edit what
    serializer_class = SectionSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        sections = Section.objects.for_coalition(coalition).select_related("document", "working_group")
        document = self.request.query_params.get("document") if self.action == "list" else None
        if document:
            sections = sections.filter(document=pk) if (pk := parse_id(document)) is not None else sections.none()
        if self.request.method == "GET":  # the body as it is now, what was typed live until now included
            if self.action == "list":
                _read_live(coalition, section__in=sections.values("pk"))
            elif self.action != "comments" and (pk := parse_id(self.kwargs.get("pk"))) is not None:
                _read_live(coalition, section_id=pk)
        return sections

    @extend_schema(request=SectionCreateSerializer, responses=SectionSerializer)
    def create(self, request: Request, **kwargs: Any) -> Response:
        _require(self.membership.is_admin)  # type: ignore[union-attr]  # set by CoalitionScopedMixin.initial before any action runs
        data = _valid(SectionCreateSerializer, request, coalition=self.coalition)
        section = self.call_service(services.section_add, actor=request.user, **data)
        return Response(SectionSerializer(section).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SectionSaveSerializer, responses=SectionSerializer)
    def partial_update(self, request: Request, **kwargs: Any) -> Response:
        """Save the text and/or title (editors of the section, admins); the word budget is the secretariat's."""
        section = self.get_object()
        data = _valid(SectionSaveSerializer, request)
        budget_given, budget = "word_budget" in data, data.pop("word_budget", None)
        _require(not budget_given or self.membership.is_admin)  # type: ignore[union-attr]  # set by CoalitionScopedMixin.initial before any action runs
        try:
            with transaction.atomic():  # a budget refused saves no text, and a text refused (409) no budget
                if budget_given:
                    self.call_service(
                        services.document_budgets_set, document=section.document, actor=request.user, budgets={section.pk: budget}
                    )
                saved = section
                if data["body"] is not None or "title" in data:
                    saved = self.call_service(services.section_save, section=section, membership=self.membership, **data)
        except services.SaveConflict as conflict:
            current = conflict.current
            assert isinstance(current, Section)  # section_save's conflict carries the section
            return _conflict(conflict, current.version, current.body)
        saved.refresh_from_db()
        return Response(SectionSerializer(saved).data)

    def destroy(self, request: Request, **kwargs: Any) -> Response:
        _require(self.membership.is_admin)  # type: ignore[union-attr]  # set by CoalitionScopedMixin.initial before any action runs
        self.call_service(services.section_delete, section=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=RevisionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def revisions(self, request: Request, **kwargs: Any) -> Response:
        section = self.get_object()
        return Response(RevisionSerializer(SectionRevision.objects.filter(section=section).order_by("-version"), many=True).data)

    @extend_schema(request=inline_serializer("Restore", {"version": serializers.IntegerField()}), responses=SectionSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, **kwargs: Any) -> Response:
        section = self.get_object()
        version = parse_int(request.data.get("version"), minimum=1, maximum=MAX_ID)
        revision = SectionRevision.objects.filter(section=section, version=version).first() if version else None
        if revision is None:
            raise serializers.ValidationError({"version": [_("No such version of this section.")]})
        restored = self.call_service(services.section_restore, section=section, membership=self.membership, revision=revision)
        return Response(SectionSerializer(restored).data)

    @extend_schema(
        request=inline_serializer(
            "VersionName",
            {"version": serializers.IntegerField(), "name": serializers.CharField(max_length=120, allow_blank=True)},
        ),
        responses=RevisionSerializer,
    )
    @action(detail=True, methods=["post"], url_path="name", url_name="name")
    def name_version(self, request: Request, **kwargs: Any) -> Response:
        """Name, rename or (an empty name) unname a kept version: the section's editors and admins."""
        section = self.get_object()
        version = parse_int(request.data.get("version"), minimum=1, maximum=2**31 - 1)
        revision = SectionRevision.objects.filter(section=section, version=version).first() if version else None
        if revision is None:
            raise serializers.ValidationError({"version": [_("No such version of this section.")]})
        name = request.data.get("name", "")
        if not isinstance(name, str):
            raise serializers.ValidationError({"name": [_("A name is a text of up to 120 characters.")]})
        named = self.call_service(
            services.section_version_name, section=section, membership=self.membership, revision=revision, name=name
        )
        return Response(RevisionSerializer(named).data)

    @extend_schema(methods=["get"], responses=CommentSerializer(many=True), parameters=COMMENT_FILTERS[2:])
    @extend_schema(methods=["post"], request=CommentWriteSerializer, responses=CommentSerializer)
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request: Request, **kwargs: Any) -> Response:
        """The section's threads; a new comment on it or on a passage of it, or (with `parent`) a reply."""
        section = self.get_object()
        if request.method == "POST":
            data = _valid(CommentWriteSerializer, request)
            made = comment_write(self, data, section)
            return Response(comment_data(made, membership=self.membership), status=status.HTTP_201_CREATED)  # type: ignore[arg-type]  # set by CoalitionScopedMixin.initial before any action runs
        found = comments_filtered(Comment.objects.filter(section=section), request.query_params)
        return Response(comment_data(threads(found), membership=self.membership, many=True))  # type: ignore[arg-type]  # set by CoalitionScopedMixin.initial before any action runs


class SignOnViewSet(CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sign-on requests. The organisation's own contact answers (sign or decline, named or not)."""

    model = SignOn
    write_role = Role.MEMBER
    serializer_class = SignOnSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        if self.request.method == "GET":  # each signature is compared with the text as typed live until now
            _read_live(coalition, document__sign_ons__isnull=False)
        return SignOn.objects.for_coalition(coalition).select_related("document", "organisation")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "membership": self.membership}

    @extend_schema(request=SignOnAnswerSerializer, responses=SignOnSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, **kwargs: Any) -> Response:
        data = _valid(SignOnAnswerSerializer, request)
        answered = self.call_service(services.signon_answer, sign_on=self.get_object(), membership=self.membership, **data)
        return Response(SignOnSerializer(answered, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=SignOnSerializer)
    @action(detail=True, methods=["post"])
    def remind(self, request: Request, **kwargs: Any) -> Response:
        """The secretariat reminds an organisation that has not answered: its contacts are emailed again."""
        _require(self.membership.is_admin)  # type: ignore[union-attr]  # set by CoalitionScopedMixin.initial before any action runs
        reminded = self.call_service(services.signon_remind, sign_on=self.get_object(), membership=self.membership)
        return Response(SignOnSerializer(reminded, context=self.get_serializer_context()).data)


class ExportJobViewSet(CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Export jobs: their status and progress, and the file once ready."""

    model = ExportJob
    serializer_class = ExportJobSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        return ExportJob.objects.for_coalition(coalition).defer("content")

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, **kwargs: Any) -> HttpResponse:
        job = self.get_object()
        if job.status != ExportStatus.DONE:
            raise serializers.ValidationError(
                {"status": [_("The export is not ready: %(status)s.") % {"status": job.get_status_display()}]}
            )
        content = ExportJob.objects.values_list("content", flat=True).get(pk=job.pk)
        assert content is not None  # a finished export has its content
        response = HttpResponse(bytes(content), content_type=CONTENT_TYPES[job.format])
        response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
        return response
