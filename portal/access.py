"""Access checks shared by every app's views: edition permissions and MFA for privileged roles."""

import inspect
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

import rules
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import LazyObject
from django.utils.translation import gettext as _

from .models import Edition, EditionRole
from .rules import _roles as roles_in_edition
from .rules import remember_roles


def needs_mfa_setup(user, edition=None) -> bool:
    """True when MFA is enforced and `user` holds a role that needs it (in `edition`, or anywhere) without TOTP."""
    if not settings.PORTAL_MFA_REQUIRED or not user.is_authenticated:
        return False
    if edition is not None:
        # The roles the permission check just read, cached on the user object (request.user is a lazy proxy
        # around it): no second query.
        if not roles_in_edition(getattr(user, "_wrapped", user), edition) & set(settings.PORTAL_MFA_ROLES):
            return False
    elif not (user.is_superuser  # the admin's only users: they need it whatever roles they hold
              or EditionRole.objects.filter(user=user, role__in=settings.PORTAL_MFA_ROLES).exists()):
        return False
    return not is_mfa_enabled(user, [Authenticator.Type.TOTP])


def mfa_setup_redirect(request):
    messages.warning(
        request,
        _("Your role needs two-factor authentication. Set up an authenticator app to continue."),
    )
    return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")


def holds(user, perm: str, obj=None) -> bool:
    """Whether `user` holds the portal permission `perm` (a rules.py predicate) on `obj`: through their roles only.

    `user.has_perm` grants an active superuser everything; the portal's pages are not the superuser's tool (the admin
    is), so their gates ask the rule itself. Services keep `has_perm`: the admin acts through them in any edition.
    """
    if not user.is_active:  # also sets a lazy request.user up
        return False
    # The user itself, not request.user's lazy wrapper: the roles are cached on the user object (portal.rules), and
    # has_perm, which the page may also call, finds them there.
    real = user._wrapped if isinstance(user, LazyObject) else user
    return rules.has_perm(perm, real, obj)


def _edition_by_slug(request, slug: str):
    """The edition of the URL, with the user's roles in it read by the same query: the permission check that follows
    (and the MFA check) finds them cached on the user and asks the database nothing more. Someone without a role in
    the edition costs a second query (the edition alone); they are refused anyway, or shown a 404."""
    user = request.user._wrapped if isinstance(request.user, LazyObject) else request.user
    held = list(EditionRole.objects.filter(user=user, edition__slug=slug).select_related("edition"))
    edition = held[0].edition if held else get_object_or_404(Edition, slug=slug)
    remember_roles(user, edition, (role.role for role in held))
    return edition


def edition_of(obj):
    """The edition an object of an edition URL belongs to: itself, its `edition`, or its round's."""
    if hasattr(obj, "round") and not hasattr(obj, "edition"):
        return obj.round.edition
    return getattr(obj, "edition", obj)


def edition_permission_required(
    perm: str,
    *,
    load: Callable | None = None,
    on: Callable | None = None,
    refusal: str | None = None,
    mfa_unless: str | None = None,
    mfa_refusal: Callable | None = None,
):
    """Declare an edition URL's permission: login, the rules permission on its object, then MFA.

    Without `load` the view takes (request, edition, ...) reached by an edition `slug` in the URL. With
    `load(request, **url_kwargs)` (returning the object, or raising Http404) the permission is checked on
    that object (or on `on(obj)`, e.g. an attachment's application), and the view takes (request, obj, ...)
    with the URL arguments the loader did not consume.
    A user lacking `perm` gets a 403 (`refusal` says why); privileged roles of the object's edition are sent
    to MFA set-up first when enforcement is on, unless they also hold `mfa_unless` on the object (an
    applicant reading their own application). `mfa_refusal(request)`, when given, answers instead of the
    redirect (a script's JSON endpoint).
    """
    loader = load or _edition_by_slug
    consumed = [name for name in inspect.signature(loader).parameters if name != "request"]

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            obj = loader(request, **{name: kwargs.pop(name) for name in consumed if name in kwargs})
            target = on(obj) if on else obj
            if not holds(request.user, perm, target):
                raise PermissionDenied(refusal or _("Your roles in this edition do not include this page."))
            if needs_mfa_setup(request.user, edition_of(target)) and not (
                mfa_unless and request.user.has_perm(mfa_unless, target)
            ):
                return mfa_refusal(request) if mfa_refusal else mfa_setup_redirect(request)
            return view(request, obj, *args, **kwargs)

        wrapper.permission_required = perm
        return wrapper

    return decorator
