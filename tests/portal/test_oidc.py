"""Sign-in with an organiser's OpenID Connect provider (allauth), configured by settings only.

The provider is a fake requests session that answers the discovery document, the token endpoint and the
userinfo endpoint, so the whole authorization-code flow runs through allauth's real views.
"""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth import get_user_model

from tests.factories.portal import VerifiedUserFactory

pytestmark = pytest.mark.django_db
SERVER = "https://id.example.org"
LOGIN = "/accounts/oidc/organisation/login/"
CALLBACK = "/accounts/oidc/organisation/login/callback/"


class FakeResponse:
    def __init__(self, payload, status=200):
        self.payload, self.status_code = payload, status
        self.text = str(payload)
        self.headers = {"content-type": "application/json"}

    def json(self):
        return self.payload

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


class FakeProvider:
    """One identity provider: its discovery document, a token for any code, and the signed-in person."""

    def __init__(self, userinfo):
        self.userinfo, self.calls = userinfo, []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def get(self, url, **kwargs):
        self.calls.append(("GET", url))
        if url.endswith("/.well-known/openid-configuration"):
            return FakeResponse({
                "issuer": SERVER, "authorization_endpoint": f"{SERVER}/authorize", "token_endpoint": f"{SERVER}/token",
                "userinfo_endpoint": f"{SERVER}/userinfo", "jwks_uri": f"{SERVER}/jwks",
            })
        if url == f"{SERVER}/userinfo":
            return FakeResponse(self.userinfo)
        return FakeResponse({}, status=404)

    def request(self, method, url, **kwargs):
        self.calls.append((method, url))
        assert url == f"{SERVER}/token"
        return FakeResponse({"access_token": "token-1", "token_type": "Bearer", "expires_in": 300})


@pytest.fixture
def provider(settings, monkeypatch):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [{
        "provider_id": "organisation", "name": "City Hall account", "client_id": "portal", "secret": "s3cret",
        "settings": {"server_url": SERVER},
    }]}}
    settings.PORTAL_MFA_REQUIRED = False
    fake = FakeProvider({"sub": "42", "email": "official@city.example", "email_verified": True,
                         "given_name": "Min", "family_name": "Kim"})
    monkeypatch.setattr(DefaultSocialAccountAdapter, "get_requests_session", lambda self: fake)
    return fake


def _sign_in(client) -> str:
    """Start at the login page's provider button and come back from the provider; the final redirect."""
    response = client.post(LOGIN)
    assert response.status_code == 302
    authorize = urlparse(response["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{SERVER}/authorize"
    query = parse_qs(authorize.query)
    assert query["client_id"] == ["portal"] and "code_challenge" in query  # PKCE
    back = client.get(CALLBACK, {"code": "the-code", "state": query["state"][0]})
    return back


def test_no_provider_button_and_404_when_none_is_configured(client):
    assert "oidc" not in client.get("/accounts/login/").content.decode()
    assert client.post(LOGIN).status_code == 404


def test_the_login_page_offers_the_configured_provider(client, provider):
    html = client.get("/accounts/login/").content.decode()
    assert "City Hall account" in html and LOGIN in html


def test_korean_readers_read_the_providers_korean_name_and_korean_wording(client, provider, settings):
    app = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]
    app["settings"] = {**app["settings"], "name_ko": "시청 계정"}
    korean = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ("시청 계정" in korean, "City Hall account" in korean, "또는 다른 계정으로 로그인" in korean) == (True, False, True)
    assert ("City Hall account" in english, "시청 계정" in english) == (True, False)
    confirm = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "시청 계정(으)로 로그인" in confirm


def test_the_default_provider_name_reads_in_korean(client, provider, settings):
    app = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]
    app["name"] = "your organisation's account"
    korean = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert ("소속 기관 계정" in korean, "your organisation" in korean) == (True, False)


def test_a_verified_provider_e_mail_signs_in_the_existing_account(client, provider):
    user = VerifiedUserFactory(email="official@city.example")
    back = _sign_in(client)
    assert back.status_code == 302 and "/accounts/" not in back["Location"]
    assert client.get("/").wsgi_request.user == user
    assert ("POST", f"{SERVER}/token") in provider.calls


def test_a_first_sign_in_creates_an_account_without_any_role(client, provider):
    back = _sign_in(client)
    assert back.status_code == 302
    user = get_user_model().objects.get(email="official@city.example")
    assert client.get("/").wsgi_request.user == user
    assert not user.edition_roles.exists() and not user.is_staff and not user.is_superuser


def test_sign_up_through_the_provider_can_be_closed(client, provider, settings):
    settings.OIDC_ALLOW_SIGNUP = False
    back = _sign_in(client)
    assert not get_user_model().objects.filter(email="official@city.example").exists()
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert back.status_code in (200, 302)


def test_an_unverified_provider_e_mail_does_not_take_over_an_account(client, provider):
    existing = VerifiedUserFactory(email="official@city.example")
    provider.userinfo = {**provider.userinfo, "email_verified": False}
    _sign_in(client)
    assert client.get("/").wsgi_request.user != existing
    assert not existing.socialaccount_set.exists()


def test_a_provider_that_cannot_be_reached_gets_a_clear_page_not_a_500(client, provider):
    def unreachable(url, **kwargs):
        raise requests.ConnectionError("no route to host")

    provider.get = unreachable
    response = client.post(LOGIN)
    assert response.status_code == 401
    assert "An error occurred while attempting to login" in response.content.decode()
