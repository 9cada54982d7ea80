"""The committee's deliberation page: per category the proposal and the decisions; the edition's awards; minutes.

Chair and committee members decide (`judging.deliberate`); the secretariat and the observer read
(`judging.view_awards`). It shows results, so, like the leaderboard, never to someone who is a judge in the
edition, whatever other role they hold there.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.access import edition_permission_required
from portal.models import Edition
from portal.paging import page_nav, wants_all
from portal.rules import is_chair
from portal.service_errors import add_service_errors, run_service
from submissions.models import Application, Category

from ..forms.awards import DecideForm, GiveAwardForm, MinutesForm, MoveForm, ReasonForm, TieBreakForm
from ..models import AwardDecision, DeliberationMinutes, EditionAward, PrizeTier
from ..selectors.award_board import award_board
from ..selectors.awards import award_proposal, deliberation_minutes
from ..services import deliberation as deliberation_services
from ..services.locks import edition_is_locked


def _label(application) -> str:
    return f"{application.title} — {application.organisation.name}"


def _shown(cp) -> list:
    """The category's entries the page shows: proposed, tied, the ranking's page, moved in (each once)."""
    shown = [c for tp in cp.tiers for c in [*tp.proposed, *(tp.tie.entries if tp.tie else [])]]
    shown += [*(cp.page.object_list if cp.page is not None else []), *cp.moved_in]
    return list({c.application.pk: c for c in shown}.values())


def _ranking_query(request, category_id: int) -> QueryDict:
    query = request.GET.copy()
    query["ranking"] = str(category_id)
    return query


def _page(request, edition, *, bound=None, status=200):
    """The page; `bound` (form key → bound form) replaces the matching empty form, with its errors and input.

    Each category's whole ranking is paged (`?ranking=<category>&page=n`, or `&all=1`); the forms offer the
    entries the page shows, and their posts accept any entry of the category (checked against the proposal)."""
    bound = bound or {}
    ranking = request.GET.get("ranking", "")
    proposal = award_board(edition=edition, ranking_category=int(ranking) if ranking.isdigit() else None,
                           page=request.GET.get("page"), show_all=wants_all(request.GET))
    for cp in proposal.categories:
        cp.nav = page_nav(cp.page, _ranking_query(request, cp.category.pk)) if cp.page is not None else None
    can_decide = (request.user.has_perm("judging.deliberate", edition) and not edition_is_locked(edition)
                  and edition.state in deliberation_services.DELIBERATION_STATES)
    is_chair_rule = edition.tie_break == Edition.TieBreak.CHAIR
    # Under the chair's casting decision only the chair is offered the tie-break form.
    # (Asked of the user object itself, whose roles the permission check already read and cached.)
    may_break_ties = not is_chair_rule or is_chair(getattr(request.user, "_wrapped", request.user), edition)
    eligible = sorted({c.application.pk: (c.application, _label(c.application)) for cp in proposal.categories
                       for c in [*_shown(cp), *cp.moved_away]}.values(), key=lambda pair: pair[1].lower())
    forms, placed = {}, set()

    def place(key: str, make):
        """The bound form for `key` if the request posted it (errors and input kept), else a new one."""
        placed.add(key)
        return bound.get(key) or make(prefix=key)

    if can_decide:
        for cp in proposal.categories:
            choices = [(c.application, _label(c.application)) for c in _shown(cp)]
            for tp in cp.tiers:
                key = f"tier-{tp.tier.pk}"
                tp.decide_form = place(f"{key}-decide", lambda prefix: DecideForm(entries=choices, prefix=prefix))
                tp.empty_form = place(f"{key}-empty", ReasonForm)
                if tp.tie is not None and not tp.tie.carried and may_break_ties:
                    tied = [(c.application, _label(c.application)) for c in tp.tie.entries]
                    tp.tie_form = place(f"{key}-tie", lambda prefix: TieBreakForm(
                        entries=tied, by_chair=is_chair_rule, prefix=prefix))
                for decision in tp.decisions:
                    decision.revoke_form = place(f"revoke-{decision.pk}", ReasonForm)
        for given in proposal.awards:
            given.form = place(f"award-{given.award.pk}", lambda prefix: GiveAwardForm(entries=eligible, prefix=prefix))
            for decision in given.decisions:
                decision.revoke_form = place(f"revoke-{decision.pk}", ReasonForm)
        forms["move"] = place("move", lambda prefix: MoveForm(entries=eligible, categories=[
            cp.category for cp in proposal.categories], prefix=prefix))
        forms["minutes"] = place("minutes", MinutesForm)
    # A refused form whose place is no longer on the page (the tier filled meanwhile) still says why.
    unplaced_errors = [error for key, form in bound.items() if key not in placed
                       for errors in form.errors.values() for error in errors]
    return render(request, "judging/awards/deliberation.html", {
        "edition": edition, "proposal": proposal, "forms": forms, "can_decide": can_decide,
        "locked": edition_is_locked(edition), "minutes": list(deliberation_minutes(edition=edition)),
        "tie_break_by_chair": is_chair_rule, "unplaced_errors": unplaced_errors,
        "can_manage_setup": request.user.has_perm("judging.manage_awards", edition),
    }, status=status)


@edition_permission_required("judging.view_awards",
                             refusal=_("The deliberation is the committee's; judges never see results."))
@require_GET
def awards_deliberation(request, edition):
    return _page(request, edition)


def _back(edition, anchor: str = ""):
    return redirect(reverse("judging:awards_deliberation", args=[edition.slug]) + (f"#{anchor}" if anchor else ""))


def _ensure_deliberates(request, edition):
    if not request.user.has_perm("judging.deliberate", edition):
        raise PermissionDenied(_("Only the chair and the committee members decide the prizes."))


def _entry(edition, application_id) -> Application:
    return get_object_or_404(Application.objects.select_related("organisation", "category"), pk=application_id,
                             edition=edition)


def _submit(request, edition, key: str, form, call, *, success: str, anchor: str = ""):
    """Run `call(cleaned_data)`; a refusal shows the page again with the form's input and the errors beside it."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return _back(edition, anchor)
    return _page(request, edition, bound={key: form}, status=400)


def _tier(edition, tier_id) -> PrizeTier:
    return get_object_or_404(PrizeTier.objects.select_related("category__edition"), pk=tier_id,
                             category__edition=edition)


def _tier_entries(edition, tier) -> list:
    cp = award_proposal(edition=edition).category(tier.category_id)
    return [(c.application, _label(c.application)) for c in cp.candidates] if cp else []


@edition_permission_required("judging.view_awards")
@require_POST
def awards_accept(request, edition, category_id: int):
    _ensure_deliberates(request, edition)
    category = get_object_or_404(Category, pk=category_id, edition=edition)
    run_service(request, lambda: deliberation_services.proposal_accept(edition=edition, category=category,
                                                                       user=request.user),
                success=_("The proposal for %(category)s is accepted.") % {"category": category.name})
    return _back(edition, f"category-{category.pk}")


@edition_permission_required("judging.view_awards")
@require_POST
def awards_decide(request, edition, tier_id: int):
    _ensure_deliberates(request, edition)
    tier = _tier(edition, tier_id)
    key = f"tier-{tier.pk}-decide"
    form = DecideForm(request.POST, entries=_tier_entries(edition, tier), prefix=key)
    return _submit(request, edition, key, form, lambda data: deliberation_services.award_decide(
        edition=edition, tier=tier, application=_entry(edition, data["application"]), user=request.user,
        reason=data["reason"]), success=_("Decision recorded."), anchor=f"category-{tier.category_id}")


@edition_permission_required("judging.view_awards")
@require_POST
def awards_leave_empty(request, edition, tier_id: int):
    _ensure_deliberates(request, edition)
    tier = _tier(edition, tier_id)
    key = f"tier-{tier.pk}-empty"
    return _submit(request, edition, key, ReasonForm(request.POST, prefix=key),
                   lambda data: deliberation_services.tier_place_leave_empty(tier=tier, user=request.user,
                                                                             reason=data["reason"]),
                   success=_("The place is left empty."), anchor=f"category-{tier.category_id}")


@edition_permission_required("judging.view_awards")
@require_POST
def awards_tie_break(request, edition, tier_id: int):
    _ensure_deliberates(request, edition)
    tier = _tier(edition, tier_id)
    key = f"tier-{tier.pk}-tie"
    tie = getattr(award_proposal(edition=edition).category(tier.category_id).tier(tier.pk), "tie", None)
    tied = [(c.application, _label(c.application)) for c in tie.entries] if tie else []
    form = TieBreakForm(request.POST, entries=tied, by_chair=edition.tie_break == Edition.TieBreak.CHAIR, prefix=key)
    return _submit(request, edition, key, form, lambda data: deliberation_services.tie_break_apply(
        edition=edition, category=tier.category, tier=tier, user=request.user,
        application=_entry(edition, data["application"]) if data.get("application") else None,
        reason=data.get("reason", "")), success=_("The tie-break rule is applied and recorded."),
        anchor=f"category-{tier.category_id}")


def _eligible(edition) -> list:
    return [(a, _label(a)) for a in Application.objects.filter(
        edition=edition, status=Application.Status.ELIGIBLE).select_related("organisation")]


@edition_permission_required("judging.view_awards")
@require_POST
def awards_move(request, edition):
    _ensure_deliberates(request, edition)
    form = MoveForm(request.POST, entries=_eligible(edition), categories=Category.objects.filter(edition=edition),
                    prefix="move")
    return _submit(request, edition, "move", form, lambda data: deliberation_services.entry_move_category(
        application=_entry(edition, data["application"]), user=request.user, reason=data["reason"],
        category=get_object_or_404(Category, pk=data["category"], edition=edition)),
        success=_("The entry is now considered in the category chosen."))


@edition_permission_required("judging.view_awards")
@require_POST
def awards_give(request, edition, award_id: int):
    _ensure_deliberates(request, edition)
    award = get_object_or_404(EditionAward.objects.select_related("edition"), pk=award_id, edition=edition)
    key = f"award-{award.pk}"
    form = GiveAwardForm(request.POST, entries=_eligible(edition), prefix=key)
    return _submit(request, edition, key, form, lambda data: deliberation_services.edition_award_give(
        award=award, application=_entry(edition, data["application"]), citation=data["citation"],
        user=request.user), success=_("Award given."), anchor="awards")


@edition_permission_required("judging.view_awards")
@require_POST
def awards_revoke(request, edition, decision_id: int):
    _ensure_deliberates(request, edition)
    decision = get_object_or_404(AwardDecision.objects.select_related("edition"), pk=decision_id, edition=edition)
    key = f"revoke-{decision.pk}"
    return _submit(request, edition, key, ReasonForm(request.POST, prefix=key),
                   lambda data: deliberation_services.award_decision_revoke(decision=decision, user=request.user,
                                                                            reason=data["reason"]),
                   success=_("Decision revoked."))


@edition_permission_required("judging.view_awards")
@require_POST
def awards_minutes_add(request, edition):
    _ensure_deliberates(request, edition)
    form = MinutesForm(request.POST, request.FILES, prefix="minutes")
    return _submit(request, edition, "minutes", form, lambda data: deliberation_services.minutes_add(
        edition=edition, user=request.user, held_on=data["held_on"], text=data["text"], file=data.get("file")),
        success=_("Minutes saved."), anchor="minutes")


@edition_permission_required("judging.view_awards")
@require_GET
def awards_minutes_file(request, edition, minutes_id: int):
    minutes = get_object_or_404(DeliberationMinutes, pk=minutes_id, edition=edition)
    if not minutes.file:
        raise Http404
    name = minutes.file.name.rsplit("/", 1)[-1]
    response = FileResponse(minutes.file.open("rb"), as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
