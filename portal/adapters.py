"""The portal's allauth adapter: wrong passwords throttled by portal.throttle instead of allauth's cache, and
account e-mails written to the outbox (worker.account_mail) instead of sent inside the request; and the
adapter for sign-in with an external OpenID Connect provider."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings

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


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the organiser's identity provider (OpenID Connect, see OIDC_* settings).

    A first sign-in may create an account only if OIDC_ALLOW_SIGNUP (default on): the account has no role until
    the secretariat gives one, exactly like an account made with a password.
    """

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return settings.OIDC_ALLOW_SIGNUP
