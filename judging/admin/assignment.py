"""The admin for judges, bids, conflicts, rounds and the assigner's output (a superuser's tool).

Judges, bids, conflicts and rounds may be created and edited here because every save and delete goes through the
services (validated and audited). A judge profile is never deleted here (their assignments and scores hang on it):
set it inactive. A round is deleted only through `round_delete`, which refuses a round with reviews and says so.
Assignments and runs are read-only: the round's page and the services change them (the admin's one action,
release, calls the service).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin import ReadOnlyAdminMixin, ServiceRefusalAdminMixin, adopt

from ..forms.assignment import BidAdminForm, ConflictAdminForm, JudgeProfileAdminForm, JudgingRoundAdminForm
from ..models import Assignment, AssignmentRun, Bid, CalibrationEntry, Conflict, JudgeProfile, JudgingRound
from ..services import assignments as assignment_services
from ..services import calibration as calibration_services
from ..services import judges as judge_services
from ..services import rounds as round_services
from .locks import EditionLockAdminMixin, EditionLockInlineMixin


def _require_secretariat(request, edition) -> None:
    if not request.user.has_perm("portal.manage_edition", edition):
        raise PermissionDenied(_("Only the secretariat of %(edition)s changes its judging.") % {"edition": edition})


# --- judges ----------------------------------------------------------------------------------------------


@admin.register(JudgeProfile)
class JudgeProfileAdmin(ServiceRefusalAdminMixin, admin.ModelAdmin):
    form = JudgeProfileAdminForm
    list_display = ["user", "edition", "country", "capacity", "expertise_list", "active"]
    list_filter = ["edition", "active", "expertise"]
    search_fields = ["user__email", "user__name"]
    autocomplete_fields = ["user", "affiliations"]
    filter_horizontal = ["expertise"]
    list_select_related = ["user", "edition"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("expertise")

    def get_readonly_fields(self, request, obj=None):
        return ["edition", "user"] if obj else []

    @admin.display(description=_("expertise"))
    def expertise_list(self, judge):
        return ", ".join(category.name for category in judge.expertise.all())

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            _require_secretariat(request, obj.edition)
            judge_services.judge_profile_update(judge=obj, actor=request.user, data={
                name: data[name] for name in ("country", "capacity", "active", "expertise", "affiliations")})
            obj.refresh_from_db()
        else:
            _require_secretariat(request, data["edition"])
            judge = judge_services.judge_profile_create(
                edition=data["edition"], user=data["user"], actor=request.user, country=data["country"],
                capacity=data["capacity"], expertise=data["expertise"], affiliations=data["affiliations"],
                active=data["active"],
            )
            adopt(obj, judge)

    def save_related(self, request, form, formsets, change):
        form.save_m2m = lambda: None  # the service has set expertise and affiliations
        super().save_related(request, form, formsets, change)

    def has_delete_permission(self, request, obj=None):
        return False  # set it inactive: its assignments and scores hang on it


@admin.register(Bid)
class BidAdmin(ServiceRefusalAdminMixin, admin.ModelAdmin):
    form = BidAdminForm
    list_display = ["judge", "application", "category", "level", "updated_at"]
    list_filter = ["level", "judge__edition"]
    search_fields = ["judge__user__email", "application__title"]
    autocomplete_fields = ["judge", "application", "category"]
    list_select_related = ["judge__user", "application", "category"]

    def save_model(self, request, obj, form, change):
        _require_secretariat(request, obj.judge.edition)
        if change:  # the pair may have changed too: withdraw the old bid, set the new one
            old = Bid.objects.get(pk=obj.pk)
            if (old.application_id, old.category_id) != (obj.application_id, obj.category_id):
                judge_services.bid_set(judge=old.judge, level=None, user=request.user, application=old.application,
                                       category=old.category)
        bid = judge_services.bid_set(judge=obj.judge, level=obj.level, user=request.user,
                                     application=obj.application, category=obj.category)
        adopt(obj, bid)

    def delete_model(self, request, obj):
        _require_secretariat(request, obj.judge.edition)
        judge_services.bid_set(judge=obj.judge, level=None, user=request.user, application=obj.application,
                               category=obj.category)


@admin.register(Conflict)
class ConflictAdmin(EditionLockAdminMixin, ServiceRefusalAdminMixin, admin.ModelAdmin):
    """Recorded here by the secretariat (an active assignment of the pair is withdrawn and replaced)."""

    lock_path = "judge__edition"

    form = ConflictAdminForm
    list_display = ["judge", "application", "source", "reason", "recorded_by", "created_at"]
    list_filter = ["source", "judge__edition"]
    search_fields = ["judge__user__email", "application__title", "reason"]
    autocomplete_fields = ["judge", "application"]
    list_select_related = ["judge__user", "application", "recorded_by"]

    def has_change_permission(self, request, obj=None):
        return False  # a conflict is recorded or removed, not edited

    def save_model(self, request, obj, form, change):
        _require_secretariat(request, obj.judge.edition)
        conflict = judge_services.conflict_record(judge=obj.judge, application=obj.application, reason=obj.reason,
                                                  user=request.user)
        adopt(obj, conflict)

    def delete_model(self, request, obj):
        _require_secretariat(request, obj.judge.edition)
        judge_services.conflict_remove(conflict=obj, user=request.user)


# --- rounds ----------------------------------------------------------------------------------------------


class CalibrationEntryInline(EditionLockInlineMixin, admin.TabularInline):
    model = CalibrationEntry
    extra = 0
    autocomplete_fields = ["application"]
    verbose_name = _("calibration entry")
    verbose_name_plural = _("calibration entries (every judge of the category scores them)")

    def has_change_permission(self, request, obj=None):
        return False  # added or removed; the service checks each one belongs to the round


@admin.register(JudgingRound)
class JudgingRoundAdmin(EditionLockAdminMixin, ServiceRefusalAdminMixin, admin.ModelAdmin):
    form = JudgingRoundAdminForm
    list_display = ["name", "edition", "position", "state", "judges_per_entry", "deadline", "blind", "round_page"]
    list_filter = ["edition", "state"]
    search_fields = ["name"]
    filter_horizontal = ["categories"]
    list_select_related = ["edition"]
    inlines = [CalibrationEntryInline]

    def get_readonly_fields(self, request, obj=None):
        # The state moves only through the services (the round's page): never by hand.
        return ["edition", "state"] if obj else ["state"]

    def get_changeform_initial_data(self, request):
        return {"edition": request.GET.get("edition")}

    @admin.display(description=_("round page"))
    def round_page(self, judging_round):
        url = reverse("judging:round_detail", args=[judging_round.edition.slug, judging_round.pk])
        return format_html('<a href="{}">{}</a>', url, _("open"))

    def view_on_site(self, judging_round):
        return reverse("judging:round_detail", args=[judging_round.edition.slug, judging_round.pk])

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in round_services.ROUND_FIELDS}
        if change:
            _require_secretariat(request, obj.edition)
            round_services.round_update(round=obj, user=request.user,
                                             data={**fields, "categories": data["categories"]})
            obj.refresh_from_db()
        else:
            _require_secretariat(request, data["edition"])
            judging_round = round_services.round_create(edition=data["edition"], user=request.user,
                                                             categories=data["categories"], **fields)
            adopt(obj, judging_round)

    def save_related(self, request, form, formsets, change):
        form.save_m2m = lambda: None  # the service has set the categories
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not CalibrationEntry:
            return super().save_formset(request, form, formset, change)
        judging_round = form.instance
        for entry in formset.save(commit=False):
            calibration_services.calibration_mark(judging_round=judging_round, application=entry.application,
                                              user=request.user)
        for entry in formset.deleted_objects:
            calibration_services.calibration_unmark(judging_round=judging_round, application=entry.application,
                                                user=request.user)
        return None

    def get_deleted_objects(self, objs, request):
        # A round with reviews is refused before the confirmation page lists the scores it would take with it.
        for judging_round in objs:
            round_services.round_ensure_deletable(judging_round)
        return super().get_deleted_objects(objs, request)

    def delete_model(self, request, obj):
        _require_secretariat(request, obj.edition)
        round_services.round_delete(round=obj, user=request.user)


# --- the assigner's output: read-only ---------------------------------------------------------------------


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["application", "judge", "round", "state", "source", "affinity", "notified_at", "created_at"]
    list_filter = ["round__edition", "round", "state", "source"]
    search_fields = ["judge__user__email", "application__title", "=application__id"]
    list_select_related = ["application", "judge__user", "round"]
    actions = ["release"]

    def has_release_permission(self, request) -> bool:
        return request.user.has_perm("judging.view_assignment")

    @admin.action(description=_("Release the selected assignments"), permissions=["release"])
    def release(self, request, queryset):
        released = 0
        for assignment in queryset.select_related("round__edition"):
            if not request.user.has_perm("judging.manage_round", assignment.round):
                self.message_user(request, _("%(assignment)s: only the secretariat of its edition releases it.")
                                  % {"assignment": assignment}, messages.ERROR)
                continue
            try:
                assignment_services.assignment_release(assignment=assignment, user=request.user,
                                                       reason=str(_("Released in the admin")))
            except ValidationError as error:
                self.message_user(request, f"{assignment}: {' '.join(error.messages)}", messages.ERROR)
            else:
                released += 1
        if released:
            self.message_user(request, ngettext("%(count)s assignment released.", "%(count)s assignments released.",
                                                released) % {"count": released}, messages.SUCCESS)


@admin.register(AssignmentRun)
class AssignmentRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["round", "state", "progress", "objective", "bound", "min_load", "max_load", "kept", "seconds",
                    "created_by", "created_at", "finished_at"]
    list_filter = ["state", "round__edition"]
    list_select_related = ["round", "created_by"]
