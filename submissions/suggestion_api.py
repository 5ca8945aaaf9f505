"""Suggestions (track changes) of a section through the API, under /api/c/<slug>/sections/<id>/:
`GET suggestions/` lists the open ones (who, what they insert and delete); `POST suggestions/decide/`
accepts or rejects some, or all of one person's. Making a suggestion is typing in the live editor
(submissions/live/PROTOCOL.md); deciding goes through the same service as the page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from coalitions.api import CoalitionScopedMixin
from coalitions.models import Coalition, Role

from . import selectors, services
from .live import store
from .models import Section

SUGGESTION_DECISIONS = [("accept", "accept"), ("reject", "reject")]  # named in the schema's ENUM_NAME_OVERRIDES


class SuggestionSerializer(serializers.Serializer):
    id = serializers.CharField()
    author = serializers.IntegerField(source="author_id", allow_null=True)
    author_name = serializers.CharField()
    inserted = serializers.CharField()
    deleted = serializers.CharField()


class SuggestionDecisionSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=SUGGESTION_DECISIONS)
    ids = serializers.ListField(child=serializers.CharField(max_length=80), max_length=500, required=False, default=list)
    author = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["ids"] and attrs["author"] is None:
            raise serializers.ValidationError(_("Name the suggestions (ids) or their author."))
        return attrs


class SuggestionDecidedSerializer(serializers.Serializer):
    decided = serializers.IntegerField()
    accepted = serializers.BooleanField()


class SectionSuggestionViewSet(CoalitionScopedMixin, viewsets.GenericViewSet):
    model = Section
    write_role = Role.EDITOR  # and the section's own editors only (services.can_decide_suggestions)
    serializer_class = SuggestionSerializer
    pagination_class = None  # a section's open suggestions: a short list, given whole

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        return Section.objects.for_coalition(coalition).select_related("document")

    @extend_schema(responses=SuggestionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="suggestions")
    def suggestions(self, request: Request, **kwargs: Any) -> Response:
        section = self.get_object()
        found = services.suggestions_of_text(section.document, store.section_room(section.pk))
        names = selectors.people_labels(self.coalition, self.membership)  # type: ignore[arg-type]  # set by CoalitionScopedMixin.initial before any action runs
        rows = [
            {
                "id": s.id,
                "author_id": s.author_id,
                "author_name": names.get(str(s.author_id), ""),
                "inserted": s.inserted,
                "deleted": s.deleted,
            }
            for s in found
        ]
        return Response(SuggestionSerializer(rows, many=True).data)

    @extend_schema(request=SuggestionDecisionSerializer, responses=SuggestionDecidedSerializer)
    @action(detail=True, methods=["post"], url_path="suggestions/decide")
    def decide(self, request: Request, **kwargs: Any) -> Response:
        section = self.get_object()
        body = SuggestionDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            result = self.call_service(
                services.suggestions_decide,
                document=section.document,
                membership=self.membership,
                room=store.section_room(section.pk),
                accept=data["verdict"] == "accept",
                ids=data["ids"],
                author_id=data["author"],
            )
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return Response(SuggestionDecidedSerializer({"decided": result.decided, "accepted": result.accepted}).data)
