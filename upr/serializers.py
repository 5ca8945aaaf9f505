from __future__ import annotations

from rest_framework import serializers

from .models import Review, Session, State


class StateSerializer(serializers.ModelSerializer):
    class Meta:
        model = State
        fields = ["id", "iso3", "name", "regional_group", "is_member_state", "aliases"]


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Session
        fields = ["id", "number", "cycle", "start_date", "end_date", "stakeholder_deadline", "hrc_adoption_session"]


class ReviewSerializer(serializers.ModelSerializer):
    state: serializers.SlugRelatedField[State] = serializers.SlugRelatedField(slug_field="iso3", read_only=True)
    state_name = serializers.CharField(source="state.name", read_only=True)
    session = serializers.IntegerField(source="session.number", read_only=True)
    troika: serializers.SlugRelatedField[State] = serializers.SlugRelatedField(slug_field="iso3", many=True, read_only=True)

    class Meta:
        model = Review
        fields = ["id", "state", "state_name", "session", "position", "review_date", "report_symbol", "troika"]
