"""The login throttle: wrong passwords slowed per account and address, without locking the owner out.

Three limits over sliding windows (settings.PORTAL_LOGIN_THROTTLE, failures within minutes):

- per (account, address): strict, a handful of tries. Counts only failures since that pair's last
  successful sign-in, so the owner who mistypes and then gets it right starts afresh.
- per address across accounts: one address spraying many accounts.
- per account across addresses: a distributed guess at one account. Past it, the password alone still
  works from an address the account signed in from recently (PORTAL_LOGIN_TRUSTED_DAYS); from any other
  address it works only with the second factor (the TOTP is then asked for as usual), or after a
  password reset, whose link signs the owner in (ACCOUNT_LOGIN_ON_PASSWORD_RESET).

A refused attempt checks no password and is not counted, so a lock ends when its window passes.

Our own table rather than django-axes: axes applies one failure limit to every parameter combination and
locks the account itself, where we need a strict per-pair limit, a far higher per-account one that
trusted addresses and the second factor pass, and counts that live in the database (no Redis).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from portal.models import LoginAttempt, User

IPV6_PREFIX = 64


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in is refused before its password is checked, and for how long."""

    scope: str  # "address", "pair" or "account"
    minutes: int

    @property
    def message(self) -> str:
        values = {"minutes": self.minutes}
        if self.scope == "address":
            return ngettext(
                "Too many failed sign-ins came from your network. Wait %(minutes)d minute and try again.",
                "Too many failed sign-ins came from your network. Wait %(minutes)d minutes and try again.",
                self.minutes,
            ) % values
        if self.scope == "pair":
            return ngettext(
                "Too many wrong passwords for this account from your device or network. Wait %(minutes)d minute "
                "and try again, or reset your password: the link we e-mail signs you in at once.",
                "Too many wrong passwords for this account from your device or network. Wait %(minutes)d minutes "
                "and try again, or reset your password: the link we e-mail signs you in at once.",
                self.minutes,
            ) % values
        return gettext(
            "This account is protected after many failed sign-ins from elsewhere, so a password alone is not "
            "accepted from a new device or network for now. Reset your password: the link we e-mail signs you "
            "in at once. If you use an authenticator app, your password and its code still sign you in."
        )


def client_address(request) -> str:
    """The client's address as allauth sees it (its proxy settings apply); IPv6 cut to its /64 network."""
    address = get_adapter(request).get_client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:45]
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{parsed}/{IPV6_PREFIX}", strict=False).network_address)
    return str(parsed)


def _user_for(login: str) -> User | None:
    email = (login or "").strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        user = address.user if address else None
    return user


def account_key_for_user(user) -> str:
    return f"user:{user.pk}"


def _account_key(login: str, user: User | None) -> str:
    if user is not None:
        return account_key_for_user(user)
    return "email:" + hashlib.sha256((login or "").strip().lower().encode()).hexdigest()


def _minutes_left(failures, *, limit: int, window: timedelta, now) -> int:
    """Minutes until fewer than `limit` of `failures` (newest first) fall inside the window."""
    if limit < 1:
        return math.ceil(window.total_seconds() / 60)
    oldest_that_counts = failures.order_by("-at").values_list("at", flat=True)[limit - 1]
    return max(1, math.ceil((oldest_that_counts + window - now).total_seconds() / 60))


def login_refusal(*, request, login: str) -> Refusal | None:
    """A Refusal when this sign-in must not check its password now; None to go ahead."""
    limits = settings.PORTAL_LOGIN_THROTTLE
    now = timezone.now()
    address = client_address(request)
    user = _user_for(login)
    account_key = _account_key(login, user)
    failures = LoginAttempt.objects.filter(succeeded=False)

    limit, minutes = limits["address"]
    window = timedelta(minutes=minutes)
    from_address = failures.filter(address=address, at__gt=now - window)
    if from_address.count() >= limit:
        return Refusal("address", _minutes_left(from_address, limit=limit, window=window, now=now))

    limit, minutes = limits["pair"]
    window = timedelta(minutes=minutes)
    pair = LoginAttempt.objects.filter(account_key=account_key, address=address)
    last_success = pair.filter(succeeded=True).aggregate(last=Max("at"))["last"]
    pair_failures = failures.filter(account_key=account_key, address=address,
                                    at__gt=max(now - window, last_success) if last_success else now - window)
    if pair_failures.count() >= limit:
        return Refusal("pair", _minutes_left(pair_failures, limit=limit, window=window, now=now))

    limit, minutes = limits["account"]
    window = timedelta(minutes=minutes)
    on_account = failures.filter(account_key=account_key, at__gt=now - window)
    if on_account.count() >= limit:
        trusted_since = now - timedelta(days=settings.PORTAL_LOGIN_TRUSTED_DAYS)
        if last_success and last_success > trusted_since:
            return None
        if user is not None and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            return None
        return Refusal("account", _minutes_left(on_account, limit=limit, window=window, now=now))
    return None


def _forget_old(now) -> None:
    longest = max(minutes for _limit, minutes in settings.PORTAL_LOGIN_THROTTLE.values())
    LoginAttempt.objects.filter(
        at__lt=now - max(timedelta(minutes=longest), timedelta(days=settings.PORTAL_LOGIN_TRUSTED_DAYS))
    ).delete()


def login_failure_record(*, request, login: str) -> None:
    """A wrong password was given for `login` (an account or not) from this request's address."""
    LoginAttempt.objects.create(
        account_key=_account_key(login, _user_for(login)), address=client_address(request), succeeded=False
    )
    _forget_old(timezone.now())


def login_success_record(*, request, user) -> None:
    """`user` signed in from this request's address: the address is trusted, the pair's failures forgiven."""
    LoginAttempt.objects.create(account_key=account_key_for_user(user), address=client_address(request),
                                succeeded=True)


def login_failures_forget(*, user) -> None:
    """The owner proved themselves by a password reset: the failures against the account are forgotten."""
    LoginAttempt.objects.filter(account_key=account_key_for_user(user), succeeded=False).delete()
