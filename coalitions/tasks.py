"""Background work of the coalitions app (the invitation email). Tasks take ids and declare their queue."""

from upr.celery import queued_task

from . import emails


@queued_task(queue="default", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(*, invitation_id: int, token: str) -> None:
    emails.invitation_email_send(invitation_id=invitation_id, token=token)
