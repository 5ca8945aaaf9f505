"""A live-editor client in Python (pycrdt), speaking PROTOCOL.md as the browser does.

For the tests and the benchmarks: it holds a room's document, answers the server's sync steps, turns
local edits into UPDATE frames and applies what the server relays. The transport (a Channels
WebsocketCommunicator, or a real WebSocket) is the caller's: every method takes or returns frames.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pycrdt

from . import protocol
from .yhtml import FIELD, fragment_to_html


@dataclass
class RoomCopy:
    """One room's document as a client holds it."""

    room: str
    doc: pycrdt.Doc = field(default_factory=pycrdt.Doc)

    @property
    def fragment(self) -> pycrdt.XmlFragment:
        return self.doc.get(FIELD, type=pycrdt.XmlFragment)

    def html(self) -> str:
        return fragment_to_html(self.fragment)

    def step1(self) -> bytes:
        return protocol.frame(protocol.SYNC_STEP1, self.room, self.doc.get_state())

    def apply(self, update: bytes) -> None:
        self.doc.apply_update(update)

    def edit(self, change) -> bytes:
        """Runs `change(fragment)` in one transaction and returns the Yjs update it made."""
        before = self.doc.get_state()
        with self.doc.transaction():
            change(self.fragment)
        return self.doc.get_update(before)


class LiveClient:
    """Rooms by name, the next seq, and what came back: acknowledgements, refusals, access, presence."""

    def __init__(self) -> None:
        self.rooms: dict[str, RoomCopy] = {}
        self.seq = 0
        self.acked: set[int] = set()
        self.controls: list[dict] = []
        self.awareness: list[tuple[str, bytes]] = []

    def join(self, *rooms: str) -> list[str | bytes]:
        """The frames that join rooms and ask for their content (a text frame, then a step 1 each)."""
        frames: list[str | bytes] = [json.dumps({"type": "join", "rooms": list(rooms)})]
        for room in rooms:
            self.rooms.setdefault(room, RoomCopy(room))
            frames.append(self.rooms[room].step1())
        return frames

    def update_frame(self, room: str, update: bytes) -> tuple[int, bytes]:
        self.seq += 1
        return self.seq, bytes([protocol.UPDATE]) + protocol.var_string(room) + protocol.var_uint(self.seq) + protocol.var_bytes(
            update
        )

    def receive(self, *, text: str | None = None, data: bytes | None = None) -> bytes | None:
        """Handles one frame from the server; returns the frame to send back, if any (the answer to
        the server's step 1: what this client has that the server lacks, with a seq)."""
        if text is not None:
            self.controls.append(json.loads(text))
            return None
        assert data is not None
        reader = protocol.Reader(data)
        kind = reader.uint8()
        room = reader.var_string()
        if kind == protocol.ACK:
            self.acked.add(reader.var_uint())
            return None
        payload = reader.var_bytes()
        copy = self.rooms.setdefault(room, RoomCopy(room))
        if kind in (protocol.SYNC_STEP2, protocol.UPDATE):
            copy.apply(payload)
        elif kind == protocol.SYNC_STEP1:
            missing = copy.doc.get_update(payload)
            self.seq += 1
            return (
                bytes([protocol.SYNC_STEP2])
                + protocol.var_string(room)
                + protocol.var_uint(self.seq)
                + protocol.var_bytes(missing)
            )
        elif kind == protocol.AWARENESS:
            self.awareness.append((room, payload))
        return None

    def last(self, kind: str) -> dict | None:
        for message in reversed(self.controls):
            if message.get("type") == kind:
                return message
        return None
