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
