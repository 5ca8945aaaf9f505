"""The API of the coalition's draft recommendations (its asks to States) and of an engagement's impact.

Under /api/c/<slug>/: `draft-recommendations/` (CRUD, and `matches/` to confirm or reject that a
State's recommendation takes a draft up) and `engagements/{id}/impact/`. Every write goes through a
service; the coalition comes from the URL and every id in a body is checked against it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coalitions.api import CoalitionScopedMixin
from coalitions.models import Coalition, Engagement, Role
from upr.inputs import parse_id

from . import selectors, services
from .models import DraftRecommendation
from .serializers import (
    DraftRecommendationDetailSerializer,
    DraftRecommendationSerializer,
    ImpactDecisionSerializer,
    ImpactSerializer,
)


class DraftRecommendationViewSet(
    CoalitionScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The coalition's draft recommendations. Any member reads; editors write. Retrieving one adds the
    recommendations States made at the review that take it up (confirmed) or may (suggested)."""

    model = DraftRecommendation
    write_role = Role.EDITOR
    serializer_class = DraftRecommendationSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        drafts = (
            DraftRecommendation.objects.for_coalition(coalition)
            .select_related("engagement__coalition", "engagement__review__state", "engagement__review__session")
            .prefetch_related("states_to_ask")
        )
        if self.action == "list" and (engagement := self.request.query_params.get("engagement")):
            drafts = drafts.filter(engagement=pk) if (pk := parse_id(engagement)) is not None else drafts.none()
        return drafts

    def _with_matches(self, draft: DraftRecommendation) -> dict[str, Any]:
        row = next(r for r in selectors.draft_rows(engagement=draft.engagement) if r.draft.pk == draft.pk)
        row.draft.row = row  # type: ignore[attr-defined]  # read by the row.* fields of DraftRecommendationDetailSerializer
        return DraftRecommendationDetailSerializer(row.draft, context=self.get_serializer_context()).data

    @extend_schema(parameters=[OpenApiParameter("engagement", int, description="Only this engagement's drafts (id).")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=DraftRecommendationDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._with_matches(self.get_object()))

    def perform_create(self, serializer: serializers.BaseSerializer[DraftRecommendation]) -> None:
        data = dict(serializer.validated_data)
        engagement = data.pop("engagement")
        draft = self.call_service(
            services.draft_save, coalition=self.coalition, actor=self.request.user, engagement=engagement, data=data
        )
        serializer.instance = self.get_queryset().get(pk=draft.pk)

    def perform_update(self, serializer: serializers.BaseSerializer[DraftRecommendation]) -> None:
        draft = serializer.instance
        assert draft is not None  # UpdateModelMixin.update gives the serializer the object it updates
        data = {k: v for k, v in serializer.validated_data.items() if k != "engagement"}
        self.call_service(
            services.draft_save,
            coalition=self.coalition,
            actor=self.request.user,
            engagement=draft.engagement,
            data=data,
            draft=draft,
        )
        serializer.instance = self.get_queryset().get(pk=draft.pk)

    def perform_destroy(self, instance: DraftRecommendation) -> None:
        self.call_service(services.draft_delete, coalition=self.coalition, actor=self.request.user, draft=instance)

    @extend_schema(request=ImpactDecisionSerializer, responses=DraftRecommendationDetailSerializer)
    @action(detail=True, methods=["post"])
    def matches(self, request: Request, **kwargs: Any) -> Response:
        """Confirm that a recommendation made at the engagement's review takes up this draft, or reject the match."""
        draft = self.get_object()
        body = ImpactDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        recommendation = body.validated_data["recommendation"]
        if recommendation.review_id != draft.engagement.review_id:
            raise serializers.ValidationError(
                {"recommendation": [_("Choose a recommendation made at this engagement's review.")]}
            )
        self.call_service(
            services.impact_decide,
            coalition=self.coalition,
            actor=request.user,
            draft=draft,
            recommendation=recommendation,
            decision=body.validated_data["decision"],
        )
        return Response(self._with_matches(draft))


class EngagementImpactViewSet(CoalitionScopedMixin, viewsets.GenericViewSet):
    """An engagement's impact: how many of the coalition's asks States took up (read by any member)."""

    model = Engagement
    serializer_class = ImpactSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        return Engagement.objects.for_coalition(coalition).select_related("coalition", "review__state", "review__session")

    @action(detail=True, methods=["get"])
    def impact(self, request: Request, **kwargs: Any) -> Response:
        rows = selectors.draft_rows(engagement=self.get_object())
        return Response(ImpactSerializer(selectors.impact_summary(rows)).data)
