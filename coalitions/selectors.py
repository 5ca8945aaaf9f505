"""Reads that pages and the API share; each owns its joins so that page queries stay constant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from upr.rules import GENEVA, MILESTONE_RULES_BY_KIND, geneva_deadline

from .models import AuditEvent, Coalition, Engagement, Invitation, MemberOrganisation, Membership, Milestone, WorkingGroup
from .rows import MEMBER_ROW_FIELDS


def coalition_counts(*, coalition: Coalition) -> dict[str, int]:
    """People, organisations, working groups and open invitations: the dashboard's figures.

    One plain SQL statement of four scalar subqueries: the same as four ORM counts, but built without
    the ORM's query compilation, which cost more than the database's work on this hot page.
    """
    tables = {
        name: model._meta.db_table
        for name, model in (("people", Membership), ("organisations", MemberOrganisation), ("groups", WorkingGroup))
    }
    subqueries = [f"(SELECT COUNT(*) FROM {table} WHERE coalition_id = %s)" for table in tables.values()]
    subqueries.append(
        f"(SELECT COUNT(*) FROM {Invitation._meta.db_table} WHERE coalition_id = %s"
        " AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(subqueries), [coalition.pk] * 4 + [timezone.now()])
        row = cursor.fetchone()
    return dict(zip([*tables, "pending_invitations"], row, strict=True))


def membership_list(*, coalition: Coalition) -> QuerySet[Membership]:
    """The coalition's people with their organisation, ordered by email."""
    return Membership.objects.for_coalition(coalition).select_related("user", "organisation").order_by("user__email")


class MemberRows:
    """The people list of a coalition as plain dicts (MEMBER_ROW_FIELDS), for Paginator: `count()` and
    slicing run one plain SQL statement each.

    The page is the coalition's most visited list and its rows are rendered without models (see
    coalitions.rows); building these two statements through the ORM cost more than running them. The
    organisation's name is a correlated subquery looked up by key for each row: as a join, PostgreSQL
    hashed every coalition's organisations, a cost growing with the number of tenants.
    """

    def __init__(self, coalition: Coalition, *, hide_withheld: bool = False) -> None:
        self.coalition_id = coalition.pk
        m, u, o = (model._meta.db_table for model in (Membership, User, MemberOrganisation))
        # For an observer, the organisation of a person who speaks for a withheld one is left blank (coalitions.withheld).
        hidden = " AND NOT o.withheld" if hide_withheld else ""
        self.select = (
            f"SELECT m.id, m.role, u.email, u.name, (SELECT o.name FROM {o} o WHERE o.id = m.organisation_id{hidden})"
            f" FROM {m} m JOIN {u} u ON u.id = m.user_id WHERE m.coalition_id = %s"
        )
        self.count_sql = f"SELECT COUNT(*) FROM {m} WHERE coalition_id = %s"

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self.count_sql, [self.coalition_id])
            return cursor.fetchone()[0]

    def __getitem__(self, page: slice) -> list[dict]:
        start, stop = page.start or 0, page.stop
        return self._rows(" ORDER BY u.email, m.id LIMIT %s OFFSET %s", [stop - start, start])

    def row(self, membership_id: int) -> dict:
        return self._rows(" AND m.id = %s", [membership_id])[0]

    def _rows(self, tail: str, params: list) -> list[dict]:
        with connection.cursor() as cursor:
            cursor.execute(self.select + tail, [self.coalition_id, *params])
            return [dict(zip(MEMBER_ROW_FIELDS, row, strict=True)) for row in cursor.fetchall()]


def organisation_list(*, coalition: Coalition) -> QuerySet[MemberOrganisation]:
    return MemberOrganisation.objects.for_coalition(coalition).annotate(people=Count("memberships")).order_by("name")


def working_group_list(*, coalition: Coalition) -> QuerySet[WorkingGroup]:
    return (
        WorkingGroup.objects.for_coalition(coalition)
        .select_related("lead__user")
        .prefetch_related(Prefetch("members", queryset=Membership.objects.select_related("user")))
        .order_by("name")
    )


def invitation_list(*, coalition: Coalition) -> QuerySet[Invitation]:
    return Invitation.objects.for_coalition(coalition).select_related("organisation", "invited_by")


def engagement_list(*, coalition: Coalition) -> QuerySet[Engagement]:
    return Engagement.objects.for_coalition(coalition).select_related("review__state", "review__session")


def audit_list(*, coalition: Coalition) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.for_coalition(coalition).select_related("actor")


@dataclass(frozen=True)
class TimelineEntry:
    milestone: Milestone
    label: str
    default_date: dt.date | None
    date: dt.date | None
    end_date: dt.date | None
    due_at: dt.datetime | None  # for a deadline at a Geneva hour: the exact instant

    @property
    def overridden(self) -> bool:
        return self.milestone.override_date is not None

    @property
    def is_past(self) -> bool:
        return self.date is not None and self.date < timezone.localdate()


def engagement_timeline(*, engagement: Engagement, milestones: list[Milestone] | None = None) -> list[TimelineEntry]:
    """The engagement's milestones with their dates: the coalition's override, else the default from the
    review date (and, for the stakeholder deadline, OHCHR's published date for the session)."""
    review = engagement.review
    day_zero = review.day_zero
    milestones = list(milestones if milestones is not None else engagement.milestones.all())

    def default_for(milestone: Milestone) -> dt.date | None:
        rule = MILESTONE_RULES_BY_KIND.get(milestone.kind)
        if rule is None:
            return None
        if rule.kind == "stakeholder_deadline" and review.session.stakeholder_deadline:
            return timezone.localtime(review.session.stakeholder_deadline, GENEVA).date()
        return rule.offset.from_(day_zero) if day_zero else None

    dates = {m.kind: (m.override_date or default_for(m)) for m in milestones if m.kind != "custom"}
    entries = []
    for milestone in milestones:
        rule = MILESTONE_RULES_BY_KIND.get(milestone.kind)
        default = default_for(milestone)
        date = milestone.override_date or default
        due_at = geneva_deadline(date, rule.geneva_time) if rule and rule.geneva_time and date else None
        entries.append(
            TimelineEntry(
                milestone=milestone,
                label=milestone.title or str(rule.label if rule else milestone.get_kind_display()),
                default_date=default,
                date=date,
                end_date=dates.get(rule.ends_with) if rule and rule.ends_with else None,
                due_at=due_at,
            )
        )
    return sorted(entries, key=lambda e: (e.date is None, e.date or dt.date.max, e.milestone.pk))


def next_milestone(entries: list[TimelineEntry]) -> TimelineEntry | None:
    today = timezone.localdate()
    return next((e for e in entries if e.date is not None and e.date >= today), None)
