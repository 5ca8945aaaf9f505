"""The first run's main write journeys, through the pages' own forms, under `make run`'s settings.
Usage: python tests/first_run/journeys.py REPORT.json

Each journey is what a person of the demo does in their first hour: the editor saves a section of
the joint submission and exports it as Word and PDF; the secretariat starts a document from a Word
draft and imports a review's recommendations from OHCHR's file; the editor assesses a matrix row with
the exported PDF as evidence; a member searches the recommendations; the reminder sweep runs. Tasks run in-process (no Redis), as under
`make run`. Every journey runs even when one before it failed; each failure is reported.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
import traceback
from collections.abc import Callable
from typing import Any

import docx
import pypdf
from common import ROOT, describe, logged_in, post_form, write_report
from django.core import mail
from django.test import Client, override_settings

DEMO = "/c/demo/"
OHCHR_FILE = ROOT / "recommendations" / "reference_data" / "upr48-slovenia-thematic-list-of-recommendatio.docx"
SAVED_TEXT = "Ninety-one Roma settlements were still without drinking water in 2025, the ombudsperson found."
JSON = {"HTTP_ACCEPT": "application/json", "HTTP_X_REQUESTED_WITH": "fetch"}  # as static/js/editor.js sends a save


def ok(response: Any, *expected: int) -> Any:
    if response.status_code not in (expected or (200,)):
        raise AssertionError(
            f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} answered "
            f"{response.status_code}: {response.content[:300]!r}"
        )
    return response


def followed(client: Client, response: Any) -> str:
    """The page a redirect leads to (a server error on the way fails the journey)."""
    ok(response, 302)
    return ok(client.get(response["Location"])).content.decode()


def messages_of(page: str) -> list[str]:
    return re.findall(r'<p class="message [^"]*">(.*?)</p>', page, re.S)


def api(client: Client, path: str) -> Any:
    return json.loads(ok(client.get(f"/api/c/demo/{path}")).content)


def rows(body: Any) -> list[dict[str, Any]]:
    return body["results"] if isinstance(body, dict) else body


def demo_document(client: Client) -> dict[str, Any]:
    return next(d for d in rows(api(client, "documents/")) if d["title"].startswith("Joint stakeholder submission"))


class Journeys:
    def __init__(self) -> None:
        self.editor = logged_in("editor", enforce_csrf_checks=True)
        self.admin = logged_in("admin", enforce_csrf_checks=True)
        self.member = logged_in("member", enforce_csrf_checks=True)
        self.document = demo_document(self.admin)
        self.page = f"{DEMO}documents/{self.document['id']}/"
        self.pdf: bytes = b""
        self.saved = False  # the section's new text, which the exports must then carry

    def edit_and_save_a_section(self) -> None:
        """The working group's section, saved as the editor's page saves it (fetch, JSON back), then seen."""
        section = next(
            s for s in rows(api(self.editor, f"sections/?document={self.document['id']}")) if "drinking water" in s["body"]
        )
        saved = ok(post_form(self.editor, self.page, rf"/sections/{section['id']}/$", {"body": f"<p>{SAVED_TEXT}</p>"}, **JSON))
        version = json.loads(saved.content)["version"]
        assert version == section["version"] + 1, f"saved as version {version}, was {section['version']}"
        assert SAVED_TEXT in ok(self.editor.get(self.page)).content.decode(), "the saved text is not on the page"
        assert SAVED_TEXT in api(self.admin, f"sections/{section['id']}/")["body"]
        self.saved = True

    def export_word_and_pdf(self) -> None:
        """Both exports made (in-process), offered on the page, and the files read back."""
        for fmt in ("docx", "pdf"):
            page = followed(self.editor, post_form(self.editor, self.page, r"/exports/new/$", {"format": fmt}))
            assert "The export is being made" in page, messages_of(page)
        panel = ok(self.editor.get(f"{self.page}exports/")).content.decode()
        links = re.findall(r'href="([^"]+/exports/\d+/download/)"', panel)
        assert len(links) >= 2, f"the exports panel offers {links}: {panel[:500]}"
        files = {}
        for link in links[:2]:
            response = ok(self.editor.get(link))
            files[response["Content-Type"]] = response.content
        word = files.get("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        self.pdf = files.get("application/pdf", b"")
        assert word and self.pdf, f"got {list(files)}"
        title = self.document["title"]
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(word)).paragraphs)
        assert title in text and (SAVED_TEXT in text or not self.saved), text[:1000]
        pdf_text = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(self.pdf)).pages)
        assert title in pdf_text and (SAVED_TEXT in pdf_text or not self.saved), pdf_text[:1000]

    def import_a_word_draft(self) -> None:
        """A new individual submission, continued from a Word draft: its headings become sections."""
        engagement = rows(api(self.admin, "engagements/"))[0]["id"]
        organisation = rows(api(self.admin, "organisations/"))[0]["id"]
        listing = f"{DEMO}engagements/{engagement}/documents/"
        created = post_form(
            self.admin,
            listing,
            None,
            {
                "kind": "individual_submission",
                "title": "Right to water: our own submission",
                "language": "en",
                "lead_organisation": str(organisation),
            },
        )
        ok(created, 302)
        page = created["Location"]
        draft = docx.Document()
        draft.add_heading("Right to water: our own submission", level=0)
        for heading, text in (
            ("Access to drinking water", "Many settlements still have no tap within reach."),
            ("Recommendations", "Connect every settlement to the public water supply by 2027."),
        ):
            draft.add_heading(heading, level=1)
            draft.add_paragraph(text)
        upload = io.BytesIO()
        draft.save(upload)
        upload.name = "our-draft.docx"
        upload.seek(0)
        imported = followed(self.admin, post_form(self.admin, page, r"/import/$", {"file": upload}))
        assert any("imported from Word" in m for m in messages_of(imported)), messages_of(imported)
        assert "Many settlements still have no tap within reach." in imported
        assert "Access to drinking water" in imported

    def import_recommendations(self) -> None:
        """OHCHR's thematic list of Slovenia's 4th review, into that review: read and recognised again."""
        from upr.models import Review

        review = Review.objects.get(state__iso3="SVN", session__number=48)
        page = f"{DEMO}recommendations/import/"
        with OHCHR_FILE.open("rb") as upload:
            answer = post_form(self.admin, page, None, {"file": upload, "review": str(review.pk)})
        text = ok(answer).content.decode()
        assert "254" in text, text[text.find("<main") :][:800]
        from recommendations.models import Recommendation

        assert Recommendation.objects.filter(review=review).count() == 254

    def assess_a_matrix_row(self) -> None:
        """The editor assesses a row of the cluster their working group owns, with a file as evidence."""
        matrix = rows(api(self.editor, "matrices/"))[0]
        row = next(r for r in rows(api(self.editor, f"matrix-rows/?matrix={matrix['id']}")) if r.get("can_edit", True))
        page = f"{DEMO}engagements/{matrix['engagement']}/matrix/rows/{row['id']}/"
        content = self.pdf or b"Notes of the coalition's meeting with the ministry.\n"
        evidence = io.BytesIO(content)
        evidence.name = "our-submission.pdf" if self.pdf else "notes.txt"
        narrative = "A draft law on water supply was tabled in November 2026."
        answer = post_form(
            self.editor,
            page,
            r"/assess/$",
            {
                "assessed_on": dt.date.today().isoformat(),
                "law": "partial",
                "policy": "partial",
                "practice": "not",
                "light": "",
                "narrative": narrative,
                "shared": "on",
                "evidence_title": "Our own submission",
                "evidence_file": evidence,
                "evidence_source": "The coalition",
                "evidence_dated": dt.date.today().isoformat(),
            },
        )
        shown = followed(self.editor, answer)
        assert "Assessment recorded." in messages_of(shown), messages_of(shown) or shown[:800]
        assert narrative in shown
        link = re.search(r'href="(/c/demo/evidence/\d+/)"', shown)
        assert link, "the evidence is not offered"
        assert ok(self.editor.get(link.group(1))).getvalue() == content, "the evidence file came back changed"

    def search_recommendations(self) -> None:
        """Search by words, sorted by relevance: PostgreSQL's full-text ranking; on SQLite every word must
        appear in the text (no stemming) and relevance falls back to the newest first. It never fails."""
        from recommendations.models import Recommendation

        page = ok(self.member.get(f"{DEMO}recommendations/?q=drinking+water&sort=relevance")).content.decode()
        expected = (
            Recommendation.objects.filter(text__icontains="drinking", review__state__iso3="SVN")
            .filter(text__icontains="water")
            .first()
        )
        assert expected is not None and expected.text[:60] in page.replace("&#x27;", "'"), page[page.find("<main") :][:800]

    def reminder_sweep(self) -> None:
        """The sweep (what Celery beat runs every 15 minutes) on SQLite: it claims what is due once, sends
        it, and a second sweep at the same moment claims nothing (INSERT ... ON CONFLICT on SQLite)."""
        from django.utils import timezone

        from workplan import reminders

        # The sweep claims as of `now`; the sending checks the deadline against the clock: a deadline still ahead.
        ahead = [
            d.due_at
            for d in reminders.deadlines(engagements=reminders.engagements_with_deadlines(coalition__slug="demo"))
            if d.due_at > timezone.now() + dt.timedelta(days=1)
        ]
        assert ahead, "the demo has no deadline ahead"
        moment = min(ahead) - dt.timedelta(hours=12)  # the day before the first of them
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            claimed = reminders.sweep(now=moment)
            again = reminders.sweep(now=moment)
            sent = len(mail.outbox)
        assert claimed, f"nothing claimed on {moment}"
        assert not again, f"claimed twice: {again}"
        assert sent, "claimed but nothing sent"


def main() -> None:
    journeys = Journeys()
    report: dict[str, Any] = {"journeys": {}, "failures": []}
    steps: list[Callable[[], None]] = [
        journeys.edit_and_save_a_section,
        journeys.export_word_and_pdf,
        journeys.import_a_word_draft,
        journeys.import_recommendations,
        journeys.assess_a_matrix_row,
        journeys.search_recommendations,
        journeys.reminder_sweep,
    ]
    for step in steps:
        started = time.monotonic()
        try:
            step()
        except Exception as exc:  # every journey runs and every failure is reported
            report["failures"].append(
                {"journey": step.__name__, "error": describe(exc), "traceback": traceback.format_exc()[-2000:]}
            )
        report["journeys"][step.__name__] = round(time.monotonic() - started, 1)
    write_report(report)


if __name__ == "__main__":
    main()
