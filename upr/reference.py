"""Load the shared UPR calendar (States, sessions, reviews) from the files in upr/reference_data/.

Idempotent: rows are keyed by their natural keys (ISO code, session number, State × session), so a
second run changes nothing, and a corrected file updates rows in place.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from django.db import models, transaction

from .models import ReferenceLoad, Review, Session, State
from .rules import geneva_deadline

M = TypeVar("M", bound=models.Model)

DATA_DIR = Path(__file__).resolve().parent / "reference_data"

# Working Group session numbers of each cycle (three sessions a year; 12 in the first cycle, 14 since).
CYCLE_SESSIONS = {1: range(1, 13), 2: range(13, 27), 3: range(27, 41), 4: range(41, 55)}


def cycle_of(session_number: int) -> int:
    return next(cycle for cycle, numbers in CYCLE_SESSIONS.items() if session_number in numbers)


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=lambda: {"states": 0, "sessions": 0, "reviews": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"states": 0, "sessions": 0, "reviews": 0})
    unmatched: list[str] = field(default_factory=list)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] += 1
        elif changed:
            self.updated[kind] += 1

    def summary(self) -> str:
        parts = [f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated" for kind in self.created]
        return "; ".join(parts)


def _rows(name: str, data_dir: Path) -> Iterator[dict[str, str]]:
    with open(data_dir / name, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None  # "11 Octo[ber] (excerpt truncated)" and the like: not a date we can trust


def _save(model_obj_qs: models.Manager[M], lookup: dict, values: dict) -> tuple[M, bool, bool]:
    """update_or_create that also says whether an existing row actually changed."""
    obj = model_obj_qs.filter(**lookup).first()
    if obj is None:
        return model_obj_qs.create(**lookup, **values), True, False
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
    return obj, False, bool(changed)


class StateIndex:
    """Find a State by any of its spellings (OHCHR's, ISO's, UPR Info's...)."""

    def __init__(self) -> None:
        self.by_name: dict[str, State] = {}
        for state in State.objects.all():
            for spelling in [state.name, state.iso3, *state.aliases]:
                self.by_name[self.key(spelling)] = state

    @staticmethod
    def key(name: str) -> str:
        return " ".join(name.replace("’", "'").replace("&", "and").casefold().split())

    def get(self, name: str) -> State | None:
        return self.by_name.get(self.key(name))


@transaction.atomic
def load_reference(data_dir: Path = DATA_DIR) -> LoadReport:
    report = LoadReport()
    _load_states(data_dir, report)
    states = StateIndex()
    sessions = _load_sessions(data_dir, report)
    _load_reviews(data_dir, report, states, sessions)
    if any(report.created.values()) or any(report.updated.values()):
        ReferenceLoad.objects.create(summary=report.summary())
    return report


def _load_states(data_dir: Path, report: LoadReport) -> None:
    for row in _rows("states.csv", data_dir):
        values = {
            "name": row["name"].strip(),
            "regional_group": row["regional_group"].strip(),
            "is_member_state": row["is_member_state"].strip().lower() == "true",
            "aliases": [a.strip() for a in row["aliases"].split("|") if a.strip()],
        }
        _, created, changed = _save(State.objects, {"iso3": row["iso3"].strip()}, values)
        report.count("states", created, changed)


def _load_sessions(data_dir: Path, report: LoadReport) -> dict[int, Session]:
    facts: dict[int, dict] = {n: {} for numbers in CYCLE_SESSIONS.values() for n in numbers}
    for row in _rows("upr_cycle3_sessions_partial.csv", data_dir):
        n = int(row["wg_session"])
        facts[n].update(start_date=_date(row["start"]), end_date=_date(row["end"]), deadline=_date(row["stakeholder_deadline"]))
        facts[n]["notes"] = row["notes"].strip()
    for row in _rows("upr_cycle4_sessions.csv", data_dir):
        n = int(row["wg_session"])
        facts[n].update(
            start_date=_date(row["start"]) or facts[n].get("start_date"),
            end_date=_date(row["end"]) or facts[n].get("end_date"),
            deadline=_date(row["stakeholder_deadline"]) or facts[n].get("deadline"),
            hrc_adoption_session=row["hrc_adoption_session"].strip(),
            notes=row["notes"].strip(),
        )
    sessions = {}
    for number, fact in facts.items():
        deadline = fact.get("deadline")
        values = {
            "cycle": cycle_of(number),
            "start_date": fact.get("start_date"),
            "end_date": fact.get("end_date"),
            "stakeholder_deadline": geneva_deadline(deadline) if deadline else None,
            "hrc_adoption_session": fact.get("hrc_adoption_session", ""),
            "notes": fact.get("notes", ""),
        }
        session, created, changed = _save(Session.objects, {"number": number}, values)
        report.count("sessions", created, changed)
        sessions[number] = session
    return sessions


def _review_facts(data_dir: Path) -> Iterator[tuple[int, str, dict]]:
    """(session, State name, facts) from every file, least detailed first so that later ones win."""
    for row in _rows("upr_sessions01-20_states_under_review.csv", data_dir):
        yield int(row["wg_session"]), row["state_under_review"], {}
    for row in _rows("upr_cycle3_sessions_partial.csv", data_dir):
        official = row["order_is_official"] == "True"
        # An entry in brackets, e.g. "(includes Slovenia)", is a note, not a list.
        names = [] if row["states"].strip().startswith("(") else [n for n in row["states"].split(";") if n.strip()]
        for position, name in enumerate(names):
            yield int(row["wg_session"]), name, {"position": position + 1 if official else None}
    for row in _rows("upr_cycle4_state_reviews.csv", data_dir):
        official = row["order_is_official"] == "True"
        yield (
            int(row["wg_session"]),
            row["state_under_review"],
            {
                "position": int(row["position_in_list"]) if official else None,
                "review_date": _date(row["review_date"]),
            },
        )
    for row in _rows("reviews_supplement.csv", data_dir):
        yield (
            int(row["wg_session"]),
            row["state"],
            {
                "review_date": _date(row["review_date"]),
                "report_symbol": row["report_symbol"].strip(),
                "troika": [t.strip() for t in row["troika"].split(";") if t.strip()],
            },
        )


def _load_reviews(data_dir: Path, report: LoadReport, states: StateIndex, sessions: dict[int, Session]) -> None:
    merged: dict[tuple[int, int], dict] = {}
    for number, name, fact in _review_facts(data_dir):
        state = states.get(name)
        if state is None:
            report.unmatched.append(f"session {number}: {name.strip()!r}")
            continue
        entry = merged.setdefault(
            (number, state.pk), {"state": state, "position": None, "review_date": None, "report_symbol": "", "troika": []}
        )
        entry.update({k: v for k, v in fact.items() if v not in (None, "", [])})
    for (number, _state_id), entry in merged.items():
        troika = [states.get(name) for name in entry.pop("troika")]
        state = entry.pop("state")
        review, created, changed = _save(Review.objects, {"state": state, "session": sessions[number]}, entry)
        if troika and {t.pk for t in troika if t} != set(review.troika.values_list("pk", flat=True)):
            review.troika.set([t for t in troika if t])
            changed = True
        report.count("reviews", created, changed)
