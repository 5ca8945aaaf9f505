"""Sign-up by invitation only, email login, two-factor authentication, password reset."""

import datetime as dt
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone

from accounts.models import User
from coalitions.models import Invitation, Membership, Role

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def invite(personas, email="new.person@example.org", role=Role.EDITOR, organisation=None) -> str:
    """Invite through the admin's page and return the link from the email actually sent."""
    mail.outbox.clear()
    admin = personas.client_for(personas.admin)
    data = {"email": email, "role": role, "organisation": organisation.pk if organisation else ""}
    with TestCase.captureOnCommitCallbacks(execute=True):  # the email is sent after commit
        response = admin.post("/c/alpha/invitations/", data)
    assert response.status_code == 302, response.content
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email]
    body = mail.outbox[0].body
    assert isinstance(body, str)
    link = re.search(r"https?://\S+/invitations/\S+/", body)
    assert link is not None, body
    return link.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_signup_is_closed_without_an_invitation():
    client = Client()
    response = client.get("/accounts/signup/")
    assert b"Sign-up by invitation only" in response.content
    client.post("/accounts/signup/", {"email": "walk-in@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert not User.objects.filter(email="walk-in@example.org").exists()


def test_invited_person_signs_up_and_joins_with_the_invited_role_and_organisation(personas):
    link = invite(personas, organisation=personas.organisation)
    client = Client()
    welcome = client.get(path_of(link))
    assert welcome.status_code == 200 and b"new.person@example.org" in welcome.content
    response = client.post("/accounts/signup/", {"email": "new.person@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    membership = Membership.objects.get(user=user, coalition=personas.coalition)
    assert (membership.role, membership.organisation) == (Role.EDITOR, personas.organisation)
    # The link proved the inbox: the address is verified and the person is in.
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/c/alpha/").status_code == 200
    assert Invitation.objects.get(email="new.person@example.org").accepted_by == user


def test_signup_with_another_address_than_the_invited_one_is_refused(personas):
    link = invite(personas)
    client = Client()
    client.get(path_of(link))
    response = client.post(
        "/accounts/signup/", {"email": "someone.else@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert b"This invitation was sent to new.person@example.org" in response.content
    assert not User.objects.filter(email="someone.else@example.org").exists()


def test_an_existing_account_accepts_by_logging_in_and_confirming(personas):
    person = UserFactory(email="already@example.org")
    link = invite(personas, email="already@example.org", role=Role.OBSERVER)
    client = Client()
    assert b"Log in to accept" in client.get(path_of(link)).content
    client.force_login(person)
    assert client.get(path_of(link)).status_code == 200  # a GET (a link preview) accepts nothing
    assert not Membership.objects.filter(user=person).exists()
    response = client.post(path_of(link))
    assert response.status_code == 302 and response["Location"] == "/c/alpha/"
    assert Membership.objects.get(user=person).role == Role.OBSERVER


def test_a_logged_in_person_with_another_address_cannot_use_someone_elses_invitation(personas):
    link = invite(personas)
    client = personas.client_for(personas.outsider)
    response = client.post(path_of(link))
    assert response.status_code == 409
    assert b"sent to new.person@example.org" in response.content
    assert not Membership.objects.filter(user=personas.outsider, coalition=personas.coalition).exists()


@pytest.mark.parametrize(
    "spoil, status, words",
    [
        (lambda inv: None, 404, b"not valid"),
        (
            lambda inv: Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1)),
            410,
            b"expired",
        ),
        (lambda inv: Invitation.objects.filter(pk=inv.pk).update(revoked_at=timezone.now()), 410, b"withdrawn"),
        (lambda inv: Invitation.objects.filter(pk=inv.pk).update(accepted_at=timezone.now()), 410, b"already been used"),
    ],
)
def test_forged_expired_withdrawn_or_spent_links_get_a_clear_page(personas, spoil, status, words):
    link = invite(personas)
    invitation = Invitation.objects.get(email="new.person@example.org")
    spoil(invitation)
    path = path_of(link) if status != 404 else "/invitations/forged-token-abcdef/"
    client = Client()
    response = client.get(path)
    assert response.status_code == status and words in response.content
    response = client.post("/accounts/signup/", {"email": "new.person@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_a_link_used_twice_makes_one_membership(personas):
    link = invite(personas)
    client = Client()
    client.get(path_of(link))
    client.post("/accounts/signup/", {"email": "new.person@example.org", "password1": PASSWORD, "password2": PASSWORD})
    response = client.post(path_of(link))
    assert response.status_code == 410
    assert Membership.objects.filter(user__email="new.person@example.org").count() == 1


def test_inviting_a_member_or_an_open_address_again_is_refused_with_a_message(personas):
    admin = personas.client_for(personas.admin)
    response = admin.post("/c/alpha/invitations/", {"email": personas.member.email.upper(), "role": Role.MEMBER})
    assert response.status_code == 200 and b"already a member" in response.content
    response = admin.post("/c/alpha/invitations/", {"email": "pending@example.org", "role": Role.MEMBER})
    assert response.status_code == 200 and b"already open" in response.content
    assert Invitation.objects.filter(email="pending@example.org").count() == 1


def test_invitation_email_names_no_member_and_carries_a_one_time_link(personas):
    link = invite(personas)
    body = mail.outbox[0].body
    assert personas.admin.email not in body and personas.member.email not in body
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()  # only the hash is stored


def test_login_is_by_email_and_password():
    UserFactory(email="login@example.org")
    client = Client()
    response = client.post("/accounts/login/", {"login": "login@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"].email == "login@example.org"
    bad = Client().post("/accounts/login/", {"login": "login@example.org", "password": "wrong"})
    assert bad.status_code == 200 and b"not correct" in bad.content


def test_password_reset_sends_a_link_that_sets_a_new_password():
    UserFactory(email="forgot@example.org")
    client = Client()
    mail.outbox.clear()
    client.post("/accounts/password/reset/", {"email": "forgot@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    response = client.get(path_of(link), follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path_of(link)
    response = client.post(form_path, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"})
    assert response.status_code == 302
    assert Client().login(email="forgot@example.org", password="a-brand-new-passphrase")


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_two_factor_authentication_with_totp_and_recovery_codes():
    user = UserFactory(email="mfa@example.org")
    client = Client()
    client.post("/accounts/login/", {"login": "mfa@example.org", "password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    if page.status_code == 302:  # allauth asks to reauthenticate before a security change
        client.post(page["Location"], {"password": PASSWORD})
        page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert set(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == {"totp", "recovery_codes"}

    # Logging in now takes the second factor.
    client = Client()
    response = client.post("/accounts/login/", {"login": "mfa@example.org", "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/c/whatever/").status_code == 302  # not logged in yet
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200  # wrong code refused
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes(Authenticator.objects.get(user=user, type="recovery_codes")).get_unused_codes()
    assert len(codes) >= 8
    response = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 302
    assert client.get("/").context["user"].email == "mfa@example.org"


def test_a_second_email_address_must_be_verified(personas):
    client = personas.client_for(personas.member)
    mail.outbox.clear()
    client.post("/accounts/email/", {"action_add": "", "email": "second@example.org"})
    assert EmailAddress.objects.filter(email="second@example.org", verified=False).exists()
    assert len(mail.outbox) == 1 and "confirm" in mail.outbox[0].body.lower()


def test_repeated_failed_logins_are_rate_limited(settings):
    from django.core.cache import cache

    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    UserFactory(email="target@example.org")
    client = Client()
    statuses = [client.post("/accounts/login/", {"login": "target@example.org", "password": f"guess{n}"}) for n in range(5)]
    assert b"Too many failed login attempts" in statuses[-1].content
    # Even the right password is refused while the limit holds.
    response = client.post("/accounts/login/", {"login": "target@example.org", "password": PASSWORD})
    assert response.status_code != 302
    cache.clear()
