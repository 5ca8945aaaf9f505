"""The recommendations list's filters, read from a query string: by the search page and the API.

Not a Django form on purpose: the search page is the most requested page of the product, and a
form with fifteen fields (deep-copied on every request, each value run through widgets and
validators) cost a millisecond of a search's six. Each filter here is one line of data; reading
the query string is a loop over them. Invalid values are reported beside their name and left out:
the rest of the search still answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalitions.models import Coalition, WorkingGroup
from upr.inputs import parse_id
from upr.models import RegionalGroup

from .models import ACTION_CATEGORIES, Response
from .vocabulary import filter_choices

SORT_CHOICES = [
    ("newest", gettext_lazy("Newest review first")),
    ("oldest", gettext_lazy("Oldest review first")),
    ("relevance", gettext_lazy("Best match to the search")),
    ("response", gettext_lazy("Response")),
    ("action", gettext_lazy("Action category, most specific first")),
]
CYCLES = [(1, gettext_lazy("Cycle 1")), (2, gettext_lazy("Cycle 2")), (3, gettext_lazy("Cycle 3")), (4, gettext_lazy("Cycle 4"))]
Q_MAX_LENGTH = 200


@dataclass(frozen=True)
class Filter:
    """One filter of the list. `kind`: "text", "number" (a positive id), "flag" (a checkbox),
    "choice" (fixed `choices`), "vocabulary" (States, themes, SDGs, issues: cached from the
    database) or "working_group" (the coalition's own)."""

    name: str
    label: Any
    kind: str
    choices: tuple[tuple[Any, Any], ...] = ()
    empty: Any = None  # the label of the select's "any" option (None: the select has none)
    coerce: Callable[[str], Any] = str
    vocabulary: str = ""  # the key in vocabulary.filter_choices()
    hint: str = ""  # what the value is, for the API's documentation


FILTERS = (
    Filter("q", gettext_lazy("Search the text"), "text"),
    Filter(
        "under_review",
        gettext_lazy("State under Review"),
        "vocabulary",
        empty=gettext_lazy("Any State"),
        vocabulary="state",
        hint="ISO 3166 alpha-3 code",
    ),
    Filter("cycle", gettext_lazy("Cycle"), "choice", tuple(CYCLES), gettext_lazy("Any cycle"), int),
    Filter("review", gettext_lazy("Review"), "number", hint="id"),
    Filter("response", gettext_lazy("Response"), "choice", tuple(Response.choices), gettext_lazy("Any response")),
    Filter(
        "state",
        gettext_lazy("Recommending State"),
        "vocabulary",
        empty=gettext_lazy("Any State"),
        vocabulary="state",
        hint="ISO 3166 alpha-3 code",
    ),
    Filter(
        "group",
        gettext_lazy("Regional group of the recommending State"),
        "choice",
        tuple(RegionalGroup.choices),
        gettext_lazy("Any regional group"),
    ),
    Filter(
        "theme", gettext_lazy("Theme"), "vocabulary", empty=gettext_lazy("Any theme"), coerce=int, vocabulary="theme", hint="id"
    ),
    Filter(
        "sdg",
        gettext_lazy("SDG"),
        "vocabulary",
        empty=gettext_lazy("Any SDG"),
        coerce=int,
        vocabulary="sdg",
        hint="goal number, 1-17",
    ),
    Filter(
        "issue",
        gettext_lazy("UPR Info issue"),
        "vocabulary",
        empty=gettext_lazy("Any issue"),
        coerce=int,
        vocabulary="issue",
        hint="id",
    ),
    Filter(
        "action", gettext_lazy("Action category"), "choice", tuple(ACTION_CATEGORIES), gettext_lazy("Any action category"), int
    ),
    Filter(
        "reading",
        gettext_lazy("Our reading of the response"),
        "choice",
        tuple(Response.choices),
        gettext_lazy("Any (or no) reading of ours"),
    ),
    Filter("priority", gettext_lazy("Only our priorities"), "flag"),
    Filter(
        "working_group",
        gettext_lazy("Our working group"),
        "working_group",
        empty=gettext_lazy("Any working group"),
        coerce=int,
        hint="id of one of the coalition's working groups",
    ),
    Filter("sort", gettext_lazy("Sort by"), "choice", tuple(SORT_CHOICES)),
)
BY_NAME = {f.name: f for f in FILTERS}
# The selects, in the order the page shows them.
SELECTS = (
    "under_review",
    "cycle",
    "response",
    "reading",
    "state",
    "group",
    "theme",
    "sdg",
    "issue",
    "action",
    "working_group",
    "sort",
)
# Filters on the coalition's own record: a search with one of them is never shared through the search cache.
OURS_FILTERS = ("priority", "working_group", "reading")
# A checkbox's "off" values, as browsers and API clients send them.
FALSE_VALUES = {"", "0", "false", "False", "off"}


@dataclass
class SearchFilters:
    """The query string `data` read for `coalition`: `raw` (what was sent, to show it again),
    `filters` (the valid values, typed, for selectors.recommendation_search) and `errors`
    ({name: [message]})."""

    data: QueryDict | dict
    coalition: Coalition
    raw: dict[str, str] = field(default_factory=dict)
    filters: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for spec in FILTERS:
            value = self.data.get(spec.name)
            value = "" if value is None else str(value).strip()
            self.raw[spec.name] = value
            if spec.kind == "flag":
                if value not in FALSE_VALUES:
                    self.filters[spec.name] = True
            elif value:
                try:
                    self.filters[spec.name] = self._clean(spec, value)
                except ValueError as error:
                    self.errors[spec.name] = [str(error)]

    def _clean(self, spec: Filter, value: str) -> Any:
        if spec.kind == "text":
            if len(value) > Q_MAX_LENGTH:
                raise ValueError(
                    _("Ensure this value has at most %(limit)d characters (it has %(show_value)d).")
                    % {"limit": Q_MAX_LENGTH, "show_value": len(value)}
                )
            return value
        if spec.kind == "number":
            number = parse_id(value)
            if number is None:
                raise ValueError(_("Enter a whole number."))
            return number
        if value not in self.allowed(spec):
            raise ValueError(_("Select a valid choice. %(value)s is not one of the available choices.") % {"value": value})
        return spec.coerce(value)

    def allowed(self, spec: Filter) -> frozenset[str]:
        if spec.kind == "vocabulary":
            return self.vocabulary["allowed_" + spec.vocabulary]
        return frozenset(str(v) for v, _label in self.choices(spec))

    def choices(self, spec: Filter) -> list[tuple[Any, Any]]:
        """The select's options without the "any" one."""
        if spec.kind == "vocabulary":
            return self.vocabulary[spec.vocabulary]
        if spec.kind == "working_group":
            return self.working_groups
        return list(spec.choices)

    @cached_property
    def vocabulary(self) -> dict:
        return filter_choices()

    @cached_property
    def working_groups(self) -> list[tuple[int, str]]:
        return list(WorkingGroup.objects.for_coalition(self.coalition).values_list("pk", "name"))

    @property
    def sort(self) -> str:
        return sort_of(self.filters)

    def options_key(self, spec: Filter) -> str | None:
        """Under what name a select's option HTML may be memoised (None: the coalition's own)."""
        if spec.kind == "vocabulary":
            return f"{spec.name}:{self.vocabulary['version']}"
        return None if spec.kind == "working_group" else spec.name


def sort_of(filters: dict[str, Any]) -> str:
    """The order a list is in: the one asked for, or by relevance when searching words."""
    return filters.get("sort") or ("relevance" if filters.get("q") else "newest")


def read(data: QueryDict | dict, coalition: Coalition) -> SearchFilters:
    return SearchFilters(data, coalition)
