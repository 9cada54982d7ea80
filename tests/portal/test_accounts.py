import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from portal.models import User
from tests.factories import PASSWORD_FOR_TESTS, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def _link_from(message, path_prefix: str) -> str:
    match = re.search(rf"https?://[^/\s]+({path_prefix}[^\s]+)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_requires_email_verification_before_login(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "Mayor@City.example", "password1": "a-long-new-password-1", "password2": "a-long-new-password-1"},
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "mayor@city.example"
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    confirm_path = _link_from(mail.outbox[0], "/accounts/confirm-email/")

    # Unverified: logging in sends another verification mail instead of a session.
    client.logout()
    response = client.post("/accounts/login/", {"login": "mayor@city.example", "password": "a-long-new-password-1"})
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True

    response = client.post("/accounts/login/", {"login": "mayor@city.example", "password": "a-long-new-password-1"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_with_a_taken_email_creates_nothing_and_tells_the_owner(client):
    # allauth prevents account enumeration: the form looks successful, the owner is told by e-mail.
    VerifiedUserFactory(email="taken@example.org")
    response = client.post(
        "/accounts/signup/",
        {"email": "taken@example.org", "password1": "a-long-new-password-1", "password2": "a-long-new-password-1"},
    )
    assert response.status_code == 302
    assert User.objects.filter(email="taken@example.org").count() == 1
    assert [message.to for message in mail.outbox] == [["taken@example.org"]]
    assert "already" in mail.outbox[0].body.lower()


def test_signup_with_mismatched_passwords_shows_the_error_and_keeps_the_email(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": "a-long-new-password-1", "password2": "a-different-password-2"},
    )
    assert response.status_code == 200
    assert User.objects.count() == 0
    assert response.context["form"].errors["password2"]
    assert 'value="new@example.org"' in response.content.decode()


def test_login_with_a_wrong_password_is_refused(client):
    user = VerifiedUserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_login_and_logout(client, login):
    user = VerifiedUserFactory()
    login(user)
    assert client.get("/dashboard/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_failed_logins_are_rate_limited(client):
    user = VerifiedUserFactory()
    statuses = [client.post("/accounts/login/", {"login": user.email, "password": "wrong"}).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5
    # The sixth failure within five minutes for the same account is refused outright, even with the right password.
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD_FOR_TESTS})
    assert response.status_code == 200
    assert "Too many failed login attempts" in " ".join(response.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session


def test_password_reset(client):
    user = VerifiedUserFactory()
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    reset_path = _link_from(mail.outbox[-1], "/accounts/password/reset/key/")
    response = client.get(reset_path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else reset_path
    response = client.post(form_path, {"password1": "brand-new-password-9", "password2": "brand-new-password-9"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-password-9")


def test_change_of_email_needs_verification_of_the_new_address(client, login):
    user = VerifiedUserFactory(email="old@example.org")
    login(user)
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    assert response.status_code == 302
    new_address = EmailAddress.objects.get(email="new@example.org")
    assert new_address.verified is False
    confirm_path = _link_from(mail.outbox[-1], "/accounts/confirm-email/")
    client.post(confirm_path)
    user.refresh_from_db()
    assert user.email == "new@example.org"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == ["new@example.org"]
