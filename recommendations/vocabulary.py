"""The filter vocabulary of the recommendations list (States, themes, SDGs, issues), as plain
(value, label) pairs and ready-made <option> HTML, cached until the vocabulary changes.

The list is searched far more often than the vocabulary changes (an import, a reference-data load),
and building its selects from model objects cost more than the search itself (390 States, themes,
issues per request). The cache key is a version read in one small statement: the write stamps of
the vocabulary's tables (upr.freshness), so any write to a term renews it at once.
"""

from __future__ import annotations

import time

from upr import freshness
from upr.models import Review, State

from .models import SDG, Issue, Theme

TABLES = (Theme, Issue, SDG, State, Review)  # Review: reference_maps names the reviews


def version() -> str:
    """The vocabulary's version: the write stamps of its tables (upr.freshness), read in one small
    statement, so a term added, renamed or removed, by an import or by hand, shows at once."""
    stamps = freshness.current()
    if stamps is None:  # no stamp table (a database not migrated yet): keep nothing
        return str(time.monotonic_ns())
    return "-".join(str(stamps.get(m._meta.db_table, 0)) for m in TABLES) + f"-{stamps.get(freshness.EVERYTHING, 0)}"


def _choices() -> dict:
    choices = {
        "state": [(iso3, name) for iso3, name in State.objects.order_by("name").values_list("iso3", "name")],
        "theme": [(str(pk), name) for pk, name in Theme.objects.values_list("pk", "name")],
        "sdg": [(str(n), f"{n} - {name}") for n, name in SDG.objects.values_list("number", "name")],
        "issue": [(str(pk), name) for pk, name in Issue.objects.values_list("pk", "name")],
    }
    return {**choices, **{f"allowed_{name}": frozenset(v for v, _label in pairs) for name, pairs in choices.items()}}


# Kept in this process's memory, not in Django's cache: the local-memory cache pickles what it
# stores, and unpickling 400 choices on every search cost more than reading them.
_choices_read: dict = {"version": None}


def filter_choices() -> dict:
    """The choices of the vocabulary fields (state, theme, sdg, issue) and the set of their values
    ("allowed_state"...), read again when the version changes; the version is under "version"."""
    global _choices_read
    current = version()
    if _choices_read["version"] != current:
        _choices_read = {**_choices(), "version": current}
    return _choices_read


_maps: tuple[str, dict[int, tuple[str, int]], dict[int, str]] = ("", {}, {})


def reference_maps() -> tuple[dict[int, tuple[str, int]], dict[int, str]]:
    """{review id: (ISO code of the State under Review, session number)} and {State id: name}, kept
    in this process until the reference data changes: every page of the list names them."""
    global _maps
    current = version()
    if _maps[0] != current:
        reviews = {pk: (iso3, number) for pk, iso3, number in Review.objects.values_list("pk", "state__iso3", "session__number")}
        _maps = (current, reviews, dict(State.objects.values_list("pk", "name")))
    return _maps[1], _maps[2]


def forget() -> None:
    """Drop what this process keeps of the vocabulary (choices, reviews' and States' names): each test
    starts from nothing, since a rolled-back test can give the same version to other rows."""
    global _choices_read, _maps
    _choices_read = {"version": None}
    _maps = ("", {}, {})
