"""Admin for rubrics (with their criteria and stage weights), and read-only views of reviews and results.

Changes to rubrics (saves and deletes, of inline rows too) go through the services in judging/services/rubrics.py,
which audit them and refuse them once the rubric is frozen; the admin shows a frozen rubric read-only. Reviews,
scores, results, runs, calibration entries and shortlistings are never edited here: scores belong to their judges,
results to the aggregation, the rest to the round's page and its services.
"""

from django.contrib import admin

from portal.admin import ReadOnlyAdminMixin, ServiceRefusalAdminMixin

from ..models import (
    AggregationRun,
    CalibrationEntry,
    Criterion,
    CriterionScore,
    EntryResult,
    JudgeResult,
    Review,
    Rubric,
    Shortlisting,
    StageWeight,
)
from ..services import rubrics as rubric_services
from .locks import EditionLockAdminMixin, EditionLockInlineMixin


def _frozen(obj) -> bool:
    rubric = obj if isinstance(obj, Rubric) else getattr(obj, "rubric", None)
    return rubric is not None and rubric.frozen_at is not None


class FrozenRubricInlineMixin:
    """An inline of a rubric's rows: read-only once the rubric is frozen."""

    def has_add_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_delete_permission(request, obj)


class CriterionInline(EditionLockInlineMixin, FrozenRubricInlineMixin, admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ("position", "name", "guidance", "scale_min", "scale_max", "weight")
    show_change_link = True  # stage weights are edited on the criterion's own page


class StageWeightInline(EditionLockInlineMixin, FrozenRubricInlineMixin, admin.TabularInline):
    model = StageWeight
    extra = 0
    fields = ("stage", "weight")


class ServiceSavingAdmin(ServiceRefusalAdminMixin, admin.ModelAdmin):
    """Saves the object and its inline rows through the rubric services (which refuse a frozen rubric). A refusal
    (a rubric frozen meanwhile: a judge saved the first score while this page was open) becomes a message on the
    page (ServiceRefusalAdminMixin)."""

    save_service = None
    delete_service = None
    inline_services: dict = {}

    def save_model(self, request, obj, form, change):
        type(self).save_service(**{self.service_arg: obj, "user": request.user})

    def delete_model(self, request, obj):
        type(self).delete_service(**{self.service_arg: obj, "user": request.user})

    def save_formset(self, request, form, formset, change):
        saver, deleter, arg = self.inline_services[formset.model]
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            deleter(**{arg: obj, "user": request.user})
        for obj in instances:
            saver(**{arg: obj, "user": request.user})


@admin.register(Rubric)
class RubricAdmin(EditionLockAdminMixin, ServiceSavingAdmin):
    list_display = ("name", "edition", "category", "frozen_at")
    list_filter = ("edition",)
    search_fields = ("name",)
    inlines = [CriterionInline]
    readonly_fields = ("frozen_at",)
    service_arg = "rubric"
    save_service = staticmethod(rubric_services.rubric_save)
    delete_service = staticmethod(rubric_services.rubric_delete)
    inline_services = {Criterion: (rubric_services.criterion_save, rubric_services.criterion_delete, "criterion")}

    def has_change_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Criterion)
class CriterionAdmin(EditionLockAdminMixin, ServiceSavingAdmin):
    list_display = ("name", "rubric", "scale_min", "scale_max", "weight", "position")
    list_filter = ("rubric__edition",)
    inlines = [StageWeightInline]
    service_arg = "criterion"
    save_service = staticmethod(rubric_services.criterion_save)
    delete_service = staticmethod(rubric_services.criterion_delete)
    inline_services = {StageWeight: (rubric_services.stage_weight_save, rubric_services.stage_weight_delete,
                                     "stage_weight")}

    def has_module_permission(self, request):
        return False  # reached from its rubric

    def has_change_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_delete_permission(request, obj)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class CriterionScoreInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CriterionScore
    fields = ("criterion", "score", "comment")
    readonly_fields = fields
    extra = 0


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "state", "weighted_total", "confidence", "submitted_at")
    list_filter = ("state", "assignment__round")
    list_select_related = ("assignment__judge__user", "assignment__application")
    inlines = [CriterionScoreInline]


@admin.register(EntryResult)
class EntryResultAdmin(ReadOnlyAdmin):
    list_display = ("application", "round", "category", "rank", "tied", "mean", "corrected", "n_reviews",
                    "disagreement", "boundary_overlap", "method_version")
    list_filter = ("round", "category", "disagreement", "boundary_overlap")
    list_select_related = ("application", "round", "category")


@admin.register(JudgeResult)
class JudgeResultAdmin(ReadOnlyAdmin):
    list_display = ("judge", "round", "n_reviews", "offset", "corrected")
    list_filter = ("round", "corrected")
    list_select_related = ("judge__user", "judge__edition", "round")


@admin.register(AggregationRun)
class AggregationRunAdmin(ReadOnlyAdmin):
    list_display = ("round", "state", "progress", "reviews", "seconds", "method_version", "created_at", "finished_at")
    list_filter = ("state",)


@admin.register(CalibrationEntry)
class CalibrationEntryAdmin(ReadOnlyAdmin):
    list_display = ("round", "application")
    list_select_related = ("round", "application")


@admin.register(Shortlisting)
class ShortlistingAdmin(ReadOnlyAdmin):
    list_display = ("application", "round", "by_rank", "reason", "decided_by", "created_at")
    list_filter = ("round", "by_rank")
    list_select_related = ("application", "round", "decided_by")
