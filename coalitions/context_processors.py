"""The coalition switcher in the header: the person's coalitions, at most one query per page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .tenancy import memberships_of


def coalition_nav(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def my_coalitions() -> list:
        # Inside a coalition the guard has already loaded the memberships; reuse them.
        memberships = getattr(request, "memberships", None)
        return [m.coalition for m in (memberships if memberships is not None else memberships_of(user))]

    return {"my_coalitions": SimpleLazyObject(my_coalitions)}
