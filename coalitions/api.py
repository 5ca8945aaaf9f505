"""The coalition API. Every view under /api/c/<slug>/ inherits CoalitionScopedMixin (a guard test checks it)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.requests import caller

from . import selectors, services
from .models import (
    AuditEvent,
    Coalition,
    Engagement,
    Invitation,
    MemberOrganisation,
    Membership,
    Milestone,
    Role,
    WorkingGroup,
)
from .serializers import (
    AuditEventSerializer,
    CoalitionSerializer,
    EngagementSerializer,
    InvitationSerializer,
    MembershipSerializer,
    MilestoneUpdateSerializer,
    OrganisationSerializer,
    TimelineEntrySerializer,
    WorkingGroupSerializer,
)
from .tenancy import COALITION_KWARG, membership_for
from .withheld import visible_organisations

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def as_drf_error(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


def form_refused(form: Any) -> serializers.ValidationError:
    """A Django form's errors as the API's 400: the same messages the page shows, by field."""
    return serializers.ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})


class CoalitionScopedMixin:
    """Resolve the coalition from the URL after DRF has authenticated the caller; 404 to non-members.

    `read_role` and `write_role` are the least roles for reading and for changing. Querysets come
    from `queryset_for(coalition)`, so no view can forget the coalition filter.
    """

    model: type[models.Model]
    read_role: str = Role.OBSERVER
    write_role: str = Role.ADMIN
    coalition: Coalition | None = None
    membership: Membership | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # a mixin: the DRF view after it in the MRO has initial()
        self.membership = membership_for(request.user, kwargs[COALITION_KWARG])
        self.coalition = self.membership.coalition
        needed = self.read_role if request.method in SAFE_METHODS else self.write_role
        if not self.membership.has_role(needed):
            raise PermissionDenied

    @property
    def actor(self) -> User:
        """The member making the request: initial() let no one else through (membership_for refuses
        anyone not signed in with 404)."""
        return caller(self.request)  # type: ignore[attr-defined]  # a mixin: the DRF view after it in the MRO has .request

    def get_queryset(self) -> QuerySet:
        if self.coalition is None:  # schema generation runs without a request's coalition
            return self.model.objects.none()  # type: ignore[attr-defined]  # every `model` of these views has an `objects` manager
        return self.queryset_for(self.coalition)

    def get_serializer_context(self) -> dict[str, Any]:
        """Serializers limit related ids to this coalition (coalitions.serializers.CoalitionScopedFieldsMixin)."""
        return {**super().get_serializer_context(), "coalition": getattr(self, "coalition", None)}  # type: ignore[misc]  # a mixin: the DRF view after it in the MRO defines it

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        return self.model.objects.for_coalition(coalition)  # type: ignore[attr-defined]  # a coalition-owned model: CoalitionOwnedQuerySet; others override queryset_for

    def scoped(self, model: type[models.Model], pk: Any) -> Any:
        """A related object named by id in the request body: only this coalition's, else a validation error."""
        if pk is None:
            return None
        obj = model.objects.filter(coalition=self.coalition, pk=pk).first()  # type: ignore[attr-defined]  # a coalition-owned model, with `objects`
        if obj is None:
            # (a model class always has a model_name: the `or ""` only tells the checker)
            raise serializers.ValidationError({model._meta.model_name or "": [_("Unknown id.")]})
        return obj

    def call_service(self, service: Any, **kwargs: Any) -> Any:
        try:
            return service(**kwargs)
        except DjangoValidationError as error:
            raise as_drf_error(error) from None


class CoalitionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The coalitions the caller belongs to, with the caller's role. Creating one makes the caller its admin."""

    serializer_class = CoalitionSerializer

    def get_queryset(self) -> QuerySet[Coalition]:
        if getattr(self, "swagger_fake_view", False):
            return Coalition.objects.none()
        user = caller(self.request)
        role = Membership.objects.filter(coalition=models.OuterRef("pk"), user=user).values("role")[:1]
        return Coalition.objects.annotate(my_role=models.Subquery(role)).filter(my_role__isnull=False).order_by("name")

    def perform_create(self, serializer: serializers.BaseSerializer[Coalition]) -> None:
        creator = caller(self.request)
        try:
            coalition = services.coalition_create(creator=creator, **serializer.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from None
        coalition.my_role = Role.ADMIN  # type: ignore[attr-defined]  # what get_queryset annotate()s, read by CoalitionSerializer.get_role
        serializer.instance = coalition


class OrganisationViewSet(
    CoalitionScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = MemberOrganisation
    serializer_class = OrganisationSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        """An observer gets no withheld organisation (coalitions.withheld); its id answers 404."""
        return visible_organisations(MemberOrganisation.objects.for_coalition(coalition), self.membership)

    def perform_create(self, serializer: serializers.BaseSerializer[MemberOrganisation]) -> None:
        serializer.instance = self.call_service(
            services.organisation_save, coalition=self.coalition, actor=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer: serializers.BaseSerializer[MemberOrganisation]) -> None:
        assert serializer.instance is not None  # an update always has the object it updates
        fresh = MemberOrganisation.objects.get(pk=serializer.instance.pk)
        serializer.instance = self.call_service(
            services.organisation_save,
            coalition=self.coalition,
            actor=self.request.user,
            data=dict(serializer.validated_data),
            organisation=fresh,
        )


class MembershipViewSet(
    CoalitionScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """People in the coalition. PATCH changes a role or organisation; DELETE removes the person at once."""

    model = Membership
    serializer_class = MembershipSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        return selectors.membership_list(coalition=coalition)

    def perform_update(self, serializer: serializers.BaseSerializer[Membership]) -> None:
        data = serializer.validated_data
        membership = serializer.instance
        assert membership is not None  # an update always has the object it updates
        organisation = data.get("organisation", membership.organisation)
        self.scoped(MemberOrganisation, organisation.pk if organisation else None)
        serializer.instance = self.call_service(
            services.membership_update,
            membership=membership,
            actor=self.request.user,
            role=data.get("role", membership.role),
            organisation=organisation,
        )

    def perform_destroy(self, instance: Membership) -> None:
        self.call_service(services.membership_remove, membership=instance, actor=self.request.user)


class WorkingGroupViewSet(
    CoalitionScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = WorkingGroup
    serializer_class = WorkingGroupSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        return selectors.working_group_list(coalition=coalition)

    def _save(self, serializer: serializers.BaseSerializer[WorkingGroup], group: WorkingGroup | None) -> None:
        data = serializer.validated_data
        lead = data.get("lead", group.lead if group else None)
        members = data.get("members", list(group.members.all()) if group else [])
        self.scoped(Membership, lead.pk if lead else None)
        for person in members:
            self.scoped(Membership, person.pk)
        serializer.instance = self.call_service(
            services.working_group_save,
            coalition=self.coalition,
            actor=self.request.user,
            group=group,
            name=data.get("name", group.name if group else ""),
            theme=data.get("theme", group.theme if group else ""),
            lead=lead,
            members=members,
        )

    def perform_create(self, serializer: serializers.BaseSerializer[WorkingGroup]) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: serializers.BaseSerializer[WorkingGroup]) -> None:
        self._save(serializer, serializer.instance)


class InvitationViewSet(
    CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Invitations by email. The token is emailed, never returned."""

    model = Invitation
    serializer_class = InvitationSerializer
    read_role = Role.ADMIN

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        return selectors.invitation_list(coalition=coalition)

    def perform_create(self, serializer: serializers.BaseSerializer[Invitation]) -> None:
        data = serializer.validated_data
        organisation = data.get("organisation")
        self.scoped(MemberOrganisation, organisation.pk if organisation else None)
        invitation, _token = self.call_service(
            services.invitation_create,
            coalition=self.coalition,
            actor=self.request.user,
            email=data["email"],
            role=data["role"],
            organisation=organisation,
        )
        serializer.instance = invitation

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, **kwargs: Any) -> Response:
        invitation = services.invitation_revoke(invitation=self.get_object(), actor=self.actor)
        return Response(InvitationSerializer(invitation).data)


class EngagementViewSet(
    CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The coalition's engagements, one per review, and their timelines."""

    model = Engagement
    serializer_class = EngagementSerializer

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        return selectors.engagement_list(coalition=coalition)

    def perform_create(self, serializer: serializers.BaseSerializer[Engagement]) -> None:
        serializer.instance = self.call_service(
            services.engagement_create,
            coalition=self.coalition,
            actor=self.request.user,
            review=serializer.validated_data["review"],
        )

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request: Request, **kwargs: Any) -> Response:
        entries = selectors.engagement_timeline(engagement=self.get_object())
        return Response(TimelineEntrySerializer(entries, many=True).data)

    @extend_schema(request=MilestoneUpdateSerializer, responses=TimelineEntrySerializer)
    @action(detail=True, methods=["patch"], url_path=r"milestones/(?P<milestone_id>\d+)")
    def milestone(self, request: Request, milestone_id: str, **kwargs: Any) -> Response:
        """Override a milestone's date for this coalition (null returns to the computed date)."""
        engagement = self.get_object()
        milestone = Milestone.objects.filter(coalition=self.coalition, engagement=engagement, pk=milestone_id).first()
        if milestone is None:
            from django.http import Http404

            raise Http404
        body = MilestoneUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.milestone_set_date(
            milestone=milestone,
            actor=self.actor,
            date=body.validated_data.get("date", milestone.override_date),
            note=body.validated_data.get("note", ""),
        )
        entry = next(e for e in selectors.engagement_timeline(engagement=engagement) if e.milestone.pk == milestone.pk)
        return Response(TimelineEntrySerializer(entry).data)


class AuditEventViewSet(CoalitionScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who changed what in the coalition, newest first."""

    model = AuditEvent
    serializer_class = AuditEventSerializer
    read_role = Role.ADMIN

    def queryset_for(self, coalition: Coalition) -> QuerySet:
        return selectors.audit_list(coalition=coalition)
