"""The request as our middleware leaves it, for type checking: views declare what they may read.

HtmxRequest: every request (django-htmx's middleware sets `htmx`). Lower apps cannot name the
coalition, so the richer types are built on this one in their own apps: accounts.requests.SignedInRequest
(a signed-in person) and coalitions.tenancy.CoalitionRequest (a page inside a coalition)."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails
