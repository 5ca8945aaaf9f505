"""Telling open editors, in every web process, what changed: through the channel layer's groups.

Called from ordinary (synchronous) Django code, always after the transaction commits: an editor must
never be shown a change, or an access, that a rollback then undoes.
"""

from __future__ import annotations

import asyncio
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def document_group(document_id: int) -> str:
    return f"live.document.{document_id}"


def coalition_group(coalition_id: int) -> str:
    return f"live.coalition.{coalition_id}"


def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(layer.group_send)(group, message)
        return
    # This thread runs an event loop of its own (a script or test driving a browser with a sync API):
    # async_to_sync cannot wait here, so the message is sent from a short-lived thread.
    sender = threading.Thread(target=async_to_sync(layer.group_send), args=(group, message))
    sender.start()
    sender.join()


def update_on_commit(*, document_id: int, room: str, update: bytes) -> None:
    """A change the server made (a form, the API, an import, a restore) reaches open editors."""
    transaction.on_commit(
        lambda: _send(document_group(document_id), {"type": "live.update", "room": room, "update": update, "sender": ""})
    )


def access_changed_on_commit(*, document_id: int | None = None, coalition_id: int | None = None) -> None:
    """Roles, assignments or a document's status changed: open connections read their rights again."""
    if document_id is not None:
        transaction.on_commit(lambda: _send(document_group(document_id), {"type": "live.access"}))
    if coalition_id is not None:
        transaction.on_commit(lambda: _send(coalition_group(coalition_id), {"type": "live.access"}))


def room_gone_on_commit(*, document_id: int, room: str) -> None:
    transaction.on_commit(lambda: _send(document_group(document_id), {"type": "live.room_gone", "room": room}))


def review_changed_on_commit(*, document_id: int, what: str) -> None:
    """Comments (`what` "comments") or decisions ("decisions") of a document changed: open pages
    fetch them again (the message carries no content, so nobody receives what they may not read)."""
    transaction.on_commit(lambda: _send(document_group(document_id), {"type": "live.review", "what": what}))
