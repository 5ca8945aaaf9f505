"""Rights change on open connections at once: who may write a section is read again by every open
live editor when a role, a working group, an assignment or a document's status changes.

Why signals: these rows change in many places (the members page, the API, the admin, the working
groups page, status changes), and a right that takes effect only at the next page load would let a
removed member keep typing into a submission. Each signal sends one message to the channel layer's
group of the document or coalition after the commit; the consumers read the rights from the database.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from coalitions.models import Membership, WorkingGroup

from ..models import Document, Section
from . import broadcast


def _membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    broadcast.access_changed_on_commit(coalition_id=instance.coalition_id)


def _working_group_members_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        broadcast.access_changed_on_commit(coalition_id=instance.coalition_id)


def _section_saved(sender: Any, instance: Section, created: bool, **kwargs: Any) -> None:
    # A new section is a new room: the open pages learn of it at their next load; its rights now.
    broadcast.access_changed_on_commit(document_id=instance.document_id)


def _section_deleted(sender: Any, instance: Section, **kwargs: Any) -> None:
    broadcast.room_gone_on_commit(document_id=instance.document_id, room=f"section-{instance.pk}")


def _document_saved(sender: Any, instance: Document, created: bool, **kwargs: Any) -> None:
    if not created:
        broadcast.access_changed_on_commit(document_id=instance.pk)


def connect() -> None:
    post_save.connect(_membership_changed, sender=Membership, dispatch_uid="live-membership-saved")
    post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="live-membership-deleted")
    m2m_changed.connect(
        _working_group_members_changed, sender=WorkingGroup.members.through, dispatch_uid="live-working-group-members"
    )
    post_delete.connect(_membership_changed, sender=WorkingGroup, dispatch_uid="live-working-group-deleted")
    post_save.connect(_section_saved, sender=Section, dispatch_uid="live-section-saved")
    post_delete.connect(_section_deleted, sender=Section, dispatch_uid="live-section-deleted")
    post_save.connect(_document_saved, sender=Document, dispatch_uid="live-document-saved")
