"""Which recommendations match a search, and how many: the ids of a page and the total.

PostgreSQL finds and ranks the matches in one statement on the recommendations table alone (the
total comes with the rows, COUNT(*) OVER ()). Recommendations are shared reference data that change
only when someone imports a file or records a response, so the first 500 ids of a search (its first
20 pages) and its total are kept in the cache under a key that names the filters and the data's
version: paging through a search, sorting it again or coming back to it costs one small lookup. A
search on the coalition's own layer (priority, working group) is never shared this way.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, QuerySet, Window

from .models import Recommendation

CACHED_IDS = 500
LAYER_FILTERS = ("priority", "working_group")


def data_version() -> str:
    """Changes whenever a recommendation is added or changed (every write sets updated_at)."""
    table = Recommendation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(updated_at), MAX(id) FROM {table}")
        newest, last = cursor.fetchone()
    return f"{newest.isoformat() if newest else ''}:{last or 0}"


def cache_key(filters: dict[str, Any]) -> str | None:
    """The key of a search's ids in the cache, or None when it must not be shared (the coalition's
    layer) or the cache is switched off (RECOMMENDATION_SEARCH_CACHE_SECONDS = 0)."""
    if not settings.RECOMMENDATION_SEARCH_CACHE_SECONDS or any(filters.get(name) for name in LAYER_FILTERS):
        return None
    described = json.dumps(filters, sort_keys=True, default=str)
    return "recommendation-search:" + hashlib.sha256(f"{described}|{data_version()}".encode()).hexdigest()


def matches(queryset: QuerySet[Recommendation], *, start: int, stop: int, cache_key: str | None) -> tuple[list[int], int]:
    """The ids of matches[start:stop] in order, and the number of matches."""
    counted = queryset.annotate(total=Window(Count("pk"))).values_list("pk", "total")
    if cache_key is None or stop > CACHED_IDS:
        found = list(counted[start:stop])
        total = found[0][1] if found else (queryset.count() if start else 0)
        return [pk for pk, _total in found], total
    entry = cache.get(cache_key)
    if entry is None:
        found = list(counted[:CACHED_IDS])
        entry = ([pk for pk, _total in found], found[0][1] if found else 0)
        cache.set(cache_key, entry, settings.RECOMMENDATION_SEARCH_CACHE_SECONDS)
    ids, total = entry
    return ids[start:stop], total
