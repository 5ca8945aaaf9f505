"""Template helpers for the recommendations pages, written for speed: the list's filters have
selects of 195 States, and rendering each option through Django's widget templates cost more than
the search itself. The selects are Jinja2 templates (templates/jinja2/recommendations/filter_select.html,
see upr.jinja2), and a select is rendered once for what it shows (the choices and their version, the
language, the value selected) and then reused from this process's memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from upr.jinja2 import fragment, reloading

from ..filters import BY_NAME, SELECTS, SearchFilters

register = template.Library()


@dataclass(frozen=True)
class Select:
    """What a select without errors shows. Compared and hashed on `key` (SearchFilters.options_key:
    the select's name, and the vocabulary's version where the choices come from the database, so that
    a term renamed is a new key), the language of the labels and the value selected; the choices come
    along (the key names them: hashing 195 States per search cost more than rendering them once)."""

    key: str
    language: str
    current: str
    name: str = field(compare=False)
    choices: list[tuple[Any, Any]] = field(compare=False)


def select(search: SearchFilters, name: str) -> SafeString:
    """One filter's select with its label, the value sent selected, and its errors. A select with
    errors, or of the coalition's own choices (its working groups), is rendered each time (and every
    select while templates are read again as they change: DEBUG); the others once per Select
    (`_shared_select`)."""
    spec = BY_NAME[name]
    choices = search.choices(spec)
    current = search.raw[name] or (search.sort if name == "sort" else "")
    key = search.options_key(spec)
    if key is None or name in search.errors or reloading():
        return _render(name, choices, current, errors=search.errors.get(name))
    if current not in search.allowed(spec):
        current = ""  # selects nothing, as "" does: whatever a query string sends never becomes a key
    return _shared_select(Select(key, get_language(), current, name, choices))


@lru_cache(maxsize=512)
def _shared_select(shown: Select) -> SafeString:
    """A select of fixed or vocabulary choices without errors, kept in this process (the least
    recently used dropped past 512; emptied before each test, as every functools cache of the app)."""
    return _render(shown.name, shown.choices, shown.current)


def _render(name: str, choices: list[tuple[Any, Any]], current: str, errors: list[str] | None = None) -> SafeString:
    """The select `name` from its template; `errors` (even empty) when the value sent was refused."""
    spec = BY_NAME[name]
    return fragment(
        "recommendations/filter_select.html",
        {
            "name": name,
            "label": spec.label,
            "empty": spec.empty,
            "choices": choices,
            "current": current,
            "invalid": errors is not None,
            "errors": errors or [],
        },
    )


@register.simple_tag
def filter_selects(search: SearchFilters) -> SafeString:
    """Every select of the list's filters with its label and errors (the search page renders them on
    every query)."""
    return fragment("recommendations/filter_selects.html", {"fields": [select(search, name) for name in SELECTS]})
