"""The live editor's WebSocket: one per open document page, multiplexing a room per text.

Security, in the order it is applied (a longer "why" because this is where a stranger's bytes arrive):

- The connection is authenticated by the session cookie (Channels' AuthMiddlewareStack) and only
  accepted from this site's own origin (AllowedHostsOriginValidator in hub/asgi.py), so another web
  page open in the same browser cannot speak for the person.
- It is resolved by the same guard as pages (`coalitions.tenancy.membership_for`): anyone who is not
  a member of the coalition, or asks for a document that is not the coalition's, or does not exist,
  gets the same close code 4404 and nothing before it (a guessed id tells nothing).
- Every update is checked against the right to write that room *now*: rights are read when the
  connection opens and again whenever a role, a working group, an assignment or the document's
  status changes (a signal, through the channel layer, reaches every process). A refused update is
  not stored, and the browser is told so.
- Every update is committed to the database before it is acknowledged or broadcast.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalitions.models import Membership, Role
from coalitions.tenancy import membership_for

from ..models import Document, LiveText, Section
from . import broadcast, protocol, store, yhtml

log = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404  # not a member, no such document, or not theirs: the same answer
CLOSE_NO_LONGER_MEMBER = 4403
PRESENCE_EVERY = 20.0  # seconds between "still here" messages; silent for three, a connection is gone

MESSAGES = {
    "gone": gettext_lazy("This part of the document no longer exists."),
    "deleted": gettext_lazy("This section was deleted."),
    "refused": gettext_lazy("Your last change in this section was not kept: you can no longer edit it."),
    "unreadable": gettext_lazy("A change could not be read and was not kept."),
    "locked": gettext_lazy("This document was just made final: your last change was not kept."),
    "suggest_only": gettext_lazy("Your last change was not kept: here you may only suggest changes to the words."),
}


@dataclass
class Access:
    """What one person may do in one document, read from the database."""

    user_id: int
    name: str
    language: str
    document_id: int
    coalition_id: int
    rooms: dict[str, str] = field(default_factory=dict)  # room -> "write" | "suggest" | "read"
    message: str = ""


def read_access(user: Any, coalition_slug: str, document_id: int) -> Access | None:
    """The person's rights in the document now, or None when they may not see it at all."""
    if user is None or not user.is_authenticated:
        return None
    try:
        user.refresh_from_db(fields=["is_active"])  # an account deactivated or deleted meanwhile is out
        membership: Membership = membership_for(user, coalition_slug)
    except (Http404, ObjectDoesNotExist):
        return None
    document = Document.objects.for_coalition(membership.coalition).filter(pk=document_id).first()
    if document is None:
        return None
    from ..services import can_edit_section  # the one rule of who edits a section

    groups = set(membership.working_groups.values_list("pk", flat=True))
    sections = list(Section.objects.filter(document=document).only("id", "assignee_id", "working_group_id"))
    texts = store.sections_texts(sections)
    # Who may not write a text but may comment on it (members, editors of other sections) suggests.
    otherwise = "suggest" if document.editable and membership.role != Role.OBSERVER else "read"
    rooms = {}
    for section in sections:
        writable = document.editable and can_edit_section(membership, section, groups)
        rooms[texts[section.pk].room] = "write" if writable else otherwise
    store.text_for_summary(document)
    rooms[store.SUMMARY_ROOM] = "write" if document.editable and membership.is_admin else otherwise
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        if not document.editable:
            message = _("This document is %(status)s: it can no longer be edited.") % {
                "status": document.get_status_display().lower()
            }
        elif membership.role == Role.OBSERVER:
            message = _("You can read this document as it is written; members comment, editors write.")
        elif not membership.can_edit:
            message = _("You can suggest changes to this document and comment on it; its editors accept them.")
        else:
            message = ""
    return Access(
        user_id=user.pk,
        name=str(user),
        language=language,
        document_id=document.pk,
        coalition_id=membership.coalition.pk,
        rooms=rooms,
        message=message,
    )


class LiveDocumentConsumer(AsyncWebsocketConsumer):
    """One browser tab's connection to one document (see PROTOCOL.md for the messages)."""

    access: Access | None = None

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        self.joined: set[str] = set()
        self.awareness_clients: dict[str, dict[int, int]] = {}  # room -> {client id: last clock}
        self.people: dict[str, dict[str, Any]] = {}
        self.timers: dict[tuple[str, str], asyncio.TimerHandle] = {}
        self.room_texts: dict[str, LiveText] = {}
        self.sent_states: dict[str, bytes] = {}
        self.focus: str | None = None
        self.groups_joined: list[str] = []
        self.access = await database_sync_to_async(read_access)(
            self.scope.get("user"), kwargs["coalition_slug"], int(kwargs["document_id"])
        )
        await self.accept()
        if self.access is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        for group in (broadcast.document_group(self.access.document_id), broadcast.coalition_group(self.access.coalition_id)):
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.send_access()
        self.people[self.channel_name] = self.me()
        self.seen: dict[str, float] = {}
        await self.channel_layer.group_send(
            self.groups_joined[0], {"type": "live.presence", "channel": self.channel_name, "person": self.me(), "reply": True}
        )
        await self.send_presence()
        self.heartbeat = asyncio.ensure_future(self.announce_presence())

    async def announce_presence(self) -> None:
        """Says "still here" to the document's other connections now and then, and forgets those not
        heard of for a while: a web process that died never said goodbye for its connections."""
        while self.access is not None:
            await asyncio.sleep(PRESENCE_EVERY)
            if self.access is None:
                return
            await self.channel_layer.group_send(
                self.groups_joined[0],
                {"type": "live.presence", "channel": self.channel_name, "person": self.me(), "reply": False},
            )
            silent = [channel for channel, at in self.seen.items() if at < time.monotonic() - 3 * PRESENCE_EVERY]
            for channel in silent:
                self.seen.pop(channel, None)
                self.people.pop(channel, None)
            if silent:
                await self.send_presence()

    async def disconnect(self, code: int) -> None:
        for handle in self.timers.values():
            handle.cancel()
        if getattr(self, "heartbeat", None) is not None:
            self.heartbeat.cancel()
        if not getattr(self, "groups_joined", None):
            return
        # The others stop seeing this tab's carets and its name.
        for room, clients in self.awareness_clients.items():
            if clients:
                removal = protocol.write_awareness(
                    [protocol.AwarenessEntry(cid, clock + 1, "null") for cid, clock in clients.items()]
                )
                await self.channel_layer.group_send(
                    self.groups_joined[0],
                    {"type": "live.awareness", "room": room, "update": removal, "sender": self.channel_name},
                )
        await self.channel_layer.group_send(self.groups_joined[0], {"type": "live.presence_leave", "channel": self.channel_name})
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        # Render what was typed here now rather than wait: the page may have been the last one open.
        for room in self.joined:
            text = self.room_texts.get(room)
            if text is not None:
                await self.run_later(store.render, text.pk)

    def me(self) -> dict[str, Any]:
        assert self.access is not None
        return {"id": self.access.user_id, "name": self.access.name, "room": self.focus}

    # --- from the browser ------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.access is None:
            return
        if bytes_data is not None:
            try:
                incoming = protocol.read_frame(bytes_data)
            except protocol.FrameError:
                log.info("live: malformed frame from user %s dropped", self.access.user_id)
                return
            await self.on_frame(incoming)
            return
        try:
            message = json.loads(text_data or "")
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        if message.get("type") == "join" and isinstance(message.get("rooms"), list):
            for room in message["rooms"][:200]:
                if isinstance(room, str):
                    await self.join(room)
        elif message.get("type") == "focus":
            room = message.get("room")
            self.focus = room if isinstance(room, str) and room in self.joined else None
            await self.channel_layer.group_send(
                self.groups_joined[0],
                {"type": "live.presence", "channel": self.channel_name, "person": self.me(), "reply": False},
            )

    async def join(self, room: str) -> None:
        assert self.access is not None
        if room not in self.access.rooms:
            await self.send(
                text_data=json.dumps({"type": "room-gone", "room": room[: protocol.MAX_ROOM_CHARS], "message": self.say("gone")})
            )
            return
        self.joined.add(room)

    async def on_frame(self, incoming: protocol.Frame) -> None:
        assert self.access is not None
        room = incoming.room
        if room not in self.joined:
            return
        if incoming.type == protocol.SYNC_STEP1:
            state = await database_sync_to_async(self.room_state)(room)
            self.sent_states[room] = state  # what the browser's answer is compared with (states only grow)
            try:
                missing = store.missing_for(state, incoming.payload)
            except ValueError:
                return
            await self.send(bytes_data=protocol.frame(protocol.SYNC_STEP2, room, missing))
            await self.send(bytes_data=protocol.frame(protocol.SYNC_STEP1, room, store.state_vector(state)))
        elif incoming.type in (protocol.UPDATE, protocol.SYNC_STEP2):
            if incoming.type == protocol.SYNC_STEP2 and await database_sync_to_async(self.repeats_the_server)(
                room, incoming.payload
            ):
                # The answer to our step 1 holds nothing new (a page opened with no offline change):
                # acknowledged, not stored, so opening a document writes nothing.
                await self.send(bytes_data=protocol.frame(protocol.ACK, room, seq=incoming.seq or 0))
                return
            await self.on_update(room, incoming.seq or 0, incoming.payload)
        elif incoming.type == protocol.AWARENESS:
            try:
                stamped, entries = protocol.stamp_awareness(incoming.payload, name=self.access.name, user_id=self.access.user_id)
            except protocol.FrameError:
                return
            clients = self.awareness_clients.setdefault(room, {})
            for entry in entries:
                if entry.state == "null":
                    clients.pop(entry.client_id, None)
                else:
                    clients[entry.client_id] = entry.clock
            await self.channel_layer.group_send(
                self.groups_joined[0], {"type": "live.awareness", "room": room, "update": stamped, "sender": self.channel_name}
            )

    def room_state(self, room: str) -> bytes:
        text = self.text_of(room)
        return store.current_state(text) if text is not None else store.empty_state()

    async def on_update(self, room: str, seq: int, update: bytes) -> None:
        assert self.access is not None
        mode = self.access.rooms.get(room)
        if mode not in ("write", "suggest"):
            log.info("live: update from user %s to %s refused (read only)", self.access.user_id, room)
            await self.send(text_data=json.dumps({"type": "refused", "room": room, "seq": seq, "message": self.say("refused")}))
            return
        if update == yhtml.EMPTY_UPDATE:  # a sync answer with nothing the server lacks: nothing to keep
            await self.send(bytes_data=protocol.frame(protocol.ACK, room, seq=seq))
            return
        try:
            store.check_update(update)
        except store.RejectedUpdate:
            log.info("live: malformed update from user %s to %s dropped", self.access.user_id, room)
            await self.send(
                text_data=json.dumps({"type": "refused", "room": room, "seq": seq, "message": self.say("unreadable")})
            )
            return
        text = self.room_texts.get(room) or await database_sync_to_async(self.text_of)(room)
        if text is None:
            return
        text_id = text.pk
        try:
            await database_sync_to_async(store.append)(
                text_id=text_id, update=update, author_id=self.access.user_id, suggest_only=mode == "suggest"
            )
        except store.NotASuggestion:
            log.info("live: a change from user %s to %s that is not a suggestion refused", self.access.user_id, room)
            await self.send(
                text_data=json.dumps({"type": "refused", "room": room, "seq": seq, "message": self.say("suggest_only")})
            )
            return
        except store.TextLocked:
            self.access.rooms = {room: "read" for room in self.access.rooms}
            await self.send(text_data=json.dumps({"type": "refused", "room": room, "seq": seq, "message": self.say("locked")}))
            await self.send_access()
            return
        await self.send(bytes_data=protocol.frame(protocol.ACK, room, seq=seq))
        await self.channel_layer.group_send(
            self.groups_joined[0], {"type": "live.update", "room": room, "update": update, "sender": self.channel_name}
        )
        self.after_pause(room, text_id)

    def repeats_the_server(self, room: str, update: bytes) -> bool:
        if update == yhtml.EMPTY_UPDATE:
            return True
        state = self.sent_states.pop(room, None)
        try:
            return store.adds_nothing(state if state is not None else self.room_state(room), update)
        except Exception:  # not a readable update: on_update refuses it with its message
            return False

    def text_of(self, room: str) -> LiveText | None:
        """The room's live text, looked up once per connection (only its id is used: every read of
        its state goes to the database)."""
        assert self.access is not None
        if room not in self.room_texts:
            text = store.text_for_room(Document.objects.get(pk=self.access.document_id), room)
            if text is None:
                return None
            self.room_texts[room] = text
        return self.room_texts[room]

    def after_pause(self, room: str, text_id: int) -> None:
        """Render the HTML after a short pause, keep a version after a long one (timers restart at
        each change; every process that stored a change keeps its own, and both steps are idempotent)."""
        loop = asyncio.get_running_loop()
        for kind, delay, job in (
            ("render", settings.LIVE_RENDER_PAUSE, store.render),
            ("version", settings.LIVE_VERSION_PAUSE, store.keep_pause_version),
        ):
            handle = self.timers.pop((room, kind), None)
            if handle is not None:
                handle.cancel()
            self.timers[(room, kind)] = loop.call_later(delay, self._start_later, job, text_id)

    def _start_later(self, job: Any, text_id: int) -> None:
        """A timer's callback: starts `run_later` in the loop (nothing waits for it)."""
        asyncio.ensure_future(self.run_later(job, text_id))

    async def run_later(self, job: Any, text_id: int) -> None:
        try:
            await database_sync_to_async(job)(text_id)
        except Exception:  # a failed render is retried at the next pause or read; never kill the socket
            log.exception("live: rendering text %s failed", text_id)

    # --- from the channel layer (this process or another) ----------------------------------------

    async def live_update(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.channel_name and event["room"] in self.joined:
            await self.send(bytes_data=protocol.frame(protocol.UPDATE, event["room"], event["update"]))

    async def live_awareness(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.channel_name and event["room"] in self.joined:
            await self.send(bytes_data=protocol.frame(protocol.AWARENESS, event["room"], event["update"]))

    async def live_access(self, event: dict[str, Any]) -> None:
        if self.access is None:
            return
        kwargs = self.scope["url_route"]["kwargs"]
        access = await database_sync_to_async(read_access)(
            self.scope.get("user"), kwargs["coalition_slug"], int(kwargs["document_id"])
        )
        if access is None:
            self.access = None
            await self.close(code=CLOSE_NO_LONGER_MEMBER)
            return
        self.access = access
        await self.send_access()

    async def live_room_gone(self, event: dict[str, Any]) -> None:
        room = event["room"]
        if self.access is not None:
            self.access.rooms.pop(room, None)
        if room in self.joined:
            self.joined.discard(room)
            await self.send(text_data=json.dumps({"type": "room-gone", "room": room, "message": self.say("deleted")}))

    async def live_review(self, event: dict[str, Any]) -> None:
        if self.access is not None:
            await self.send(text_data=json.dumps({"type": "review", "what": event["what"]}))

    async def live_presence(self, event: dict[str, Any]) -> None:
        if event["channel"] == self.channel_name or self.access is None:
            return
        self.people[event["channel"]] = event["person"]
        self.seen[event["channel"]] = time.monotonic()
        if event.get("reply"):
            await self.channel_layer.send(
                event["channel"], {"type": "live.presence", "channel": self.channel_name, "person": self.me(), "reply": False}
            )
        await self.send_presence()

    async def live_presence_leave(self, event: dict[str, Any]) -> None:
        self.seen.pop(event["channel"], None)
        if self.people.pop(event["channel"], None) is not None:
            await self.send_presence()

    # --- to the browser --------------------------------------------------------------------------

    async def send_access(self) -> None:
        assert self.access is not None
        await self.send(text_data=json.dumps({"type": "access", "rooms": self.access.rooms, "message": self.access.message}))

    async def send_presence(self) -> None:
        if self.access is None:
            return
        self.people[self.channel_name] = self.me()
        # One line per person, even with the document open in two tabs (the focused tab wins).
        by_person: dict[int, dict[str, Any]] = {}
        for person in self.people.values():
            known = by_person.get(person["id"])
            if known is None or (person.get("room") and not known.get("room")):
                by_person[person["id"]] = person
        await self.send(text_data=json.dumps({"type": "presence", "people": list(by_person.values())}))

    def say(self, key: str) -> str:
        with translation.override(self.access.language if self.access else settings.LANGUAGE_CODE):
            return str(MESSAGES[key])
