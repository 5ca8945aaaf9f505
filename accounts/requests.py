"""A request from a signed-in person (a view behind login_required, or the tenancy guard), and the
person behind an API request."""

from __future__ import annotations

from typing import Any, cast

from upr.requests import HtmxRequest

from .models import User


class SignedInRequest(HtmxRequest):
    user: User  # HttpRequest says "a user or AnonymousUser": behind login_required it is a user


def caller(request: Any) -> User:
    """The person making an API request (a DRF Request). The API lets no anonymous request through:
    IsAuthenticated is its default permission, and the coalition endpoints' initial() lets members only."""
    return cast(User, request.user)
