"""The UPR calendar: public reference data, readable by anyone logged in."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .inputs import parse_int
from .models import RegionalGroup, Review, Session, State
from .reference import CYCLE_SESSIONS


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """Working Group sessions of one cycle (the current one unless asked), with their States.

    The same for every reader, so the rendered list is a {% freshcache %} fragment (upr.freshness):
    kept until any table it read (sessions, reviews, States) is written. The querysets below are
    lazy and only run when it is rendered.
    """
    cycles = sorted(CYCLE_SESSIONS, reverse=True)
    asked = parse_int(request.GET.get("cycle"), minimum=min(cycles), maximum=max(cycles))
    cycle = asked if asked in cycles else cycles[0]
    sessions = (
        Session.objects.filter(cycle=cycle)
        .annotate(n_reviews=Count("reviews"))
        .order_by("-number")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("state").only("session_id", "position", "state__name", "state__iso3"),
            )
        )
    )
    context = {"sessions": sessions, "cycle": cycle, "cycles": cycles}
    return render(request, "upr/calendar.html", context)


@login_required
def session_detail(request: HttpRequest, number: int) -> HttpResponse:
    session = get_object_or_404(Session, number=number)
    reviews = session.reviews.select_related("state").prefetch_related("troika")
    return render(request, "upr/session_detail.html", {"session": session, "reviews": reviews})


@login_required
def state_list(request: HttpRequest) -> HttpResponse:
    group = request.GET.get("group", "")
    states = State.objects.annotate(n_reviews=Count("reviews")).order_by("name")
    if group in RegionalGroup.values:
        states = states.filter(regional_group=group)
    return render(request, "upr/state_list.html", {"states": states, "groups": RegionalGroup.choices, "group": group})


@login_required
def state_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    state = get_object_or_404(State, iso3=iso3.upper())
    reviews = state.reviews.select_related("session").order_by("session__number")
    return render(request, "upr/state_detail.html", {"state": state, "reviews": reviews})
