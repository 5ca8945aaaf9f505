"""Panels: what a higher app shows on a lower app's page, without the lower app importing it (the
layers forbid that; see the README). The coalition's dashboard shows the sign-ons waiting for the
person (from `submissions`); the profile and the coalition's settings show the calendar addresses
(from `workplan`).

A panel takes the request and returns template variables; the page's template shows them. Apps
register their panels in their AppConfig.ready(). A panel runs in a fixed number of queries; the page
says when: the dashboard reads its panels inside a {% freshcache %} of their own (upr.freshness), so
that what changes with the person's own actions shows at once and costs nothing while unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Panel = Callable[[HttpRequest], dict[str, Any]]

# The pages that take panels, and the panels registered for each.
PANELS: dict[str, list[Panel]] = {"dashboard": [], "profile": [], "coalition_settings": []}


def register(page: str, panel: Panel) -> None:
    """Show `panel` on `page` (once, however often an app's ready() runs)."""
    if panel not in PANELS[page]:
        PANELS[page].append(panel)


def panels(page: str, request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for panel in PANELS[page]:
        context.update(panel(request))
    return context
