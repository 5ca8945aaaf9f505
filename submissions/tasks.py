"""Exports and snapshots run here, on the `exports` queue: a long export never delays a reminder."""

from __future__ import annotations

from upr.celery import queued_task

from . import services


@queued_task(queue="exports")
def export_document(job_id: int) -> None:
    services.export_run(job_id=job_id)


@queued_task(queue="exports")
def make_snapshot(document_id: int, user_id: int | None) -> None:
    services.snapshot_make(document_id=document_id, user_id=user_id)


@queued_task(queue="default", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_signon_email(*, sign_on_id: int) -> int:
    """Tell an organisation's contacts that it is asked to sign (or reminded): small, never behind an export."""
    from .emails import signon_email_send

    return signon_email_send(sign_on_id=sign_on_id)


@queued_task(queue="default", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_mention_emails(*, comment_id: int) -> int:
    """Tell the people a comment mentions (small, never behind an export)."""
    from .comment_emails import mention_emails_send

    return mention_emails_send(comment_id=comment_id)


@queued_task(queue="reminders")
def close_due_decisions() -> int:
    """Run by Celery beat every minute: close the decisions whose time has come, each once, with its
    tally. On the reminders queue: a decision closes on time, never behind an export."""
    from .services.decisions import decisions_close_due

    return len(decisions_close_due())
