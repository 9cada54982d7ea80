"""The rubric editor: the edition's default rubric and each category's own, their criteria with guidance per level,
the weight profiles per development stage, a preview of the judge's form, and copying a rubric.

The secretariat changes them (`judging.manage_rubrics`); the chair and the observers read them
(`judging.view_rubrics`); judges and applicants never reach these pages. Every rubric is looked up within the
edition of the URL, so another edition's rubric answers 404 whatever its id. Writes call the services only, which
refuse any change to a frozen rubric.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.access import edition_permission_required
from portal.concurrency import EditedMeanwhile
from portal.service_errors import add_service_errors, run_service
from submissions.models import Application, Category

from ..forms.rubrics import CriterionForm, RubricCopyForm, RubricForm, StageWeightsForm, level_formset
from ..forms.scoring import ReviewForm
from ..models import Criterion, Rubric
from ..selectors import rubrics as selectors
from ..services import rubrics as services
from ..services.locks import edition_is_locked

VIEW = "judging.view_rubrics"


def _rubric(edition, pk: int) -> Rubric:
    rubric = get_object_or_404(Rubric.objects.select_related("category"), pk=pk, edition=edition)
    rubric.edition = edition  # the object the permission check used
    return rubric


def _criterion(rubric: Rubric, pk: int) -> Criterion:
    criterion = get_object_or_404(Criterion, pk=pk, rubric=rubric)
    criterion.rubric = rubric
    return criterion


def _ensure_manager(request, edition) -> None:
    if not request.user.has_perm("judging.manage_rubrics", edition):
        raise PermissionDenied(_("Only the secretariat changes the rubrics."))


def _read_only_reason(request, edition, rubric: Rubric | None = None) -> str:
    """Why the page is read-only for this user ('' when they may change it)."""
    if edition_is_locked(edition):
        return _("The edition is finalised: its rubrics no longer change.")
    if rubric is not None and rubric.frozen_at is not None:
        return services.rubric_frozen_reason(rubric)
    if not request.user.has_perm("judging.manage_rubrics", edition):
        return _("The secretariat writes the rubrics; you read them.")
    return ""


def _detail_url(rubric: Rubric) -> str:
    return reverse("judging:rubric_detail", args=[rubric.edition.slug, rubric.pk])


# --- the edition's rubrics --------------------------------------------------------------------------------------


def _list_page(request, edition, *, create_form=None, copy_form=None, status=200):
    rubrics = selectors.edition_rubrics(edition)
    default = next((rubric for rubric in rubrics if rubric.category_id is None), None)
    own = {rubric.category_id: rubric for rubric in rubrics if rubric.category_id is not None}
    categories = [(category, own.get(category.pk)) for category in
                  Category.objects.filter(edition=edition).order_by("position", "id")]
    read_only = _read_only_reason(request, edition)
    if not read_only:
        create_form = create_form or RubricForm(edition=edition)
        copy_form = copy_form or RubricCopyForm(sources=selectors.copy_sources(request.user), edition=edition,
                                                prefix="copy")
    return render(request, "judging/rubrics/list.html", {
        "edition": edition, "default": default, "categories": categories, "read_only": read_only,
        "create_form": create_form, "copy_form": copy_form,
    }, status=status)


@edition_permission_required(VIEW)
@require_GET
def rubric_list(request, edition):
    return _list_page(request, edition)


@edition_permission_required(VIEW)
@require_POST
def rubric_create(request, edition):
    _ensure_manager(request, edition)
    form = RubricForm(request.POST, edition=edition)
    if form.is_valid():
        try:
            rubric = services.rubric_save(rubric=form.instance, user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rubric created. Add its criteria."))
            return redirect(_detail_url(rubric))
    return _list_page(request, edition, create_form=form, status=400)


@edition_permission_required(VIEW)
@require_POST
def rubric_copy(request, edition):
    _ensure_manager(request, edition)
    form = RubricCopyForm(request.POST, sources=selectors.copy_sources(request.user), edition=edition, prefix="copy")
    if form.is_valid():
        try:
            rubric = services.rubric_copy(source=form.cleaned_data["source"], edition=edition,
                                          category=form.cleaned_data["category"], user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rubric copied: its criteria, levels and stage weights."))
            return redirect(_detail_url(rubric))
    return _list_page(request, edition, copy_form=form, status=400)


# --- one rubric -------------------------------------------------------------------------------------------------


def _detail_page(request, rubric, *, rename_form=None, criterion_form=None, levels=None, weights_form=None,
                 status=200):
    edition = rubric.edition
    # A refused weights form brings the criteria it was built from: the shares are computed over the same rows.
    criteria = weights_form.criteria if weights_form is not None else selectors.rubric_with_criteria(rubric)
    read_only = _read_only_reason(request, edition, rubric)
    weights_form = weights_form or StageWeightsForm(criteria=criteria)
    # One row per criterion: (criterion, [(weight field, resulting share) per stage]).
    weight_rows = [(criterion, list(zip(fields, cells, strict=True)))
                   for (criterion, fields), (_criterion, cells) in zip(weights_form.rows(), _shares(criteria),
                                                                       strict=True)]
    return render(request, "judging/rubrics/detail.html", {
        "edition": edition, "rubric": rubric, "criteria": criteria, "read_only": read_only,
        "problems": services.rubric_problems(rubric) if criteria else [_("The rubric has no criteria.")],
        "rename_form": rename_form or RubricForm(instance=rubric, edition=edition, prefix="rubric"),
        "criterion_form": criterion_form or CriterionForm(),
        "levels": levels or level_formset(),
        "weights_form": weights_form, "weight_rows": weight_rows, "stages": Application.Stage.choices,
    }, status=status)


def _shares(criteria: list[Criterion]) -> list[tuple[Criterion, list[str]]]:
    """Each criterion's share of the total, per stage, as the aggregation computes it ('—' when weights sum to 0)."""
    stages = [stage for stage, _label in Application.Stage.choices]
    weights = {stage: [services.criterion_weight(criterion, stage) for criterion in criteria] for stage in stages}
    rows = []
    for index, criterion in enumerate(criteria):
        cells = []
        for stage in stages:
            total = sum(weights[stage])
            cells.append(f"{100 * weights[stage][index] / total:.0f} %" if total > 0 else "—")
        rows.append((criterion, cells))
    return rows


@edition_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def rubric_detail(request, edition, pk: int):
    rubric = _rubric(edition, pk)
    if request.method == "GET":
        return _detail_page(request, rubric)
    _ensure_manager(request, edition)
    form = RubricForm(request.POST, instance=rubric, edition=edition, prefix="rubric")
    if form.is_valid():
        try:
            services.rubric_save(rubric=form.instance, user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rubric renamed."))
            return redirect(_detail_url(rubric))
    return _detail_page(request, _rubric(edition, pk), rename_form=form, status=400)


@edition_permission_required(VIEW)
@require_POST
def rubric_delete(request, edition, pk: int):
    _ensure_manager(request, edition)
    rubric = _rubric(edition, pk)
    if run_service(request, lambda: services.rubric_delete(rubric=rubric, user=request.user),
                   success=_("Rubric deleted.")):
        return redirect(reverse("judging:rubric_list", args=[edition.slug]))
    return redirect(_detail_url(rubric))


@edition_permission_required(VIEW)
@require_POST
def criterion_add(request, edition, pk: int):
    _ensure_manager(request, edition)
    rubric = _rubric(edition, pk)
    form, levels = CriterionForm(request.POST), level_formset(request.POST)
    if _save_criterion(request, form, levels, rubric=rubric, position=selectors.rubric_next_position(rubric)):
        messages.success(request, _("Criterion added."))
        return redirect(_detail_url(rubric) + "#criteria-heading")
    return _detail_page(request, rubric, criterion_form=form, levels=levels, status=400)


def _save_criterion(request, form, levels, *, rubric, position=None) -> bool:
    """Validate the criterion form and its levels, then save through the service; errors land on the form."""
    criterion = form.instance
    criterion.rubric = rubric
    if levels.is_valid():
        criterion.levels = levels.levels()  # before the form's model validation checks them against the scale
        if not form.is_valid():
            return False
    else:
        form.is_valid()  # its errors are shown too
        return False
    if position is not None:
        criterion.position = position
    try:
        services.criterion_save(criterion=criterion, user=request.user,
                                loaded_version=form.cleaned_data.get("loaded_version") or None)
    except EditedMeanwhile as stale:
        form.reload_version(stale.current_version)
        form.add_error(None, stale)
        return False
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@edition_permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def criterion_edit(request, edition, pk: int, criterion_pk: int):
    rubric = _rubric(edition, pk)
    criterion = _criterion(rubric, criterion_pk)
    read_only = _read_only_reason(request, edition, rubric)
    status = 200
    if request.method == "POST":
        _ensure_manager(request, edition)
        form, levels = CriterionForm(request.POST, instance=criterion), level_formset(request.POST)
        if _save_criterion(request, form, levels, rubric=rubric):
            messages.success(request, _("Criterion saved."))
            return redirect(_detail_url(rubric) + "#criteria-heading")
        status = 400
    else:
        form, levels = CriterionForm(instance=criterion), level_formset(criterion=criterion)
    return render(request, "judging/rubrics/criterion.html", {
        "edition": edition, "rubric": rubric, "criterion": criterion, "form": form, "levels": levels,
        "read_only": read_only,
    }, status=status)


@edition_permission_required(VIEW)
@require_POST
def criterion_delete(request, edition, pk: int, criterion_pk: int):
    _ensure_manager(request, edition)
    rubric = _rubric(edition, pk)
    criterion = _criterion(rubric, criterion_pk)
    run_service(request, lambda: services.criterion_delete(criterion=criterion, user=request.user),
                success=_("Criterion deleted."))
    return redirect(_detail_url(rubric) + "#criteria-heading")


@edition_permission_required(VIEW)
@require_POST
def criterion_move(request, edition, pk: int, criterion_pk: int):
    _ensure_manager(request, edition)
    rubric = _rubric(edition, pk)
    criterion = _criterion(rubric, criterion_pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    run_service(request, lambda: services.criterion_move(criterion=criterion, offset=offset, user=request.user),
                success=_("Order saved."))
    return redirect(_detail_url(rubric) + f"#criterion-{criterion.pk}")


@edition_permission_required(VIEW)
@require_POST
def stage_weights(request, edition, pk: int):
    _ensure_manager(request, edition)
    rubric = _rubric(edition, pk)
    form = StageWeightsForm(request.POST, criteria=selectors.rubric_with_criteria(rubric))
    if form.is_valid():
        try:
            services.rubric_stage_weights_set(rubric=rubric, weights=form.weights(), user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Weights per development stage saved."))
            return redirect(_detail_url(rubric) + "#weights-heading")
    return _detail_page(request, rubric, weights_form=form, status=400)


@edition_permission_required(VIEW)
@require_GET
def rubric_preview(request, edition, pk: int):
    """The judge's review form for this rubric, disabled: the same fields and partial as the review page."""
    rubric = _rubric(edition, pk)
    criteria = selectors.rubric_with_criteria(rubric)
    return render(request, "judging/rubrics/preview.html", {
        "edition": edition, "rubric": rubric, "form": ReviewForm(criteria=criteria), "can_score": False,
    })
