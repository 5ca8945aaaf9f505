"""Each test starts cold (conftest.each_test_starts_with_empty_caches): what one test leaves in Django's
cache or in the code's memos is gone for the next, so no result depends on the order the tests ran in.

The two tests run in this order (pytest keeps a module's order): the first fills, the second looks."""

import pytest
from django.core.cache import cache

from recommendations import action_category, vocabulary

from .helpers import app_memos


@pytest.mark.django_db
def test_a_test_fills_django_s_cache_and_the_memos() -> None:
    cache.set("left-by-the-previous-test", "stale page")
    action_category.seed_verbs()
    vocabulary.reference_maps()
    assert cache.get("left-by-the-previous-test") == "stale page"
    assert action_category.seed_verbs.cache_info().currsize == 1 and vocabulary._maps[0]


def test_the_next_test_finds_them_empty() -> None:
    assert cache.get("left-by-the-previous-test") is None
    assert action_category.seed_verbs.cache_info().currsize == 0 and vocabulary._maps == ("", {}, {})


def test_every_memo_of_the_app_is_found_to_be_cleared() -> None:
    """The memos are found by walking the app's modules: one added later is cleared too."""
    from submissions.views import documents

    found = app_memos()
    assert action_category.seed_verbs in found and action_category.learned_verbs in found
    assert documents.editor_strings in found
