"""Background work of the working plan: the reminder sweep (Celery beat, or the embedded beat of
upr.scheduler) and the sending of reminders and digests. Tasks take ids and declare their queue."""

from typing import Any

from upr.celery import queued_task

SENDING: dict[str, Any] = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 8}


@queued_task(queue="reminders")
def sweep_reminders() -> int:
    """Run by Celery beat: claim the reminders that are due and queue their sending."""
    from . import reminders

    return len(reminders.sweep())


@queued_task(queue="reminders", **SENDING)
def send_reminders(*, reminder_ids: list[int]) -> int:
    """Send these claimed reminders, each in its own transaction: a retry skips those already sent."""
    from . import reminders

    memo: dict = {}  # the deadlines, read once for the task's reminders
    return sum(reminders.send(reminder_id=pk, memo=memo) for pk in reminder_ids)


@queued_task(queue="reminders", **SENDING)
def send_digest(*, user_id: int) -> int:
    from . import reminders

    return reminders.send_digest(user_id=user_id)


# The names these tasks had in `coalitions` before the layers moved them here. A reminder claimed and
# queued (or waiting to retry) under an old name when this version is deployed must still be sent:
# the sweep never claims it again. Keep these for one release, then delete them.
queued_task(queue="reminders", name="coalitions.tasks.sweep_reminders")(sweep_reminders.__wrapped__)
queued_task(queue="reminders", name="coalitions.tasks.send_reminders", **SENDING)(send_reminders.__wrapped__)
queued_task(queue="reminders", name="coalitions.tasks.send_digest", **SENDING)(send_digest.__wrapped__)
