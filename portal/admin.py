from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, EditionRole, Invitation, Membership, Organisation, User


class ReadOnlyAdminMixin:
    """Rows written only by services: visible, never added, changed or deleted by hand. Every app's admin
    (and inline) for such rows uses this one."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class EditionRoleInline(admin.TabularInline):
    model = EditionRole
    extra = 0
    autocomplete_fields = ["edition"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "last_login", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "edition_roles__role"]
    search_fields = ["email", "name"]
    inlines = [EditionRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("name",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "city", "population_band", "created_at"]
    list_filter = ["kind", "population_band", "country"]
    search_fields = ["name", "city"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(EditionRole)
class EditionRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "edition", "created_at"]
    list_filter = ["role", "edition"]
    search_fields = ["user__email", "user__name"]
    autocomplete_fields = ["user", "edition"]
    list_select_related = ["user", "edition"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the trail is written by services, never edited by hand."""

    list_display = ["created_at", "actor", "action", "target_repr", "edition"]
    list_filter = ["action", "edition"]
    search_fields = ["action", "target_repr", "actor__email"]
    list_select_related = ["actor", "edition"]
    date_hierarchy = "created_at"


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Invitations are sent by organisation owners; the token is never shown (it would let anyone join)."""

    list_display = ["email", "organisation", "invited_by", "created_at", "accepted_at", "accepted_by"]
    list_filter = [("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation", "invited_by", "accepted_by"]
    fields = ["organisation", "email", "invited_by", "created_at", "accepted_at", "accepted_by"]
    readonly_fields = fields
