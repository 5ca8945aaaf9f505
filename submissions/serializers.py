"""API shapes of the coalition's draft recommendations, their matches and the engagement's impact."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coalitions.models import Engagement, WorkingGroup
from coalitions.serializers import CoalitionScopedFieldsMixin
from recommendations.models import LinkDecision, Recommendation, Response
from recommendations.serializers import StateBriefSerializer
from upr.models import State

from .models import DraftRecommendation


class DraftRecommendationSerializer(CoalitionScopedFieldsMixin, serializers.ModelSerializer):
    """A draft recommendation. `engagement` and `working_group` must be the coalition's; the engagement
    is set on creation and does not change."""

    scoped_fields = {"engagement": Engagement, "working_group": WorkingGroup}

    engagement = serializers.PrimaryKeyRelatedField(queryset=Engagement.objects.none())
    states_to_ask = serializers.SlugRelatedField(
        slug_field="iso3",
        many=True,
        required=False,
        queryset=State.objects.all(),
        help_text="ISO 3166 alpha-3 codes of the States the coalition will ask to make it.",
    )
    follows_up = serializers.PrimaryKeyRelatedField(
        queryset=Recommendation.objects.select_related("review__session"),
        required=False,
        allow_null=True,
        help_text="A recommendation the same State under Review received in an earlier review.",
    )
    working_group = serializers.PrimaryKeyRelatedField(queryset=WorkingGroup.objects.none(), required=False, allow_null=True)

    class Meta:
        model = DraftRecommendation
        fields = [
            "id",
            "engagement",
            "text",
            "responsible_actor",
            "indicator",
            "timeframe",
            "states_to_ask",
            "follows_up",
            "working_group",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        draft: DraftRecommendation | None = self.instance
        engagement: Engagement = attrs.get("engagement") or draft.engagement  # type: ignore[union-attr]  # without a draft (a create), `engagement` is a required field
        if draft is not None and engagement.pk != draft.engagement_id:
            raise serializers.ValidationError({"engagement": [_("A draft recommendation stays in its engagement.")]})
        review = engagement.review
        if any(state.pk == review.state_id for state in attrs.get("states_to_ask", [])):
            raise serializers.ValidationError(
                {"states_to_ask": [_("The State under Review is not asked to recommend to itself.")]}
            )
        earlier = attrs.get("follows_up")
        if earlier is not None and (
            earlier.review.state_id != review.state_id or earlier.review.session.number >= review.session.number
        ):
            raise serializers.ValidationError(
                {"follows_up": [_("Choose a recommendation the State under Review received in an earlier review.")]}
            )
        return attrs


class MatchSerializer(serializers.Serializer):
    """A State's recommendation that takes up the draft (confirmed) or may (suggested, with its score)."""

    recommendation = serializers.IntegerField(source="recommendation.pk", read_only=True)
    paragraph = serializers.CharField(source="recommendation.paragraph", read_only=True)
    text = serializers.CharField(source="recommendation.text", read_only=True)
    recommending_states = StateBriefSerializer(source="recommendation.recommending_states", many=True, read_only=True)
    response = serializers.ChoiceField(source="recommendation.response", choices=Response.choices, read_only=True)
    score = serializers.FloatField(read_only=True, allow_null=True)
    decision = serializers.ChoiceField(choices=[("", ""), *LinkDecision.choices], read_only=True)


class SmartChecklistSerializer(serializers.Serializer):
    """Which parts of a SMART recommendation the draft states."""

    action = serializers.BooleanField(read_only=True)
    actor = serializers.BooleanField(read_only=True)
    indicator = serializers.BooleanField(read_only=True)
    timeframe = serializers.BooleanField(read_only=True)
    states = serializers.BooleanField(read_only=True)


class DraftRecommendationDetailSerializer(DraftRecommendationSerializer):
    """A draft with what `selectors.draft_rows` found for it: give the draft with its row as `draft.row`."""

    category = serializers.IntegerField(
        source="row.category", read_only=True, help_text="UPR Info action category suggested from the draft's first verb."
    )
    smart = SmartChecklistSerializer(source="row.smart", read_only=True)
    confirmed = MatchSerializer(source="row.confirmed", many=True, read_only=True)
    suggested = MatchSerializer(source="row.suggested", many=True, read_only=True)

    class Meta(DraftRecommendationSerializer.Meta):
        fields = [*DraftRecommendationSerializer.Meta.fields, "category", "smart", "confirmed", "suggested"]


class ImpactDecisionSerializer(serializers.Serializer):
    """Confirm that a recommendation of the engagement's review takes up the draft, or reject the match."""

    recommendation = serializers.PrimaryKeyRelatedField(queryset=Recommendation.objects.all())
    decision = serializers.ChoiceField(choices=LinkDecision.choices)


class StateAsksSerializer(serializers.Serializer):
    iso3 = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    asks = serializers.IntegerField(read_only=True, help_text="How many of the coalition's asks this State made.")


class ImpactSerializer(serializers.Serializer):
    """How many of the coalition's asks States took up, which States, and the responses they received."""

    asks = serializers.IntegerField(read_only=True)
    taken_up = serializers.IntegerField(read_only=True)
    by_state = serializers.SerializerMethodField()
    by_response = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Confirmed matches by the response they received (supported, noted, supported_in_part, pending).",
    )

    @extend_schema_field(StateAsksSerializer(many=True))
    def get_by_state(self, impact: Any) -> list[dict[str, Any]]:
        data = StateAsksSerializer([{"iso3": s.iso3, "name": s.name, "asks": n} for s, n in impact.by_state], many=True).data
        return cast(list[dict[str, Any]], data)  # many=True makes a ListSerializer, whose data is a list
