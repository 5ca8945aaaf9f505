"""The rows of the recommendations list, built in Python from plain values.

The list is the page searched over and over (41,066 recommendations in UPR Info's export alone).
Through the template engine its 50 rows cost several times the search: model objects, variable
resolution, a URL reversed and a form included per row. Here the rows are read as tuples (three
statements: recommendations, their States, the coalition's layer) and each is one f-string whose
every interpolated value goes through `escape`; labels arrive translated once per page.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape as html_escape

from django.db import connection
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coalitions.models import Coalition
from upr.inputs import parse_int

from .models import ActionCategoryStatus, CoalitionRecommendation, Recommendation, Response
from .search import matches
from .vocabulary import reference_maps

MAX_PAGE = 10**9  # far past any last page, and its offset well within the database's integers

# What a row shows, in this order (read in plain SQL by _page_rows: the ORM took longer to build
# these three small statements than PostgreSQL took to run them).
FIELDS = ("pk", "paragraph", "text", "response", "action_category", "action_category_status",
          "review__state__iso3", "review__session__number")
WORDS_SHOWN = 40
RESPONSE_VALUES = frozenset(Response.values)


def escape(value: object) -> str:
    """HTML-escaped text, as django.utils.html.escape gives it (the same five characters) without
    its lazy-string wrapper, which cost a third of a millisecond per page of 25 rows."""
    return html_escape(str(value))


@dataclass
class Page:
    """A page's rows as tuples, with the States and the coalition's layer of each, and what the
    pagination links need (the attributes of Django's Page and Paginator that templates use)."""

    rows: list[tuple]
    states: dict[int, list[str]]
    layers: dict[int, tuple[bool, bool, str]]  # recommendation -> (priority, has notes, the coalition's reading)
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


def read_page(recommendations: QuerySet[Recommendation], *, coalition: Coalition, page: str | int | None = 1,
              per_page: int = 50, cache_key: str | None = None) -> Page:
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
    rows, states, layers = _page_rows(list(order), coalition_id=coalition.pk)
    rows.sort(key=lambda row: order[row[0]])
    return Page(rows, states, layers, number=number, count=total, per_page=per_page)


def _page_rows(ids: list[int], *, coalition_id: int) -> tuple[list[tuple], dict[int, list[str]], dict[int, tuple[bool, bool, str]]]:
    """The page's rows (FIELDS), their recommending States' names, and the coalition's layer on them,
    in one statement: the States' ids aggregated per row, the layer left-joined. Reviews and States
    are named from reference_maps() (in memory): joined, PostgreSQL hashed all of them per search."""
    if not ids:
        return [], {}, {}
    reviews, state_names = reference_maps()
    marks = ", ".join(["%s"] * len(ids))
    r, layer = Recommendation._meta.db_table, CoalitionRecommendation._meta.db_table
    through = Recommendation.recommending_states.through._meta.db_table
    aggregate = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id, r.paragraph, r.text, r.response, r.action_category, r.action_category_status, r.review_id,"
            f" (SELECT {aggregate}(CAST(t.state_id AS TEXT), ',') FROM {through} t WHERE t.recommendation_id = r.id),"
            f" l.priority, l.notes, l.reading"
            f" FROM {r} r LEFT JOIN {layer} l ON l.recommendation_id = r.id AND l.coalition_id = %s"
            f" WHERE r.id IN ({marks})",
            [coalition_id, *ids],
        )
        found = cursor.fetchall()
    rows = [(*row[:6], *reviews.get(row[6], ("", 0))) for row in found]
    states = {row[0]: sorted(state_names.get(int(pk), "") for pk in row[7].split(",")) if row[7] else [] for row in found}
    layers = {row[0]: (bool(row[8]), bool(row[9]), row[10] or "") for row in found if row[8] is not None}
    return rows, states, layers


def labels() -> dict[str, str]:
    """The words of a row, translated once per page."""
    return {
        "priority": _("Priority"), "flag": _("Flag as priority"), "notes": _("notes"),
        "suggested": _("suggested"), "suggested_title": _("suggested from the first verb"),
        "reading": _("your coalition's reading"),
        **{f"response_{value}": str(label) for value, label in Response.choices},
    }


def shorten(text: str, words: int = WORDS_SHOWN) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


def render(page: Page, *, base_url: str, can_edit: bool, words: dict[str, str]) -> SafeString:
    """The `<tr>` elements of the list; an editor's priority cell is a button (see priority_cell)."""
    e = escape
    html = []
    for pk, paragraph, text, response, category, status, iso3, session in page.rows:
        url = f"{base_url}{pk}/"
        priority, notes, reading = page.layers.get(pk, (False, False, ""))
        where = f"{e(iso3)} {session}" + (f'<br><span class="muted">{e(paragraph)}</span>' if paragraph else "")
        action = ""
        if category:
            action = str(category)
            if status == ActionCategoryStatus.SUGGESTED:
                action += f' <span class="muted" title="{e(words["suggested_title"])}">({e(words["suggested"])})</span>'
        # The coalition's own reading of the response, beside the shared one (only in its own list).
        ours_reading = (f' <span class="ours" title="{e(words["reading"])}">· {e(words["response_" + reading])}</span>'
                        if reading in RESPONSE_VALUES else "")
        ours = priority_cell(pk, priority, name=paragraph or shorten(text, 6), url=url, can_edit=can_edit, words=words)
        if notes:
            ours += f' <span class="badge">{e(words["notes"])}</span>'
        html.append(
            f'<tr><td>{where}</td><td><a href="{url}">{e(shorten(text))}</a></td>'
            f'<td>{e(", ".join(page.states.get(pk, ())))}</td>'
            f'<td><span class="response response-{response}">{e(words["response_" + response])}</span>{ours_reading}</td>'
            f"<td>{action}</td><td>{ours}</td></tr>"
        )
    return mark_safe("\n".join(html))  # every interpolated value above went through escape() or is ours


def priority_cell(pk: int, on: bool, *, name: str, url: str, can_edit: bool, words: dict[str, str],
                  announce: str = "") -> str:
    """The priority flag: a toggle button for editors, a badge for others (when flagged). The button
    posts the page's one #priority-form (its CSRF token and the way back) to this recommendation's
    address; with htmx it posts in place and the answer replaces the cell. `name` tells a screen
    reader which recommendation the button flags."""
    e = escape
    if not can_edit:
        return f'<span class="badge">★ {e(words["priority"])}</span>' if on else ""
    label = f'★ {e(words["priority"])}' if on else f'☆ {e(words["flag"])}'
    status = f' <span class="saved" role="status">{e(announce)}</span>' if announce else ""
    return (
        f'<span class="priority"><button type="submit" form="priority-form" formaction="{url}priority/" '
        f'hx-post="{url}priority/" hx-target="closest .priority" hx-swap="outerHTML" class="link" '
        f'aria-pressed="{"true" if on else "false"}">{label}<span class="visually-hidden"> {e(name)}</span></button>{status}</span>'
    )
