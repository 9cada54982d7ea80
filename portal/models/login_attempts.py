"""Password sign-in attempts, the memory of the login throttle (portal.throttle)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginAttempt(models.Model):
    """One password checked at the login form: who it was for, from where, whether it was right.

    Kept in the database, not the cache, so the throttle holds while Redis is down and across processes.
    Rows older than the longest window the throttle reads are deleted as new ones are written.
    """

    # "user:<pk>" for an existing account, else "email:<sha256 of the typed address>" (no stranger's typing kept).
    account_key = models.CharField(_("account tried"), max_length=80)
    # The client's address; IPv6 cut to its /64 network, as allauth's rate limits do.
    address = models.CharField(_("client address"), max_length=45)
    succeeded = models.BooleanField(_("password was right"), default=False)
    at = models.DateTimeField(_("attempted at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("login attempt")
        verbose_name_plural = _("login attempts")
        indexes = [
            models.Index(fields=["account_key", "at"], name="login_attempt_account_at"),
            models.Index(fields=["address", "at"], name="login_attempt_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.account_key} from {self.address} at {self.at:%Y-%m-%d %H:%M}"
