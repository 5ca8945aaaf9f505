"""The stored truth of the live editor: each text's CRDT state and its log of updates.

Why it is shaped so (see PROTOCOL.md for the wire side):

- An update is committed to the database before anyone is told of it (the writer's ACK, the others'
  broadcast), so a server restart loses nothing acknowledged. Applying a Yjs update twice is
  harmless, which is what makes retries, reconnects and two web processes simple.
- Each text numbers its updates under its row lock (`LiveText.seq`), without gaps and in commit
  order: "the rendered HTML is behind" is exactly `rendered_seq < seq`, whatever the database.
- Now and then the log is folded into `LiveText.state` (one merged update), so that opening a room
  reads one row and a few updates, not every keystroke since the first.
- The HTML that the rest of the app reads (`Section.body`, `Document.summary`, with the counts) is
  rendered from the CRDT after a pause in editing, and on demand before anything that must be exact
  (an export, a snapshot, the pre-submission check, the API): `ensure_rendered`.
- Every write the server makes (a form, the API, a Word import, a restore) is a Y update too, made
  as a block-level diff so that people typing in other paragraphs keep their text and carets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pycrdt
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User

from .. import richtext
from ..models import Document, LiveText, LiveUpdate, RevisionReason, Section, SectionRevision
from ..wordcount import count_html
from . import broadcast, suggestions, yhtml

# Updates kept in the log before they are folded into the state (opening a room reads them all).
FOLD_AFTER = 200
# The largest single update accepted from a browser: a paste of a whole submission is some 300 KB.
MAX_UPDATE_BYTES = 2_000_000

SUMMARY_ROOM = "summary"
SECTION_ROOM_PREFIX = "section-"


class RejectedUpdate(ValueError):
    """A browser sent bytes that are not a Yjs update (or too many): nothing is stored."""


class NotASuggestion(RejectedUpdate):
    """A change from someone who may only suggest there that is not only their own suggestions."""


class TextLocked(Exception):
    """The document was made final or submitted: no change is stored any more."""


def section_room(section_id: int) -> str:
    return f"{SECTION_ROOM_PREFIX}{section_id}"


def parse_room(room: str) -> int | None:
    """The section id of a room name, 0 for the summary, None for anything else."""
    if room == SUMMARY_ROOM:
        return 0
    if room.startswith(SECTION_ROOM_PREFIX):
        digits = room[len(SECTION_ROOM_PREFIX) :]
        if digits.isascii() and digits.isdigit() and len(digits) <= 18 and int(digits) > 0:
            return int(digits)
    return None


# --- Finding (and, the first time, converting) a text ---------------------------------------------


def text_for_section(section: Section) -> LiveText:
    """The live text of a section, made from its HTML the first time it is needed.

    The conversion is the row's creation: the one-per-section constraint makes it happen exactly once
    even when two processes open the section at the same moment (converting twice would hold the text
    twice, since two independent inserts both survive in a CRDT)."""
    existing = LiveText.objects.filter(section=section).first()
    if existing is not None:
        return existing
    return _create(
        LiveText(coalition_id=section.coalition_id, document_id=section.document_id, section=section),
        section.body,
        lambda: LiveText.objects.get(section=section),
    )


def text_for_summary(document: Document) -> LiveText:
    existing = LiveText.objects.filter(document=document, section__isnull=True).first()
    if existing is not None:
        return existing
    return _create(
        LiveText(coalition_id=document.coalition_id, document=document, section=None),
        document.summary,
        lambda: LiveText.objects.get(document=document, section__isnull=True),
    )


def _create(text: LiveText, html: str, refetch: Any) -> LiveText:
    text.state = yhtml.html_to_state(html or "")
    try:
        with transaction.atomic():
            text.save()
    except IntegrityError:
        return refetch()
    return text


def start_section(
    section: Section, *, html: str, author: Any = None, reason: str = RevisionReason.WRITE, note: str = ""
) -> LiveText:
    """The live text of a section the app makes with its text (a section added with a body, a Word
    import, the matrix annex, a chapter of the mid-term report), made at the section's creation and in
    the caller's transaction.

    Why here and not lazily (`text_for_section`): from its first moment the section's CRDT and its
    HTML say the same thing, so no later write (a form, a task, an import run twice) can set
    `Section.body` to something that the next render from the CRDT would silently undo. The body
    stored is the HTML rendered from the new CRDT (what every later render gives), counted; with text,
    the section is at version 2 and this text is kept as its first version (with its state, so that
    the history can diff and restore it). Raises ValidationError (the sanitiser's message) for a text
    too long to keep; nothing is written then."""
    state = yhtml.html_to_state(sanitised(html))
    try:
        rendered = yhtml.state_to_html(state)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    text = LiveText.objects.create(
        coalition_id=section.coalition_id, document_id=section.document_id, section=section, state=state
    )
    if not rendered:
        return text
    counted = count_html(rendered)
    section.body, section.counted_words, section.footnote_words = rendered, counted.counted, counted.footnotes
    section.version = max(section.version + 1, 2)
    if author is not None and getattr(author, "pk", None):
        section.updated_by = author
    section.save(update_fields=["body", "counted_words", "footnote_words", "version", "updated_by", "updated_at"])
    author_id = getattr(author, "pk", None)
    # Its first version: the text has no update in its log yet to say who wrote it, so it is said here.
    keep_version(text, reason=reason, actor=author, note=note, authors=[author_id] if author_id else [])
    return text


def text_for_room(document: Document, room: str) -> LiveText | None:
    """The live text `room` names in this document, or None (another document's section, a bad name)."""
    section_id = parse_room(room)
    if section_id is None:
        return None
    if section_id == 0:
        return text_for_summary(document)
    section = Section.objects.filter(document=document, pk=section_id).first()
    return text_for_section(section) if section is not None else None


# --- Reading ---------------------------------------------------------------------------------------


def empty_state() -> bytes:
    return pycrdt.Doc().get_update()


def current_state(text: LiveText) -> bytes:
    """The whole text as one Yjs update: the folded state and every update after it.

    Read without a lock, so it must not mix a fold made meanwhile by another process (which deletes
    the folded updates) with the state read before it: the updates must follow the state's `folded_seq`
    without a gap, and `folded_seq` must be unchanged after reading them; otherwise it reads again."""
    for _attempt in range(10):
        state, folded_seq = LiveText.objects.filter(pk=text.pk).values_list("state", "folded_seq").get()
        rows = list(LiveUpdate.objects.filter(text_id=text.pk, seq__gt=folded_seq).order_by("seq").values_list("seq", "update"))
        contiguous = all(seq == folded_seq + i for i, (seq, _update) in enumerate(rows, start=1))
        if contiguous and LiveText.objects.filter(pk=text.pk, folded_seq=folded_seq).exists():
            parts = ([bytes(state)] if state else []) + [bytes(update) for _seq, update in rows]
            if not parts:
                return empty_state()
            return parts[0] if len(parts) == 1 else pycrdt.merge_updates(*parts)
    raise RuntimeError(f"live text {text.pk}: its log kept changing while it was read")


def missing_for(state: bytes, state_vector: bytes) -> bytes:
    """What a peer with `state_vector` lacks of `state` (the answer to its sync step 1)."""
    return pycrdt.get_update(state, state_vector)


def state_vector(state: bytes) -> bytes:
    return pycrdt.get_state(state)


# --- Writing ---------------------------------------------------------------------------------------


def adds_nothing(state: bytes, update: bytes) -> bool:
    """Whether applying `update` to `state` changes nothing (a browser's sync answer that only
    repeats what the server has, deletions included): such an answer is acknowledged, not stored."""
    doc: pycrdt.Doc[pycrdt.XmlFragment] = pycrdt.Doc()
    doc.apply_update(state)
    before = doc.get_update()
    doc.apply_update(update)
    return doc.get_update() == before


def check_update(update: bytes) -> None:
    """Refuses what is not a well-formed Yjs update, before it could poison the log."""
    if not update or len(update) > MAX_UPDATE_BYTES:
        raise RejectedUpdate("empty or too large")
    try:
        pycrdt.merge_updates(update)
    except Exception as error:  # pycrdt raises ValueError; a panic in the decoder surfaces otherwise
        raise RejectedUpdate(str(error)) from None


@transaction.atomic
def append(*, text_id: int, update: bytes, author_id: int | None, suggest_only: bool = False) -> int:
    """Stores one update (already checked) and returns its number. Committed when this returns.

    `suggest_only`: the author may only suggest in this text; an update that is anything but their
    own suggestions raises NotASuggestion (checked against the state under the row lock, so two
    suggesters' changes are each checked against what the other's left)."""
    locked = (
        LiveText.objects.select_for_update(of=("self",))
        .select_related("document")
        .only("id", "seq", "coalition_id", "document__status")
        .get(pk=text_id)
    )
    if not locked.document.editable:
        # Read after taking the row lock: a status change committed before this point is seen, so no
        # keystroke lands in a document after it was made final (its sockets are told just after).
        raise TextLocked()
    if suggest_only and not suggestions.is_suggestion_by(current_state(locked), update, author_id or 0):
        raise NotASuggestion("not only the author's suggestions")
    seq = locked.seq + 1
    LiveText.objects.filter(pk=text_id).update(seq=seq, last_edit_at=timezone.now())
    LiveUpdate.objects.create(coalition_id=locked.coalition_id, text_id=text_id, seq=seq, update=update, author_id=author_id)
    return seq


def write_html(
    *, text: LiveText, html: str, author: Any, reason: str = RevisionReason.WRITE, keep_version_note: str = ""
) -> bool:
    """Makes the text say `html` (sanitised) as a change like any other, seen live by open editors.

    Only the blocks that differ are replaced. Before the write, what was there is kept as a version
    (so that nothing typed live just before is lost: it can be restored), and after it the new text
    is rendered and kept as a version too. Returns False when the text already said that."""

    def make_update(state: bytes) -> bytes | None:
        try:
            return yhtml.html_to_update_or_none(html, current_state=state)
        except ValueError as error:  # too long to keep: the sanitiser's message
            raise ValidationError(str(error)) from None

    return _write(text, make_update, author=author, reason=reason, note=keep_version_note)


def decide_suggestions(*, text: LiveText, ids: Iterable[str], accept: bool, author: Any, note: str = "") -> bool:
    """Accepts (or rejects) the suggestions `ids` of a section's text, as a change everyone sees live,
    kept in the history as a version of its own. Returns False when none of them is in the text."""
    ids = list(ids)
    return _write(
        text,
        lambda state: suggestions.decide_update(state, ids, accept=accept),
        author=author,
        reason=RevisionReason.ACCEPT if accept else RevisionReason.REJECT,
        note=note,
    )


def _write(text: LiveText, make_update: Any, *, author: Any, reason: str, note: str) -> bool:
    """A change the server makes to a text (`make_update(state)` gives its update, or None for no
    change), made under the locks, rendered, kept as a version and sent to open editors."""
    with transaction.atomic():
        _lock_owner((text.document_id, text.section_id))
        locked = LiveText.objects.select_for_update().get(pk=text.pk)
        state = current_state(locked)
        update = make_update(state)
        if update is None:
            return False
        if locked.section_id and locked.seq > locked.versioned_seq:  # live typing since the last version
            render(locked.pk)
            locked.refresh_from_db()
            keep_version(locked, reason=RevisionReason.PAUSE, actor=None)
        seq = locked.seq + 1
        LiveText.objects.filter(pk=locked.pk).update(seq=seq, last_edit_at=timezone.now())
        LiveUpdate.objects.create(
            coalition_id=locked.coalition_id, text_id=locked.pk, seq=seq, update=update, author_id=getattr(author, "pk", None)
        )
        locked.seq = seq
        render(locked.pk, changed_by=author)
        locked.refresh_from_db()
        if locked.section_id:
            keep_version(locked, reason=reason, actor=author, note=note)
        broadcast.update_on_commit(document_id=locked.document_id, room=locked.room, update=update)
    return True


# --- Rendering the HTML that the rest of the app reads ---------------------------------------------


def _lock_owner(owner: tuple[int, int | None]) -> None:
    """Locks the row a text renders into (its section, or the document for the summary) BEFORE the
    text's own row. Why: every path takes its locks in the one order document, section, live text
    (a status change holds the document, a form's save the section, then each renders), so two of
    them never wait for each other in a cycle (a deadlock PostgreSQL would end by failing one)."""
    document_id, section_id = owner
    if section_id:
        list(Section.objects.select_for_update().filter(pk=section_id).values_list("pk", flat=True))
    else:
        list(Document.objects.select_for_update().filter(pk=document_id).values_list("pk", flat=True))


def render(text_id: int, *, changed_by: Any = None) -> bool:
    """Refreshes the text's HTML and counts from the CRDT if they are behind; folds a long log.
    Returns whether the HTML changed. Safe to call from any process at any time."""
    with transaction.atomic():
        _lock_owner(LiveText.objects.filter(pk=text_id).values_list("document_id", "section_id").get())
        text = LiveText.objects.select_for_update().get(pk=text_id)
        if text.rendered_seq >= text.seq:
            return False
        state = current_state(text)
        html = yhtml.state_to_html(state)
        # Counted again as proposed only when the text may hold suggestions (else it is the same count).
        proposed = (
            count_html(yhtml.state_to_html(state, view=yhtml.PROPOSED)).counted if yhtml.may_hold_suggestions(state) else None
        )
        changed = _store_html(text, html, proposed_words=proposed, changed_by=changed_by)
        LiveText.objects.filter(pk=text.pk).update(rendered_seq=text.seq)
        _fold(text)
        return changed


def _fold(text: LiveText) -> None:
    """Merges the log into the state, up to the latest kept version only: the updates after it name
    who wrote since, which the next version records (a summary has no versions: all of its log)."""
    through = text.seq if not text.section_id else min(text.seq, text.versioned_seq)
    if through - text.folded_seq < FOLD_AFTER:
        return
    updates = list(
        LiveUpdate.objects.filter(text_id=text.pk, seq__gt=text.folded_seq, seq__lte=through)
        .order_by("seq")
        .values_list("update", flat=True)
    )
    parts = ([bytes(text.state)] if text.state else []) + [bytes(u) for u in updates]
    LiveText.objects.filter(pk=text.pk).update(state=pycrdt.merge_updates(*parts), folded_seq=through)
    LiveUpdate.objects.filter(text_id=text.pk, seq__lte=through).delete()


def _store_html(text: LiveText, html: str, *, proposed_words: int | None, changed_by: Any) -> bool:
    """Stores the rendered HTML and its counts (`proposed_words` None: no suggestion, the count as it
    stands); returns whether the text as it stands changed (a suggestion alone changes only the
    proposed count)."""
    if text.section_id:
        section = Section.objects.only("body", "counted_words", "proposed_words").get(pk=text.section_id)
        if section.body == html:
            proposed = section.counted_words if proposed_words is None else proposed_words
            if section.proposed_words != proposed:
                Section.objects.filter(pk=text.section_id).update(proposed_words=proposed, updated_at=timezone.now())
            return False
        counted = count_html(html)
        proposed_words = counted.counted if proposed_words is None else proposed_words
        last_author = changed_by.pk if changed_by is not None else _last_author(text)
        Section.objects.filter(pk=text.section_id).update(
            body=html,
            counted_words=counted.counted,
            footnote_words=counted.footnotes,
            proposed_words=proposed_words,
            version=F("version") + 1,
            updated_at=timezone.now(),
            **({"updated_by_id": last_author} if last_author else {}),
        )
        return True
    document = Document.objects.only("summary").get(pk=text.document_id)
    if document.summary == html:
        return False
    Document.objects.filter(pk=text.document_id).update(
        summary=html, summary_version=F("summary_version") + 1, updated_at=timezone.now()
    )
    return True


def _last_author(text: LiveText) -> int | None:
    return (
        LiveUpdate.objects.filter(text_id=text.pk, author__isnull=False)
        .order_by("-seq")
        .values_list("author_id", flat=True)
        .first()
    )


def ensure_rendered(document: Document | int) -> None:
    """Before anything that must read the exact text (export, snapshot, check, API): render every
    text of the document whose HTML is behind its log. Given a Document, its `summary` is then the
    summary as it is now (re-read when it was rendered)."""
    document_id = document if isinstance(document, int) else document.pk
    behind = list(LiveText.objects.filter(document_id=document_id, rendered_seq__lt=F("seq")).values_list("pk", "section_id"))
    for text_id, _section_id in behind:
        render(text_id)
    if isinstance(document, Document) and any(section_id is None for _text_id, section_id in behind):
        # The caller's instance was read before the summary was rendered: it reads the summary as it is now.
        document.refresh_from_db(fields=["summary", "summary_version"])


def ensure_rendered_where(**filters: Any) -> int:
    """`ensure_rendered` for the live texts matching `filters` (a section's, a list of documents'):
    renders those whose HTML is behind (usually none, or the few edited in the last seconds) and
    returns how many were."""
    behind = list(dict.fromkeys(LiveText.objects.filter(rendered_seq__lt=F("seq"), **filters).values_list("pk", flat=True)))
    for text_id in behind:
        render(text_id)
    return len(behind)


def hold_rendered(document: Document | int) -> dict[str, int]:
    """Inside a transaction: holds every live text of the document (no change is stored in any of them
    until the commit), renders those behind, and returns what the HTML now is, as {room: seq}.

    What a signature is bound to: the HTML read after this call is exactly these seqs of the CRDTs,
    with no keystroke landing between the render and the reading. Take the document's row lock first
    (as a change of status does), so that the two never wait on each other."""
    document_id = document if isinstance(document, int) else document.pk
    # In the lock order of `_lock_owner`: the document, its sections, then their texts.
    list(Document.objects.select_for_update().filter(pk=document_id).values_list("pk", flat=True))
    list(Section.objects.select_for_update().filter(document_id=document_id).order_by("pk").values_list("pk", flat=True))
    texts = list(LiveText.objects.select_for_update().filter(document_id=document_id).order_by("pk"))
    for text in texts:
        if text.rendered_seq < text.seq:
            render(text.pk)
    return {text.room: text.seq for text in texts}


# --- Versions --------------------------------------------------------------------------------------


def keep_version(
    text: LiveText, *, reason: str, actor: User | None = None, name: str = "", note: str = "", authors: list[int] | None = None
) -> SectionRevision | None:
    """Keeps the section as it stands now as a version (nothing when it has no change since the last
    one, unless it is named). Call inside a transaction holding the text's row lock, after `render`."""
    if not text.section_id:
        return None
    section = Section.objects.get(pk=text.section_id)
    last = SectionRevision.objects.filter(section_id=section.pk).order_by("-version").first()
    if last is not None and last.live_seq == text.seq and last.body == section.body and last.title == section.title and not name:
        return None  # this very state is kept already (a status change after no edit adds nothing)
    if last is not None and last.live_seq == text.seq and name and last.body == section.body and not last.name:
        last.name = name[:120]
        last.save(update_fields=["name"])
        return last
    if authors is None:
        authors = _authors_between(text, last.live_seq if last is not None else 0, text.seq)
    revision = SectionRevision.objects.create(
        coalition_id=section.coalition_id,
        section=section,
        version=(last.version + 1) if last else 1,
        title=section.title,
        body=section.body,
        counted_words=section.counted_words,
        note=note[:200],
        name=name[:120],
        reason=reason,
        live_seq=text.seq,
        state=current_state(text),
        authors=authors,
        created_by=actor if actor is not None and getattr(actor, "pk", None) else None,
    )
    LiveText.objects.filter(pk=text.pk).update(versioned_seq=text.seq)
    text.versioned_seq = text.seq
    return revision


def _authors_between(text: LiveText, after: int, through: int) -> list[int]:
    seen: list[int] = []
    for author_id in (
        LiveUpdate.objects.filter(text_id=text.pk, seq__gt=after, seq__lte=through, author__isnull=False)
        .order_by("seq")
        .values_list("author_id", flat=True)
    ):
        if author_id not in seen:
            seen.append(author_id)
    return seen


def keep_pause_version(text_id: int) -> SectionRevision | None:
    """After a long pause in editing: render, then keep the version if anything changed."""
    render(text_id)
    with transaction.atomic():
        _lock_owner(LiveText.objects.filter(pk=text_id).values_list("document_id", "section_id").get())
        text = LiveText.objects.select_for_update().get(pk=text_id)
        kept = keep_version(text, reason=RevisionReason.PAUSE)
        _fold(text)
        return kept


def keep_versions_of(document: Document, *, reason: str, actor: User | None = None) -> None:
    """At a change of status: every section of the document is kept as it stands."""
    ensure_rendered(document)
    for text_id in list(LiveText.objects.filter(document=document, section__isnull=False).values_list("pk", flat=True)):
        with transaction.atomic():
            _lock_owner(LiveText.objects.filter(pk=text_id).values_list("document_id", "section_id").get())
            text = LiveText.objects.select_for_update().get(pk=text_id)
            keep_version(text, reason=reason, actor=actor)


def html_at(revision: SectionRevision) -> str:
    """A version's HTML (from its own CRDT state when it has one, so a diff sees what was there)."""
    if revision.state:
        return yhtml.state_to_html(bytes(revision.state))
    return revision.body


def sanitised(html: str) -> str:
    try:
        return richtext.clean(html)
    except ValueError as error:
        raise ValidationError(str(error)) from None


def sections_texts(sections: Iterable[Section]) -> dict[int, LiveText]:
    """The live texts of these sections, made for those that have none yet."""
    sections = list(sections)
    found = {t.section_id: t for t in LiveText.objects.filter(section__in=sections)}
    for section in sections:
        if section.pk not in found:
            found[section.pk] = text_for_section(section)
    return found


__all__ = [
    "NotASuggestion",
    "RejectedUpdate",
    "append",
    "check_update",
    "current_state",
    "decide_suggestions",
    "ensure_rendered",
    "ensure_rendered_where",
    "hold_rendered",
    "html_at",
    "keep_pause_version",
    "keep_version",
    "keep_versions_of",
    "missing_for",
    "parse_room",
    "render",
    "section_room",
    "sections_texts",
    "start_section",
    "state_vector",
    "text_for_room",
    "text_for_section",
    "text_for_summary",
    "write_html",
]
