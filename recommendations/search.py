"""Which recommendations match a search, and how many: the ids of a page and the total.

**Words.** PostgreSQL's full-text search with the English stemmer ("ratify" finds "ratifying",
"rights" finds "right") and web-search syntax ("quoted phrases", -word, or). The stemmer leaves
irregular plurals apart ("children" is not stemmed to "child"), so each irregular form of a search
is widened to every form of its word (`VARIANTS`) with `ts_rewrite`: "child" and "children" give
the same matches. On SQLite (the first-run database) the same syntax is read here and each word is
matched by a regular expression: its stem as a word's beginning, or every form of an irregular word.

**The cache.** PostgreSQL finds and ranks the matches in one statement on the recommendations table
alone (the total comes with the rows, COUNT(*) OVER ()). The first 500 ids of a search (its first
20 pages) and its total are kept in the cache under a key that names the filters, by
`upr.freshness`: the entry depends on every table the search read (the recommendations, their
States, themes...), and any write to one of them (an import, its undoing, a response recorded)
makes it outdated at once; paging through a search, sorting it again or coming back to it costs one
small lookup. A search on the coalition's own record (priority, working group) is never shared.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Count, Q, QuerySet, Window

from upr import freshness

from .models import Recommendation

CACHED_IDS = 500
OURS_FILTERS = ("priority", "working_group")

# English words whose forms the stemmer does not bring together (PostgreSQL's "english" config
# stems "children" to "children", "women" to "women", "people" to "peopl"): each group is searched
# as one word. Regular plurals and verb forms need nothing (the stemmer joins them).
VARIANTS: tuple[tuple[str, ...], ...] = (
    ("child", "children"),
    ("woman", "women"),
    ("man", "men"),
    ("person", "people"),
    ("wife", "wives"),
    ("life", "lives"),
    ("analysis", "analyses"),
    ("crisis", "crises"),
    ("criterion", "criteria"),
    ("medium", "media"),
    ("phenomenon", "phenomena"),
    ("thesis", "theses"),
    ("half", "halves"),
    ("self", "selves"),
    ("knife", "knives"),
    ("thief", "thieves"),
    ("foot", "feet"),
    ("tooth", "teeth"),
    ("index", "indices"),
    ("appendix", "appendices"),
    ("matrix", "matrices"),
)
_GROUP = {form: group for group in VARIANTS for form in group}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _base(word: str) -> str:
    return word.lower().removesuffix("'s").removesuffix("’s")


def _forms(word: str) -> tuple[str, ...] | None:
    return _GROUP.get(_base(word))


class VariantQuery(SearchQuery):
    """A web-search query (English) whose irregular words stand for every form of the word."""

    def __init__(self, value: str) -> None:
        super().__init__(value, config="english", search_type="websearch")
        self.rewrites = sorted({(_base(word), " | ".join(forms)) for word in _WORD.findall(value) if (forms := _forms(word))})

    def as_sql(self, compiler, connection, function=None, template=None):
        sql, params = super().as_sql(compiler, connection, function, template)
        for target, substitute in self.rewrites:  # from VARIANTS only, never the person's text
            sql = f"ts_rewrite({sql}, to_tsquery('english'::regconfig, %s), to_tsquery('english'::regconfig, %s))"
            params = [*params, target, substitute]
        return sql, params


def text_match(queryset: QuerySet, q: str) -> QuerySet:
    """Recommendations whose text matches the search `q` (see the module's docstring)."""
    q = q.strip()
    if not q:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.filter(search_vector=VariantQuery(q))
    found = _fallback(q)
    return queryset.filter(found) if found is not None else queryset


def rank_query(q: str) -> SearchQuery:
    """The query that ranks the matches by relevance (PostgreSQL only)."""
    return VariantQuery(q.strip())


def _word_pattern(word: str) -> str:
    """A regular expression for a word and its variants, as the stemmer would join them (roughly)."""
    forms = _forms(word)
    if forms:
        return r"\b(?:" + "|".join(forms) + r")(?:['’]s)?\b"
    stem = word.lower()
    for suffix in ("ing", "ed", "es", "s"):
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
            stem = stem[: -len(suffix)]
            break
    if stem[-1:] in ("y", "e", "i") and len(stem) > 3:
        stem = stem[:-1]
    return r"\b" + re.escape(stem)


def _term(text: str) -> Q | None:
    words = _WORD.findall(text)
    if not words:
        return None
    return Q(text__iregex=r"\W+".join(_word_pattern(word) + (r"\w*" if not _forms(word) else "") for word in words))


def _fallback(q: str) -> Q | None:
    """PostgreSQL's web-search syntax read in Python: words and "phrases" must all appear, -word must
    not, and "or" between two terms accepts either (binding looser than the implicit "and")."""
    alternatives: list[Q] = []
    current: Q | None = None
    for token in re.findall(r'-?"[^"]*"?|\S+', q):
        if token.lower() == "or":
            if current is not None:
                alternatives.append(current)
                current = None
            continue
        negated = token.startswith("-") and len(token) > 1
        term = _term(token[1:] if negated else token)
        if term is None:
            continue
        term = ~term if negated else term
        current = term if current is None else current & term
    if current is not None:
        alternatives.append(current)
    if not alternatives:
        return None
    found = alternatives[0]
    for alternative in alternatives[1:]:
        found |= alternative
    return found


def cache_key(filters: dict[str, Any]) -> str | None:
    """The key of a search's ids in the cache, or None when it must not be shared (the coalition's
    own record) or the cache is switched off (RECOMMENDATION_SEARCH_CACHE_SECONDS = 0)."""
    if not settings.RECOMMENDATION_SEARCH_CACHE_SECONDS or any(filters.get(name) for name in OURS_FILTERS):
        return None
    described = json.dumps(filters, sort_keys=True, default=str)
    return "recommendation-search:" + hashlib.sha256(described.encode()).hexdigest()


def matches(queryset: QuerySet[Recommendation], *, start: int, stop: int, cache_key: str | None) -> tuple[list[int], int]:
    """The ids of matches[start:stop] in order, and the number of matches."""
    counted = queryset.annotate(total=Window(Count("pk"))).values_list("pk", "total")
    if cache_key is None or stop > CACHED_IDS:
        found = list(counted[start:stop])
        total = found[0][1] if found else (queryset.count() if start else 0)
        return [pk for pk, _total in found], total
    with freshness.Watch() as watch:  # before the search runs: what it reads is noted

        def first_ids() -> tuple[list[int], int]:
            found = list(counted[:CACHED_IDS])
            return [pk for pk, _total in found], found[0][1] if found else 0

        ids, total = watch.cached(cache_key, first_ids, seconds=settings.RECOMMENDATION_SEARCH_CACHE_SECONDS)
    return ids[start:stop], total
