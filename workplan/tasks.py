"""Background work of the working plan: the reminder sweep (Celery beat, or the embedded beat of
upr.scheduler) and the sending of reminders and digests. Tasks take ids and declare their queue."""

from upr.celery import queued_task


@queued_task(queue="reminders")
def sweep_reminders() -> int:
    """Run by Celery beat: claim the reminders that are due and queue their sending."""
    from . import reminders

    return len(reminders.sweep())


@queued_task(queue="reminders", autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_reminders(*, reminder_ids: list[int]) -> int:
    """Send these claimed reminders, each in its own transaction: a retry skips those already sent."""
    from . import reminders

    memo: dict = {}  # the deadlines, read once for the task's reminders
    return sum(reminders.send(reminder_id=pk, memo=memo) for pk in reminder_ids)


@queued_task(queue="reminders", autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_digest(*, user_id: int) -> int:
    from . import reminders

    return reminders.send_digest(user_id=user_id)
