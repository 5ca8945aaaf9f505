"""A request from a signed-in person (a view behind login_required, or the tenancy guard)."""

from __future__ import annotations

from upr.requests import HtmxRequest

from .models import User


class SignedInRequest(HtmxRequest):
    user: User  # HttpRequest says "a user or AnonymousUser": behind login_required it is a user
