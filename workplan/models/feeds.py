"""Private calendar addresses (iCalendar feeds) of deadlines; their logic is in workplan.feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """A private iCalendar address: a person's (the deadlines of all their coalitions) or, with a
    coalition, the secretariat's feed of that coalition. Only the token's hash is kept, so that a
    database leak opens no calendar; revoking deletes the row and the address stops working."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    coalition = models.ForeignKey("coalitions.Coalition", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    # A subscribed calendar is often shared (with a family, an office): an event titled with the
    # coalition's name tells others who one works with. Off unless chosen when the address is made.
    with_coalition_name = models.BooleanField(_("coalition's name in event titles"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "accounts_calendarfeed"  # the table it had in accounts (see the package's docstring)
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(coalition__isnull=True), name="one_personal_feed"),
            models.UniqueConstraint(
                fields=["coalition"], condition=models.Q(coalition__isnull=False), name="one_feed_per_coalition"
            ),
        ]
