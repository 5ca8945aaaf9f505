"""The live store: the log folded without losing who wrote, and read consistently while another
process folds it."""

from __future__ import annotations

import pycrdt
import pytest

from submissions import services
from submissions.live import store, yhtml
from submissions.models import LiveText, LiveUpdate, Section

pytestmark = pytest.mark.django_db


def _typist(text: LiveText, words: list[str], author) -> None:
    """Appends one update per word at the end of paragraph 1, as a browser would, one by one."""
    doc: pycrdt.Doc = pycrdt.Doc()
    doc.apply_update(store.current_state(text))
    fragment = doc.get(yhtml.FIELD, type=pycrdt.XmlFragment)
    for word in words:
        before = doc.get_state()
        run = fragment.children[0].children[0]
        run.insert(len(str(run)), f" {word}")
        store.append(text_id=text.pk, update=doc.get_update(before), author_id=author.pk)


@pytest.fixture
def section(personas):
    document = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="oral_statement",
        title="Statement",
    )
    section = document.sections.first()
    services.section_save(
        section=section, membership=personas.membership(personas.admin), base_version=section.version, body="<p>Start.</p>"
    )
    return Section.objects.get(pk=section.pk)


def test_a_long_log_is_folded_without_losing_the_text_or_who_wrote_it(personas, section, monkeypatch):
    monkeypatch.setattr(store, "FOLD_AFTER", 20)
    text = store.text_for_section(section)
    _typist(text, [f"a{i}" for i in range(30)], personas.editor)
    _typist(text, [f"b{i}" for i in range(30)], personas.admin)
    store.render(text.pk)  # nothing kept as a version yet: nothing may be folded (authors would be lost)
    assert LiveUpdate.objects.filter(text=text).count() == 61  # the form write that started it, and the 60 words
    kept = store.keep_pause_version(text.pk)
    assert kept is not None and kept.authors == [personas.editor.pk, personas.admin.pk]
    text.refresh_from_db()
    assert text.folded_seq == text.seq and not LiveUpdate.objects.filter(text=text).exists()
    expected = "<p>Start. " + " ".join([f"a{i}" for i in range(30)] + [f"b{i}" for i in range(30)]) + "</p>"
    assert yhtml.state_to_html(store.current_state(text)) == expected
    assert Section.objects.get(pk=section.pk).body == expected


def test_a_reader_with_a_stale_row_still_reads_everything_after_a_fold_elsewhere(personas, section, monkeypatch):
    monkeypatch.setattr(store, "FOLD_AFTER", 5)
    text = store.text_for_section(section)
    store.keep_pause_version(text.pk)
    stale = LiveText.objects.get(pk=text.pk)  # read before the fold, as a joining socket may have
    _typist(text, [f"w{i}" for i in range(12)], personas.editor)
    store.keep_pause_version(text.pk)  # another process: renders, keeps a version, folds, deletes the log
    assert LiveText.objects.get(pk=text.pk).folded_seq > stale.folded_seq
    html = yhtml.state_to_html(store.current_state(stale))
    assert html == "<p>Start. " + " ".join(f"w{i}" for i in range(12)) + "</p>"
