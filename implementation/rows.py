"""The rows of the matrix page, 50 to a page, built in Python from plain values; never cached.

Through the template engine the 254 rows of a review cost about 80 ms of server CPU: five model
objects per row, a translated label per choice per call, an include and a reversed URL per row.
Here the rows are read as tuples in one statement, each row is one f-string whose every value goes
through `escape`, and labels are translated once per page. A page of 50 rows costs so little that
it is rendered on every view (it was cached under a hand-built stamp that could miss a write): two
statements whatever the matrix's size, the count and the page's rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape as html_escape

from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coalitions.models import Membership, Role
from recommendations.models import Response
from upr.inputs import parse_id

from .models import LIGHT_ORDER, Light, Matrix, MatrixRow

FIELDS = ("pk", "recommendation__paragraph", "recommendation__text", "recommendation__response", "cluster__name",
          "cluster__working_group__name", "lead_body", "latest__light", "latest__assessed_on", "latest__shared",
          "previous_light")
WORDS_SHOWN = 30
PER_PAGE = 50


def escape(value: object) -> str:
    return html_escape(str(value))


def _filtered(matrix: Matrix, filters: dict[str, str]):  # type: ignore[no-untyped-def]
    found = MatrixRow.objects.filter(coalition_id=matrix.coalition_id, matrix=matrix)
    if (cluster := parse_id(filters.get("cluster"))) is not None:
        found = found.filter(cluster_id=cluster)
    if filters.get("light") in Light.values:
        found = found.filter(latest__light=filters["light"])
    elif filters.get("light") == "none":
        found = found.filter(latest__isnull=True)
    if filters.get("response"):
        found = found.filter(recommendation__response=filters["response"])
    if filters.get("q", "").strip():
        found = found.filter(recommendation__text__icontains=filters["q"].strip())
    return found.order_by("cluster__position", "cluster__name", "recommendation__paragraph_major",
                          "recommendation__paragraph_minor", "id")


def _movement(light: str | None, before: str) -> str:
    if light not in LIGHT_ORDER or before not in LIGHT_ORDER:
        return ""
    now, then = LIGHT_ORDER[light], LIGHT_ORDER[before]  # type: ignore[index]
    return "up" if now > then else "down" if now < then else "same"


@dataclass(frozen=True)
class RowsPage:
    """One page of the matrix's rows: their HTML, and the page among all that match."""

    html: SafeString
    page: Page  # of the rows' values; its paginator has the count

    @property
    def total(self) -> int:
        return self.page.paginator.count

    @property
    def first(self) -> int:
        return self.page.start_index() if self.total else 0

    @property
    def last(self) -> int:
        return self.page.end_index() if self.total else 0


def render(*, matrix: Matrix, membership: Membership, filters: dict[str, str], slug: str, page: str | None) -> RowsPage:
    """The page `page` (a number from the query string: anything else is the first page, a number
    past the end the last) of the rows that match `filters`."""
    member = membership.has_role(Role.MEMBER)
    manage = membership.is_admin
    current = Paginator(_filtered(matrix, filters).values_list(*FIELDS), PER_PAGE).get_page(page)
    html = _render(matrix, list(current.object_list), member, manage, slug)
    return RowsPage(html=mark_safe(html), page=current)  # every value is escaped in _render


def _render(matrix: Matrix, rows: list[tuple], member: bool, manage: bool, slug: str) -> str:  # type: ignore[type-arg]
    responses = {value: str(label) for value, label in Response.choices}
    lights = {value: escape(label) for value, label in Light.choices}
    moves = {"up": escape("↑ " + _("better")), "down": escape("↓ " + _("worse")), "same": escape("= " + _("unchanged"))}
    not_assessed = escape(_("Not assessed"))
    select = _("Select %(paragraph)s")
    base = reverse("implementation:row", args=[slug, matrix.engagement_id, 0])[:-2]  # ".../rows/"
    out = []
    for pk, paragraph, text, response, cluster, group, lead, light, assessed_on, shared, before in rows:
        words = text.split()
        short = " ".join(words[:WORDS_SHOWN]) + (" …" if len(words) > WORDS_SHOWN else "")
        if light and (shared or member):
            move = moves.get(_movement(light, before), "")
            latest = (f'<span class="light light-{light}"><span aria-hidden="true">●</span> {lights[light]}</span>'
                      f' <time class="muted" datetime="{assessed_on.isoformat()}">{assessed_on.isoformat()}</time>'
                      + (f' <span class="move">{move}</span>' if move else ""))
        else:
            latest = f'<span class="muted">{not_assessed}</span>'
        tick = (f'<td><input type="checkbox" name="row" value="{pk}" id="r{pk}" aria-label="'
                f'{escape(select % {"paragraph": paragraph})}"></td>') if manage else ""
        owner = f'<br><span class="muted">{escape(group)}</span>' if group else ""
        out.append(f'<tr>{tick}<td><a href="{base}{pk}/">{escape(paragraph)}</a> {escape(short)}</td>'
                   f'<td>{escape(responses.get(response, response))}</td><td>{escape(cluster)}{owner}</td>'
                   f'<td>{escape(lead)}</td><td>{latest}</td></tr>')
    return "".join(out)
