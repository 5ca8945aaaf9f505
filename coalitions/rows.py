"""The rows of the people list: what a row shows (MEMBER_ROW_FIELDS, read as plain values by
coalitions.selectors.MemberRows) and their HTML, from templates/jinja2/coalitions/member_rows.html.

The list renders up to 50 rows on every visit. Through Django's template engine each row cost about
0.14 ms (model objects, variable resolution, localisation): several times the page's fixed cost. The
rows are plain values here, rendered by Jinja2 (upr.jinja2: autoescape always on) and kept under
everything they show (upr.jinja2.kept_fragment); the labels of the roles are translated once per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.safestring import SafeString

from upr.jinja2 import kept_fragment

from .models import Role

# What a row shows, in the order coalitions.selectors.MemberRows selects it: no models are built.
MEMBER_ROW_FIELDS = ("id", "role", "user__email", "user__name", "organisation_name")


def member_rows(rows: Iterable[dict[str, Any]], *, members_url: str, with_actions: bool, edited: bool = False) -> SafeString:
    """`<tr>` elements of the people list, from MEMBER_ROW_FIELDS values. With actions: the admin's
    Change link (htmx swaps the row for a form) and Remove button (it submits the page's single
    #remove-member form). A role that is not one of Role's shows as its value."""
    return kept_fragment(
        "coalitions/member_rows.html",
        rows=tuple(tuple(row[name] for name in MEMBER_ROW_FIELDS) for row in rows),
        roles=tuple((value, str(label)) for value, label in Role.choices),
        members_url=members_url,
        with_actions=with_actions,
        edited=edited,
    )
