"""The engagement's working plan through the API: tasks, consultations, the advocacy log, the week's
dashboard, what the lobbying came to, the review and adoption details, and the coalition's calendar feed.

Writes go through the same forms and services as the pages, so both refuse the same input with the
same messages; every view inherits CoalitionScopedMixin (the tenancy guard's tests check it).
"""

from __future__ import annotations

from typing import Any

from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from coalitions import selectors
from coalitions.api import CoalitionScopedMixin, form_refused
from coalitions.models import Coalition, Engagement, Membership, Role
from coalitions.withheld import organisation_id_for, sees_withheld
from upr.inputs import parse_id

from . import advocacy, advocacy_outcome, feeds, work_plan
from .models import AdvocacyMeeting, Consultation, Task
from .my_api import FeedCreateSerializer, FeedSerializer

# --- shapes ---------------------------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    owner: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The person's user id."
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "engagement",
            "title",
            "due_at",
            "time_zone",
            "all_day",
            "owner",
            "organisation",
            "working_group",
            "milestone",
            "document",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "due_at", "all_day", "owner", "created_at", "updated_at"]

    def to_representation(self, instance: Task) -> dict[str, Any]:
        """To an observer, a task of a withheld organisation names none (coalitions.withheld)."""
        data = super().to_representation(instance)
        data["organisation"] = organisation_id_for(instance.organisation, getattr(self.context.get("view"), "membership", None))
        return data


class TaskWriteSerializer(serializers.Serializer):
    """What a task is created or changed with (the web form's fields: `owner` is a membership id)."""

    engagement = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()
    due_time = serializers.TimeField(
        required=False, allow_null=True, help_text="Omitted: 15:00. Null: due on that day, at no particular time."
    )
    time_zone = serializers.CharField(required=False)
    owner = serializers.IntegerField(required=False, allow_null=True, help_text="A membership id.")
    organisation = serializers.IntegerField(required=False, allow_null=True)
    working_group = serializers.IntegerField(required=False, allow_null=True)
    milestone = serializers.IntegerField(required=False, allow_null=True)
    document = serializers.IntegerField(required=False, allow_null=True)


class TaskStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", "done"])


class ConsultationSerializer(serializers.ModelSerializer):
    follow_up_due = serializers.DateField(required=False, allow_null=True, write_only=True)
    follow_up_task: serializers.PrimaryKeyRelatedField[Task] = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "engagement",
            "kind",
            "held_on",
            "place",
            "online",
            "organiser",
            "attended",
            "issues_raised",
            "our_input",
            "follow_up",
            "follow_up_due",
            "follow_up_task",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "follow_up_task", "created_at", "updated_at"]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """To an observer, `attended` lists no withheld organisation (coalitions.withheld)."""
        data = super().to_representation(instance)
        view = self.context.get("view")
        if not sees_withheld(getattr(view, "membership", None)):
            data["attended"] = [o.pk for o in instance.attended.all() if not o.withheld]
        return data


class AdvocacyMeetingSerializer(serializers.ModelSerializer):
    follow_up_due = serializers.DateField(required=False, allow_null=True, write_only=True)
    follow_up_task: serializers.PrimaryKeyRelatedField[Task] = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    state_iso3 = serializers.CharField(source="state.iso3", read_only=True)

    class Meta:
        model = AdvocacyMeeting
        fields = [
            "id",
            "engagement",
            "state",
            "state_iso3",
            "venue",
            "met_on",
            "person_met",
            "issues_raised",
            "themes",
            "documents",
            "drafts",
            "follow_up",
            "follow_up_due",
            "follow_up_task",
            "outcome",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "follow_up_task", "created_at", "updated_at"]


class DeadlineSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field: DRF's metaclass moves it out of the class, so it never shadows Field.label
    due_at = serializers.DateTimeField()
    day = serializers.DateField(allow_null=True, help_text="Set when the deadline is a day, not an instant: show the day alone.")


class WeekSerializer(serializers.Serializer):
    week = DeadlineSerializer(many=True)
    overdue = DeadlineSerializer(many=True)
    next_milestone = serializers.DictField(allow_null=True)
    submission = serializers.DictField(allow_null=True)


class StateOutcomeSerializer(serializers.Serializer):
    state = serializers.CharField(source="state.iso3")
    state_name = serializers.CharField(source="state.name")
    meetings = serializers.SerializerMethodField()
    verdict = serializers.ChoiceField(choices=list(advocacy_outcome.VERDICTS))
    recommendations = serializers.SerializerMethodField()
    on_themes_raised = serializers.SerializerMethodField()
    taking_up_drafts = serializers.SerializerMethodField()

    def get_meetings(self, outcome: Any) -> int:
        return len(outcome.meetings)

    def get_recommendations(self, outcome: Any) -> list[int]:
        return [r.pk for r in outcome.made]

    def get_on_themes_raised(self, outcome: Any) -> list[int]:
        return [r.pk for r in outcome.on_themes]

    def get_taking_up_drafts(self, outcome: Any) -> list[int]:
        return [r.pk for r in outcome.took_up]


class ReviewAdoptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Engagement
        fields = ["webcast_url", "oral_statement", "oral_statement_by", "oral_statement_slot"]


# --- helpers --------------------------------------------------------------------------------------

RecordForm = type[advocacy.ConsultationForm] | type[advocacy.AdvocacyMeetingForm]


def form_data(instance: Any, form_class: RecordForm, body: dict[str, Any]) -> dict[str, Any]:
    """A PATCH is the record's current values with the body's on top (forms want every field)."""
    fields = form_class._meta.fields
    assert fields is not None  # both forms name their fields (list() below would fail on None)
    data = {name: value for name, value in model_to_dict(instance, fields=list(fields)).items()}
    data = {
        name: [v.pk if hasattr(v, "pk") else v for v in value] if isinstance(value, list) else value
        for name, value in data.items()
    }
    if "follow_up_due" not in body and getattr(instance, "follow_up_task", None) is not None:
        data["follow_up_due"] = form_class(instance=instance, engagement=instance.engagement).initial.get("follow_up_due")
    return {**data, **body}


class EngagementRecordViewSet(
    CoalitionScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Consultations and advocacy meetings: any member records; the recorder, editors and the
    secretariat change and delete. `?engagement=<id>` narrows the list."""

    write_role = Role.MEMBER
    model: type[Consultation] | type[AdvocacyMeeting]
    form_class: RecordForm
    save: Any
    # Set by CoalitionScopedMixin.initial() before any action runs (None only while the schema is made, when none runs).
    coalition: Coalition
    membership: Membership

    def queryset_for(self, coalition: Coalition) -> Any:
        found = self.model.objects.for_coalition(coalition)
        if (engagement := parse_id(self.request.query_params.get("engagement"))) is not None:
            found = found.filter(engagement=engagement)
        return found.select_related("follow_up_task")

    def _engagement(self, pk: Any) -> Engagement:
        pk = parse_id(pk)
        engagement = selectors.engagement_list(coalition=self.coalition).filter(pk=pk).first() if pk is not None else None
        if engagement is None:
            raise serializers.ValidationError({"engagement": [_("Unknown id.")]})
        return engagement

    def _write(self, request: Request, instance: Any, status_code: int) -> Response:
        if instance is not None and not advocacy.can_change(self.membership, instance):
            raise PermissionDenied
        body = dict(request.data.items()) if hasattr(request.data, "items") else {}
        for name in ("attended", "themes", "documents", "drafts"):
            if name in request.data and hasattr(request.data, "getlist"):
                body[name] = request.data.getlist(name)
        engagement = instance.engagement if instance is not None else self._engagement(body.get("engagement"))
        data = form_data(instance, self.form_class, body) if instance is not None else body
        form = self.form_class(data, instance=instance, engagement=engagement)
        if not form.is_valid():
            raise form_refused(form)
        record = type(self).save(engagement=engagement, actor=self.actor, form=form)
        return Response(self.get_serializer(record).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._write(request, None, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._write(request, self.get_object(), status.HTTP_200_OK)

    def perform_destroy(self, instance: Any) -> None:
        # Django's PermissionDenied, raised by the service for someone else's record, answers 403 here too.
        advocacy.record_delete(record=instance, membership=self.membership)


class ConsultationViewSet(EngagementRecordViewSet):
    model = Consultation
    serializer_class = ConsultationSerializer
    form_class = advocacy.ConsultationForm
    save = staticmethod(advocacy.consultation_save)

    def queryset_for(self, coalition: Coalition) -> Any:
        return super().queryset_for(coalition).prefetch_related("attended")


class AdvocacyMeetingViewSet(EngagementRecordViewSet):
    model = AdvocacyMeeting
    serializer_class = AdvocacyMeetingSerializer
    form_class = advocacy.AdvocacyMeetingForm
    save = staticmethod(advocacy.meeting_save)

    def queryset_for(self, coalition: Coalition) -> Any:
        return super().queryset_for(coalition).select_related("state").prefetch_related("themes", "documents", "drafts")


class TaskViewSet(CoalitionScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks of the coalition's engagements, soonest first (`?engagement=<id>`, `?status=open`). Editors
    and the secretariat create them; their owners and editors mark them done."""

    model = Task
    # Set by CoalitionScopedMixin.initial() before any action runs (None only while the schema is made, when none runs).
    coalition: Coalition
    membership: Membership
    serializer_class = TaskSerializer
    write_role = Role.MEMBER

    def queryset_for(self, coalition: Coalition) -> Any:
        found = Task.objects.for_coalition(coalition).select_related("organisation").order_by("due_at", "id")
        params = self.request.query_params
        if (engagement := parse_id(params.get("engagement"))) is not None:
            found = found.filter(engagement=engagement)
        if params.get("status") in ("open", "done"):
            found = found.filter(status=params["status"])
        return found

    @extend_schema(request=TaskWriteSerializer, responses={201: TaskSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not self.membership.can_edit:
            raise PermissionDenied
        body = TaskWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {key: value for key, value in request.data.items() if value is not None}
        engagement = selectors.engagement_list(coalition=self.coalition).filter(pk=body.validated_data["engagement"]).first()
        if engagement is None:
            raise serializers.ValidationError({"engagement": [_("Unknown id.")]})
        if "due_time" in request.data and request.data["due_time"] is None:
            data["due_time"] = ""  # a task due on the day, with no time of day
        data.setdefault("due_time", "15:00")
        data.setdefault("time_zone", "Europe/Zurich")
        form = work_plan.TaskForm(data, engagement=engagement)
        if not form.is_valid():
            raise form_refused(form)
        task = work_plan.task_save(engagement=engagement, actor=self.actor, data=form.cleaned_data)
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TaskStatusSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, **kwargs: Any) -> Response:
        body = TaskStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = self.get_object()
        work_plan.task_set_status(task=task, membership=self.membership, status=body.validated_data["status"])
        return Response(TaskSerializer(task).data)


class EngagementPlanViewSet(CoalitionScopedMixin, viewsets.GenericViewSet):
    """The engagement's dashboard, what its lobbying came to, and its review and adoption details."""

    model = Engagement
    serializer_class = ReviewAdoptionSerializer

    def queryset_for(self, coalition: Coalition) -> Any:
        return selectors.engagement_list(coalition=coalition)

    @extend_schema(responses=WeekSerializer)
    @action(detail=True, methods=["get"])
    def week(self, request: Request, **kwargs: Any) -> Response:
        """Due in the next 7 days, overdue tasks, the next milestone, the stakeholder submission's count and sign-on."""
        engagement = self.get_object()
        board = work_plan.engagement_week(engagement=engagement, now=timezone.now())
        upcoming = selectors.next_milestone(selectors.engagement_timeline(engagement=engagement))
        submission = board["submission"]
        count = board["count"]
        return Response(
            {
                "week": DeadlineSerializer(board["week"], many=True).data,
                "overdue": DeadlineSerializer(board["overdue"], many=True).data,
                "next_milestone": {"label": upcoming.label, "date": upcoming.date} if upcoming else None,
                "submission": {
                    "id": submission.pk,
                    "title": submission.title,
                    "status": submission.status,
                    "words": count.total,
                    "limit": count.limit,
                    "over_by": count.over_by,
                    "submitters": board["signers"],
                    "asked_to_sign": board["asked"],
                }
                if submission
                else None,
            }
        )

    @extend_schema(responses=StateOutcomeSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="lobbying-outcome", url_name="outcome", pagination_class=None)
    def lobbying_outcome(self, request: Request, **kwargs: Any) -> Response:
        """Each State lobbied, and whether it recommended on the issues raised ("pending" before the review's recommendations are in)."""
        outcome = advocacy_outcome.lobbying_outcome(engagement=self.get_object())
        return Response(StateOutcomeSerializer(outcome, many=True).data)

    @extend_schema(request=ReviewAdoptionSerializer, responses=ReviewAdoptionSerializer)
    @action(detail=True, methods=["get", "patch"], url_path="review-adoption", url_name="review")
    def review_adoption(self, request: Request, **kwargs: Any) -> Response:
        """The webcast link and the oral statement at the adoption (10 slots of 2 minutes); the secretariat changes them."""
        engagement = self.get_object()
        if request.method == "PATCH":
            body = {**model_to_dict(engagement, fields=ReviewAdoptionSerializer.Meta.fields), **request.data}
            form = advocacy.ReviewAdoptionForm(body, instance=engagement)
            if not form.is_valid():
                raise form_refused(form)
            engagement = advocacy.review_adoption_save(engagement=engagement, actor=self.actor, form=form)
        return Response(ReviewAdoptionSerializer(engagement).data)


class CoalitionFeedViewSet(CoalitionScopedMixin, viewsets.GenericViewSet):
    """The coalition's private calendar address (the secretariat's): POST makes a new one, shown once
    (the previous stops working); DELETE revokes it."""

    model = Membership
    # Set by CoalitionScopedMixin.initial() before any action runs (None only while the schema is made, when none runs).
    coalition: Coalition
    serializer_class = FeedSerializer
    read_role = Role.ADMIN

    @extend_schema(request=FeedCreateSerializer, responses={201: FeedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = FeedCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token = feeds.feed_create(
            user=self.actor, coalition=self.coalition, with_coalition_name=body.validated_data["with_coalition_name"]
        )
        return Response({"url": feeds.feed_url(token)}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def revoke(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        feeds.feed_revoke(user=self.actor, coalition=self.coalition)
        return Response(status=status.HTTP_204_NO_CONTENT)
