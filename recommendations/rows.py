"""The rows of the recommendations list: read as plain values, rendered by Jinja2.

The list is the page searched over and over (41,066 recommendations in UPR Info's export alone).
Through Django's template engine its 50 rows cost several times the search: model objects, variable
resolution, a URL reversed and a form included per row. Here the rows are read as tuples (three
statements: recommendations, their States, the coalition's own record) and rendered by
templates/jinja2/recommendations/rows.html (upr.jinja2: autoescape always on), kept under everything they
show (upr.jinja2.kept_fragment); labels are translated once per page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.utils.safestring import SafeString

from coalitions.models import Coalition
from upr.inputs import parse_int
from upr.jinja2 import fragment, kept_fragment

from .models import ActionCategoryStatus, CoalitionRecommendation, Recommendation, Response
from .search import matches
from .vocabulary import reference_maps

MAX_PAGE = 10**9  # far past any last page, and its offset well within the database's integers

# What a row shows, in this order (read in plain SQL by _page_rows: the ORM took longer to build
# these three small statements than PostgreSQL took to run them).
FIELDS = (
    "pk",
    "paragraph",
    "text",
    "response",
    "action_category",
    "action_category_status",
    "review__state__iso3",
    "review__session__number",
)
WORDS_SHOWN = 40
UNTOUCHED = (False, False, "")  # (priority, has notes, the coalition's reading) where the coalition has none


@dataclass
class Page:
    """A page's rows as tuples, with the States and the coalition's own record of each, and what the
    pagination links need (the attributes of Django's Page and Paginator that templates use)."""

    rows: list[tuple]
    states: dict[int, list[str]]
    ours: dict[int, tuple[bool, bool, str]]  # recommendation -> (priority, has notes, the coalition's reading)
    number: int = 1
    count: int = 0
    per_page: int = 50

    @property
    def paginator(self) -> Page:
        return self

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def read_page(
    recommendations: QuerySet[Recommendation],
    *,
    coalition: Coalition,
    page: str | int | None = 1,
    per_page: int = 50,
    cache_key: str | None = None,
) -> Page:
    """One page of the search, in two steps. First the page's ids with the total (search.matches:
    from the recommendations table alone, remembered for a while under `cache_key` when given).
    Then those rows with their review, State and session. A page past the end falls back to the
    last page, as Paginator.get_page does."""
    # A page number that is not one reads as the first; one past the end as the last (below). Bounded,
    # so that the offset stays within the database's integers.
    number = parse_int(page, minimum=1, maximum=MAX_PAGE)
    if number is None:
        number = MAX_PAGE if str(page).isascii() and str(page).isdigit() else 1
    ids, total = matches(recommendations, start=(number - 1) * per_page, stop=number * per_page, cache_key=cache_key)
    if not ids and total:
        number = -(-total // per_page)
        ids, total = matches(recommendations, start=(number - 1) * per_page, stop=number * per_page, cache_key=cache_key)
    found = [(pk, total) for pk in ids]
    order = {pk: i for i, (pk, _total) in enumerate(found)}
    rows, states, ours = _page_rows(list(order), coalition_id=coalition.pk)
    rows.sort(key=lambda row: order[row[0]])
    return Page(rows, states, ours, number=number, count=total, per_page=per_page)


def _page_rows(
    ids: list[int], *, coalition_id: int
) -> tuple[list[tuple], dict[int, list[str]], dict[int, tuple[bool, bool, str]]]:
    """The page's rows (FIELDS), their recommending States' names, and the coalition's own record on them,
    in one statement: the States' ids aggregated per row, the record left-joined. Reviews and States
    are named from reference_maps() (in memory): joined, PostgreSQL hashed all of them per search."""
    if not ids:
        return [], {}, {}
    reviews, state_names = reference_maps()
    marks = ", ".join(["%s"] * len(ids))
    r, ours_table = Recommendation._meta.db_table, CoalitionRecommendation._meta.db_table
    through = Recommendation.recommending_states.through._meta.db_table
    aggregate = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id, r.paragraph, r.text, r.response, r.action_category, r.action_category_status, r.review_id,"
            f" (SELECT {aggregate}(CAST(t.state_id AS TEXT), ',') FROM {through} t WHERE t.recommendation_id = r.id),"
            f" l.priority, l.notes, l.reading"
            f" FROM {r} r LEFT JOIN {ours_table} l ON l.recommendation_id = r.id AND l.coalition_id = %s"
            f" WHERE r.id IN ({marks})",
            [coalition_id, *ids],
        )
        found = cursor.fetchall()
    rows = [(*row[:6], *reviews.get(row[6], ("", 0))) for row in found]
    states = {row[0]: sorted(state_names.get(int(pk), "") for pk in row[7].split(",")) if row[7] else [] for row in found}
    ours = {row[0]: (bool(row[8]), bool(row[9]), row[10] or "") for row in found if row[8] is not None}
    return rows, states, ours


def response_labels() -> tuple[tuple[str, str], ...]:
    """(response, its label) pairs, translated once per page."""
    return tuple((value, str(label)) for value, label in Response.choices)


def shorten(text: str, words: int = WORDS_SHOWN) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


def render(page: Page, *, base_url: str, can_edit: bool) -> SafeString:
    """The `<tr>` elements of the list; an editor's priority cell is a button (see priority_cell). A
    response or reading that is not one of Response's shows as its value."""
    rows = tuple((*row, tuple(page.states.get(row[0], ())), page.ours.get(row[0], UNTOUCHED)) for row in page.rows)
    return kept_fragment(
        "recommendations/rows.html",
        rows=rows,
        base_url=base_url,
        can_edit=can_edit,
        responses=response_labels(),
        shorten=shorten,
        suggested_status=ActionCategoryStatus.SUGGESTED,
    )


def priority_cell(on: bool, *, name: str, url: str, announce: str) -> SafeString:
    """An editor's priority flag after a toggle with htmx (templates/jinja2/recommendations/priority.html): the
    answer replaces the cell, and `announce` says what changed."""
    return fragment("recommendations/priority_cell.html", {"on": on, "name": name, "url": url, "announce": announce})
