"""What higher apps add to the coalition dashboard, outside its cache (the layers forbid this app to
import them). Each panel takes the request and returns template variables; the dashboard's template
shows them. A panel reads what changes with the person's own actions (a sign-on waiting for them)
and must show each change at once: it is computed on every view, in a fixed number of queries."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

DASHBOARD_PANELS: list[Callable[[HttpRequest], dict[str, Any]]] = []


def dashboard_panels(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for panel in DASHBOARD_PANELS:
        context.update(panel(request))
    return context
