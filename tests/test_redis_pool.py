"""The cache's Redis connections are shared by the threads of a process (upr/redis_pool.py).

Under ASGI every request runs in a thread of its own, and Django keeps a cache backend per thread: with
Django's own pool class each request opened a Redis connection (a fifth of a /health/ request's CPU).
These tests use real Redis and real threads, each with its own backend, as ASGI requests have."""

import threading
import uuid

from django.core.cache.backends.redis import RedisCache

from tests.helpers import run_python
from tests.live_servers import claimed_redis

SHARED = {"OPTIONS": {"pool_class": "upr.redis_pool.ProcessConnectionPool"}}


def _requests_in_new_threads(url: str, params: dict, count: int) -> tuple[set[int], list[object]]:
    """`count` requests one after another, each in a new thread with a new cache backend (as Django's
    per-thread cache handler gives each ASGI request): what each read, and the pools they used."""
    pools: list[object] = []
    read: set[int] = set()
    key = f"pool-test-{uuid.uuid4().hex}"

    def one_request(number: int) -> None:
        backend = RedisCache(url, params)
        backend.set(key, number)
        read.add(backend.get(key))
        pools.append(backend._cache._get_connection_pool(write=True))  # type: ignore[attr-defined]  # Django's private client and pool, not in django-stubs

    for number in range(count):
        thread = threading.Thread(target=one_request, args=(number,))
        thread.start()
        thread.join()
    return read, pools


def test_requests_in_new_threads_share_one_pool_and_one_connection():
    with claimed_redis() as url:
        read, pools = _requests_in_new_threads(url, SHARED, 30)
    assert read == set(range(30))  # every request read its own write: the shared connection works
    assert len({id(pool) for pool in pools}) == 1
    # One connection made in all: a request hands it back to the pool before the next one takes it.
    assert pools[0]._created_connections == 1


def test_with_djangos_own_pool_class_every_thread_made_a_connection():
    """What the shared pool fixes (Django ticket #35651): if this starts failing, Django shares its pools
    itself and upr/redis_pool.py can go."""
    with claimed_redis() as url:
        _read, pools = _requests_in_new_threads(url, {}, 5)
    assert len({id(pool) for pool in pools}) == 5


def test_a_pool_per_address_and_options():
    from upr.redis_pool import ProcessConnectionPool

    with claimed_redis() as url:
        other = url.rsplit("/", 1)[0] + "/15"
        assert ProcessConnectionPool.from_url(url) is ProcessConnectionPool.from_url(url)
        assert ProcessConnectionPool.from_url(url) is not ProcessConnectionPool.from_url(other)
        assert ProcessConnectionPool.from_url(url) is not ProcessConnectionPool.from_url(url, socket_timeout=2)


def test_the_settings_give_the_cache_the_shared_pool_when_redis_is_configured(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['OPTIONS']['pool_class'])"
    )
    result = run_python(
        code,
        tmp_path,
        DJANGO_SETTINGS_MODULE="hub.settings.production",
        SECRET_KEY="k" * 50,
        REDIS_URL="redis://127.0.0.1:6379/14",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "upr.redis_pool.ProcessConnectionPool"]
