"""The binary frames of the live editor's WebSocket (PROTOCOL.md), in lib0's encodings.

`[type: uint8][room: varString][payload]`; varUint is LEB128, a varString and a varUint8Array are a
varUint length and the bytes (UTF-8 for strings). Small and explicit on purpose: every byte a browser
sends is read here first, and anything malformed is a `FrameError`, never an exception elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

SYNC_STEP1 = 0
SYNC_STEP2 = 1
UPDATE = 2
AWARENESS = 3
ACK = 4

MAX_ROOM_CHARS = 40


class FrameError(ValueError):
    pass


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def uint8(self) -> int:
        if self.pos >= len(self.data):
            raise FrameError("truncated")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def var_uint(self) -> int:
        value, shift = 0, 0
        while True:
            byte = self.uint8()
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
            if shift > 63:
                raise FrameError("number too long")

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        if self.pos + length > len(self.data):
            raise FrameError("truncated")
        value = self.data[self.pos : self.pos + length]
        self.pos += length
        return value

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise FrameError("not UTF-8") from None

    def done(self) -> bool:
        return self.pos == len(self.data)


def var_uint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def var_bytes(value: bytes) -> bytes:
    return var_uint(len(value)) + value


def var_string(value: str) -> bytes:
    return var_bytes(value.encode("utf-8"))


@dataclass
class Frame:
    type: int
    room: str
    seq: int | None
    payload: bytes


def read_frame(data: bytes) -> Frame:
    """A client's frame. UPDATE and a client's SYNC_STEP2 carry a seq before their payload."""
    reader = Reader(data)
    kind = reader.uint8()
    room = reader.var_string()
    if len(room) > MAX_ROOM_CHARS:
        raise FrameError("room name too long")
    seq = reader.var_uint() if kind in (UPDATE, SYNC_STEP2) else None
    if kind not in (SYNC_STEP1, SYNC_STEP2, UPDATE, AWARENESS):
        raise FrameError("unknown type")
    payload = reader.var_bytes()
    if not reader.done():
        raise FrameError("trailing bytes")
    return Frame(kind, room, seq, payload)


def frame(kind: int, room: str, payload: bytes = b"", *, seq: int | None = None) -> bytes:
    """A server's frame: ACK carries only the seq; the others a varUint8Array payload."""
    head = bytes([kind]) + var_string(room)
    if kind == ACK:
        return head + var_uint(seq or 0)
    return head + var_bytes(payload)


# --- Awareness (y-protocols/awareness): carets and selections, relayed, never stored --------------


@dataclass
class AwarenessEntry:
    client_id: int
    clock: int
    state: str  # JSON text; "null" removes the client


def read_awareness(update: bytes) -> list[AwarenessEntry]:
    reader = Reader(update)
    count = reader.var_uint()
    if count > 64:
        raise FrameError("too many awareness states")
    entries = [AwarenessEntry(reader.var_uint(), reader.var_uint(), reader.var_string()) for _ in range(count)]
    if not reader.done():
        raise FrameError("trailing bytes")
    return entries


def write_awareness(entries: list[AwarenessEntry]) -> bytes:
    out = var_uint(len(entries))
    for entry in entries:
        out += var_uint(entry.client_id) + var_uint(entry.clock) + var_string(entry.state)
    return out


def stamp_awareness(update: bytes, *, name: str, user_id: int) -> tuple[bytes, list[AwarenessEntry]]:
    """The awareness update with each state's `user.name` set to the account's name (a browser cannot
    show a caret under someone else's name), and the entries read."""
    entries = read_awareness(update)
    for entry in entries:
        if entry.state == "null":
            continue
        try:
            state = json.loads(entry.state)
        except ValueError:
            raise FrameError("awareness state is not JSON") from None
        if not isinstance(state, dict):
            raise FrameError("awareness state is not an object")
        given = state.get("user")
        user = given if isinstance(given, dict) else {}
        user = {"name": name, "id": user_id, "colour": str(user.get("colour", ""))[:20], "color": str(user.get("color", ""))[:20]}
        state["user"] = user
        entry.state = json.dumps(state, separators=(",", ":"))
    return write_awareness(entries), entries
