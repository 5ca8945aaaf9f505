"""Reads of the matrix: its rows with their latest assessment, one row's history, and the figures of
the dashboard. A fixed number of queries whatever the number of rows and assessments."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from coalitions.models import Engagement, Membership, Role

from .models import Assessment, Light, Matrix, MatrixRow

IMPLEMENTED = (Light.GREEN, Light.ORANGE)  # fully or partly: what "implementation rate" counts


def matrix_of(engagement: Engagement) -> Matrix | None:
    matrix = Matrix.objects.filter(coalition_id=engagement.coalition_id, engagement=engagement).first()
    if matrix is not None:
        matrix.engagement = engagement  # already read, with its review
    return matrix


def latest_seen(row: MatrixRow, membership: Membership) -> Assessment | None:
    """The latest assessment the person may read (observers: only if shared)."""
    latest = row.latest
    if latest is None or latest.shared or membership.has_role(Role.MEMBER):
        return latest
    return None


def history(*, row: MatrixRow, membership: Membership) -> list[Assessment]:
    found = Assessment.objects.filter(coalition=row.coalition, row=row).select_related("created_by").prefetch_related("evidence")
    if not membership.has_role(Role.MEMBER):
        found = found.filter(shared=True)
    return list(found)


@dataclass
class Rate:
    label: str
    total: int = 0
    lights: Counter = field(default_factory=Counter)

    @property
    def implemented(self) -> int:
        return sum(self.lights[light] for light in IMPLEMENTED)

    @property
    def percent(self) -> int:
        return round(100 * self.implemented / self.total) if self.total else 0

    @property
    def assessed(self) -> int:
        return sum(self.lights.values())

    @property
    def unassessed(self) -> int:
        return self.total - self.assessed

    @property
    def counts(self) -> list[tuple[str, int, int]]:
        """(light, rows, share of all rows in %) for green, orange, red and grey."""
        return [
            (light.value, self.lights[light.value], round(100 * self.lights[light.value] / self.total) if self.total else 0)
            for light in Light
        ]


@dataclass
class Dashboard:
    overall: Rate
    by_cluster: list[Rate]
    by_response: list[Rate]
    by_body: list[Rate]
    over_time: list[tuple[dt.date, Rate]]


def dashboard(*, matrix: Matrix, membership: Membership) -> Dashboard:
    """Implementation rates (rows fully or partly implemented by their latest assessment, out of all
    rows) overall, by cluster, by response, by lead body, and at the end of each month assessed."""
    from recommendations.models import Response

    observer = not membership.has_role(Role.MEMBER)
    data = list(
        MatrixRow.objects.filter(coalition=matrix.coalition, matrix=matrix).values_list(
            "pk", "cluster__name", "cluster__position", "recommendation__response", "lead_body", "latest__light", "latest__shared"
        )
    )
    overall = Rate(str(_("All recommendations")))
    clusters: dict[str, Rate] = {}
    responses: dict[str, Rate] = {}
    bodies: dict[str, Rate] = {}
    order: dict[str, int] = {}
    for _pk, cluster, position, response, body, light, shared in data:
        label = dict(Response.choices).get(response, response)
        groups = (
            overall,
            clusters.setdefault(cluster, Rate(cluster)),
            responses.setdefault(str(label), Rate(str(label))),
            bodies.setdefault(body or str(_("Not yet named")), Rate(body or str(_("Not yet named")))),
        )
        order[cluster] = position
        for rate in groups:
            rate.total += 1
            if light and (shared or not observer):
                rate.lights[light] += 1
    timeline = _over_time(matrix, observer, total=len(data))
    return Dashboard(
        overall,
        sorted(clusters.values(), key=lambda r: (order[r.label], r.label)),
        sorted(responses.values(), key=lambda r: r.label),
        sorted(bodies.values(), key=lambda r: (-r.total, r.label)),
        timeline,
    )


def _over_time(matrix: Matrix, observer: bool, total: int) -> list[tuple[dt.date, Rate]]:
    """The rate at the end of each month in which something was assessed: each row at its latest
    assessment up to that day."""
    found = Assessment.objects.filter(coalition=matrix.coalition, row__matrix=matrix)
    if observer:
        found = found.filter(shared=True)
    events = sorted(found.values_list("assessed_on", "id", "row_id", "light"))
    if not events:
        return []
    months = sorted({dt.date(event[0].year, event[0].month, 1) for event in events})
    points, state, i = [], {}, 0
    for month in months:
        end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        while i < len(events) and events[i][0] <= end:
            state[events[i][2]] = events[i][3]
            i += 1
        rate = Rate(end.isoformat(), total=total, lights=Counter(state.values()))
        points.append((end, rate))
    return points


def followed_by_a_matrix(recommendation_ids: list[int]) -> str | None:
    """Why a shared import that added these recommendations may not be undone: a coalition's
    implementation matrix already follows one of them (recommendations.shared_imports asks)."""
    if MatrixRow.objects.filter(recommendation_id__in=recommendation_ids).exists():
        return _(
            "An implementation matrix already follows recommendations this import added; "
            "they cannot be removed. Ask the site staff."
        )
    return None
