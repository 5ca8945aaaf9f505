"""What the working plan shows on lower apps' pages (upr.panels): the calendar addresses on the
person's profile and on the coalition's settings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from upr import panels

from .models import CalendarFeed


def personal_feed(request: HttpRequest) -> dict[str, Any]:
    return {"feed": CalendarFeed.objects.filter(user=request.user, coalition=None).first()}


def coalition_feed(request: HttpRequest) -> dict[str, Any]:
    coalition = request.coalition  # type: ignore[attr-defined]
    return {"feed": CalendarFeed.objects.filter(coalition=coalition).select_related("user").first()}


def register() -> None:
    panels.register("profile", personal_feed)
    panels.register("coalition_settings", coalition_feed)
    # Open decisions (submissions) are deadlines too: they remind the organisations that have not voted.
    from .decision_reminders import KIND, SOURCE
    from .reminders import DEADLINE_SOURCES

    DEADLINE_SOURCES[KIND] = SOURCE
