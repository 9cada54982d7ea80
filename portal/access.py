"""Access checks shared by every app's views: edition permissions and MFA for privileged roles."""

from functools import wraps
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Edition, EditionRole


def needs_mfa_setup(user, edition=None) -> bool:
    """True when MFA is enforced and `user` holds a role that needs it (in `edition`, or anywhere) without TOTP."""
    if not settings.PORTAL_MFA_REQUIRED or not user.is_authenticated:
        return False
    roles = EditionRole.objects.filter(user=user, role__in=settings.PORTAL_MFA_ROLES)
    if edition is not None:
        roles = roles.filter(edition=edition)
    if not (roles.exists() or (edition is None and user.is_staff)):
        return False
    return not is_mfa_enabled(user, [Authenticator.Type.TOTP])


def mfa_setup_redirect(request):
    messages.warning(
        request,
        _("Your role needs two-factor authentication. Set up an authenticator app to continue."),
    )
    return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")


def edition_permission_required(perm: str):
    """Decorate a view taking (request, edition, ...) reached by an edition slug in the URL.

    Refuses with 403 when the user lacks `perm` for that edition, and sends privileged
    roles to MFA set-up first when enforcement is on.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, slug, *args, **kwargs):
            edition = get_object_or_404(Edition, slug=slug)
            if not request.user.has_perm(perm, edition):
                raise PermissionDenied(_("Your roles in this edition do not include this page."))
            if needs_mfa_setup(request.user, edition):
                return mfa_setup_redirect(request)
            return view(request, edition, *args, **kwargs)

        wrapper.permission_required = perm
        return wrapper

    return decorator
