"""The committee's scoring pages: leaderboard per category, entry breakdown, aggregation runs, calibration, shortlist.

Secretariat, chair and observers read them; judges never do (not even one who also holds a
committee role in the edition), nor do applicants. Observers read and change nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from portal.access import mfa_setup_redirect, needs_mfa_setup
from submissions.models import Application, Edition

from ..forms_scoring import (
    CalibrationForm,
    LeaderboardFilterForm,
    ScoringSettingsForm,
    ShortlistAddForm,
    ShortlistRemoveForm,
    ShortlistTopForm,
    add_service_errors,
)
from ..models import AggregationRun, Criterion, JudgingRound, Shortlisting
from ..selectors import scoring as selectors
from ..services import aggregation as aggregation_services
from ..services import scoring as scoring_services
from ..services import shortlist as shortlist_services
from ..services.rubrics import rubric_for
from . import scoring_charts as charts
from .common import run_service

REFUSED = {
    "judging.view_results": _("Only the secretariat, the chair and the observers read the results; judges never do."),
    "judging.view_round": _("Only the secretariat, the chair and the observers open this page."),
}


def _round(request, slug: str, round_id: int, perm: str) -> JudgingRound:
    edition = get_object_or_404(Edition, slug=slug)
    judging_round = selectors.round_for_edition(edition=edition, pk=round_id)
    if judging_round is None:
        raise Http404
    if not request.user.has_perm(perm, judging_round):
        raise PermissionDenied(REFUSED.get(perm) or _("Your roles in this edition do not include this page."))
    return judging_round


# --- leaderboard ----------------------------------------------------------------------------------------------


def _board_rows(rows, *, expected: int) -> list[tuple]:
    """The leaderboard's rows as flat tuples in the order of the table's columns, for the template's loop.

    A category of 1,000 entries has some 15,000 cells: plain strings unpacked by `{% for %}` keep the
    template engine's work to a lookup and an escape per cell. Flags are (css suffix, label) pairs.
    """
    labels = {"disagreement": _("judges disagree"), "few": _("reviews missing"),
              "boundary": _("cannot be told apart at a prize boundary"), "tie": _("tie")}
    board = []
    for row in rows:
        shown = row.shown
        flags = []
        if row.disagreement:
            flags.append(("disagreement", labels["disagreement"]))
        if row.n_reviews < expected:
            flags.append(("few", labels["few"]))
        if row.uncorrected_judges:
            text = ngettext("%(n)s judge not corrected", "%(n)s judges not corrected", row.uncorrected_judges)
            flags.append(("uncorrected", text % {"n": row.uncorrected_judges}))
        if row.boundary_overlap:
            flags.append(("boundary", labels["boundary"]))
        if row.tied:
            flags.append(("tie", labels["tie"]))
        board.append((
            f"{'=' if row.band_tied else ''}{row.band_rank}", f"{'=' if row.tied else ''}{row.rank}", row.url,
            row.title, row.organisation, f"{row.stage_label or '—'} · {row.band_label}", shown["mean"],
            shown["median"], shown["corrected"], shown["interval"], shown["spread"], f"{row.n_reviews}/{expected}",
            flags,
        ))
    return board


@login_required
def leaderboard(request, slug: str, round_id: int):
    judging_round = _round(request, slug, round_id, "judging.view_results")
    edition = judging_round.edition
    if needs_mfa_setup(request.user, edition):
        return mfa_setup_redirect(request)
    categories = list(judging_round.categories.order_by("position", "name"))
    try:
        category_id = int(request.GET.get("category") or (categories[0].pk if categories else 0))
    except ValueError:
        category_id = categories[0].pk if categories else 0
    category = next((c for c in categories if c.pk == category_id), categories[0] if categories else None)
    filters = LeaderboardFilterForm(request.GET or None)
    stage = band = group_by = ""
    if filters.is_valid():
        stage, band, group_by = (filters.cleaned_data["stage"], filters.cleaned_data["band"],
                                 filters.cleaned_data["group_by"])
    rows = selectors.leaderboard(judging_round=judging_round, category_id=category.pk if category else None,
                                 stage=stage, band=band)
    bands = selectors.peer_bands(rows, group_by=group_by) if (group_by or stage or band) else [{"label": "", "rows": rows}]
    banded = bool(group_by or stage or band)
    for item in bands:
        item["board"] = _board_rows(item["rows"], expected=judging_round.judges_per_entry)

    all_scores = selectors.round_result_scores(judging_round=judging_round)
    distributions = []
    for c in categories:
        corrected = [score for category_of, _mean, score in all_scores if category_of == c.pk]
        raw = [mean for category_of, mean, _score in all_scores if category_of == c.pk]
        distributions.append({"category": c, "corrected": charts.histogram(corrected), "raw": charts.histogram(raw),
                              "corrected_id": f"dist-corrected-{c.pk}", "raw_id": f"dist-raw-{c.pk}"})
    judges = selectors.judge_results(judging_round=judging_round)
    run = selectors.latest_run(judging_round=judging_round)
    return render(request, "judging/scoring/leaderboard.html", {
        "edition": edition,
        "round": judging_round,
        "categories": categories,
        "category": category,
        "filters": filters,
        "bands": bands,
        "banded": banded,
        "row_count": len(rows),
        "distributions": distributions,
        "leniency": charts.leniency(judges),
        "judges": judges,
        "run": run,
        "run_active": run is not None and run.state in (AggregationRun.State.PENDING, AggregationRun.State.RUNNING),
        "method": selectors.results_method(judging_round=judging_round),
        "missing": selectors.entries_without_results(judging_round=judging_round,
                                                     category_id=category.pk if category else None),
        "can_recompute": request.user.has_perm("judging.run_aggregation", judging_round),
        "boundaries": aggregation_services.prize_boundaries(judging_round),
        "expected_reviews": judging_round.judges_per_entry,
    })


@login_required
def entry_result(request, slug: str, round_id: int, application_id: int):
    """One entry's breakdown by criterion and by judge, and its explanation card."""
    judging_round = _round(request, slug, round_id, "judging.view_results")
    if needs_mfa_setup(request.user, judging_round.edition):
        return mfa_setup_redirect(request)
    application = get_object_or_404(
        Application.objects.select_related("organisation", "category"), pk=application_id,
        edition_id=judging_round.edition_id,
    )
    result = selectors.entry_result(judging_round=judging_round, application_id=application.pk)
    reviews = selectors.entry_reviews(judging_round=judging_round, application_id=application.pk)
    if result is None and not reviews:
        raise Http404
    rubric = rubric_for(edition_id=application.edition_id, category_id=application.category_id)
    criteria = list(rubric.criteria.all()) if rubric else []
    offsets = selectors.judge_offsets(judging_round=judging_round,
                                      judge_ids=[r.assignment.judge_id for r in reviews])
    table = []
    for review in reviews:
        by_criterion = {score.criterion_id: score for score in review.scores.all()}
        judge_result = offsets.get(review.assignment.judge_id)
        table.append({
            "review": review,
            "judge": review.assignment.judge.user,
            "cells": [by_criterion.get(c.pk) for c in criteria],
            "offset": judge_result.offset if judge_result and judge_result.corrected else None,
            "uncorrected": judge_result is not None and not judge_result.corrected,
        })
    return render(request, "judging/scoring/entry.html", {
        "edition": judging_round.edition,
        "round": judging_round,
        "application": application,
        "result": result,
        "criteria": criteria,
        "table": table,
        "card": _card(result, selectors.card_criteria([result])),
    })


def _card(result, criteria: dict[int, Criterion]):
    """The explanation card's rows: per criterion its median on its own scale; None without a result.

    `criteria` (selectors.card_criteria) names the criteria; rows stored before names left the results
    carry their own.
    """
    if result is None:
        return None
    rows = []
    for key, item in sorted(result.criterion_medians.items(), key=lambda pair: int(pair[0])):
        criterion = criteria.get(int(key))
        rows.append({
            "name": criterion.name if criterion else item.get("name", ""), "median": item.get("median"),
            "n": item.get("n"), "scale_min": criterion.scale_min if criterion else item.get("scale_min"),
            "scale_max": criterion.scale_max if criterion else item.get("scale_max"),
        })
    return {"result": result, "criteria": rows}


# --- aggregation runs -----------------------------------------------------------------------------------------


@login_required
@require_POST
def aggregation_start(request, slug: str, round_id: int):
    judging_round = _round(request, slug, round_id, "judging.run_aggregation")
    if needs_mfa_setup(request.user, judging_round.edition):
        return mfa_setup_redirect(request)
    run_service(request, lambda: aggregation_services.aggregation_request(judging_round=judging_round,
                                                                        user=request.user),
                success=_("The results are being recomputed from the raw scores."))
    return redirect(reverse("judging:scoring_leaderboard", args=[slug, round_id]))


@login_required
@require_POST
def round_close_view(request, slug: str, round_id: int):
    """Close the round (no more scores) and compute its results."""
    judging_round = _round(request, slug, round_id, "judging.run_aggregation")
    if needs_mfa_setup(request.user, judging_round.edition):
        return mfa_setup_redirect(request)
    run_service(request, lambda: aggregation_services.round_close(round=judging_round, user=request.user),
                success=_("The round is closed: judges can no longer change their scores. "
                          "The results are being computed."))
    return redirect(reverse("judging:scoring_leaderboard", args=[slug, round_id]))


@login_required
def aggregation_progress(request, slug: str, round_id: int, run_id: int):
    """The run's progress as JSON, for the progress bar's script."""
    judging_round = _round(request, slug, round_id, "judging.view_results")
    run = get_object_or_404(AggregationRun, pk=run_id, round=judging_round)
    return JsonResponse({
        "state": run.state, "state_label": str(run.get_state_display()), "progress": run.progress,
        "done": run.state in (AggregationRun.State.SUCCEEDED, AggregationRun.State.FAILED),
        "error": run.error if run.state == AggregationRun.State.FAILED else "",
    })


# --- the round's scoring settings -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def scoring_settings(request, slug: str, round_id: int):
    judging_round = _round(request, slug, round_id, "judging.view_round")
    if needs_mfa_setup(request.user, judging_round.edition):
        return mfa_setup_redirect(request)
    can_manage = request.user.has_perm("judging.manage_round", judging_round)
    initial = {"prize_boundaries": ", ".join(str(rank) for rank in judging_round.prize_boundaries or []),
               "explanation_to_applicants": judging_round.explanation_to_applicants}
    form = ScoringSettingsForm(initial=initial)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the secretariat changes a round's scoring settings."))
        form = ScoringSettingsForm(request.POST)
        if form.is_valid():
            try:
                aggregation_services.round_scoring_settings_update(
                    round=judging_round, user=request.user,
                    prize_boundaries=form.cleaned_data["prize_boundaries"],
                    explanation_to_applicants=form.cleaned_data["explanation_to_applicants"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Scoring settings saved. New prize boundaries count from the next "
                                            "computation of the results."))
                return redirect(request.path)
        status = 400
    return render(request, "judging/scoring/settings.html", {
        "edition": judging_round.edition, "round": judging_round, "form": form, "can_manage": can_manage,
    }, status=status)


# --- calibration ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def calibration(request, slug: str, round_id: int):
    judging_round = _round(request, slug, round_id, "judging.view_round")
    if needs_mfa_setup(request.user, judging_round.edition):
        return mfa_setup_redirect(request)
    can_manage = request.user.has_perm("judging.manage_calibration", judging_round)
    entries = selectors.calibration_entries(judging_round=judging_round)
    marked = {entry.application_id for entry in entries}
    candidates = selectors.round_candidates(judging_round=judging_round).exclude(pk__in=marked)
    form = CalibrationForm(candidates=candidates)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the secretariat chooses the calibration entries."))
        try:
            if "remove" in request.POST:
                application = get_object_or_404(Application, pk=request.POST.get("remove"),
                                                edition_id=judging_round.edition_id)
                scoring_services.calibration_unmark(judging_round=judging_round, application=application,
                                                    user=request.user)
                messages.success(request, _("“%(title)s” is no longer a calibration entry.") % {"title": application.title})
                return redirect(request.path)
            form = CalibrationForm(request.POST, candidates=candidates)
            if form.is_valid():
                application = form.cleaned_data["application"]
                scoring_services.calibration_mark(judging_round=judging_round, application=application,
                                                  user=request.user)
                messages.success(request, _("“%(title)s” is now a calibration entry: every judge of its category "
                                            "scores it first.") % {"title": application.title})
                return redirect(request.path)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(request.path)
    return render(request, "judging/scoring/calibration.html", {
        "edition": judging_round.edition, "round": judging_round, "entries": entries, "form": form,
        "can_manage": can_manage,
        "editable": judging_round.state in (JudgingRound.State.SCHEDULED, JudgingRound.State.ASSIGNING),
    }, status=400 if request.method == "POST" else 200)


# --- shortlist ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def shortlist(request, slug: str, round_id: int):
    judging_round = _round(request, slug, round_id, "judging.view_results")
    if needs_mfa_setup(request.user, judging_round.edition):
        return mfa_setup_redirect(request)
    can_manage = request.user.has_perm("judging.manage_shortlist", judging_round)
    listed = selectors.shortlist(judging_round=judging_round)
    candidates = selectors.round_candidates(judging_round=judging_round).exclude(
        pk__in=[row.application_id for row in listed]
    )
    top_form, add_form = ShortlistTopForm(), ShortlistAddForm(candidates=candidates)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the secretariat and the chair change the shortlist."))
        action = request.POST.get("action")
        try:
            if action == "top":
                top_form = ShortlistTopForm(request.POST)
                if top_form.is_valid():
                    outcome = shortlist_services.shortlist_top(
                        judging_round=judging_round, per_category=top_form.cleaned_data["per_category"],
                        user=request.user)
                    messages.success(request, _("%(added)s entries added to the shortlist (%(kept)s were on it "
                                                "already).") % {"added": outcome.added, "kept": outcome.kept})
                    if outcome.ties_beyond:
                        messages.warning(request, _("Entries tied at the cut all went through: %(extra)s more than "
                                                    "asked in total.") % {"extra": sum(outcome.ties_beyond.values())})
                    return redirect(request.path)
            elif action == "add":
                add_form = ShortlistAddForm(request.POST, candidates=candidates)
                if add_form.is_valid():
                    shortlist_services.shortlist_add(
                        judging_round=judging_round, application=add_form.cleaned_data["application"],
                        user=request.user, reason=add_form.cleaned_data["reason"])
                    messages.success(request, _("Entry added to the shortlist."))
                    return redirect(request.path)
            elif action == "remove":
                row = get_object_or_404(Shortlisting, pk=request.POST.get("shortlisting"), round=judging_round)
                remove_form = ShortlistRemoveForm(request.POST)
                if remove_form.is_valid():
                    shortlist_services.shortlist_remove(shortlisting=row, user=request.user,
                                                        reason=remove_form.cleaned_data["reason"])
                    messages.success(request, _("Entry taken off the shortlist."))
                    return redirect(request.path)
                messages.error(request, _("Say why this entry comes off the shortlist."))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            target = add_form if action == "add" else top_form
            add_service_errors(target, error)
        status = 400
    results = selectors.shortlist_results(judging_round=judging_round,
                                          application_ids=[row.application_id for row in listed])
    for row in listed:
        row.result = results.get(row.application_id)
    return render(request, "judging/scoring/shortlist.html", {
        "edition": judging_round.edition, "round": judging_round, "listed": listed, "top_form": top_form,
        "add_form": add_form, "remove_form": ShortlistRemoveForm(), "can_manage": can_manage,
        "editable": judging_round.state in shortlist_services.SHORTLIST_STATES,
    }, status=status)
