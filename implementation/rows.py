"""The rows of the matrix page, built in Python from plain values, and cached.

Through the template engine the 254 rows of a review cost about 80 ms of server CPU: five model
objects per row, a translated label per choice per call, an include and a reversed URL per row.
Here the rows are read as tuples in one statement, each row is one f-string whose every value goes
through `escape`, and labels are translated once per page. The table is then cached per matrix,
language, what the person may see, and filters, under a stamp that changes with every write in the
coalition (each matrix service records an audit event) and with a re-import of the recommendations.
"""
from __future__ import annotations

import hashlib
from html import escape as html_escape

from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coalitions.models import AuditEvent, Membership, Role
from recommendations.models import Recommendation, Response
from upr.inputs import parse_id

from .models import LIGHT_ORDER, Light, Matrix, MatrixRow

FIELDS = ("pk", "recommendation__paragraph", "recommendation__text", "recommendation__response", "cluster__name",
          "cluster__working_group__name", "lead_body", "latest__light", "latest__assessed_on", "latest__shared",
          "previous_light")
WORDS_SHOWN = 30
CACHE_SECONDS = 600


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


def _stamp(matrix: Matrix) -> tuple:
    """(the coalition's newest audit event, the newest change to the review's recommendations). The
    OFFSET 0 keeps PostgreSQL on the review's index: left to itself it walked the whole updated_at
    index backwards (16 ms instead of 0.3)."""
    audit, recommendations = AuditEvent._meta.db_table, Recommendation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {audit} WHERE coalition_id = %s),"
            f" (SELECT MAX(updated_at) FROM (SELECT updated_at FROM {recommendations} WHERE review_id = %s OFFSET 0) r)",
            [matrix.coalition_id, matrix.engagement.review_id])
        return cursor.fetchone()


def render(*, matrix: Matrix, membership: Membership, filters: dict[str, str], slug: str) -> tuple[int, SafeString]:
    """(number of rows, the table body's HTML) of the matrix page."""
    member = membership.has_role(Role.MEMBER)
    manage = membership.is_admin
    stamp = _stamp(matrix)
    key = "matrix-rows:" + hashlib.sha256(repr((matrix.pk, member, manage, get_language(), sorted(filters.items()),
                                                slug, stamp)).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _render(matrix, member, manage, filters, slug)
        cache.set(key, found, CACHE_SECONDS)
    return found[0], mark_safe(found[1])


def _render(matrix: Matrix, member: bool, manage: bool, filters: dict[str, str], slug: str) -> tuple[int, str]:
    responses = {value: str(label) for value, label in Response.choices}
    lights = {value: escape(label) for value, label in Light.choices}
    moves = {"up": escape("↑ " + _("better")), "down": escape("↓ " + _("worse")), "same": escape("= " + _("unchanged"))}
    not_assessed = escape(_("Not assessed"))
    select = _("Select %(paragraph)s")
    base = reverse("implementation:row", args=[slug, matrix.engagement_id, 0])[:-2]  # ".../rows/"
    out = []
    rows = list(_filtered(matrix, filters).values_list(*FIELDS))
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
    return len(rows), "".join(out)
