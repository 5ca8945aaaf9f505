"""Is this file what it says it is, and is it for the review chosen? Read before any shared import.

A file of recommendations changes what every coalition reads, so before it is imported its own
identification is compared with the review a person chose:

- OHCHR's thematic list (.docx) names the State under Review, the cycle and the session in its page
  header ("UPR of Slovenia (4th Cycle - 48th Session)") and cites the Working Group report in every
  "Source of position" line (A/HRC/59/15/Add.1). State, session and cycle must be the chosen
  review's; where our calendar knows the review's report symbol, the file must cite it.
- UPR Info's export names the State under Review and the session on every row; rows of other
  reviews than the chosen one are left out, and a file with none of the chosen review is refused.
- Our CSV template carries no identification at all: it cannot be verified.

A mismatch is refused for everyone, staff included, with a message naming what the file says and
what was chosen: session 48's list "imported" into session 20 added 254 rows to a review of 163.
Verification proves what a file is *for*, not that its text is OHCHR's: a forged header would pass.
That is why every import is also recorded with the file's SHA-256, announced to every coalition that
follows the State, and can be undone (recommendations.shared_imports).
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from upr.models import Review
from upr.reference import StateIndex

from .models import Source
from .ohchr import NotAThematicList, read_document
from .spreadsheet import UnreadableTable, read_table
from .template import is_template
from .upr_info import REQUIRED_COLUMNS


@dataclass
class Verdict:
    """What the file says it is, and whether that agrees with the chosen review."""

    source: str
    identification: str
    verified: bool
    refusal: str = ""  # set on a mismatch: why, naming what the file says and what was chosen
    # The file could not be read as any format: the importer says why (and imports nothing).
    unreadable: bool = False
    review_ids: list[int] = field(default_factory=list)  # the reviews the file's rows go into


def describe(review: Review) -> str:
    """A review as a person names it: 'Slovenia, session 20 (cycle 2)' (and its report symbol)."""
    text = _("%(state)s, session %(session)d (cycle %(cycle)d)") % {
        "state": review.state.name,
        "session": review.session.number,
        "cycle": review.session.cycle,
    }
    return f"{text}, {review.report_symbol}" if review.report_symbol else text


def verify(content: bytes, *, name: str, review: Review | None) -> Verdict:
    """The verdict on `content` (named `name`) for `review`. A file that cannot be read at all is
    left to the importer, which says why."""
    if name.lower().endswith(".docx"):
        return _thematic_list(content, review)
    try:
        table = read_table(io.BytesIO(content), name)
    except UnreadableTable:
        return Verdict(Source.TEMPLATE, "", False, unreadable=True)
    if is_template(table):
        return Verdict(
            Source.TEMPLATE, _("our CSV template (it names no review)"), False, review_ids=[review.pk] if review else []
        )
    if all(column in table.fieldnames for column in REQUIRED_COLUMNS):
        return _upr_info(table, review)
    return Verdict(Source.TEMPLATE, "", False, unreadable=True)


def _thematic_list(content: bytes, review: Review | None) -> Verdict:
    try:
        identity = read_document(io.BytesIO(content)).identity
    except NotAThematicList:
        return Verdict(Source.OHCHR, "", False, unreadable=True)
    said = str(identity) or _("no State, session or report symbol")
    if review is None:
        return Verdict(Source.OHCHR, said, False)
    chosen = review.__class__.objects.with_related().get(pk=review.pk)
    mismatch = []
    if identity.state:
        state = StateIndex().get(identity.state)
        if state is None or state.pk != chosen.state_id:
            mismatch.append("state")
    if identity.session is not None and identity.session != chosen.session.number:
        mismatch.append("session")
    if identity.cycle is not None and identity.cycle != chosen.session.cycle:
        mismatch.append("cycle")
    if chosen.report_symbol and identity.symbols and chosen.report_symbol not in identity.symbols:
        mismatch.append("symbol")
    if mismatch:
        return Verdict(
            Source.OHCHR,
            said,
            False,
            _(
                "This file is OHCHR's thematic list for %(file)s, but you chose %(chosen)s. Nothing was imported: "
                "choose the review the file is for."
            )
            % {"file": said, "chosen": describe(chosen)},
            review_ids=[chosen.pk],
        )
    # Verified when the header named the review, or the file cites the review's own report symbol.
    named = identity.state and identity.session is not None
    cited = bool(chosen.report_symbol) and chosen.report_symbol in identity.symbols
    return Verdict(Source.OHCHR, said, bool(named or cited), review_ids=[chosen.pk])


def _upr_info(table, review: Review | None) -> Verdict:
    """UPR Info names State and session per row: count the rows per review they name."""
    states = StateIndex()
    reviews = {(r.session.number, r.state_id): r for r in Review.objects.with_related()}
    counted: Counter = Counter()
    try:
        for _line, raw in table:
            session, state = (raw.get("Session") or "").strip(), states.get(raw.get("To") or "")
            found = reviews.get((int(session), state.pk)) if session.isascii() and session.isdigit() and state else None
            if found is not None:
                counted[found.pk] += 1
    except UnreadableTable:
        return Verdict(Source.UPR_INFO, "", False, unreadable=True)
    by_id = {r.pk: r for r in reviews.values()}
    named = sorted(counted, key=lambda pk: -counted[pk])
    said = "; ".join(_("%(review)s: %(n)d rows") % {"review": describe(by_id[pk]), "n": counted[pk]} for pk in named[:5]) + (
        "; …" if len(named) > 5 else ""
    )
    if review is None:
        return Verdict(Source.UPR_INFO, said, bool(named), review_ids=named)
    if not counted[review.pk]:
        return Verdict(
            Source.UPR_INFO,
            said,
            False,
            _(
                "This UPR Info export has no row for %(chosen)s: its rows are for %(file)s. Nothing was imported: "
                "choose the review the file is for."
            )
            % {"file": said or _("no review in our calendar"), "chosen": describe(review)},
            review_ids=[review.pk],
        )
    return Verdict(Source.UPR_INFO, said, True, review_ids=[review.pk])
