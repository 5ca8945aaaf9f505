"""The live editor across real web processes: two uvicorn processes (`--workers 1` each) on the test
database and one real Redis channel layer, spoken to over real WebSockets by the Python client of
PROTOCOL.md (submissions.live.client), as browsers on two machines behind a load balancer would.

- two processes serve one document together: each editor's change reaches the other well within a
  second (asserted under 2 s, printed), is acknowledged, stored and rendered, and each sees the other
  in the presence list;
- a process killed with SIGKILL in the middle of someone's typing loses nothing it acknowledged, and
  what it had not acknowledged is sent again by the client's own sync answer when it reconnects;
- concurrent typing in one paragraph through both processes converges: both editors and the server
  hold the same text, with every word typed exactly once;
- an editor left idle longer than the channel layer's blocking read stays connected (redis-py's 5 s
  socket timeout once dropped every idle socket: CHANNEL_LAYERS sets none).

The processes are started once for the module (tests/live_servers.py); each test's data is its own
(transactional tests, so that the processes see it) and each run takes a Redis database of its own.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pycrdt
import pytest
from django.db import connection
from websockets.exceptions import ConnectionClosed

from submissions import services
from submissions.live import store, yhtml
from submissions.live.client import LiveClient
from submissions.models import Document, LiveText, LiveUpdate, Section

from .helpers import session_cookie
from .live_servers import APPLICATION_NAME, Editor, WebProcess, claimed_redis

# `celery` is the suite's one marker for slow tests of real processes on real Redis (pyproject.toml has
# no marker of its own for web processes): `-m "not celery"` leaves these out with the workers' tests.
pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

FIRST, SECOND = "First paragraph.", "Second paragraph."
INITIAL = f"<p>{FIRST}</p><p>{SECOND}</p>"


@pytest.fixture(scope="module")
def web_processes(django_db_setup, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[WebProcess]]:
    """Two web processes on the test database and a Redis database of this run's own; always stopped."""
    folder = tmp_path_factory.mktemp("live-processes")
    with claimed_redis() as redis_url:
        processes = [
            WebProcess(name=f"web{n}", database=connection.settings_dict, redis_url=redis_url, log_folder=folder) for n in (1, 2)
        ]
        try:
            started = time.perf_counter()
            for process in processes:
                process.start()
            for process in processes:
                process.wait_ready()
            print(f"\nlive processes: two web processes ready in {time.perf_counter() - started:.2f} s on {redis_url}")
            yield processes
        finally:
            for process in processes:
                process.stop()


@pytest.fixture
def servers(web_processes: list[WebProcess]) -> Iterator[tuple[WebProcess, WebProcess]]:
    """The two processes, alive (one a test killed and did not bring back is started again)."""
    for process in web_processes:
        if not process.alive:
            process.start().wait_ready()
    marks = [process.log_mark() for process in web_processes]
    yield web_processes[0], web_processes[1]
    for process, mark in zip(web_processes, marks, strict=True):  # shown when the test failed (captured otherwise)
        written = process.log_since(mark)
        if written.strip():
            print(f"--- {process.name} wrote during the test:\n{written}")


@pytest.fixture
def document(personas) -> Document:
    """A joint submission whose first section has two paragraphs and belongs to the working group, so
    that the admin and the group's editor may both write it."""
    document = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title="Joint submission",
        lead_organisation=personas.organisation,
    )
    first = document.sections.order_by("position").first()
    assert first is not None
    admin = personas.membership(personas.admin)
    services.section_save(section=first, membership=admin, base_version=first.version, body=INITIAL)
    services.section_save(
        section=first, membership=admin, base_version=first.version + 1, body=None, working_group=personas.group
    )
    return document


def _path(document: Document) -> str:
    return f"/ws/c/{document.coalition.slug}/documents/{document.pk}/live/"


def _first_section(document: Document) -> Section:
    section = document.sections.order_by("position").first()
    assert section is not None
    return section


def _append(paragraph: int, text: str) -> Callable[[pycrdt.XmlFragment], None]:
    def change(fragment: pycrdt.XmlFragment) -> None:
        block = fragment.children[paragraph]
        assert isinstance(block, pycrdt.XmlElement)
        run = block.children[0]
        assert isinstance(run, pycrdt.XmlText)
        run.insert(len(str(run)), text)

    return change


def _stored_html(section: Section) -> str:
    return yhtml.state_to_html(store.current_state(LiveText.objects.get(section=section)))


def _servers_done_with(section: Section) -> None:
    """After the editors closed: waits for the render each process makes when its editors leave, then
    until no web process has been connected to the database for a moment, so that the test's flush
    never pulls the rows from under a process still finishing a disconnect."""
    deadline, quiet_since = time.monotonic() + 15, None
    while time.monotonic() < deadline:
        text = LiveText.objects.only("seq", "rendered_seq").get(section=section)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
                [APPLICATION_NAME],
            )
            others = cursor.fetchone()[0]
        if text.rendered_seq >= text.seq and others == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= 0.3:
                return
        else:
            quiet_since = None
        time.sleep(0.05)
    raise AssertionError(
        f"the web processes did not finish with the text: rendered {text.rendered_seq} of {text.seq},"
        f" {others} connections still open"
    )


def _ms(values: list[float]) -> str:
    values = sorted(v * 1000 for v in values)
    return f"min {values[0]:.1f} / median {statistics.median(values):.1f} / max {values[-1]:.1f} ms (n={len(values)})"


def test_two_web_processes_serve_one_document_together(servers, personas, document):
    web1, web2 = servers
    section = _first_section(document)
    room = store.section_room(section.pk)
    sessions = {"a": session_cookie(personas.admin), "b": session_cookie(personas.editor)}
    a_name = str(personas.admin)
    rounds = 6
    before = LiveUpdate.objects.filter(text__section=section).count()  # the section's HTML, written by the server
    latency: dict[str, list[float]] = {"A->B": [], "B->A": [], "ACK A": [], "ACK B": []}

    async def one_way(sender: Editor, receiver: Editor, paragraph: int, word: str, relay: str, ack: str) -> None:
        started = time.perf_counter()
        seq = await sender.send_update(room, sender.client.rooms[room].edit(_append(paragraph, f" {word}")))
        seen, acked = await asyncio.gather(
            receiver.wait_for(lambda: word in receiver.client.rooms[room].html(), timeout=5, what=word),
            sender.wait_for(lambda: seq in sender.client.acked, timeout=5, what=f"ACK {seq}"),
        )
        latency[relay].append(seen - started)
        latency[ack].append(acked - started)

    async def scenario() -> tuple[str, str, list[dict]]:
        a = await web1.open_editor(_path(document), sessions["a"], room)
        b = await web2.open_editor(_path(document), sessions["b"], room)
        for editor in (a, b):
            await editor.wait_for(lambda editor=editor: editor.client.rooms[room].html() == INITIAL, what="the text")

        def b_sees_a() -> bool:
            return any(
                person["name"] == a_name
                for message in b.client.controls
                if message.get("type") == "presence"
                for person in message["people"]
            )

        await b.wait_for(b_sees_a, what="A's name in a presence message")
        for n in range(rounds):
            await one_way(a, b, 0, f"Alpha{n:02d}", "A->B", "ACK A")
            await one_way(b, a, 1, f"Bravo{n:02d}", "B->A", "ACK B")
        await a.close()
        await b.close()
        return a.client.rooms[room].html(), b.client.rooms[room].html(), b.client.controls

    a_html, b_html, b_controls = asyncio.run(scenario())
    for name, values in latency.items():
        print(f"two processes, {name}: {_ms(values)}")

    expected = (
        f"<p>{FIRST} " + " ".join(f"Alpha{n:02d}" for n in range(rounds)) + "</p>"
        f"<p>{SECOND} " + " ".join(f"Bravo{n:02d}" for n in range(rounds)) + "</p>"
    )
    assert a_html == b_html == expected
    assert max(latency["A->B"] + latency["B->A"]) < 2, latency
    assert max(latency["ACK A"] + latency["ACK B"]) < 2, latency
    presence = [m for m in b_controls if m.get("type") == "presence"]
    assert any({p["name"] for p in m["people"]} == {a_name, str(personas.editor)} for m in presence), presence
    # Stored: one update per change, by its author; the log's text and the rendered HTML hold both.
    assert Counter(
        LiveUpdate.objects.filter(text__section=section).order_by("seq")[before:].values_list("author_id", flat=True)
    ) == {personas.admin.pk: rounds, personas.editor.pk: rounds}
    assert _stored_html(section) == expected
    _servers_done_with(section)
    section.refresh_from_db()
    assert section.body == expected  # rendered by the processes as their editors left
    store.ensure_rendered(document)
    section.refresh_from_db()
    assert section.body == expected


def test_nothing_acknowledged_is_lost_when_a_web_process_is_killed_mid_typing(servers, personas, document):
    web1, _web2 = servers
    section = _first_section(document)
    room = store.section_room(section.pk)
    session = session_cookie(personas.admin)
    # One character per update, as a person types, until the process is killed (long before the end).
    typed = "".join(f" w{n:04d}" for n in range(2000))
    kill_after_acks, typed_offline = 40, 12
    client = LiveClient()
    before = LiveUpdate.objects.filter(text__section=section, author=personas.admin).count()
    updates: dict[int, tuple[bytes, int]] = {}  # seq -> (the update, characters typed through it)
    state: dict[str, int] = {}

    async def type_until_killed() -> None:
        editor = await web1.open_editor(_path(document), session, room, client=client)
        await editor.wait_for(lambda: client.rooms[room].html() == INITIAL, what="the text")
        await editor.wait_for(lambda: bool(client.acked), what="the ACK of the sync answer")
        typing_done = asyncio.Event()
        offline_left = typed_offline

        async def keep_typing() -> None:
            nonlocal offline_left
            count = 0
            for char in typed:
                update = client.rooms[room].edit(_append(0, char))
                count += 1
                if editor.is_open:
                    try:
                        seq = await editor.send_update(room, update)
                        updates[seq] = (update, count)
                    except ConnectionClosed:
                        pass
                if not editor.is_open:  # typing goes on in the page while the server is away
                    offline_left -= 1
                    if offline_left == 0:
                        break
                await asyncio.sleep(0.002)
            state["typed"] = count
            typing_done.set()

        typist = asyncio.create_task(keep_typing())
        await editor.wait_for(
            lambda: len(client.acked & set(updates)) >= kill_after_acks, timeout=20, what=f"{kill_after_acks} ACKs"
        )
        state["sent_at_kill"] = len(updates)
        web1.kill()  # SIGKILL, in the middle of the stream
        await asyncio.wait_for(editor.closed, 10)  # every frame the process sent before dying is read
        await asyncio.wait_for(typing_done.wait(), 20)
        await typist

    asyncio.run(type_until_killed())
    assert not web1.alive
    acked = sorted(client.acked & set(updates))
    unacked = sorted(set(updates) - client.acked)
    print(
        f"kill mid-typing: {state['sent_at_kill']} updates sent when killed, {len(acked)} acknowledged before the kill,"
        f" {len(unacked)} sent but not acknowledged, {typed_offline} characters typed while the server was away"
    )
    assert len(acked) > 0 and state["typed"] > len(updates)
    # Acknowledgements come in order (a connection's frames are handled one after another).
    assert acked == sorted(updates)[: len(acked)]

    # In the database, straight after the kill: every acknowledged update is in the stored state.
    stored = store.current_state(LiveText.objects.get(section=section))
    committed = LiveUpdate.objects.filter(text__section=section, author=personas.admin).count() - before
    print(
        f"kill mid-typing: {committed} updates committed by the killed process ({committed - len(acked)} of them"
        " stored but never acknowledged)"
    )
    stored_vector = pycrdt.get_state(stored)
    assert [seq for seq in acked if pycrdt.get_update(updates[seq][0], stored_vector) != yhtml.EMPTY_UPDATE] == []
    through = updates[acked[-1]][1]
    stored_text = yhtml.state_to_html(stored)
    assert stored_text.startswith(f"<p>{FIRST}{typed[:through]}"), stored_text

    started = time.perf_counter()
    web1.start().wait_ready()
    print(f"kill mid-typing: process restarted and ready in {time.perf_counter() - started:.2f} s")
    fresh = LiveClient()
    final = f"<p>{FIRST}{typed[: state['typed']]}</p><p>{SECOND}</p>"

    async def after_restart() -> tuple[str, str]:
        # A newcomer's sync step 1 (nothing held): the server's step 2 holds every acknowledged edit.
        newcomer = await web1.open_editor(_path(document), session, room, client=fresh)
        await newcomer.wait_for(lambda: bool(fresh.acked), what="the newcomer's sync answer acknowledged")
        held = fresh.rooms[room].doc.get_state()
        missing = [seq for seq in acked if pycrdt.get_update(updates[seq][0], held) != yhtml.EMPTY_UPDATE]
        assert missing == [], f"acknowledged updates missing after the restart: {missing}"
        assert fresh.rooms[room].html() != final  # what was typed while the server was away is not there yet
        # The typist comes back: its answer to the server's step 1 carries what the server lacks.
        seq_before = client.seq
        typist = await web1.open_editor(_path(document), session, room, client=client)
        await typist.wait_for(lambda: any(seq > seq_before for seq in client.acked), what="the sync answer acknowledged")
        await newcomer.wait_for(lambda: fresh.rooms[room].html() == final, what="the re-sent edits relayed")
        await typist.close()
        await newcomer.close()
        return client.rooms[room].html(), fresh.rooms[room].html()

    typist_html, newcomer_html = asyncio.run(after_restart())
    assert typist_html == newcomer_html == final
    assert _stored_html(section) == final  # every character typed, in order, once
    _servers_done_with(section)
    store.ensure_rendered(document)
    section.refresh_from_db()
    assert section.body == final


def test_concurrent_typing_in_one_paragraph_through_two_processes_converges(servers, personas, document):
    web1, web2 = servers
    section = _first_section(document)
    room = store.section_room(section.pk)
    sessions = {"A": session_cookie(personas.admin), "B": session_cookie(personas.editor)}
    words_each = 30
    seed = int(os.environ.get("LIVE_TEST_SEED") or time.time_ns() % 1_000_000)
    print(f"concurrent typing: seed {seed} (LIVE_TEST_SEED={seed} repeats this run)")
    rng = random.Random(seed)
    sent: dict[str, list[str]] = {"A": [], "B": []}
    concurrent = Counter[str]()

    def insert_word(word: str) -> Callable[[pycrdt.XmlFragment], None]:
        def change(fragment: pycrdt.XmlFragment) -> None:
            block = fragment.children[0]
            assert isinstance(block, pycrdt.XmlElement)
            run = block.children[0]
            assert isinstance(run, pycrdt.XmlText)
            text = str(run)
            # Before a space or at the end: a word is never split by another, so each can be found.
            boundaries = [i for i in range(1, len(text) + 1) if i == len(text) or text[i] == " "]
            run.insert(rng.choice(boundaries), f" {word}")

        return change

    async def type_words(me: str, editor: Editor, other: str) -> list[int]:
        seqs = []
        n = 0
        while n < words_each:
            for _ in range(rng.randint(1, 4)):  # a burst, then a pause
                if n == words_each:
                    break
                html = editor.client.rooms[room].html()
                if any(word not in html for word in sent[other]):
                    concurrent[me] += 1  # typed without having seen all the other's words yet
                n += 1
                word = f"{me}{n:02d}"
                seqs.append(await editor.send_update(room, editor.client.rooms[room].edit(insert_word(word))))
                sent[me].append(word)
            await asyncio.sleep(rng.uniform(0, 0.015))
        return seqs

    async def scenario() -> tuple[str, str, float]:
        a = await web1.open_editor(_path(document), sessions["A"], room)
        b = await web2.open_editor(_path(document), sessions["B"], room)
        for editor in (a, b):
            await editor.wait_for(lambda editor=editor: editor.client.rooms[room].html() == INITIAL, what="the text")
        a_seqs, b_seqs = await asyncio.gather(type_words("A", a, "B"), type_words("B", b, "A"))
        finished = time.perf_counter()
        everything = sent["A"] + sent["B"]
        for editor, seqs in ((a, a_seqs), (b, b_seqs)):
            await editor.wait_for(lambda editor=editor, seqs=seqs: set(seqs) <= editor.client.acked, what="every ACK")
            await editor.wait_for(
                lambda editor=editor: all(w in editor.client.rooms[room].html() for w in everything), what="every word"
            )
        quiet = time.perf_counter() - finished
        await a.close()
        await b.close()
        return a.client.rooms[room].html(), b.client.rooms[room].html(), quiet

    a_html, b_html, quiet = asyncio.run(scenario())
    print(
        f"concurrent typing: {2 * words_each} words, {sum(concurrent.values())} typed before the other's latest"
        f" arrived ({dict(concurrent)}); quiescent {quiet * 1000:.0f} ms after the last word"
    )
    stored = _stored_html(section)
    assert a_html == b_html == stored
    assert sum(concurrent.values()) > 0, "the two editors never typed concurrently"
    words = Counter(re.findall(r"\b[AB]\d\d\b", stored))
    assert words == Counter(sent["A"] + sent["B"]) and set(words.values()) == {1}, words
    assert stored.startswith("<p>First") and stored.endswith(f"</p><p>{SECOND}</p>"), stored
    _servers_done_with(section)
    store.ensure_rendered(document)
    section.refresh_from_db()
    assert section.body == stored


def test_an_editor_idle_longer_than_the_channel_layers_blocking_read_stays_connected(servers, personas, document):
    web1, web2 = servers
    section = _first_section(document)
    room = store.section_room(section.pk)
    sessions = {"a": session_cookie(personas.admin), "b": session_cookie(personas.editor)}
    idle = 7.0  # longer than channels_redis's 5 s blocking read (brpop_timeout)

    async def scenario() -> float:
        a = await web1.open_editor(_path(document), sessions["a"], room)
        await a.wait_for(lambda: a.client.rooms[room].html() == INITIAL, what="the text")
        started = time.perf_counter()
        try:
            await asyncio.wait_for(asyncio.shield(a.closed), idle)
        except TimeoutError:
            pass  # still open after the idle time, as it should be
        else:
            raise AssertionError(
                f"the server dropped an idle editor after {time.perf_counter() - started:.1f} s"
                f" (close code {a.socket.close_code})"
            )
        b = await web2.open_editor(_path(document), sessions["b"], room)
        await b.wait_for(lambda: b.client.rooms[room].html() == INITIAL, what="the text")
        sent = time.perf_counter()
        seq = await b.send_update(room, b.client.rooms[room].edit(_append(1, " After the pause.")))
        seen = await a.wait_for(
            lambda: "After the pause." in a.client.rooms[room].html(),
            timeout=5,
            what="a change relayed to the editor that was idle",
        )
        await b.wait_for(lambda: seq in b.client.acked, what="ACK")
        await a.close()
        await b.close()
        return seen - sent

    latency = asyncio.run(scenario())
    print(f"after {idle:.0f} s idle, B->A: {latency * 1000:.1f} ms")
    assert latency < 2
    _servers_done_with(section)
