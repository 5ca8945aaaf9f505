"""Tasks: the working plan of an engagement. Each carries an owner (a person, a member organisation
or a working group), a due instant entered in a time zone (OHCHR's deadlines are Geneva time; each
reader also sees it in their own) or only a day, a status, and optionally the milestone and document
it serves.

A task without a time of day (`all_day`) is due at the end of its day in its zone: that instant
orders it and times its reminders, while pages, emails and calendars show the day alone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coalitions.models import CoalitionOwnedModel, Engagement, MemberOrganisation, Milestone, WorkingGroup

END_OF_DAY = dt.time(23, 59, 59)  # when a task due on a day (no time) falls due, in its zone


def due_instant(day: dt.date, time: dt.time | None, zone: str) -> dt.datetime:
    """The instant a task is due: at `time` on `day` in `zone`, or (no time) at the end of that day.
    zoneinfo resolves a time skipped or repeated by a daylight-saving change (fold 0: the first)."""
    return dt.datetime.combine(day, time or END_OF_DAY, tzinfo=zoneinfo.ZoneInfo(zone))


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")


class Task(CoalitionOwnedModel):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="tasks")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name=_("milestone")
    )
    title = models.CharField(_("task"), max_length=200)
    due_at = models.DateTimeField(_("due"))
    time_zone = models.CharField(_("time zone of the due time"), max_length=64, default="Europe/Zurich")
    all_day = models.BooleanField(_("due on the day, no time"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        MemberOrganisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("organisation")
    )
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("working group")
    )
    document = models.ForeignKey(
        "submissions.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name=_("document")
    )
    status = models.CharField(_("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "coalitions_task"  # the table it had in coalitions (see the package's docstring)
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["engagement", "status", "due_at"], name="task_open_by_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def due_day(self) -> dt.date | None:
        """The day of a task due on a day (no time), in its zone; None for a task due at a time."""
        return self.due_at.astimezone(zoneinfo.ZoneInfo(self.time_zone)).date() if self.all_day else None
