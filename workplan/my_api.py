"""The person's own API: their deadlines across coalitions, their reminder preferences, and their
private calendar address. Nothing here is inside a coalition; each reads only the caller's rows."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.requests import caller
from upr.inputs import parse_int


class MyDeadlineSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField()
    day = serializers.DateField(allow_null=True, help_text="Set when the deadline is a day, not an instant: show the day alone.")
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field: DRF's metaclass moves it out of the class, so it never shadows Field.label
    task = serializers.BooleanField()
    overdue = serializers.BooleanField()
    coalition = serializers.CharField(source="coalition.slug")
    engagement = serializers.IntegerField(source="engagement.pk")


class MyDeadlines(APIView):
    @extend_schema(
        responses=MyDeadlineSerializer(many=True),
        parameters=[OpenApiParameter("days", int, description="How far ahead (1 to 366; default 60).")],
    )
    def get(self, request: Request) -> Response:
        """The milestones of the caller's engagements and the open tasks that are theirs, soonest first (overdue tasks included)."""
        from .work_plan import my_deadlines

        days = parse_int(request.query_params.get("days", "60"), minimum=1, maximum=366)
        if days is None:
            raise serializers.ValidationError({"days": [_("A whole number of days from 1 to 366.")]})
        rows = my_deadlines(user=request.user, now=timezone.now(), days=days)
        return Response(MyDeadlineSerializer(rows, many=True).data)


class ReminderPreferenceSerializer(serializers.Serializer):
    lead_days = serializers.ListField(
        child=serializers.IntegerField(min_value=0), help_text="Days before each deadline (0: on the day)."
    )
    delivery = serializers.ChoiceField(choices=["single", "daily", "weekly", "none"])


class MyReminderPreferences(APIView):
    """When (days before each deadline) and how the caller gets reminders: single emails, a daily or weekly digest, or none."""

    def _current(self, request: Request) -> dict[str, Any]:
        from .models import ReminderPreference

        preference = ReminderPreference.objects.filter(user=caller(request)).first()
        return {
            "lead_days": preference.lead_days if preference else [30, 7, 1, 0],
            "delivery": preference.delivery if preference else "single",
        }

    @extend_schema(responses=ReminderPreferenceSerializer)
    def get(self, request: Request) -> Response:
        return Response(self._current(request))

    @extend_schema(request=ReminderPreferenceSerializer, responses=ReminderPreferenceSerializer)
    def put(self, request: Request) -> Response:
        """Replace the preferences (the same rules as the page: 0 to 60 days)."""
        from coalitions.api import form_refused

        from .forms import ReminderPreferenceForm
        from .models import ReminderPreference

        data = {**self._current(request), **request.data}
        lead_days = data.get("lead_days")
        form = ReminderPreferenceForm(
            {
                "lead_days": ", ".join(str(d) for d in lead_days) if isinstance(lead_days, list) else lead_days,
                "delivery": data.get("delivery"),
            }
        )
        if not form.is_valid():
            raise form_refused(form)
        ReminderPreference.objects.update_or_create(user=request.user, defaults=form.cleaned_data)
        return Response(self._current(request))

    patch = put


class FeedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Shown once: keep it private. Creating again replaces it.")


class FeedCreateSerializer(serializers.Serializer):
    with_coalition_name = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Name the coalition in the events' titles (off: a shared calendar shows no coalition).",
    )


class MyCalendarFeed(APIView):
    """The caller's private iCalendar address with the deadlines of all their coalitions."""

    @extend_schema(request=FeedCreateSerializer, responses={201: FeedSerializer})
    def post(self, request: Request) -> Response:
        from . import feeds

        body = FeedCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token = feeds.feed_create(user=caller(request), with_coalition_name=body.validated_data["with_coalition_name"])
        return Response({"url": feeds.feed_url(token)}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        from . import feeds

        feeds.feed_revoke(user=caller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
