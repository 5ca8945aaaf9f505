"""Statistics and lobbying targets (being written: see recommendations/statistics.py)."""
from django.http import HttpRequest, HttpResponse


def statistics(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    return HttpResponse("")


def lobbying(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    return HttpResponse("")


def lobbying_export(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    return HttpResponse("")
