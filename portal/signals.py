"""Signal receivers that feed the login throttle (portal.throttle)."""

from allauth.account.signals import password_reset
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from portal import throttle


@receiver(user_logged_in, dispatch_uid="portal.login_success_record")
def _login_succeeded(sender, request, user, **kwargs) -> None:
    if request is None or not request.META.get("REMOTE_ADDR"):
        return  # a login made in code (tests' force_login, a shell), from no address
    try:
        throttle.login_success_record(request=request, user=user)
    except PermissionDenied:
        return  # allauth could not tell the client's address (proxy settings): nothing to trust


@receiver(password_reset, dispatch_uid="portal.login_failures_forget")
def _password_reset(sender, request, user, **kwargs) -> None:
    throttle.login_failures_forget(user=user)
