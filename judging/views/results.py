"""The committee's results of a round: leaderboard per category, one entry's breakdown, computing the results.

Secretariat, chair and observers read them; judges never do (not even one who also holds a
committee role in the edition), nor do applicants. Observers read and change nothing.
"""

import itertools

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from portal.filter_fields import filter_fields
from portal.paging import page_nav, page_rows, query_without_page, wants_all
from portal.progress import JobProgress, job_progress_response
from portal.service_errors import run_service
from submissions.models import Application

from ..algorithms.histogram import SCORE_BINS
from ..forms.confirm import ConfirmForm
from ..forms.scoring import LeaderboardFilterForm
from ..models import AggregationRun, Criterion, JudgingRound
from ..selectors import results as result_selectors
from ..selectors.results import prize_chance
from ..selectors.stages import round_close_summary
from ..services import round_jobs
from ..services.rubrics import rubric_for
from . import scoring_charts as charts
from .loaders import round_permission_required

# --- leaderboard ----------------------------------------------------------------------------------------------

BOARD_PAGE_SIZE = 50


def _board_rows(rows, *, expected: int, tier_names: list[str] | None = None) -> list[tuple]:
    """The leaderboard's rows as flat tuples in the order of the table's columns, for the template's loop.

    A category of 1,000 entries has some 15,000 cells: plain strings unpacked by `{% for %}` keep the
    template engine's work to a lookup and an escape per cell. Flags are (css suffix, label) pairs.
    """
    labels = {"disagreement": _("judges disagree"), "few": _("reviews missing"),
              "boundary": _("may belong in another prize tier"), "tie": _("tie")}
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
            flags, prize_chance(row.tier_probabilities, row.top_probability, tier_names or []),
        ))
    return board


def _judge_rows(chart_rows: list[dict]) -> list[tuple]:
    """The judges' table as flat tuples (name, offset, reviews, scale, weight in %, corrected), formatted once here
    rather than by three filters per judge in the template; names and offsets are the leniency chart's."""
    corrected, uncorrected = _("yes"), _("no: too few reviews to estimate")
    return [(row["name"], row["offset"], str(row["judge"].n_reviews), f"{row['judge'].scale:.2f}",
             "" if row["judge"].weight is None else str(round(row["judge"].weight * 100)),
             corrected if row["judge"].corrected else uncorrected) for row in chart_rows]


@round_permission_required("judging.view_results")
def leaderboard(request, judging_round: JudgingRound):
    edition = judging_round.edition
    categories = list(judging_round.categories.order_by("position", "name"))
    try:
        category_id = int(request.GET.get("category") or (categories[0].pk if categories else 0))
    except ValueError:
        category_id = categories[0].pk if categories else 0
    category = next((c for c in categories if c.pk == category_id), categories[0] if categories else None)
    filters = LeaderboardFilterForm(request.GET or None, label_suffix="")  # the page's labels have no colon
    stage = band = group_by = ""
    if filters.is_valid():
        stage, band, group_by = (filters.cleaned_data["stage"], filters.cleaned_data["band"],
                                 filters.cleaned_data["group_by"])
    results = result_selectors.board_results(judging_round=judging_round,
                                             category_id=category.pk if category else None, stage=stage, band=band)
    # One query for the category's tiers: their names (the chances) and where they end (the boundaries).
    tiers = list(category.prize_tiers.order_by("position")) if category else []
    tier_names = [str(tier.get_level_display()) for tier in tiers]
    boundaries = tuple(itertools.accumulate(tier.places for tier in tiers))
    banded = bool(group_by or stage or band)
    show_all = wants_all(request.GET)
    # Counted when the results were written: the category's size, its entries without a result, the charts' bins.
    summaries = result_selectors.category_summaries(judging_round=judging_round)
    summary = summaries.get(category.pk) if category else None
    page = None
    if banded:
        # A peer band's ranks depend on every member: placed over the whole selection (four columns), then only
        # the page's rows are read in full.
        places = result_selectors.band_places(results, group_by=group_by)
        if not show_all:
            page = Paginator(places, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
            places = list(page)
        bands = result_selectors.band_rows(judging_round=judging_round, results=results, places=places)
    else:
        if not show_all:
            paginator = Paginator(results, BOARD_PAGE_SIZE)
            if summary is not None:
                paginator.count = summary.entries  # the whole category, counted when it was computed
            page = paginator.get_page(request.GET.get("page"))
        rows = result_selectors.board_rows(
            judging_round=judging_round,
            results=results if page is None else page_rows(results, page, key="application_id"))
        bands = [{"label": "", "rows": rows, "count": len(rows) if page is None else page.paginator.count}]
    for item in bands:
        item["board"] = _board_rows(item["rows"], expected=judging_round.judges_per_entry, tier_names=tier_names)
    with_chances = any(row.top_probability is not None for item in bands for row in item["rows"])

    # The charts show every entry of each category, in the bins counted when the results were written.
    distributions = []
    for c in categories:
        stored = summaries.get(c.pk)
        empty = [0] * SCORE_BINS
        distributions.append({"category": c,
                              "corrected": charts.histogram_of_counts(stored.corrected_bins if stored else empty),
                              "raw": charts.histogram_of_counts(stored.raw_bins if stored else empty),
                              "corrected_id": f"dist-corrected-{c.pk}", "raw_id": f"dist-raw-{c.pk}"})
    judges = result_selectors.judge_results(judging_round=judging_round)
    run = result_selectors.latest_run(judging_round=judging_round)
    return render(request, "judging/scoring/leaderboard.html", {
        "edition": edition,
        "round": judging_round,
        "categories": categories,
        "category": category,
        "filters": filters,
        "filter_fields": filter_fields(filters),
        "bands": bands,
        "banded": banded,
        "page_nav": page_nav(page, request.GET) if page is not None else None,
        "show_all": show_all,
        "whole_url": "?" + query_without_page(request.GET),
        "with_chances": with_chances,
        "distributions": distributions,
        "leniency": (leniency := charts.leniency(judges)),
        "judge_rows": _judge_rows(leniency["rows"]),
        "judges": judges,
        "run": run,
        "run_active": run is not None and run.state in (AggregationRun.State.PENDING, AggregationRun.State.RUNNING),
        "run_job": _run_job(request, judging_round, run) if run is not None else None,
        "method": result_selectors.results_method(judging_round=judging_round),
        "missing": summary.without_results if summary else 0,
        "can_recompute": request.user.has_perm("judging.run_aggregation", judging_round),
        "boundaries": boundaries,
        "expected_reviews": judging_round.judges_per_entry,
    })


@round_permission_required("judging.view_results")
def entry_result(request, judging_round: JudgingRound, application_id: int):
    """One entry's breakdown by criterion and by judge, and its explanation card."""
    application = get_object_or_404(
        Application.objects.select_related("organisation", "category"), pk=application_id,
        edition_id=judging_round.edition_id,
    )
    result = result_selectors.entry_result(judging_round=judging_round, application_id=application.pk)
    reviews = result_selectors.entry_reviews(judging_round=judging_round, application_id=application.pk)
    if result is None and not reviews:
        raise Http404
    rubric = rubric_for(edition_id=application.edition_id, category_id=application.category_id)
    criteria = list(rubric.criteria.all()) if rubric else []
    offsets = result_selectors.judge_offsets(judging_round=judging_round,
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
        "card": _card(result, result_selectors.card_criteria([result])),
    })


def _card(result, criteria: dict[int, Criterion]):
    """The explanation card's rows: per criterion its median on its own scale; None without a result.

    `criteria` (result_selectors.card_criteria) names the criteria; rows stored before names left the results
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


def _leaderboard(judging_round: JudgingRound):
    return redirect(reverse("judging:scoring_leaderboard", args=[judging_round.edition.slug, judging_round.pk]))


@round_permission_required("judging.run_aggregation")
@require_POST
def aggregation_start(request, judging_round: JudgingRound):
    run_service(request, lambda: round_jobs.aggregation_request(judging_round=judging_round, user=request.user),
                success=_("The computation of the results is queued: it starts when a worker is free."))
    return _leaderboard(judging_round)


@round_permission_required("judging.run_aggregation")
@require_POST
def aggregation_retry_view(request, judging_round: JudgingRound, run_id: int):
    """A failed computation's "Try again": a new run, queued."""
    run = get_object_or_404(AggregationRun, pk=run_id, round=judging_round)
    run_service(request, lambda: round_jobs.aggregation_retry(run=run, user=request.user),
                success=_("A new computation of the results is queued: it starts when a worker is free."))
    return _leaderboard(judging_round)


@round_permission_required("judging.run_aggregation")
@require_http_methods(["GET", "POST"])
def round_close_view(request, judging_round: JudgingRound):
    """Close the round (no more scores) and compute its results: a page that says what happens (the reviews still
    missing, by how many judges; whether the edition's judging ends), then the POST with the confirmation box."""
    form = ConfirmForm(request.POST if request.method == "POST" else None,
                       label=_("Yes, close the round: late judges can no longer submit"))
    summary = round_close_summary(judging_round=judging_round)
    if request.method == "POST" and form.is_valid():
        success = _("The round is closed: judges can no longer change their scores. "
                    "The computation of the results is queued.")
        if summary.last_round:
            success += " " + _("It was the last round: the edition moves on to the deliberation.")
        if run_service(request, lambda: round_jobs.round_close(round=judging_round, user=request.user),
                       success=success):
            return _leaderboard(judging_round)
        return redirect(reverse("judging:scoring_close", args=[judging_round.edition.slug, judging_round.pk]))
    return render(request, "judging/scoring/round_close.html", {
        "edition": judging_round.edition, "round": judging_round, "form": form, "summary": summary,
        "can_close": judging_round.state == JudgingRound.State.OPEN,
    }, status=400 if form.is_bound else 200)


@round_permission_required("judging.view_results")
def aggregation_progress(request, judging_round: JudgingRound, run_id: int):
    """The run's progress partial, polled by itself while the results are computed."""
    run = get_object_or_404(AggregationRun, pk=run_id, round=judging_round)
    return job_progress_response(request, _run_job(request, judging_round, run))


def _run_job(request, judging_round: JudgingRound, run: AggregationRun) -> JobProgress:
    """A computation of the results for the progress partial; a failed one offers to compute again."""
    failed = run.state == AggregationRun.State.FAILED
    stalled = run.is_stalled  # its worker died: never "running", and it may be computed again at once
    can_retry = (failed or stalled) and request.user.has_perm("judging.run_aggregation", judging_round)
    return JobProgress(
        dom_id="run-progress", label=_("Computing the results"),
        url=reverse("judging:scoring_run", args=[judging_round.edition.slug, judging_round.pk, run.pk]),
        progress=run.progress, state=run.state, state_label=run.get_state_display(),
        finished=run.state in (AggregationRun.State.SUCCEEDED, AggregationRun.State.FAILED),
        error=run.error if failed else "", queued_at=run.queued_at, stalled=stalled,
        retry_url=reverse("judging:scoring_run_retry", args=[judging_round.edition.slug, judging_round.pk, run.pk])
        if can_retry else "",
    )
