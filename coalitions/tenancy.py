"""The tenancy guard: one place decides who may see inside a coalition.

Every URL with a `coalition_slug` is resolved here before its view runs (fail closed: a new view
under /c/<slug>/ is guarded without anyone remembering to). A person who is not a member gets 404,
never 403: for human-rights defenders at risk, the existence of a coalition is itself information.
The API resolves the same way in api.CoalitionScopedMixin, after DRF has authenticated the token.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import Membership

COALITION_KWARG = "coalition_slug"


def memberships_of(user: Any) -> list[Membership]:
    """All the user's memberships, with their coalitions: one query serves the guard and the switcher."""
    return list(
        Membership.objects.select_related("coalition", "organisation").filter(user=user).order_by("coalition__name")
    )


def membership_for(user: Any, slug: str, memberships: list[Membership] | None = None) -> Membership:
    """The user's membership of the coalition `slug`, or 404 (for a missing and a foreign coalition alike)."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise Http404
    for membership in memberships if memberships is not None else memberships_of(user):
        if membership.coalition.slug == slug:
            membership.user = user
            return membership
    raise Http404


class CoalitionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.coalition = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable, args: Any, kwargs: dict[str, Any]) -> HttpResponse | None:
        if COALITION_KWARG not in kwargs or getattr(view, "cls", None) is not None and _is_api_view(view):
            return None
        if not request.user.is_authenticated:
            # The same redirect for every slug, real or not: it tells an anonymous visitor nothing.
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        request.memberships = memberships_of(request.user)  # type: ignore[attr-defined]
        membership = membership_for(request.user, kwargs[COALITION_KWARG], request.memberships)  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        request.coalition = membership.coalition  # type: ignore[attr-defined]
        return None


def _is_api_view(view: Callable) -> bool:
    from .api import CoalitionScopedMixin

    return issubclass(view.cls, CoalitionScopedMixin)  # type: ignore[attr-defined]


def require_role(minimum: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Let members of at least `minimum` role through; other members get 403 (they know the coalition)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None:
                raise Http404
            if not membership.has_role(minimum):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.minimum_role = minimum  # type: ignore[attr-defined]
        return wrapped

    return decorator
