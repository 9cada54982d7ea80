"""The portal's allauth adapter: wrong passwords throttled by portal.throttle instead of allauth's cache, and
account e-mails written to the outbox (worker.account_mail) instead of sent inside the request; and the
adapter for sign-in with an external OpenID Connect provider."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.helpers import render_authentication_error
from django import forms
from django.conf import settings
from django.utils.translation import get_language, gettext, gettext_noop
from requests import RequestException

from portal import throttle
from worker.account_mail import OutboxMailMixin


class AccountAdapter(OutboxMailMixin, DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials) -> None:
        # Replaces allauth's per-account cache limit, which let five wrong passwords from anyone lock the owner
        # out and which failed with Redis down. Checked before the password, so a refused try reveals nothing.
        refusal = throttle.login_refusal(request=request, login=credentials.get("email", ""))
        if refusal is not None:
            request.login_refusal = refusal
            raise forms.ValidationError(refusal.message, code=f"login_throttled_{refusal.scope}")

    def authentication_failed(self, request, **credentials) -> None:
        throttle.login_failure_record(request=request, login=credentials.get("email", ""))


# OIDC_PROVIDER_NAME's default (config/settings/base.py), kept in the catalogue so that it reads in Korean too.
DEFAULT_PROVIDER_NAME = gettext_noop("your organisation's account")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the organiser's identity provider (OpenID Connect, see OIDC_* settings).

    A first sign-in may create an account only if OIDC_ALLOW_SIGNUP (default on): the account has no role until
    the secretariat gives one, exactly like an account made with a password.
    """

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return settings.OIDC_ALLOW_SIGNUP

    def list_apps(self, request, provider=None, client_id=None):
        """The provider's name in the reader's language, wherever allauth shows it (the button, the confirmation
        page): OIDC_PROVIDER_NAME_KO for Korean readers when set, else the catalogue's word for the default name."""
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        korean = (get_language() or "").startswith("ko")
        for app in apps:
            if app.pk is None:  # built from settings for this call, never saved: naming it here changes nothing else
                app.name = (korean and app.settings.get("name_ko")) or (app.name and gettext(app.name))
        return apps

    def get_requests_session(self):
        return _ProviderSession(super().get_requests_session(), self._error_page)

    def _error_page(self, exception):
        match = getattr(self.request, "resolver_match", None)
        provider = self.get_provider(self.request, match.kwargs["provider_id"]) if match else None
        return render_authentication_error(self.request, provider, exception=exception)


class _ProviderSession:
    """requests' session toward the identity provider: a provider that cannot be reached shows allauth's "could
    not sign you in" page instead of a 500 (allauth catches it on the callback, not on the first step)."""

    def __init__(self, session, error_page):
        self._session, self._error_page = session, error_page

    def __enter__(self):
        self._session.__enter__()
        return self

    def __exit__(self, *exc):
        return self._session.__exit__(*exc)

    def __getattr__(self, name):
        attribute = getattr(self._session, name)
        if name not in ("get", "post", "request"):
            return attribute

        def call(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except RequestException as exception:
                raise ImmediateHttpResponse(self._error_page(exception)) from exception

        return call
