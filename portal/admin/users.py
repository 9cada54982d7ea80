"""People in the admin: accounts, their edition roles, and the third-party account rows (groups, e-mail addresses,
second factors).

Why each is as it is:
- A user's access (active, staff, superuser, organiser, groups, permissions, password) may be changed here by a
  superuser, and every change writes an audit entry with before and after (the password only as "changed", never
  its hash); the organiser flag goes through `organiser_grant`/`organiser_revoke`. Users are never deleted here
  (their reviews, decisions and trail would go with them): deactivate them instead.
- Edition roles are granted and revoked through `role_grant`/`role_revoke` (audited); a role is never edited in
  place, it is revoked and another granted.
- Groups and model permissions only ever opened the admin, which is now for superusers alone: read-only.
- E-mail addresses (the login, and the way to reset a password) are read-only; second factors can only be removed
  (a lost phone), through `authenticator_remove`, audited; their secrets are never shown.
"""

from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from portal.models import EditionRole, User
from portal.services import audit_log, organiser_grant, organiser_revoke, role_grant, role_revoke
from portal.services.roles import authenticator_remove

from .site import ReadOnlyAdminMixin, ServiceRefusalAdminMixin, adopt, audit_password_change

ACCESS_FLAGS = ("email", "name", "is_active", "is_staff", "is_superuser")


def user_access(user: User) -> dict:
    """What the audit trail records of an account: its login, flags, groups and permissions (never the password)."""
    return {
        **{flag: getattr(user, flag) for flag in ACCESS_FLAGS},
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(f"{app}.{codename}" for app, codename in user.user_permissions.values_list(
            "content_type__app_label", "codename")),
    }


class EditionRoleInline(admin.TabularInline):
    model = EditionRole
    extra = 0
    autocomplete_fields = ["edition"]

    def has_change_permission(self, request, obj=None):
        return False  # revoked and granted, never edited in place


@admin.register(User)
class UserAdmin(ServiceRefusalAdminMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "is_superuser", "is_organiser", "last_login",
                    "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "is_organiser", "edition_roles__role"]
    search_fields = ["email", "name"]
    inlines = [EditionRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("name",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "is_organiser", "groups",
                                       "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        wants_organiser = obj.is_organiser
        stored = User.objects.filter(pk=obj.pk).first() if change else None
        request._user_access_before = user_access(stored) if stored else None
        obj.is_organiser = stored.is_organiser if stored else False  # set below, by its service
        super().save_model(request, obj, form, change)
        request._user_wants_organiser = wants_organiser

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        before, after = request._user_access_before, user_access(user)
        if before is None:
            audit_log(actor=request.user, action="user.create", target=user, after=after)
        else:
            for key in after:
                if before[key] != after[key]:
                    audit_log(actor=request.user, action="user.change", target=user, before={key: before[key]},
                              after={key: after[key]})
        if request._user_wants_organiser and not user.is_organiser:
            organiser_grant(user=user, actor=request.user)
        elif user.is_organiser and not request._user_wants_organiser:
            organiser_revoke(user=user, actor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not EditionRole:
            return super().save_formset(request, form, formset, change)
        for edition_role in formset.save(commit=False):
            role_grant(edition=edition_role.edition, user=form.instance, role=edition_role.role, actor=request.user)
        for edition_role in formset.deleted_objects:
            role_revoke(edition=edition_role.edition, user=edition_role.user, role=edition_role.role,
                        actor=request.user)
        return None

    def user_change_password(self, request, id, form_url=""):  # noqa: A002 - Django's name
        # Another user's password, set on the admin's page: audited as the superuser's own is (site.py).
        view = audit_password_change(super().user_change_password, user_id_of=lambda request, id, form_url: id)
        return view(request, id, form_url)


@admin.register(EditionRole)
class EditionRoleAdmin(ServiceRefusalAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "edition", "created_at"]
    list_filter = ["role", "edition"]
    search_fields = ["user__email", "user__name"]
    autocomplete_fields = ["user", "edition"]
    list_select_related = ["user", "edition"]

    def has_change_permission(self, request, obj=None):
        return False  # revoked and granted, never edited in place

    def save_model(self, request, obj, form, change):
        adopt(obj, role_grant(edition=obj.edition, user=obj.user, role=obj.role, actor=request.user))

    def delete_model(self, request, obj):
        role_revoke(edition=obj.edition, user=obj.user, role=obj.role, actor=request.user)


# "portal" comes before allauth in INSTALLED_APPS (so that its account templates win): import allauth's admin
# modules here, so that their registrations exist before they are replaced.
import_module("allauth.account.admin")
import_module("allauth.mfa.admin")
import_module("allauth.socialaccount.admin")
admin.site.unregister(Group)
admin.site.unregister(EmailAddress)
admin.site.unregister(Authenticator)
# Sign-in with an identity provider is configured by settings (OIDC_*), not by provider rows; tokens are not
# stored; a person's linked provider accounts are on their own "connections" page. Nothing here for the admin.
for model in (SocialApp, SocialAccount, SocialToken):
    admin.site.unregister(model)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdminMixin, DjangoGroupAdmin):
    pass


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["email", "user", "primary", "verified"]
    list_filter = ["primary", "verified"]
    search_fields = ["email", "user__email", "user__name"]
    list_select_related = ["user"]


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]  # never `data`: it holds the secret
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        authenticator_remove(authenticator=obj, actor=request.user)
