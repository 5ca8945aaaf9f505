"""Tasks: the working plan of an engagement. Each carries an owner (a person, a member organisation
or a working group), a due instant entered in a time zone (OHCHR's deadlines are Geneva time; each
reader also sees it in their own), a status, and optionally the milestone and document it serves."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import CoalitionOwnedModel, Engagement, MemberOrganisation, Milestone, WorkingGroup


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")


class Task(CoalitionOwnedModel):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="tasks")
    milestone = models.ForeignKey(Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks",
                                  verbose_name=_("milestone"))
    title = models.CharField(_("task"), max_length=200)
    due_at = models.DateTimeField(_("due"))
    time_zone = models.CharField(_("time zone of the due time"), max_length=64, default="Europe/Zurich")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("person"))
    organisation = models.ForeignKey(MemberOrganisation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("organisation"))
    working_group = models.ForeignKey(WorkingGroup, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("working group"))
    document = models.ForeignKey("submissions.Document", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="tasks", verbose_name=_("document"))
    status = models.CharField(_("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["engagement", "status", "due_at"], name="task_open_by_due")]

    def __str__(self) -> str:
        return self.title
