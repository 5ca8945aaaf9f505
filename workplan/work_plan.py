"""The engagement's working plan: tasks with an owner, a due instant in a time zone (or only a day),
a status, and the milestone and document they serve. Writes (task_save, task_set_status) and the read of a plan."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User, timezone_choices
from coalitions.audit import audit_record
from coalitions.models import Coalition, Engagement, MemberOrganisation, Membership, Milestone, WorkingGroup
from upr.dates import DATE_HELP, DatePicker

from .models import Task, TaskStatus
from .models.tasks import due_instant

if TYPE_CHECKING:
    from submissions.models import Document


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Task"), max_length=200)
    due_date = forms.DateField(label=gettext_lazy("Due on"), widget=DatePicker(), help_text=DATE_HELP)
    due_time = forms.TimeField(
        label=gettext_lazy("At"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=gettext_lazy("Leave empty for a task due on that day, at no particular time."),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone of that time"),
        choices=timezone_choices,
        initial="Europe/Zurich",
        help_text=gettext_lazy("OHCHR's deadlines are Geneva time (Europe/Zurich)."),
    )
    owner = forms.ModelChoiceField(Membership.objects.none(), required=False, label=gettext_lazy("Person"))
    organisation = forms.ModelChoiceField(MemberOrganisation.objects.none(), required=False, label=gettext_lazy("Organisation"))
    working_group = forms.ModelChoiceField(WorkingGroup.objects.none(), required=False, label=gettext_lazy("Working group"))
    milestone = forms.ModelChoiceField(Milestone.objects.none(), required=False, label=gettext_lazy("For the milestone"))
    document: forms.ModelChoiceField[Document] = forms.ModelChoiceField(None, required=False, label=gettext_lazy("Document"))

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        from submissions.models import Document

        super().__init__(*args, **kwargs)
        coalition = engagement.coalition
        # Form.fields is typed as plain Fields: these are ModelChoiceFields (declared, or made for the model's relations).
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = Membership.objects.for_coalition(coalition).select_related(
            "user"
        )
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = MemberOrganisation.objects.for_coalition(coalition)
        cast(forms.ModelChoiceField, self.fields["working_group"]).queryset = WorkingGroup.objects.for_coalition(coalition)
        cast(forms.ModelChoiceField, self.fields["milestone"]).queryset = engagement.milestones.all()
        cast(forms.ModelChoiceField, self.fields["document"]).queryset = Document.objects.for_coalition(coalition).filter(
            engagement=engagement
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("due_date") and data.get("time_zone") and "due_time" not in self.errors:
            data["all_day"] = data.get("due_time") is None
            data["due_at"] = due_instant(data["due_date"], data.get("due_time"), data["time_zone"])
        return data


@transaction.atomic
def task_save(*, engagement: Engagement, actor: User, data: dict[str, Any], task: Task | None = None) -> Task:
    """Create or change a task of `engagement` (data: TaskForm's cleaned data)."""
    fields = {
        "title": data["title"],
        "due_at": data["due_at"],
        "time_zone": data["time_zone"],
        "all_day": data.get("all_day", False),
        "owner": data["owner"].user if data.get("owner") else None,
        "organisation": data.get("organisation"),
        "working_group": data.get("working_group"),
        "milestone": data.get("milestone"),
        "document": data.get("document"),
    }
    if task is None:
        task = Task.objects.create(coalition=engagement.coalition, engagement=engagement, created_by=actor, **fields)
        audit_record(coalition=engagement.coalition, actor=actor, action="task.create", target=task)
    else:
        for name, value in fields.items():
            setattr(task, name, value)
        task.save()
    return task


def can_change(membership: Membership, task: Task) -> bool:
    """Editors and the secretariat change any task; a member their own (as person or organisation)."""
    return (
        membership.can_edit
        or task.owner_id == membership.user_id
        or (task.organisation_id is not None and task.organisation_id == membership.organisation_id)
    )


@transaction.atomic
def task_set_status(*, task: Task, membership: Membership, status: str) -> Task:
    if not can_change(membership, task):
        raise PermissionDenied(_("This task is someone else's."))
    if status not in TaskStatus.values:
        raise PermissionDenied(_("Unknown status."))
    task.status = status
    task.save(update_fields=["status", "updated_at"])
    return task


def plan(*, engagement: Engagement) -> list[Task]:
    """The engagement's tasks, open first by due time, in one query."""
    return list(
        engagement.tasks.select_related("owner", "organisation", "working_group", "milestone", "document").order_by(
            "status", "due_at", "id"
        )
    )


def my_deadlines(*, user: Any, now: dt.datetime, days: int = 60) -> list[dict[str, Any]]:
    """A person's deadlines across their coalitions: the milestones of every engagement and the open
    tasks they own (as a person, through their organisation or working group), from the overdue
    tasks to `days` ahead, soonest first. A fixed number of queries whatever the number of coalitions."""
    from .reminders import deadlines, engagements_with_deadlines

    engagements = engagements_with_deadlines(coalition__in=Membership.objects.filter(user=user).values("coalition_id"))
    by_id = {e.pk: e for e in engagements}
    coalitions = {c.pk: c for c in Coalition.objects.filter(pk__in={e.coalition_id for e in engagements})}
    rows = []
    for deadline in deadlines(engagements=engagements):
        if deadline.recipients is not None and user.pk not in deadline.recipients:
            continue
        is_task = deadline.key.startswith("task:")
        if deadline.due_at > now + dt.timedelta(days=days) or (deadline.due_at < now and not is_task):
            continue
        engagement = by_id[deadline.engagement_id]
        rows.append(
            {
                "due_at": deadline.due_at,
                "day": deadline.day,
                "label": deadline.label,
                "task": is_task,
                "overdue": deadline.due_at < now,
                "coalition": coalitions[deadline.coalition_id],
                "engagement": engagement,
            }
        )
    return sorted(rows, key=lambda row: row["due_at"])


def engagement_week(*, engagement: Engagement, now: dt.datetime) -> dict[str, Any]:
    """The engagement's dashboard: what falls due in the next 7 days (milestones and open tasks), the
    overdue tasks, and its stakeholder submission's word count and sign-on (the latest one made)."""
    from submissions.models import Document
    from submissions.selectors import document_page

    from .reminders import deadlines, engagements_with_deadlines

    found = deadlines(engagements=engagements_with_deadlines(pk=engagement.pk))
    week = [d for d in found if now <= d.due_at <= now + dt.timedelta(days=7)]
    overdue = [d for d in found if d.key.startswith("task:") and d.due_at < now]
    submission = (
        Document.objects.filter(engagement=engagement, kind__in=["joint_submission", "individual_submission"])
        .select_related("lead_organisation", "engagement__review__state", "engagement__review__session")
        .order_by("-created_at")
        .first()
    )
    page = document_page(submission, with_comments=False) if submission else None
    return {
        "week": sorted(week, key=lambda d: d.due_at),
        "overdue": sorted(overdue, key=lambda d: d.due_at),
        "submission": submission,
        "count": page.count if page else None,
        "signers": page.submitters.total if page else 0,
        "asked": sum(1 for s in page.submitters.sign_ons if s.status == "requested") if page else 0,
    }
