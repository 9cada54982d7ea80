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


# Account e-mails are written to the outbox and sent when the request's transaction commits (after the response).
@pytest.mark.django_db(transaction=True)
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


# Account e-mails are written to the outbox and sent when the request's transaction commits (after the response).
@pytest.mark.django_db(transaction=True)
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
    # After five failures for the same account from the same address, the next try from there is refused outright,
    # even with the right password (portal.throttle; the owner elsewhere is not: tests/portal/test_login_throttle.py).
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD_FOR_TESTS})
    assert response.status_code == 200
    assert "Too many wrong passwords for this account" in " ".join(response.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session


# Account e-mails are written to the outbox and sent when the request's transaction commits (after the response).
@pytest.mark.django_db(transaction=True)
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


# Account e-mails are written to the outbox and sent when the request's transaction commits (after the response).
@pytest.mark.django_db(transaction=True)
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


# --- Every account page renders in the portal's layout (issue 10) ------------------------------------------------
# Markers only the portal's base.html produces; allauth's bare layout has none of them (it prints "Menu:").
PORTAL_LAYOUT_MARKERS = (
    '<header class="site-header">',
    '<main id="main"',
    "portal/css/site.css",
    'id="language-select"',
    '<a class="skip-link" href="#main">',
)


def assert_in_portal_layout(response, *, language="en"):
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    for marker in PORTAL_LAYOUT_MARKERS:
        assert marker in html, f"{marker!r} missing: allauth's own layout is back?"
    assert "<strong>Menu:</strong>" not in html and "<strong>메뉴:</strong>" not in html
    assert f'<html lang="{language}">' in html
    assert html.count("<h1>") == 1
    return html


def _reset_path(client, user) -> str:
    client.post("/accounts/password/reset/", {"email": user.email})
    return _link_from(mail.outbox[-1], "/accounts/password/reset/key/")


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/accounts/password/reset/done/",
     "/accounts/password/reset/key/done/", "/accounts/confirm-email/", "/accounts/inactive/",
     "/accounts/confirm-email/not-a-key/", "/accounts/password/reset/key/1-not-a-key/"],
)
def test_entrance_pages_render_in_the_portal_layout(client, path):
    html = assert_in_portal_layout(client.get(path))
    assert 'class="subnav"' not in html


def test_login_form_has_labels_and_the_portal_buttons(client):
    html = assert_in_portal_layout(client.get("/accounts/login/"))
    assert '<form class="account-form" method="post" action="/accounts/login/"' in html
    assert '<label for="id_login">' in html and '<label for="id_password">' in html
    assert '<label for="id_remember">' in html
    assert '<button type="submit" class="">' in html  # the portal's primary button, not a bare unstyled one
    assert 'href="/accounts/password/reset/"' in html


def test_login_errors_sit_beside_the_fields_and_the_email_is_kept(client):
    response = client.post("/accounts/login/", {"login": "", "password": ""})
    html = assert_in_portal_layout(response)
    assert 'aria-invalid="true"' in html
    assert 'id="id_login_error"' in html and 'aria-describedby="id_login_error"' in html
    response = client.post("/accounts/login/", {"login": "someone@example.org", "password": "wrong"})
    html = assert_in_portal_layout(response)
    assert '<div class="error-summary" role="alert">' in html
    assert 'value="someone@example.org"' in html


# Account e-mails are written to the outbox and sent when the request's transaction commits (after the response).
@pytest.mark.django_db(transaction=True)
def test_password_reset_from_a_valid_key_renders_in_the_portal_layout(client):
    user = VerifiedUserFactory()
    response = client.get(_reset_path(client, user), follow=True)
    html = assert_in_portal_layout(response)
    assert '<label for="id_password1">' in html


@pytest.mark.parametrize(
    "path",
    ["/accounts/email/", "/accounts/password/change/", "/accounts/logout/", "/accounts/2fa/"],
)
def test_account_management_pages_render_in_the_portal_layout(client, login, path):
    login(VerifiedUserFactory())
    html = assert_in_portal_layout(client.get(path))
    # Links between the account's settings, as allauth's own menu had (the header has no link to the password).
    assert '<nav class="subnav" aria-label="Account settings">' in html
    assert '<a href="/accounts/password/change/"' in html


@pytest.mark.parametrize(
    ("path", "current"),
    [("/accounts/email/", "/accounts/email/"), ("/accounts/password/change/", "/accounts/password/change/"),
     ("/accounts/2fa/", "/accounts/2fa/")],
)
def test_account_settings_links_mark_the_current_page(client, login, path, current):
    login(VerifiedUserFactory())
    html = client.get(path).content.decode()
    assert html.count('aria-current="page"') == 1
    assert f'<a href="{current}" aria-current="page">' in html


def test_reauthenticate_renders_in_the_portal_layout(client, login):
    login(VerifiedUserFactory())
    html = assert_in_portal_layout(client.get("/accounts/reauthenticate/"))
    assert '<label for="id_password">' in html


def test_password_set_renders_in_the_portal_layout(client):
    user = VerifiedUserFactory()
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    html = assert_in_portal_layout(client.get("/accounts/password/set/"))
    assert '<label for="id_password1">' in html


def test_email_change_page_has_labelled_fields_and_errors_beside_them(client, login):
    user = VerifiedUserFactory(email="me@example.org")
    login(user)
    html = assert_in_portal_layout(client.get("/accounts/email/"))
    assert '<label for="current_email">' in html and '<label for="id_email">' in html
    assert "style=" not in html  # the CSP forbids inline styles: the pending-change form is hidden by attribute
    response = client.post("/accounts/email/", {"action_add": "", "email": "not-an-address"})
    html = assert_in_portal_layout(response)
    assert '<ul class="errorlist" id="id_email_error">' in html
    assert 'aria-invalid="true" aria-describedby="id_email_error"' in html
    assert 'value="not-an-address"' in html


def test_email_change_pending_shows_the_portal_buttons(client, login):
    login(VerifiedUserFactory(email="me@example.org"))
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    html = assert_in_portal_layout(client.get("/accounts/email/"))
    assert '<form hidden\n              id="pending-email"' in html
    assert 'class="danger" form="pending-email"' in html and 'class="secondary" form="pending-email"' in html
    assert 'aria-describedby="new_email_helptext"' in html


def test_mfa_pages_with_totp_active_render_in_the_portal_layout(client, login):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value, yield_hotp_counters_from_time

    user = VerifiedUserFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD_FOR_TESTS})
    assert response.url == "/accounts/2fa/authenticate/"
    html = assert_in_portal_layout(client.get("/accounts/2fa/authenticate/"))
    assert '<label for="id_code">' in html
    code = f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    response = client.get("/accounts/2fa/totp/deactivate/")
    assert response.url.startswith("/accounts/reauthenticate/")
    assert_in_portal_layout(client.get(response.url))
    client.post(response.url, {"password": PASSWORD_FOR_TESTS})
    for path in ("/accounts/2fa/", "/accounts/2fa/totp/deactivate/", "/accounts/2fa/recovery-codes/",
                 "/accounts/2fa/recovery-codes/generate/", "/accounts/2fa/reauthenticate/"):
        assert_in_portal_layout(client.get(path))
    download = client.get("/accounts/2fa/recovery-codes/download/")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/plain")


def _totp_activation_page(client, login):
    """allauth asks for the password again before a second factor is added."""
    login(VerifiedUserFactory())
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.url.startswith("/accounts/reauthenticate/")
    return client.post(response.url, {"password": PASSWORD_FOR_TESTS}, follow=True)


def test_totp_activation_page_shows_the_qr_code_with_a_text_alternative(client, login):
    html = assert_in_portal_layout(_totp_activation_page(client, login))
    assert 'alt="QR code for your authenticator app" class="qr-code"' in html
    assert 'readonly id="authenticator_secret"' in html  # focusable and copyable, unlike a disabled field
    assert '<label for="authenticator_secret">' in html and 'aria-describedby="authenticator_secret_helptext"' in html


@pytest.mark.parametrize(
    ("path", "korean"),
    [("/accounts/login/", "로그인"), ("/accounts/signup/", "회원가입"), ("/accounts/password/reset/", "비밀번호")],
)
def test_entrance_pages_in_korean_keep_allauth_translations(client, path, korean):
    client.cookies["django_language"] = "ko"
    html = assert_in_portal_layout(client.get(path), language="ko")
    assert korean in html
    assert "Sign In" not in html and "Sign Up" not in html


def test_mfa_page_in_korean(client, login):
    client.cookies["django_language"] = "ko"
    html = assert_in_portal_layout(_totp_activation_page(client, login), language="ko")
    assert "인증 앱 QR 코드" in html
    assert "인증 비밀 키" in html and "secret" not in html.split("<main")[1].split("value=")[0]


def test_language_switch_on_the_login_page_comes_back_to_the_login_page(client):
    html = assert_in_portal_layout(client.get("/accounts/login/?next=/dashboard/"))
    assert '<input name="next" type="hidden" value="/accounts/login/?next=/dashboard/">' in html
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/accounts/login/?next=/dashboard/"})
    assert response.status_code == 302 and response.url == "/accounts/login/?next=/dashboard/"
    assert_in_portal_layout(client.get(response.url), language="ko")


def test_mfa_index_in_korean_counts_recovery_codes_not_accounts(client, login):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = VerifiedUserFactory()
    client.force_login(user)
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    client.cookies["django_language"] = "ko"
    html = assert_in_portal_layout(client.get("/accounts/2fa/"), language="ko")
    assert "복구 코드 10개 중 10개를 사용할 수 있습니다." in html
    assert "계정이 복구 코드" not in html
