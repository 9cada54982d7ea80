"""Editions, categories and applications in the admin (a superuser's tool): every change through a service.

- An edition's settings are saved through `edition_update` and its state moves only through the edition
  services (the actions below), all audited. Editions are created on the portal (an organiser's page, or the
  demo), never here, and never deleted here (everything of the edition would go with it).
- Categories are added, changed and removed through `category_save`/`category_delete` (audited; a category
  with applications stays). Under an edition they are shown read-only, as its form sections are: the edition's
  settings page edits those.
- Applications, snapshots, files and status history are read-only: what an applicant submitted is never edited
  by hand, and screening decisions go through the same service as the screening page (admin actions below), so
  they are audited and the applicant sees the reason.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin import ReadOnlyAdminMixin, ServiceRefusalAdminMixin, adopt
from portal.models import Edition
from portal.services import editions as edition_services

from . import services
from .models import Application, ApplicationSnapshot, Attachment, Category, Question, StatusChange
from .services import edition_setup

# --- editions ----------------------------------------------------------------------------------------------

class CategoryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Category
    extra = 0
    fields = ["name", "slug", "max_entries_per_organisation", "position"]
    readonly_fields = fields
    show_change_link = True  # changed on its own page, through the service


class QuestionInline(ReadOnlyAdminMixin, admin.TabularInline):
    # Read-only: the form is built on the secretariat's form builder page.
    model = Question
    extra = 0
    fields = ["position", "key", "version", "kind", "label", "required", "category", "retired_at"]
    readonly_fields = fields


def _edition_action(service, description):
    def action(modeladmin, request, queryset):
        for edition in queryset:
            if not request.user.has_perm("submissions.configure_edition", edition):
                modeladmin.message_user(request, _("%(edition)s: only its secretariat changes its state.")
                                        % {"edition": edition}, messages.ERROR)
                continue
            try:
                edition = service(edition=edition, user=request.user)
            except ValidationError as error:
                modeladmin.message_user(request, f"{edition}: {' '.join(error.messages)}", messages.ERROR)
            else:
                modeladmin.message_user(
                    request, _("%(edition)s is now “%(state)s”.") % {
                        "edition": edition, "state": edition.get_state_display()}, messages.SUCCESS,
                )

    action.__name__ = service.__name__
    return admin.action(description=description, permissions=["change"])(action)


@admin.register(Edition)
class EditionAdmin(ServiceRefusalAdminMixin, admin.ModelAdmin):
    list_display = ["name", "state", "opens_at", "closes_at", "time_zone"]
    list_filter = ["state"]
    search_fields = ["name", "programme"]
    # The state moves only through the edition services (one function per state change): the actions below.
    readonly_fields = ["state", "finalised_at", "finalised_by", "published_at"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CategoryInline, QuestionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        edition_services.edition_update(edition=obj, user=request.user, data={
            name: value for name, value in form.cleaned_data.items() if name in form.changed_data})
        obj.refresh_from_db()

    actions = [
        _edition_action(edition_services.edition_open, _("Open the call (or reopen it)")),
        _edition_action(edition_services.edition_close, _("Close the call")),
        _edition_action(edition_services.edition_start_screening, _("Start screening")),
    ]


@admin.register(Category)
class CategoryAdmin(ServiceRefusalAdminMixin, admin.ModelAdmin):
    list_display = ["name", "edition", "max_entries_per_organisation", "position"]
    list_filter = ["edition"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ["edition"]

    def get_readonly_fields(self, request, obj=None):
        return ["edition"] if obj else []

    def save_model(self, request, obj, form, change):
        data = {name: getattr(obj, name) for name in edition_setup.CATEGORY_FIELDS}
        category = edition_setup.category_save(edition=obj.edition, user=request.user, data=data,
                                               category=obj if change else None)
        adopt(obj, category)

    def delete_model(self, request, obj):
        edition_setup.category_delete(edition=obj.edition, user=request.user, category=obj)


# --- applications ------------------------------------------------------------------------------------------

class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ["at", "from_status", "to_status", "by", "reason"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    # No file link: files are downloaded only through the view that checks the user's right.
    fields = ["original_name", "content_type", "size", "pages", "created_at", "removed_at"]
    readonly_fields = fields


class IneligibleReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason the applicants will read"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60})
    )


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "edition", "category", "organisation", "kind", "country", "stage", "status",
                    "submitted_at"]
    list_display_links = ["id", "title"]
    list_filter = ["edition", "status", "category", "stage", "organisation__kind", "organisation__population_band",
                   "organisation__country"]
    search_fields = ["=id", "title", "organisation__name"]
    list_select_related = ["edition", "category", "organisation"]
    date_hierarchy = "submitted_at"
    inlines = [StatusChangeInline, AttachmentInline]
    actions = ["mark_eligible", "mark_ineligible"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Read-only: content belongs to the applicant, the status to the services.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_screen_permission(self, request) -> bool:
        return request.user.has_perm("submissions.change_application")

    @admin.display(description=_("kind"), ordering="organisation__kind")
    def kind(self, application):
        return application.organisation.get_kind_display()

    @admin.display(description=_("country"), ordering="organisation__country")
    def country(self, application):
        return application.organisation.country.name

    def _screen(self, request, queryset, *, eligible: bool, reason: str = "") -> bool:
        applications = list(queryset.select_related("edition"))
        refused = [a for a in applications if not request.user.has_perm("submissions.application_screen", a)]
        if refused:
            self.message_user(request, _(
                "Nothing was changed: you screen only in editions where you are secretariat (not: %(titles)s)."
            ) % {"titles": ", ".join(str(a) for a in refused[:5])}, messages.ERROR)
            return False
        try:
            count = services.applications_screen_bulk(
                applications=applications, user=request.user, eligible=eligible, reason=reason
            )
        except ValidationError as error:
            self.message_user(request, _("Nothing was changed: %(error)s") % {"error": " ".join(error.messages)},
                              messages.ERROR)
            return False
        self.message_user(request, (
            ngettext("%(count)s application marked eligible.", "%(count)s applications marked eligible.", count)
            if eligible else
            ngettext("%(count)s application marked ineligible.", "%(count)s applications marked ineligible.", count)
        ) % {"count": count}, messages.SUCCESS)
        return True

    @admin.action(description=_("Mark eligible"), permissions=["screen"])
    def mark_eligible(self, request, queryset):
        self._screen(request, queryset, eligible=True)

    @admin.action(description=_("Mark ineligible (asks for the reason)"), permissions=["screen"])
    def mark_ineligible(self, request, queryset):
        form = IneligibleReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid() and self._screen(request, queryset, eligible=False, reason=form.cleaned_data["reason"]):
            return None  # back to the list, with the message
        context = {
            **self.admin_site.each_context(request),
            "title": _("Mark ineligible"),
            "opts": self.model._meta,
            "form": form,
            "applications": queryset.select_related("organisation"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "submissions/secretariat/admin_mark_ineligible.html", context)


@admin.register(ApplicationSnapshot)
class ApplicationSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["application", "number", "submitted_by", "created_at", "confirmation_sent_at"]
    list_filter = ["application__edition"]
    search_fields = ["application__title", "application__organisation__name"]
    list_select_related = ["application", "submitted_by"]
    fields = ["application", "number", "submitted_by", "created_at", "confirmation_sent_at", "submitted_data"]
    readonly_fields = fields

    @admin.display(description=_("submitted data"))
    def submitted_data(self, snapshot):
        return format_html("<pre>{}</pre>", json.dumps(snapshot.data, indent=2, ensure_ascii=False))


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "application", "content_type", "size", "pages", "created_at", "removed_at"]
    list_filter = ["content_type", "application__edition"]
    search_fields = ["original_name", "application__title"]
    list_select_related = ["application"]
    # No file link: files are downloaded only through the view that checks the user's right.
    fields = ["application", "original_name", "content_type", "size", "pages", "uploaded_by", "created_at",
              "removed_at"]
    readonly_fields = fields


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "application", "from_status", "to_status", "by"]
    list_filter = ["to_status", "application__edition"]
    search_fields = ["application__title", "reason"]
    list_select_related = ["application", "by"]
    fields = ["application", "from_status", "to_status", "reason", "by", "at"]
    readonly_fields = fields
