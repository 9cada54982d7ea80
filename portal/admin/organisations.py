"""Organisations, memberships, owners' invitations and the audit trail in the admin.

Organisations belong to their owners, who edit them on the portal: read-only here. A membership may be added by a
superuser through `membership_add` (audited); it is never edited or removed here (no service does that yet, and
joining or leaving an applicant's organisation must not happen unrecorded). Invitations and the audit trail are
written by services only: read-only.
"""

from django.contrib import admin
from django.db import models

from portal.models import AuditEntry, Invitation, Membership, Organisation
from portal.services import membership_add

from .site import ReadOnlyAdminMixin, ServiceRefusalAdminMixin, adopt


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = fields


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "country", "city", "population_band", "created_at"]
    list_filter = ["kind", "population_band", "country"]
    search_fields = ["name", "city"]
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as the portal's own organisation form


@admin.register(Membership)
class MembershipAdmin(ServiceRefusalAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        adopt(obj, membership_add(organisation=obj.organisation, user=obj.user, role=obj.role, actor=request.user))


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
