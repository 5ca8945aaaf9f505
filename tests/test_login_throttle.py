"""Failed logins are throttled per client address and per (address, account): a stranger who knows a
defender's email cannot lock the defender out, while a brute force from one address is slowed. On the
real login page, with the production limits (the test settings relax them)."""

import pytest
from django.core.cache import cache
from django.test import Client

from hub.settings import base

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRANGER, OWNER = "203.0.113.7", "198.51.100.20"
TOO_MANY = b"Too many failed login attempts"


@pytest.fixture(autouse=True)
def production_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


def log_in(address: str, email: str, password: str) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address)
    return client, client.post("/accounts/login/", {"login": email, "password": password})


def test_a_strangers_wrong_passwords_never_lock_the_owner_out():
    defender = UserFactory(email="defender@example.org")
    refusals = [log_in(STRANGER, defender.email, f"guess {n}")[1] for n in range(8)]
    assert all(r.status_code == 200 for r in refusals)
    assert TOO_MANY not in refusals[4].content and TOO_MANY in refusals[5].content  # the stranger is slowed
    client, response = log_in(OWNER, defender.email, PASSWORD)
    assert response.status_code == 302 and client.get("/").context["user"] == defender


def test_a_brute_force_from_one_address_is_throttled_for_every_account_it_tries():
    people = [UserFactory(email=f"person{n}@example.org") for n in range(3)]
    answers = [log_in(STRANGER, people[n % 3].email, f"guess {n}")[1].content for n in range(12)]
    assert TOO_MANY not in answers[9] and TOO_MANY in answers[10]  # 10 a minute from one address
    # Even the right password is refused from that address meanwhile, and it logs in from another.
    assert TOO_MANY in log_in(STRANGER, people[0].email, PASSWORD)[1].content
    assert log_in(OWNER, people[0].email, PASSWORD)[1].status_code == 302


def test_five_failures_for_one_account_from_one_address_slow_that_pair_only():
    defender, colleague = UserFactory(email="defender@example.org"), UserFactory(email="colleague@example.org")
    for n in range(5):
        assert TOO_MANY not in log_in(STRANGER, defender.email, f"guess {n}")[1].content
    assert TOO_MANY in log_in(STRANGER, defender.email, PASSWORD)[1].content
    assert log_in(STRANGER, colleague.email, PASSWORD)[1].status_code == 302  # that address's other accounts
    assert log_in(OWNER, defender.email, PASSWORD)[1].status_code == 302


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_client(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    defender = UserFactory(email="defender@example.org")
    proxy = "10.0.0.2"
    for n in range(6):
        Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=STRANGER).post(
            "/accounts/login/", {"login": defender.email, "password": f"guess {n}"}
        )
    owner = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=OWNER)
    assert owner.post("/accounts/login/", {"login": defender.email, "password": PASSWORD}).status_code == 302
