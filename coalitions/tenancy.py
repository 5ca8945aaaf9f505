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
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse

from accounts.requests import SignedInRequest

from .models import Coalition, MemberOrganisation, Membership

COALITION_KWARG = "coalition_slug"


class CoalitionRequest(SignedInRequest):
    """A request to a page inside a coalition (under c/<slug>/): the guard below has set these, or
    answered 404 before the view ran."""

    coalition: Coalition
    membership: Membership
    memberships: list[Membership]  # all the person's coalitions (the switcher), read in the same query


_MEMBERSHIP_FIELDS = ["id", "coalition_id", "user_id", "organisation_id", "role"]
_COALITION_FIELDS = ["id", "name", "slug", "description", "created_at"]


def _memberships_sql() -> str:
    m, c, o = (model._meta.db_table for model in (Membership, Coalition, MemberOrganisation))
    return (
        f"SELECT {', '.join('m.' + f for f in _MEMBERSHIP_FIELDS)}, {', '.join('c.' + f for f in _COALITION_FIELDS)}, o.name"
        f" FROM {m} m JOIN {c} c ON c.id = m.coalition_id LEFT JOIN {o} o ON o.id = m.organisation_id"
        " WHERE m.user_id = %s ORDER BY c.name, c.id"
    )


def memberships_of(user: Any) -> list[Membership]:
    """All the user's memberships, with their coalitions: one query serves the guard and the switcher.

    Every page runs this, so it is plain SQL: the ORM took three times as long to build the query as
    the database took to answer it. The rows become real model instances through `from_db`; fields not
    selected are deferred (loaded on access), never silently blank.
    """
    db = connection.alias
    n_m, n_c = len(_MEMBERSHIP_FIELDS), len(_COALITION_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(_memberships_sql(), [user.pk])
        rows = cursor.fetchall()
    memberships = []
    for row in rows:
        membership = Membership.from_db(db, _MEMBERSHIP_FIELDS, row[:n_m])
        membership.coalition = Coalition.from_db(db, _COALITION_FIELDS, row[n_m : n_m + n_c])
        if membership.organisation_id is not None:
            membership.organisation = MemberOrganisation.from_db(db, ["id", "name"], (membership.organisation_id, row[-1]))
        else:
            membership.organisation = None
        memberships.append(membership)
    return memberships


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
        # Outside a coalition there is none (the navigation and error pages read these on every page).
        for name in ("coalition", "membership", "memberships"):
            setattr(request, name, None)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable, args: Any, kwargs: dict[str, Any]) -> HttpResponse | None:
        if COALITION_KWARG not in kwargs or getattr(view, "cls", None) is not None and _is_api_view(view):
            return None
        if not request.user.is_authenticated:
            # The same redirect for every slug, real or not: it tells an anonymous visitor nothing.
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        scoped: CoalitionRequest = request  # type: ignore[assignment]  # it becomes one on the next lines
        scoped.memberships = memberships_of(request.user)
        scoped.membership = membership_for(request.user, kwargs[COALITION_KWARG], scoped.memberships)
        scoped.coalition = scoped.membership.coalition
        return None


def _is_api_view(view: Callable) -> bool:
    from .api import CoalitionScopedMixin

    return issubclass(view.cls, CoalitionScopedMixin)  # type: ignore[attr-defined]  # the caller checked that as_view() set `cls`


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

        wrapped.minimum_role = minimum  # type: ignore[attr-defined]  # a mark on the view function, read by the role tests
        return wrapped

    return decorator
