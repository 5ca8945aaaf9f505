"""The coalition switcher in the header: the person's coalitions, one query per page."""
from django.http import HttpRequest

from .models import Membership


def coalition_nav(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def my_coalitions() -> list:
        return [m.coalition for m in Membership.objects.filter(user=user).select_related("coalition").order_by("coalition__name")]

    from django.utils.functional import SimpleLazyObject

    return {"my_coalitions": SimpleLazyObject(my_coalitions)}
