"""The engagement's working plan: tasks, the record of consultations and advocacy meetings, the
reminders of deadlines with each person's preferences, and private calendar addresses.

These models were first written in `coalitions` (and the calendar address in `accounts`); they moved
here so that the tenant's app no longer reaches up to the documents and recommendations they point
at. They keep their tables ("coalitions_task", "accounts_calendarfeed", ...): workplan's first
migration takes an existing table over as it is, or creates it in a new database.
"""

from .advocacy import AdvocacyMeeting, Consultation, ConsultationKind, Venue
from .feeds import CalendarFeed
from .reminders import Reminder, ReminderPreference, ReminderStatus, ReminderSweep
from .tasks import Task, TaskStatus

__all__ = [
    "AdvocacyMeeting",
    "CalendarFeed",
    "Consultation",
    "ConsultationKind",
    "Reminder",
    "ReminderPreference",
    "ReminderStatus",
    "ReminderSweep",
    "Task",
    "TaskStatus",
    "Venue",
]
