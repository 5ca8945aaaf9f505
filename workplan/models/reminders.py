"""Email reminders of deadlines, and each person's preferences for them.

Exactly once, by construction: a `Reminder` row is the claim on one (person, deadline, the
deadline's instant, lead time) and the database refuses a second one (unique constraint). A sweep
inserts the claims it finds due, ignoring those that exist, and sends only the rows it inserted;
the send runs in a transaction that holds the row, so a worker that dies mid-send leaves the claim
unsent for the retry, and a retry of a sent reminder finds it sent. The deadline's instant is part
of the key: a deadline that moves gets reminders for its new date, and the old ones are not sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coalitions.models import CoalitionOwnedModel

DEFAULT_LEAD_DAYS = [30, 7, 1, 0]  # a month, a week, the day before, the day itself
MAX_LEAD_DAYS = 60  # the longest lead time a person may choose


def default_lead_days() -> list[int]:
    return list(DEFAULT_LEAD_DAYS)


class Delivery(models.TextChoices):
    SINGLE = "single", _("One email per reminder")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")
    NONE = "none", _("No reminders")


class ReminderPreference(models.Model):
    """How a person wants reminders, across their coalitions (none stored: the defaults)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference")
    lead_days = models.JSONField(_("days before the deadline"), default=default_lead_days)
    delivery = models.CharField(_("how"), max_length=8, choices=Delivery.choices, default=Delivery.SINGLE)
    last_digest_at = models.DateTimeField(null=True, blank=True)  # a digest goes once per day or week
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "coalitions_reminderpreference"  # the table it had in coalitions (see the package's docstring)


class ReminderStatus(models.TextChoices):
    CLAIMED = "claimed", _("To send")
    SENT = "sent", _("Sent")
    SUPERSEDED = "superseded", _("Not sent: the deadline moved or went")


class Reminder(CoalitionOwnedModel):
    """One reminder of one deadline to one person, claimed before it is sent (the coalition's: the
    deadline is one of its engagement's, and the person one of its members)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    deadline = models.CharField(max_length=40)  # "milestone:<id>" (later "task:<id>")
    due_at = models.DateTimeField()  # the deadline's instant when the reminder was claimed
    lead_days = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.CLAIMED)
    late = models.BooleanField(default=False)  # claimed by a sweep that ran after the reminder's time
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "coalitions_reminder"  # the table it had in coalitions (see the package's docstring)
        constraints = [
            models.UniqueConstraint(
                fields=["user", "deadline", "due_at", "lead_days"], name="one_reminder_per_person_deadline_lead"
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="reminder_to_send")]


class ReminderSweep(models.Model):
    """When the reminder sweep last ran (one row). A reminder is late only if its moment came after
    that run: a moment that passed before a sweep ran belongs to a deadline made or moved since, and
    its reminder is news, not a delay."""

    ran_at = models.DateTimeField()

    class Meta:
        db_table = "coalitions_remindersweep"  # the table it had in coalitions (see the package's docstring)
