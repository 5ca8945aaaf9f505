"""API shapes. The coalition is never read from the client: views inject it."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from upr.models import Review

from .models import (
    MILESTONE_KIND_CHOICES,
    AuditEvent,
    Coalition,
    Engagement,
    Invitation,
    MemberOrganisation,
    Membership,
    Role,
    WorkingGroup,
)


class CoalitionScopedFieldsMixin:
    """Limit the related fields named in `scoped_fields` to the coalition in the serializer's context.

    Why: an id of another coalition's object must be refused exactly like an id that does not exist
    (400, "Invalid pk"), so that the answer tells nothing about other coalitions. Without a coalition
    in the context (schema generation) the fields accept nothing.
    """

    scoped_fields: dict[str, type[models.Model]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        coalition = self.context.get("coalition")  # type: ignore[attr-defined]  # a mixin for serializers: they have `context`
        for name, model in self.scoped_fields.items():
            field = self.fields[name]  # type: ignore[attr-defined]  # a mixin for serializers: they have `fields`
            field = getattr(field, "child_relation", field)
            objects = model.objects  # type: ignore[attr-defined]  # a coalition-owned model: CoalitionOwnedQuerySet
            field.queryset = objects.for_coalition(coalition) if coalition else objects.none()


class CoalitionSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Coalition
        fields = ["id", "name", "slug", "description", "created_at", "role"]
        read_only_fields = ["id", "created_at", "role"]

    def get_role(self, coalition: Coalition) -> str | None:
        return getattr(coalition, "my_role", None)


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = MemberOrganisation
        fields = ["id", "name", "acronym", "website", "activities", "established_on", "ecosoc_status", "withheld", "created_at"]
        read_only_fields = ["id", "created_at"]


class MembershipSerializer(CoalitionScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"organisation": MemberOrganisation}
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "role", "organisation", "joined_at"]
        read_only_fields = ["id", "email", "name", "joined_at"]

    def to_representation(self, instance: Membership) -> dict[str, Any]:
        """To an observer, a person who speaks for a withheld organisation speaks for none (coalitions.withheld)."""
        from .withheld import organisation_id_for

        data = super().to_representation(instance)
        data["organisation"] = organisation_id_for(instance.organisation, getattr(self.context.get("view"), "membership", None))
        return data


class WorkingGroupSerializer(CoalitionScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"lead": Membership, "members": Membership}

    class Meta:
        model = WorkingGroup
        fields = ["id", "name", "theme", "lead", "members"]
        read_only_fields = ["id"]


class InvitationSerializer(CoalitionScopedFieldsMixin, serializers.ModelSerializer):
    scoped_fields = {"organisation": MemberOrganisation}
    status = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)

    class Meta:
        model = Invitation
        fields = ["id", "email", "organisation", "role", "status", "created_at", "expires_at", "accepted_at", "revoked_at"]
        read_only_fields = ["id", "status", "created_at", "expires_at", "accepted_at", "revoked_at"]


class TimelineEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="milestone.pk")
    kind = serializers.ChoiceField(source="milestone.kind", choices=MILESTONE_KIND_CHOICES, read_only=True)
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field (the metaclass moves it into _declared_fields), not Field.label
    date = serializers.DateField(allow_null=True)
    default_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    overridden = serializers.BooleanField()
    note = serializers.CharField(source="milestone.note")


class EngagementSerializer(serializers.ModelSerializer):
    review = serializers.PrimaryKeyRelatedField(queryset=Review.objects.all())
    state = serializers.CharField(source="review.state.name", read_only=True)
    session = serializers.IntegerField(source="review.session.number", read_only=True)
    review_date = serializers.DateField(source="review.review_date", read_only=True, allow_null=True)

    class Meta:
        model = Engagement
        fields = ["id", "review", "state", "session", "review_date", "created_at"]
        read_only_fields = ["id", "created_at"]


class MilestoneUpdateSerializer(serializers.Serializer):
    date = serializers.DateField(allow_null=True, required=False)
    note = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor.email", read_only=True, default=None, allow_null=True)
    action_label = serializers.CharField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor", "action", "action_label", "target_type", "target_id", "target_label", "changes"]
