"""What the working plan shows on lower apps' pages (upr.panels): the calendar addresses on the
person's profile and on the coalition's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest

from upr import panels

from .models import CalendarFeed

if TYPE_CHECKING:
    from accounts.requests import SignedInRequest
    from coalitions.tenancy import CoalitionRequest


def personal_feed(request: HttpRequest) -> dict[str, Any]:
    user = cast("SignedInRequest", request).user  # the profile page is behind login_required
    return {"feed": CalendarFeed.objects.filter(user=user, coalition=None).first()}


def coalition_feed(request: HttpRequest) -> dict[str, Any]:
    coalition = cast("CoalitionRequest", request).coalition  # the coalition's settings page is under c/<slug>/
    return {"feed": CalendarFeed.objects.filter(coalition=coalition).select_related("user").first()}


def register() -> None:
    panels.register("profile", personal_feed)
    panels.register("coalition_settings", coalition_feed)
