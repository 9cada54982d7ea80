"""Who reaches the admin, and the rules every model admin of every app shares.

The admin bypasses every edition rule and role, so only an active superuser may open it (`superusers_only`, set on
the site here, the one place); everyone else works on the portal's own pages. Bulk "delete selected" is switched
off site-wide: it deletes querysets without the services, so deletes happen one object at a time through each
admin's `delete_model`.
"""

from functools import wraps

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.models import User
from portal.services.audit import audit_log


def superusers_only(request) -> bool:
    """The admin's one gate: an active superuser, nobody else (not staff, not a secretariat)."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superusers_only
admin.site.disable_action("delete_selected")


def superusers_only_login(login_view):
    """The admin's login page: anyone logged in who may not use the admin gets the portal's 403 page saying why."""

    @wraps(login_view)
    def login(request, *args, **kwargs):
        if request.user.is_authenticated and not superusers_only(request):
            raise PermissionDenied(_("The admin is for superusers only; everything else happens on the portal's "
                                     "own pages."))
        return login_view(request, *args, **kwargs)

    return login


def audit_password_change(view, *, user_id_of):
    """Wrap an admin view that sets a password: a changed password writes an audit entry (never the hash)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user_id = user_id_of(request, *args, **kwargs)
        with transaction.atomic():
            before = User.objects.filter(pk=user_id).values_list("password", flat=True).first()
            response = view(request, *args, **kwargs)
            user = User.objects.filter(pk=user_id).first()
            if user is not None and before is not None and user.password != before:
                audit_log(actor=request.user, action="user.password", target=user, after={"password": "changed"})
        return response

    return wrapped


# The superuser's own password, changed on the admin's page.
admin.site.password_change = audit_password_change(admin.site.password_change,
                                                   user_id_of=lambda request, *a, **k: request.user.pk)


class ReadOnlyAdminMixin:
    """Rows written only by services: visible, never added, changed or deleted by hand. Every app's admin
    (and inline) for such rows uses this one."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceRefusalAdminMixin:
    """A service's refusal (a ValidationError) met while saving or deleting: a message on the page, never a 500.
    The admin's transaction is rolled back, so nothing of the refused change stays."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                                args=[object_id], current_app=self.admin_site.name))


def adopt(obj, saved) -> None:
    """Point the admin's unsaved instance at the row a service created, so the admin carries on with it."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj.refresh_from_db()
