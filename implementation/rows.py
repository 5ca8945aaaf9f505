"""The rows of the matrix page, 50 to a page, read as plain values and rendered by Jinja2; never cached.

Through Django's template engine the 254 rows of a review cost about 80 ms of server CPU: five model
objects per row, a translated label per choice per call, an include and a reversed URL per row.
Here the rows are read as tuples in one statement and rendered by templates/jinja2/implementation/matrix_rows.html
(upr.jinja2: autoescape always on), with labels translated once per page. Two statements whatever the
matrix's size, the count and the page's rows, on every view: the rows are read each time (they were
cached under a hand-built stamp that could miss a write), and their HTML is kept under exactly what
they are (upr.jinja2.kept_fragment), so a row changed is a page rendered anew.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils.safestring import SafeString

from coalitions.models import Membership, Role
from recommendations.models import Response
from upr.inputs import parse_id
from upr.jinja2 import kept_fragment

from .models import LIGHT_ORDER, Light, Matrix, MatrixRow

FIELDS = (
    "pk",
    "recommendation__paragraph",
    "recommendation__text",
    "recommendation__response",
    "cluster__name",
    "cluster__working_group__name",
    "lead_body",
    "latest__light",
    "latest__assessed_on",
    "latest__shared",
    "previous_light",
)
WORDS_SHOWN = 30
PER_PAGE = 50


def _filtered(matrix: Matrix, filters: dict[str, str]):
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
    return found.order_by(
        "cluster__position", "cluster__name", "recommendation__paragraph_major", "recommendation__paragraph_minor", "id"
    )


def shorten(text: str) -> str:
    """The first WORDS_SHOWN words of a recommendation, "…" after them when there are more."""
    words = text.split()
    return " ".join(words[:WORDS_SHOWN]) + (" …" if len(words) > WORDS_SHOWN else "")


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
    past the end the last) of the rows that match `filters`. A response or a light that is not one of
    the choices shows as its value."""
    current = Paginator(_filtered(matrix, filters).values_list(*FIELDS), PER_PAGE).get_page(page)
    html = kept_fragment(
        "implementation/matrix_rows.html",
        rows=tuple(current.object_list),
        member=membership.has_role(Role.MEMBER),
        manage=membership.is_admin,
        base_url=reverse("implementation:row", args=[slug, matrix.engagement_id, 0])[:-2],  # ".../rows/"
        responses=tuple((value, str(label)) for value, label in Response.choices),
        lights=tuple((value, str(label)) for value, label in Light.choices),
        order=tuple(LIGHT_ORDER.items()),
        shorten=shorten,
    )
    return RowsPage(html=html, page=current)
