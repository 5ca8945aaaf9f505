"""The live editor's WebSocket, spoken by a Python client (pycrdt) through the real ASGI application:
the guard, sync, durable acknowledgement, relay, rights that change on open connections, presence.
"""

from __future__ import annotations

import json

import pycrdt
import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from coalitions.models import Membership
from submissions import services
from submissions.live import protocol, store
from submissions.live.client import LiveClient
from submissions.models import Document, LiveUpdate, Section

from .helpers import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def _application():
    from hub.asgi import application

    return application


def _session(user) -> str | None:
    """A logged-in session's cookie, made before the async part (logging in touches the database)."""
    return None if user is None else session_cookie(user)


def _socket(session: str | None, path: str, origin: str = "http://localhost") -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if session is not None:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(_application(), path, headers=headers)


def _path(document: Document, slug: str = "alpha") -> str:
    return f"/ws/c/{slug}/documents/{document.pk}/live/"


@pytest.fixture
def document(personas):
    document = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title="Joint submission",
        lead_organisation=personas.organisation,
    )
    first = document.sections.order_by("position").first()
    admin = personas.membership(personas.admin)
    services.section_save(
        section=first, membership=admin, base_version=first.version, body="<p>First paragraph.</p><p>Second paragraph.</p>"
    )
    services.section_save(
        section=first, membership=admin, base_version=first.version + 1, body=None, working_group=personas.group
    )
    return document


async def _drain(socket: WebsocketCommunicator, client: LiveClient, timeout: float = 0.5) -> None:
    """Reads every frame the server sends until it is quiet, answering its sync steps."""
    while True:
        if await socket.receive_nothing(timeout=timeout):  # (receive_output's timeout would stop the app)
            return
        message = await socket.receive_output()
        if message["type"] == "websocket.close":
            client.controls.append({"type": "closed", "code": message.get("code")})
            return
        reply = client.receive(text=message.get("text"), data=message.get("bytes"))
        if reply is not None:
            await socket.send_to(bytes_data=reply)


async def _open(
    session: str | None, document: Document, *rooms: str, slug: str = "alpha"
) -> tuple[WebsocketCommunicator, LiveClient]:
    socket = _socket(session, _path(document, slug))
    connected, _ = await socket.connect()
    assert connected
    client = LiveClient()
    for frame in client.join(*rooms):
        if isinstance(frame, str):
            await socket.send_to(text_data=frame)
        else:
            await socket.send_to(bytes_data=frame)
    await _drain(socket, client)
    return socket, client


def _append_text(text: str):
    def change(fragment: pycrdt.XmlFragment) -> None:
        paragraph = fragment.children[0]
        assert isinstance(paragraph, pycrdt.XmlElement)
        run = paragraph.children[0]
        assert isinstance(run, pycrdt.XmlText)
        run.insert(len(str(run)), text)

    return change


def test_outsiders_anonymous_and_guessed_ids_get_the_same_close_and_nothing_else(personas, document):
    outsider, admin = _session(personas.outsider), _session(personas.admin)

    async def scenario() -> list:
        answers = []
        for user, path in (
            (outsider, _path(document)),
            (None, _path(document)),
            (admin, f"/ws/c/alpha/documents/{document.pk + 999}/live/"),
            (outsider, f"/ws/c/beta/documents/{document.pk}/live/"),
            (admin, f"/ws/c/nope/documents/{document.pk}/live/"),
        ):
            socket = _socket(user, path)
            await socket.connect()
            first = await socket.receive_output(timeout=2)
            answers.append((first["type"], first.get("code")))
            await socket.wait()
        return answers

    answers = async_to_sync(scenario)()
    assert answers == [("websocket.close", 4404)] * 5  # nothing sent before, the same code for each


def test_a_socket_from_another_site_is_refused(personas, document):
    admin = _session(personas.admin)

    async def scenario() -> bool:
        socket = _socket(admin, _path(document), origin="https://evil.example.net")
        connected, _ = await socket.connect()
        return connected

    assert async_to_sync(scenario)() is False


def test_sync_gives_the_text_and_an_update_is_stored_acknowledged_relayed_and_rendered(personas, document, settings):
    section = document.sections.order_by("position").first()
    room = store.section_room(section.pk)

    sessions = {"editor": _session(personas.editor), "member": _session(personas.member)}

    async def scenario() -> tuple[LiveClient, LiveClient]:
        editor_socket, editor = await _open(sessions["editor"], document, room, "summary")
        member_socket, member = await _open(sessions["member"], document, room)
        assert editor.rooms[room].html() == "<p>First paragraph.</p><p>Second paragraph.</p>"
        seq, frame = editor.update_frame(room, editor.rooms[room].edit(_append_text(" Typed live.")))
        await editor_socket.send_to(bytes_data=frame)
        await _drain(editor_socket, editor)
        await _drain(member_socket, member)
        assert seq in editor.acked
        await editor_socket.disconnect()
        await member_socket.disconnect()
        return editor, member

    editor, member = async_to_sync(scenario)()
    assert editor.last("access")["rooms"][room] == "write"
    assert editor.last("access")["rooms"]["summary"] == "suggest"  # the secretariat writes the summary; others suggest
    assert member.rooms[room].html() == "<p>First paragraph. Typed live.</p><p>Second paragraph.</p>"
    assert LiveUpdate.objects.filter(text__section=section, author=personas.editor).count() == 1
    section.refresh_from_db()  # rendered when the last editor left (or after a pause)
    assert section.body == "<p>First paragraph. Typed live.</p><p>Second paragraph.</p>"
    assert section.counted_words == 6


def test_a_plain_update_from_someone_who_may_only_suggest_is_refused_and_not_stored(personas, document):
    section = document.sections.order_by("position").first()
    room = store.section_room(section.pk)

    sessions = {"member": _session(personas.member)}

    async def scenario() -> LiveClient:
        socket, member = await _open(sessions["member"], document, room)
        _, frame = member.update_frame(room, member.rooms[room].edit(_append_text(" Not mine to write.")))
        await socket.send_to(bytes_data=frame)
        await _drain(socket, member)
        await socket.disconnect()
        return member

    member = async_to_sync(scenario)()
    assert member.last("access")["rooms"][room] == "suggest"  # a member suggests: only suggestions are kept
    assert member.last("refused")["room"] == room
    assert "only suggest" in member.last("refused")["message"]
    assert not LiveUpdate.objects.filter(text__section=section, author=personas.member).exists()
    assert "Not mine" not in Section.objects.get(pk=section.pk).body


def test_malformed_frames_and_updates_change_nothing_and_keep_the_socket(personas, document):
    section = document.sections.order_by("position").first()
    room = store.section_room(section.pk)

    sessions = {"editor": _session(personas.editor)}

    async def scenario() -> LiveClient:
        socket, editor = await _open(sessions["editor"], document, room)
        for junk in (b"\x00", b"\x02", b"\x09\x01x\x00", bytes([protocol.UPDATE]) + protocol.var_string(room) + b"\x01\x05abc"):
            await socket.send_to(bytes_data=junk)
        _, frame = editor.update_frame(room, b"\x07\x01garbage")
        await socket.send_to(bytes_data=frame)
        await socket.send_to(text_data="not json")
        await _drain(socket, editor)
        seq, frame = editor.update_frame(room, editor.rooms[room].edit(_append_text(" Still here.")))
        await socket.send_to(bytes_data=frame)
        await _drain(socket, editor)
        assert seq in editor.acked
        await socket.disconnect()
        return editor

    editor = async_to_sync(scenario)()
    assert editor.last("refused") is not None
    assert LiveUpdate.objects.filter(text__section=section, author=personas.editor).count() == 1


def test_rights_change_on_open_connections(personas, document):
    section = document.sections.order_by("position").first()
    room = store.section_room(section.pk)
    admin = personas.membership(personas.admin)
    sessions = {"editor": _session(personas.editor), "member": _session(personas.member)}

    async def scenario() -> tuple[LiveClient, LiveClient]:
        socket, editor = await _open(sessions["editor"], document, room)
        member_socket, member = await _open(sessions["member"], document, room)
        access = editor.last("access")
        assert access is not None and access["rooms"][room] == "write"
        # Unassigned: the editor may now only suggest in that section.
        from channels.db import database_sync_to_async

        await database_sync_to_async(services.section_save)(
            section=section, membership=admin, base_version=1, body=None, working_group=None
        )
        await _drain(socket, editor)
        access = editor.last("access")
        assert access is not None and access["rooms"][room] == "suggest"
        # Removed from the coalition: the connection is closed.
        await database_sync_to_async(lambda: Membership.objects.filter(user=personas.member).delete())()
        await _drain(member_socket, member)
        await socket.disconnect()
        return editor, member

    editor, member = async_to_sync(scenario)()
    assert member.last("closed") == {"type": "closed", "code": 4403}


def test_marking_the_document_final_makes_every_connection_read_only_at_once(personas, document):
    section = document.sections.order_by("position").first()
    room = store.section_room(section.pk)

    sessions = {"editor": _session(personas.editor)}

    async def scenario() -> LiveClient:
        from channels.db import database_sync_to_async

        socket, editor = await _open(sessions["editor"], document, room)
        await database_sync_to_async(lambda: Document.objects.filter(pk=document.pk).update(status="final"))()
        # An update that crosses the status change is refused by the store itself (it reads the status under lock).
        _, frame = editor.update_frame(room, editor.rooms[room].edit(_append_text(" Too late.")))
        await socket.send_to(bytes_data=frame)
        await _drain(socket, editor)
        await socket.disconnect()
        return editor

    editor = async_to_sync(scenario)()
    assert editor.last("refused") is not None
    assert editor.last("access")["rooms"][room] == "read"
    assert not LiveUpdate.objects.filter(text__section=section, author=personas.editor).exists()


def test_a_write_through_a_form_or_the_api_reaches_open_editors(personas, document):
    section = document.sections.order_by("position").first()
    room = store.section_room(section.pk)
    admin = personas.membership(personas.admin)
    sessions = {"editor": _session(personas.editor)}
    version = Section.objects.get(pk=section.pk).version

    async def scenario() -> LiveClient:
        from channels.db import database_sync_to_async

        socket, editor = await _open(sessions["editor"], document, room)
        await database_sync_to_async(services.section_save)(
            section=section, membership=admin, base_version=version, body="<p>First paragraph.</p><p>Replaced by the API.</p>"
        )
        await _drain(socket, editor)
        await socket.disconnect()
        return editor

    editor = async_to_sync(scenario)()
    assert editor.rooms[room].html() == "<p>First paragraph.</p><p>Replaced by the API.</p>"


def test_presence_and_carets_carry_the_accounts_names(personas, document):
    section = document.sections.order_by("position").first()
    room = store.section_room(section.pk)

    sessions = {"editor": _session(personas.editor), "admin": _session(personas.admin)}

    async def scenario() -> tuple[LiveClient, LiveClient]:
        a_socket, a = await _open(sessions["editor"], document, room)
        b_socket, b = await _open(sessions["admin"], document, room)
        await a_socket.send_to(text_data=json.dumps({"type": "focus", "room": room}))
        state = json.dumps({"user": {"name": "Someone Else", "colour": "#123456"}, "cursor": None})
        awareness = protocol.write_awareness([protocol.AwarenessEntry(12345, 1, state)])
        await a_socket.send_to(bytes_data=protocol.frame(protocol.AWARENESS, room, awareness))
        await _drain(a_socket, a)
        await _drain(b_socket, b)
        await a_socket.disconnect()
        await _drain(b_socket, b)
        await b_socket.disconnect()
        return a, b

    a, b = async_to_sync(scenario)()
    seen = [m for m in b.controls if m["type"] == "presence" and len(m["people"]) == 2]
    assert seen, b.controls
    assert {p["name"]: p["room"] for p in seen[-1]["people"]}[str(personas.editor)] == room
    assert b.last("presence")["people"] == [{"id": personas.admin.pk, "name": str(personas.admin), "room": None}]
    stamped = protocol.read_awareness(b.awareness[0][1])
    assert json.loads(stamped[0].state)["user"]["name"] == str(personas.editor)  # not "Someone Else"
    removal = protocol.read_awareness(b.awareness[-1][1])
    assert removal[0].client_id == 12345 and removal[0].state == "null"


def test_every_websocket_address_is_under_a_coalition_and_resolved_by_the_guard():
    """As tests/test_tenancy_guard.py does for pages: a new socket route cannot skip the coalition."""
    from submissions.live import consumer, routing

    assert routing.websocket_urlpatterns
    for pattern in routing.websocket_urlpatterns:
        assert str(pattern.pattern).startswith("ws/c/<slug:coalition_slug>/"), pattern
        assert pattern.callback.consumer_class is consumer.LiveDocumentConsumer
    # The consumer resolves the person through the pages' own guard.
    assert consumer.membership_for.__module__ == "coalitions.tenancy"


def test_opening_a_document_whose_text_had_deletions_stores_nothing(personas, document):
    section = document.sections.order_by("position").first()
    room = store.section_room(section.pk)
    admin = personas.membership(personas.admin)
    services.section_save(
        section=section, membership=admin, base_version=Section.objects.get(pk=section.pk).version, body="<p>First paragraph.</p>"
    )  # the second paragraph deleted
    before = LiveUpdate.objects.filter(text__section=section).count()
    sessions = {"editor": _session(personas.editor)}

    async def scenario() -> LiveClient:
        socket, editor = await _open(sessions["editor"], document, room)
        await socket.disconnect()
        return editor

    editor = async_to_sync(scenario)()
    assert editor.acked  # its sync answer was acknowledged...
    assert LiveUpdate.objects.filter(text__section=section).count() == before  # ...and nothing was stored


def test_an_account_deleted_while_its_editor_is_open_is_closed_cleanly(personas, document):
    section = document.sections.order_by("position").first()
    room = store.section_room(section.pk)
    sessions = {"editor": _session(personas.editor)}

    async def scenario() -> LiveClient:
        from channels.db import database_sync_to_async

        socket, editor = await _open(sessions["editor"], document, room)
        await database_sync_to_async(lambda: type(personas.editor).objects.filter(pk=personas.editor.pk).delete())()
        await _drain(socket, editor)
        return editor

    editor = async_to_sync(scenario)()
    assert editor.last("closed") == {"type": "closed", "code": 4403}
