"""The recommendations API under /api/c/<slug>/recommendations/: the shared recommendations, each with
the coalition's own record, and the writes an editor makes (ours, later response, action category,
cross-cycle links). Every write goes through `services`; the coalition comes from the URL."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from coalitions.api import CoalitionScopedMixin
from coalitions.models import Coalition, Membership, Role

from . import filters, selectors, services, shared_imports
from .file_import import ImportRefused
from .models import Recommendation, SharedImportStatus
from .serializers import (
    ActionCategorySerializer,
    EarlierLinkDecisionSerializer,
    ImportUploadSerializer,
    OursUpdateSerializer,
    RecommendationDetailSerializer,
    RecommendationRowSerializer,
    ResponseCreateSerializer,
    SharedImportSerializer,
)
from .views.imports import importable_reviews


def filter_parameters() -> list[OpenApiParameter]:
    """The list's query parameters, from recommendations.filters, which the HTML list reads too:
    the API and the page cannot drift apart (the same names, the same fixed choices)."""
    kinds = {"flag": bool, "number": int, "working_group": int}
    parameters = []
    for spec in filters.FILTERS:
        kind = kinds.get(spec.kind, int if spec.coerce is int else str)
        fixed = [value for value, _label in spec.choices]
        description = f"{spec.label} ({spec.hint})" if spec.hint else str(spec.label)
        parameters.append(OpenApiParameter(spec.name, kind, OpenApiParameter.QUERY, description=description, enum=fixed or None))
    return parameters


class RecommendationViewSet(CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recommendations States made at reviews, with this coalition's priority, notes and working group.

    The recommendations are shared reference data (every coalition reads the same rows); the records on
    them is read and written for the coalition in the URL only. Any member reads; editors write.
    """

    model = Recommendation
    # Set by CoalitionScopedMixin.initial() before any action runs (None only while the schema is made, when none runs).
    coalition: Coalition
    membership: Membership
    write_role = Role.EDITOR
    serializer_class = RecommendationRowSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        return Recommendation.objects.select_related("review__state", "review__session")

    def _valid(self, serializer_class: type[serializers.Serializer], *, partial: bool = False) -> dict[str, Any]:
        body = serializer_class(data=self.request.data, context=self.get_serializer_context(), partial=partial)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def _detail(self, recommendation: Recommendation) -> dict[str, Any]:
        detail = selectors.recommendation_detail(coalition=self.coalition, recommendation=recommendation)
        return RecommendationDetailSerializer(detail, context=self.get_serializer_context()).data

    @extend_schema(parameters=filter_parameters())
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The filtered, sorted list, paginated; an invalid filter answers 400 with the reason beside its name."""
        read = filters.read(request.query_params, self.coalition)
        if read.errors:
            raise serializers.ValidationError(read.errors)
        found = selectors.recommendation_search(coalition=self.coalition, filters=read.filters)
        # Joined and prefetched before the page is cut: the page's size does not change the query count.
        page = self.paginate_queryset(
            found.select_related("review__state", "review__session").prefetch_related("recommending_states")
        )
        rows = selectors.rows_for(page, coalition=self.coalition)
        return self.get_paginated_response(RecommendationRowSerializer(rows, many=True).data)

    @extend_schema(responses=RecommendationDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One recommendation: its States, response history, tags, this coalition's own record and its
        links to other cycles with this coalition's decisions."""
        return Response(self._detail(self.get_object()))

    @extend_schema(request=OursUpdateSerializer, responses=RecommendationDetailSerializer)
    @action(detail=True, methods=["patch"], url_path="layer", url_name="layer")  # the API's names, kept for its clients
    def ours(self, request: Request, **kwargs: Any) -> Response:
        """Set this coalition's priority, notes or working group (send any of them)."""
        recommendation = self.get_object()
        body = self._valid(OursUpdateSerializer, partial=True)
        self.call_service(services.ours_save, coalition=self.coalition, actor=self.actor, recommendation=recommendation, **body)
        return Response(self._detail(recommendation))

    def _shared_allowed(self, body: dict[str, Any]) -> bool:
        """`shared` asks to change what every coalition reads: site staff only (403 for anyone else)."""
        if body.get("shared") and not self.request.user.is_staff:
            raise PermissionDenied(
                _("Only the site staff change the shared data; leave out `shared` to record your coalition's own.")
            )
        return bool(body.get("shared"))

    @extend_schema(request=ResponseCreateSerializer, responses={201: RecommendationDetailSerializer})
    @action(detail=True, methods=["post"])
    def responses(self, request: Request, **kwargs: Any) -> Response:
        """Record a response the State gave later, as this coalition reads it (its own record's `reading`,
        beside the shared response, which stays as it is). Site staff may send `shared` to record it
        for every coalition; the earlier responses stay in the history."""
        recommendation = self.get_object()
        body = self._valid(ResponseCreateSerializer)
        service = services.response_record if self._shared_allowed(body) else services.reading_record
        self.call_service(
            service,
            coalition=self.coalition,
            actor=self.actor,
            recommendation=recommendation,
            response=body["response"],
            source=body["source"],
            stated_on=body.get("stated_on"),
        )
        return Response(self._detail(recommendation), status=status.HTTP_201_CREATED)

    # Single-word url names ("recommendation-category"): the tenancy guard test reads the basename
    # from a route's name up to its last hyphen.
    @extend_schema(request=ActionCategorySerializer, responses=RecommendationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="action-category", url_name="category")
    def action_category(self, request: Request, **kwargs: Any) -> Response:
        """Set this coalition's own action category (1-5), beside the shared one; site staff may send
        `shared` to confirm the shared one (a later import keeps it)."""
        recommendation = self.get_object()
        body = self._valid(ActionCategorySerializer)
        if self._shared_allowed(body):
            self.call_service(
                services.action_category_set,
                coalition=self.coalition,
                actor=self.actor,
                recommendation=recommendation,
                category=body["category"],
            )
        else:
            self.call_service(
                services.ours_save,
                coalition=self.coalition,
                actor=self.actor,
                recommendation=recommendation,
                action_category=body["category"],
            )
        return Response(self._detail(recommendation))

    # --- imports into the shared recommendations (recommendations.shared_imports) -----------------

    def _admin(self) -> None:
        if not self.membership.has_role(Role.ADMIN):
            raise PermissionDenied

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        parameters=[
            OpenApiParameter(
                "dry_run", bool, OpenApiParameter.QUERY, description="Only show what the import would change; nothing is stored."
            )
        ],
        responses={200: SharedImportSerializer, 201: SharedImportSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request, **kwargs: Any) -> Response:
        """Import a file into the shared recommendations (admins). It is first verified against the
        chosen review (a mismatch answers 400 naming what the file says and what was chosen); with
        `dry_run=1` the answer says what would change and nothing does. An import is recorded and can
        be undone (imports/{id}/undo/)."""
        self._admin()
        body = ImportUploadSerializer(data=request.data, reviews=importable_reviews(self.coalition))
        body.is_valid(raise_exception=True)
        upload, review = body.validated_data["file"], body.validated_data.get("review")
        dry_run = request.query_params.get("dry_run", "").lower() in {"1", "true", "yes"}
        try:
            outcome = shared_imports.shared_import_start(
                content=upload.read(),
                name=upload.name,
                review=review,
                mode=body.validated_data["mode"],
                actor=self.actor,
                coalition=self.coalition,
                dry_run=dry_run,
            )
        except (ImportRefused, shared_imports.ImportNotAllowed) as error:
            raise serializers.ValidationError({"file": [str(error)]}) from None
        data = SharedImportSerializer(
            outcome.record, context={**self.get_serializer_context(), "problems": outcome.report.problems}
        ).data
        applied = outcome.record.status == SharedImportStatus.APPLIED
        return Response(data, status=status.HTTP_201_CREATED if applied else status.HTTP_200_OK)

    @extend_schema(responses=SharedImportSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="imports", url_name="imports", pagination_class=None)
    def imports(self, request: Request, **kwargs: Any) -> Response:
        """The imports into the shared recommendations of every State this coalition follows, newest first
        (the latest 100), whoever ran them: nobody is surprised by a change."""
        records = list(shared_imports.imports_for(coalition=self.coalition)[:100])
        return Response(SharedImportSerializer(records, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        request=None,
        responses=SharedImportSerializer,
        parameters=[OpenApiParameter("import_id", int, OpenApiParameter.PATH, description="The import's id.")],
    )
    @action(detail=False, methods=["post"], url_path=r"imports/(?P<import_id>[0-9]+)/undo", url_name="undo")
    def undo_import(self, request: Request, import_id: str, **kwargs: Any) -> Response:
        """Undo an import run through this coalition (or any, for site staff): the shared rows are as
        they were before it. Another coalition's import answers 404, like one that does not exist."""
        self._admin()
        record = shared_imports.undoable_for(pk=import_id, actor=self.actor, coalition=self.coalition)
        if record is None:
            raise NotFound
        record = self.call_service(shared_imports.shared_import_undo, record=record, actor=self.actor, coalition=self.coalition)
        return Response(SharedImportSerializer(record, context=self.get_serializer_context()).data)

    @extend_schema(request=EarlierLinkDecisionSerializer, responses=RecommendationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="earlier-links", url_name="earlier")
    def earlier_links(self, request: Request, **kwargs: Any) -> Response:
        """Confirm or reject that an earlier-cycle recommendation is what this one repeats."""
        recommendation = self.get_object()
        body = self._valid(EarlierLinkDecisionSerializer)
        self.call_service(
            services.cross_cycle_decide,
            coalition=self.coalition,
            actor=self.actor,
            recommendation=recommendation,
            earlier=body["earlier"],
            decision=body["decision"],
        )
        return Response(self._detail(recommendation))
