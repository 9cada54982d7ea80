"""The secretariat's prizes page: each category's tiers, the edition's awards, the tie-break rule and what the
publication includes. The chair and the observer read it; nothing on it shows a result."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.access import edition_permission_required
from portal.bilingual import per_language
from portal.service_errors import add_service_errors, run_service
from submissions.models import Category

from ..forms.awards import AwardSettingsForm, EditionAwardForm, PrizeTierForm
from ..models import EditionAward, PrizeTier
from ..services import prizes as prize_services
from ..services.locks import edition_is_locked


def _setup_page(request, edition, *, bound=None, status=200):
    """The page, with `bound` (form key → bound form) shown in place of the matching empty form."""
    bound = bound or {}
    can_manage = request.user.has_perm("judging.manage_awards", edition) and not edition_is_locked(edition)
    categories = Category.objects.filter(edition=edition).order_by("position", "id").prefetch_related(
        Prefetch("prize_tiers", queryset=PrizeTier.objects.order_by("position")))
    rows = []
    for category in categories:
        tiers = [(tier, bound.get(f"tier-{tier.pk}") or PrizeTierForm(prefix=f"tier-{tier.pk}", initial={
            "level": tier.level, "places": tier.places, "position": tier.position}))
            for tier in category.prize_tiers.all()]
        next_position = max((tier.position for tier, _form in tiers), default=0) + 1
        new = bound.get(f"tier-new-{category.pk}") or PrizeTierForm(
            prefix=f"tier-new-{category.pk}", initial={"position": next_position})
        rows.append({"category": category, "tiers": tiers, "new": new})
    awards = [(award, bound.get(f"award-{award.pk}") or EditionAwardForm(prefix=f"award-{award.pk}", initial={
        "kind": award.kind, **{field: getattr(award, field) or "" for field in per_language("name", "description")},
        "max_recipients": award.max_recipients, "position": award.position}))
        for award in EditionAward.objects.filter(edition=edition).order_by("position", "id")]
    settings_form = bound.get("settings") or AwardSettingsForm(
        criteria=prize_services.criterion_names(edition=edition), prefix="settings", initial={
            "tie_break": edition.tie_break, "tie_break_criterion": edition.tie_break_criterion,
            "publish_scores": edition.publish_scores, "publish_dataset": edition.publish_dataset})
    return render(request, "judging/awards/setup.html", {
        "edition": edition, "rows": rows, "awards": awards, "can_manage": can_manage,
        "locked": edition_is_locked(edition), "settings_form": settings_form,
        "new_award": bound.get("award-new") or EditionAwardForm(prefix="award-new",
                                                                 initial={"position": len(awards) + 1}),
    }, status=status)


def _ensure_manager(request, edition):
    if not request.user.has_perm("judging.manage_awards", edition):
        raise PermissionDenied(_("Only the secretariat configures the prizes."))


def _saved(request, edition, form_key: str, form, call):
    """Run `call(cleaned_data)` for a valid form; on refusal show the page again with the input kept."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Prizes saved."))
            return redirect(reverse("judging:awards_setup", args=[edition.slug]))
    return _setup_page(request, edition, bound={form_key: form}, status=400)


@edition_permission_required("judging.view_awards_setup")
@require_http_methods(["GET", "POST"])
def awards_setup(request, edition):
    if request.method == "GET":
        return _setup_page(request, edition)
    _ensure_manager(request, edition)
    form = AwardSettingsForm(request.POST, criteria=prize_services.criterion_names(edition=edition), prefix="settings")
    return _saved(request, edition, "settings", form, lambda data: prize_services.edition_award_settings_update(
        edition=edition, user=request.user, data=data))


@edition_permission_required("judging.view_awards_setup")
@require_POST
def awards_tier_add(request, edition, category_id: int):
    _ensure_manager(request, edition)
    category = get_object_or_404(Category, pk=category_id, edition=edition)
    form = PrizeTierForm(request.POST, prefix=f"tier-new-{category.pk}")
    return _saved(request, edition, f"tier-new-{category.pk}", form, lambda data: prize_services.prize_tier_save(
        category=category, user=request.user, data=data))


@edition_permission_required("judging.view_awards_setup")
@require_POST
def awards_tier_edit(request, edition, tier_id: int):
    _ensure_manager(request, edition)
    tier = get_object_or_404(PrizeTier.objects.select_related("category__edition"), pk=tier_id,
                             category__edition=edition)
    form = PrizeTierForm(request.POST, prefix=f"tier-{tier.pk}")
    return _saved(request, edition, f"tier-{tier.pk}", form, lambda data: prize_services.prize_tier_save(
        category=tier.category, tier=tier, user=request.user, data=data))


@edition_permission_required("judging.view_awards_setup")
@require_POST
def awards_tier_delete(request, edition, tier_id: int):
    _ensure_manager(request, edition)
    tier = get_object_or_404(PrizeTier.objects.select_related("category__edition"), pk=tier_id,
                             category__edition=edition)
    run_service(request, lambda: prize_services.prize_tier_delete(tier=tier, user=request.user),
                success=_("Tier removed."))
    return redirect(reverse("judging:awards_setup", args=[edition.slug]))


@edition_permission_required("judging.view_awards_setup")
@require_POST
def awards_award_save(request, edition, award_id: int | None = None):
    _ensure_manager(request, edition)
    award = get_object_or_404(EditionAward, pk=award_id, edition=edition) if award_id else None
    key = f"award-{award.pk}" if award else "award-new"
    form = EditionAwardForm(request.POST, prefix=key)
    return _saved(request, edition, key, form, lambda data: prize_services.edition_award_save(
        edition=edition, award=award, user=request.user, data=data))


@edition_permission_required("judging.view_awards_setup")
@require_POST
def awards_award_delete(request, edition, award_id: int):
    _ensure_manager(request, edition)
    award = get_object_or_404(EditionAward.objects.select_related("edition"), pk=award_id, edition=edition)
    run_service(request, lambda: prize_services.edition_award_delete(award=award, user=request.user),
                success=_("Award removed."))
    return redirect(reverse("judging:awards_setup", args=[edition.slug]))
