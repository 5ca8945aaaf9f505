"""Table rows built in Python for the longest list pages.

The people list renders up to 50 rows on every visit. Through the template engine each row cost
about 0.14 ms (model objects, variable resolution, auto-escaping, localisation): several times the
page's fixed cost. Here each row is one f-string over plain values, every one of them passed through
`escape` on the way in. The markup stays small and in one place; labels arrive translated.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import Role

# What a row shows, in the order coalitions.selectors.MemberRows selects it: no models are built.
MEMBER_ROW_FIELDS = ("id", "role", "user__email", "user__name", "organisation_name")


def member_row_labels() -> dict[str, str]:
    """The words of a people row, translated once per page in the reader's language."""
    return {
        "change": _("Change"),
        "remove": _("Remove"),
        "saved": _("saved"),
        "confirm_remove": _("Remove this person? Their access ends at once."),
        **{f"role_{value}": str(label) for value, label in Role.choices},
    }


def member_rows(
    rows: Iterable[dict[str, Any]], *, members_url: str, labels: dict[str, str], with_actions: bool, edited: bool = False
) -> SafeString:
    """`<tr>` elements of the people list, from MEMBER_ROW_FIELDS values. With actions: the admin's
    Change link (htmx swaps the row for a form) and Remove button (it submits the page's single
    #remove-member form)."""
    e = escape
    change, remove = e(labels["change"]), e(labels["remove"])
    saved = f' <span role="status" class="saved">{e(labels["saved"])}</span>' if edited else ""
    html = []
    for row in rows:
        pk, email, name = int(row["id"]), e(row["user__email"]), row["user__name"]
        person = f'{e(name)} <span class="muted">{email}</span>' if name else email
        actions = ""
        if with_actions:
            url = e(f"{members_url}{pk}/")
            actions = (
                f'<td class="actions"><a href="{url}" hx-get="{url}" hx-target="#member-{pk}" hx-swap="outerHTML">'
                f'{change}<span class="visually-hidden"> {email}</span></a> '
                f'<button type="submit" form="remove-member" formaction="{url}remove/" class="danger">'
                f'{remove}<span class="visually-hidden"> {email}</span></button></td>'
            )
        html.append(
            f'<tr id="member-{pk}"><td>{person}</td><td>{e(row["organisation_name"] or "—")}</td>'
            f'<td>{e(labels["role_" + row["role"]])}{saved}</td>{actions}</tr>'
        )
    return mark_safe("\n".join(html))  # every interpolated value above went through escape()
