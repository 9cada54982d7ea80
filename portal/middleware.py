from django.urls import reverse

from .access import mfa_setup_redirect, needs_mfa_setup


class RoleMfaMiddleware:
    """Keeps superusers without MFA out of the admin while enforcement is on.

    Edition pages check MFA in `edition_permission_required`; the admin has no such
    decorator of ours, so its whole URL space is guarded here. Only superusers reach the
    admin (portal/admin.py), and a superuser needs MFA whatever roles they hold.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(reverse("admin:index"))
            and request.user.is_authenticated
            and request.user.is_superuser
            and needs_mfa_setup(request.user)
        ):
            return mfa_setup_redirect(request)
        return self.get_response(request)
