"""The login throttle (portal.throttle): attackers slowed per account and per address, the owner never locked out."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django.test import Client

from portal.models import LoginAttempt
from tests.factories import PASSWORD_FOR_TESTS, VerifiedUserFactory

pytestmark = pytest.mark.django_db

OWNER_ADDRESS = "198.51.100.7"
ATTACKER = "203.0.113.66"
PAIR_LIMIT, ADDRESS_LIMIT, ACCOUNT_LIMIT = 3, 7, 9


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.PORTAL_LOGIN_THROTTLE = {"pair": (PAIR_LIMIT, 15), "address": (ADDRESS_LIMIT, 15),
                                      "account": (ACCOUNT_LIMIT, 60)}


def _post_login(client, email, password, address, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address, **extra)


def _errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


def _logged_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def _attack_from_many_addresses(email, failures):
    """`failures` wrong passwords, each from a different address (none reaches the pair or address limit)."""
    for n in range(failures):
        response = _post_login(Client(), email, "wrong-guess", f"192.0.2.{n + 1}")
        assert response.status_code == 200
        assert "paused" not in response.content.decode()


def test_owner_is_not_locked_out_by_an_attacker_at_another_address():
    owner = VerifiedUserFactory()
    attacker = Client()
    for _ in range(PAIR_LIMIT + 3):
        _post_login(attacker, owner.email, "wrong-guess", ATTACKER)
    client = Client()
    response = _post_login(client, owner.email, PASSWORD_FOR_TESTS, OWNER_ADDRESS)
    assert response.status_code == 302
    assert _logged_in_as(client) == str(owner.pk)


def test_attacker_is_throttled_per_account_and_address_without_a_password_check():
    owner = VerifiedUserFactory()
    attacker = Client()
    statuses = [_post_login(attacker, owner.email, "wrong-guess", ATTACKER).status_code for _ in range(PAIR_LIMIT)]
    assert statuses == [200] * PAIR_LIMIT
    assert LoginAttempt.objects.filter(succeeded=False).count() == PAIR_LIMIT

    # Even the right password is refused from there now, and the refused tries are not counted.
    response = _post_login(attacker, owner.email, PASSWORD_FOR_TESTS, ATTACKER)
    assert _logged_in_as(attacker) is None
    assert "Too many wrong passwords for this account from your device or network. Wait 15 minutes" in _errors(response)
    assert LoginAttempt.objects.filter(succeeded=False).count() == PAIR_LIMIT

    # Another account from the same address is still checked normally.
    other = VerifiedUserFactory()
    response = _post_login(attacker, other.email, PASSWORD_FOR_TESTS, ATTACKER)
    assert response.status_code == 302


def test_attacker_is_throttled_per_address_across_accounts():
    victims = [VerifiedUserFactory() for _ in range(ADDRESS_LIMIT)]
    attacker = Client()
    for victim in victims:  # one or two guesses each: never the pair limit
        assert _post_login(attacker, victim.email, "wrong-guess", ATTACKER).status_code == 200
    fresh = VerifiedUserFactory()
    response = _post_login(attacker, fresh.email, PASSWORD_FOR_TESTS, ATTACKER)
    assert _logged_in_as(attacker) is None
    assert "Too many failed sign-ins came from your network. Wait 15 minutes and try again." == _errors(response)
    # Guesses at accounts that do not exist count too, without storing what was typed.
    assert _post_login(Client(), "nobody@example.org", "x", "192.0.2.200").status_code == 200
    assert not LoginAttempt.objects.filter(account_key__contains="nobody").exists()
    # The owner of that fresh account, elsewhere, is not affected.
    owner_client = Client()
    assert _post_login(owner_client, fresh.email, PASSWORD_FOR_TESTS, OWNER_ADDRESS).status_code == 302


def test_attacker_is_throttled_per_account_across_addresses_while_the_owner_still_gets_in():
    owner = VerifiedUserFactory()
    owner_client = Client()
    assert _post_login(owner_client, owner.email, PASSWORD_FOR_TESTS, OWNER_ADDRESS).status_code == 302
    owner_client.post("/accounts/logout/", REMOTE_ADDR=OWNER_ADDRESS)

    _attack_from_many_addresses(owner.email, ACCOUNT_LIMIT)

    # From a new address the right password alone is refused now: the distributed guessing stops here.
    stranger = Client()
    response = _post_login(stranger, owner.email, PASSWORD_FOR_TESTS, "192.0.2.250")
    assert _logged_in_as(stranger) is None
    assert "This account is protected after many failed sign-ins from elsewhere" in _errors(response)
    # From the address the owner signed in from before, the password still works.
    response = _post_login(owner_client, owner.email, PASSWORD_FOR_TESTS, OWNER_ADDRESS)
    assert response.status_code == 302
    assert _logged_in_as(owner_client) == str(owner.pk)


def test_pair_failures_are_forgiven_after_the_owner_gets_the_password_right():
    owner = VerifiedUserFactory()
    client = Client()
    for _ in range(PAIR_LIMIT - 1):
        _post_login(client, owner.email, "typo", OWNER_ADDRESS)
    assert _post_login(client, owner.email, PASSWORD_FOR_TESTS, OWNER_ADDRESS).status_code == 302
    client.post("/accounts/logout/", REMOTE_ADDR=OWNER_ADDRESS)
    for _ in range(PAIR_LIMIT - 1):
        _post_login(client, owner.email, "typo", OWNER_ADDRESS)
    assert _post_login(client, owner.email, PASSWORD_FOR_TESTS, OWNER_ADDRESS).status_code == 302


# Account e-mails are written to the outbox and sent when the request's transaction commits.
@pytest.mark.django_db(transaction=True)
def test_a_password_reset_link_signs_the_owner_in_while_the_account_is_throttled():
    owner = VerifiedUserFactory()
    _attack_from_many_addresses(owner.email, ACCOUNT_LIMIT)
    client = Client()
    response = _post_login(client, owner.email, PASSWORD_FOR_TESTS, OWNER_ADDRESS)
    assert "This account is protected" in _errors(response)
    # The page offers the way back in.
    assert 'href="/accounts/password/reset/" id="login-throttled-reset"' in response.content.decode()

    client.post("/accounts/password/reset/", {"email": owner.email}, REMOTE_ADDR=OWNER_ADDRESS)
    reset_path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+)", mail.outbox[-1].body).group(1)
    response = client.get(reset_path, follow=True, REMOTE_ADDR=OWNER_ADDRESS)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else reset_path
    response = client.post(form_path, {"password1": "brand-new-password-9", "password2": "brand-new-password-9"},
                           REMOTE_ADDR=OWNER_ADDRESS)
    assert response.status_code == 302
    assert _logged_in_as(client) == str(owner.pk)
    # The reset forgot the attack: the owner's other devices sign in with the new password.
    assert not LoginAttempt.objects.filter(account_key=f"user:{owner.pk}", succeeded=False).exists()
    laptop = Client()
    assert _post_login(laptop, owner.email, "brand-new-password-9", "192.0.2.251").status_code == 302


def test_password_and_second_factor_sign_the_owner_in_while_the_account_is_throttled():
    owner = VerifiedUserFactory()
    secret = generate_totp_secret()
    TOTP.activate(owner, secret)
    _attack_from_many_addresses(owner.email, ACCOUNT_LIMIT)

    # A guess is still only a wrong password, and counted; the attacker learns nothing new.
    response = _post_login(Client(), owner.email, "wrong-guess", "192.0.2.252")
    assert "protected" not in _errors(response)
    assert _errors(response)

    client = Client()
    response = _post_login(client, owner.email, PASSWORD_FOR_TESTS, OWNER_ADDRESS)
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    assert _logged_in_as(client) is None
    code = f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"
    response = client.post("/accounts/2fa/authenticate/", {"code": code}, REMOTE_ADDR=OWNER_ADDRESS)
    assert response.status_code == 302
    assert _logged_in_as(client) == str(owner.pk)


def test_wrong_second_factor_codes_are_still_limited():
    # allauth limits wrong codes through ACCOUNT_RATE_LIMITS["login_failed"]: the password throttle must not
    # have switched that off.
    owner = VerifiedUserFactory()
    TOTP.activate(owner, generate_totp_secret())
    client = Client()
    assert _post_login(client, owner.email, PASSWORD_FOR_TESTS, OWNER_ADDRESS).status_code == 302
    errors = [
        " ".join(client.post("/accounts/2fa/authenticate/", {"code": "000000"}, REMOTE_ADDR=OWNER_ADDRESS)
                 .context["form"].errors.get("code", []))
        for _ in range(6)
    ]
    assert errors[0] == "Incorrect code."
    assert errors[5] == "Too many failed login attempts. Try again later."


def test_the_refusal_is_said_in_korean():
    owner = VerifiedUserFactory()
    client = Client()
    for _ in range(PAIR_LIMIT):
        _post_login(client, owner.email, "wrong-guess", ATTACKER, HTTP_ACCEPT_LANGUAGE="ko")
    response = _post_login(client, owner.email, "wrong-guess", ATTACKER, HTTP_ACCEPT_LANGUAGE="ko")
    html = response.content.decode()
    assert "이 기기 또는 네트워크에서 이 계정의 비밀번호가 여러 번 틀렸습니다. 15분 후에 다시 시도하거나 비밀번호를" in html
    assert "안전을 위해 로그인이 일시 중지되었습니다" in html


def test_fifty_people_signing_in_from_one_address_in_a_minute_all_get_in():
    """A judges' briefing or a ceremony room behind one address: right passwords are not rate limited there."""
    people = [VerifiedUserFactory() for _ in range(50)]
    statuses = [_post_login(Client(), person.email, PASSWORD_FOR_TESTS, "198.51.100.7").status_code for person in people]
    assert statuses == [302] * 50
