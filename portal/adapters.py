"""The portal's allauth adapter: wrong passwords throttled by portal.throttle instead of allauth's cache, and
account e-mails written to the outbox (worker.account_mail) instead of sent inside the request."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms

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
