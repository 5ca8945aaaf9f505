"""Background work of the coalitions app. Tasks take ids and declare their queue."""
from upr.celery import queued_task

from . import emails


@queued_task(queue="default", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(*, invitation_id: int, token: str) -> None:
    emails.invitation_email_send(invitation_id=invitation_id, token=token)


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
