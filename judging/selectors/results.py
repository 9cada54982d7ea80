"""Reads for the committee's results: the leaderboard, peer bands, breakdowns, charts' data, the shortlist,
and what an applicant reads after publication.

Every list is one query with its joins applied, whatever its length, so the pages keep the
same number of queries for 10 rows as for 1,000.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.db import fetch_rows
from portal.models import Organisation
from submissions.models import Application

from ..algorithms.aggregation import competition_ranks
from ..models import (
    AggregationRun,
    Assignment,
    CalibrationEntry,
    CategoryResultSummary,
    Criterion,
    CriterionScore,
    EntryResult,
    JudgeResult,
    JudgingRound,
    Review,
    Shortlisting,
)
from .assignment import round_entries


@dataclass
class BoardRow:
    """One entry of the leaderboard, as plain values with its numbers already formatted (no model instances)."""

    application_id: int
    title: str
    organisation: str
    stage: str
    stage_label: str
    band: str
    band_label: str
    n_reviews: int
    mean: float
    median: float
    corrected: float
    spread: float
    interval_low: float
    interval_high: float
    rank: int
    tied: bool
    disagreement: bool
    uncorrected_judges: int
    boundary_overlap: bool
    url: str = ""
    band_rank: int = 0
    band_tied: bool = False
    tier_probabilities: tuple[float, ...] = ()  # method 2: P(each tier of the category), the last "no prize"
    top_probability: float | None = None

    @property
    def shown(self) -> dict:
        return {"mean": f"{self.mean:.2f}", "median": f"{self.median:.2f}", "corrected": f"{self.corrected:.2f}",
                "interval": f"{self.interval_low:.2f}–{self.interval_high:.2f}", "spread": f"{self.spread:.1f}"}


BOARD_COLUMNS = (
    "application_id", "application__title", "application__organisation__name", "application__stage",
    "application__organisation__population_band", "n_reviews", "mean", "median", "corrected", "spread",
    "interval_low", "interval_high", "rank", "tied", "disagreement", "uncorrected_judges", "boundary_overlap",
    "tier_probabilities", "top_probability",
)


def board_results(*, judging_round: JudgingRound, category_id: int | None, stage: str = "",
                  band: str = "") -> QuerySet[EntryResult]:
    """One category's results, optionally one development stage and/or population band, in rank order.

    The order is the index's (round, category, rank, application): a page is a LIMIT/OFFSET on it, the same
    cost at 100 entries as at 100,000. Ranks, ties, flags and tier probabilities were computed over the whole
    category when the results were written.
    """
    results = EntryResult.objects.filter(round=judging_round)
    if category_id is not None:
        results = results.filter(category_id=category_id)
    if stage:
        results = results.filter(application__stage=stage)
    if band:
        results = results.filter(application__organisation__population_band=band)
    return results.order_by("category_id", "rank", "application_id")


def board_rows(*, judging_round: JudgingRound, results: QuerySet[EntryResult]) -> list[BoardRow]:
    """The rows of `results` (a page of `board_results`, or all of it) as plain values: one query."""
    stage_labels = {code: str(label) for code, label in Application.Stage.choices}
    band_labels = {code: str(label) for code, label in Organisation.PopulationBand.choices}
    entry_url = reverse("judging:scoring_entry", args=[judging_round.edition.slug, judging_round.pk, 0])
    entry_url = entry_url[: -len("0/")] + "{}/"
    rows = []
    # The raw cursor: a thousand rows through the ORM's row machinery cost more than the query.
    for (application_id, title, organisation, stage_code, band_code, n_reviews, mean, median, corrected, spread,
         interval_low, interval_high, rank, tied, disagreement, uncorrected_judges, boundary_overlap, tiers,
         top_probability) in fetch_rows(results.values_list(*BOARD_COLUMNS)):
        rows.append(BoardRow(
            application_id, title, organisation, stage_code or "", stage_labels.get(stage_code, ""), band_code,
            band_labels.get(band_code, band_code), n_reviews, mean, median, corrected, spread, interval_low,
            interval_high, rank, bool(tied), bool(disagreement), uncorrected_judges, bool(boundary_overlap),
            url=entry_url.format(application_id),
            # The raw cursor gives JSON as text on SQLite and decoded on PostgreSQL.
            tier_probabilities=tuple(json.loads(tiers) if isinstance(tiers, str) else tiers or ()),
            top_probability=top_probability,
        ))
    return rows


@dataclass(frozen=True)
class BandPlace:
    """Where an entry stands in its peer band: the band's key and label, its rank and tie there, the band's size."""

    application_id: int
    key: tuple
    label: str
    rank: int
    tied: bool
    size: int


def band_places(results: QuerySet[EntryResult], *, group_by: str) -> list[BandPlace]:
    """Every entry of `results` placed in its peer band (by stage, population band or both), in the bands' order
    and by rank within each: one query of four columns, the only whole-category read of a grouped page (a band's
    rank depends on every member's score). The page then reads its rows' full results by id."""
    stage_labels = {code: str(label) for code, label in Application.Stage.choices}
    band_labels = {code: str(label) for code, label in Organisation.PopulationBand.choices}
    members: dict[tuple, list[tuple[int, float, str]]] = {}
    for application_id, stage, band, corrected in fetch_rows(results.order_by().values_list(
            "application_id", "application__stage", "application__organisation__population_band", "corrected")):
        parts = [(stage or "", stage_labels.get(stage) or str(_("Stage not given")))] if "stage" in group_by else []
        if "band" in group_by:
            parts.append((band, band_labels.get(band, band)))
        members.setdefault(tuple(code for code, _label in parts), []).append(
            (application_id, corrected, " · ".join(label for _code, label in parts)))
    places = []
    for key, group in sorted(members.items()):
        ranks, tied = competition_ranks([corrected for _id, corrected, _label in group])
        placed = sorted(zip(ranks.tolist(), [entry[0] for entry in group], tied.tolist(), strict=True))
        places += [BandPlace(application_id, key, group[0][2], rank, is_tied, len(group))
                   for rank, application_id, is_tied in placed]
    return places


def band_rows(*, judging_round: JudgingRound, results: QuerySet[EntryResult], places: list[BandPlace]) -> list[dict]:
    """The peer bands of a page of `band_places`: each band's label, size and rows (full results, one query)."""
    if not places:  # nothing in the selection: no query (an empty `in` is no SQL the raw cursor can run)
        return []
    by_id = {row.application_id: row for row in board_rows(
        judging_round=judging_round,
        results=results.filter(application_id__in=[place.application_id for place in places]))}
    bands: list[dict] = []
    for place in places:
        row = by_id.get(place.application_id)
        if row is None:
            continue
        row.band_rank, row.band_tied = place.rank, place.tied
        if not bands or bands[-1]["key"] != place.key:
            bands.append({"key": place.key, "label": place.label, "count": place.size, "rows": []})
        bands[-1]["rows"].append(row)
    return bands


def results_method(*, judging_round: JudgingRound) -> tuple[str, str] | None:
    """(method, version) the round's current results were computed with; None before the first computation."""
    # No ordering (first() would add ORDER BY id and scan them all): every row of a round carries the same method.
    return next(iter(EntryResult.objects.filter(round=judging_round).order_by()
                     .values_list("method", "method_version")[:1]), None)


def category_summaries(*, judging_round: JudgingRound) -> dict[int, CategoryResultSummary]:
    """Per category of the round, the summary its last computation wrote (entries listed, entries without a
    result, the charts' bins): one small row each, whatever the category's size. None before the first one."""
    return {summary.category_id: summary for summary in CategoryResultSummary.objects.filter(round=judging_round)}


def judge_results(*, judging_round: JudgingRound) -> list[JudgeResult]:
    return list(
        JudgeResult.objects.filter(round=judging_round).select_related("judge__user").order_by("offset", "judge_id")
    )


def latest_run(*, judging_round: JudgingRound) -> AggregationRun | None:
    return AggregationRun.objects.filter(round=judging_round).order_by("-created_at", "-id").first()


def card_criteria(results) -> dict[int, Criterion]:
    """The criteria named in the explanation cards of these results (None entries skipped), in one query."""
    ids = {int(key) for result in results if result is not None for key in result.criterion_medians}
    return Criterion.objects.in_bulk(sorted(ids)) if ids else {}


def entry_result(*, judging_round: JudgingRound, application_id: int) -> EntryResult | None:
    return (
        EntryResult.objects.filter(round=judging_round, application_id=application_id)
        .select_related("application__organisation", "application__category", "category")
        .first()
    )


def entry_reviews(*, judging_round: JudgingRound, application_id: int) -> list[Review]:
    """Every review of the entry in the round (drafts too, marked), with its judge and its scores."""
    return list(
        Review.objects.filter(assignment__round=judging_round, assignment__application_id=application_id,
                              assignment__state__in=Assignment.ACTIVE_STATES)
        .select_related("assignment__judge__user")
        .prefetch_related(Prefetch("scores", queryset=CriterionScore.objects.select_related("criterion")))
        .order_by("assignment__judge__user__email")
    )


def judge_offsets(*, judging_round: JudgingRound, judge_ids: list[int]) -> dict[int, JudgeResult]:
    return {r.judge_id: r for r in JudgeResult.objects.filter(round=judging_round, judge_id__in=judge_ids)}


def round_candidates(*, judging_round: JudgingRound) -> QuerySet[Application]:
    """The round's entries (one definition, the assigner's), ready to list for calibration and shortlisting."""
    return (
        round_entries(round=judging_round)
        .select_related("category", "organisation")
        .order_by("category__position", "title", "id")
    )


def calibration_entries(*, judging_round: JudgingRound) -> list[CalibrationEntry]:
    return list(
        CalibrationEntry.objects.filter(round=judging_round)
        .select_related("application__category", "application__organisation")
        .order_by("application__category__position", "application__title", "id")
    )


def shortlist(*, judging_round: JudgingRound) -> list[Shortlisting]:
    return list(
        Shortlisting.objects.filter(round=judging_round)
        .select_related("application__category", "application__organisation", "decided_by")
        .order_by("application__category__position", "application__title", "id")
    )


def shortlist_results(*, judging_round: JudgingRound, application_ids: list[int]) -> dict[int, EntryResult]:
    return {r.application_id: r for r in EntryResult.objects.filter(round=judging_round,
                                                                     application_id__in=application_ids)}


def applicant_feedback(*, application: Application) -> list[dict]:
    """Per round of a published edition: the judges' comments for the applicant and, if the round allows, its card.

    Judges stay anonymous: no name, no score of a single judge.
    """
    rounds = []
    results = {r.round_id: r for r in EntryResult.objects.filter(application=application)}
    reviews = (
        Review.objects.filter(assignment__application=application, state=Review.State.SUBMITTED,
                              assignment__state=Assignment.State.SUBMITTED)
        .exclude(applicant_comment="")
        .order_by("assignment__round__position", "submitted_at", "id")
        .values_list("assignment__round_id", "applicant_comment")
    )
    comments: dict[int, list[str]] = {}
    for round_id, comment in reviews:
        comments.setdefault(round_id, []).append(comment)
    for judging_round in JudgingRound.objects.filter(edition_id=application.edition_id).order_by("position"):
        result = results.get(judging_round.pk)
        if judging_round.pk not in comments and result is None:
            continue
        rounds.append({
            "round": judging_round,
            "comments": comments.get(judging_round.pk, []),
            "result": result if judging_round.explanation_to_applicants else None,
        })
    return rounds


def prize_chance(tier_probabilities, top_probability, tier_names: list[str]) -> str:
    """Method 2's tier probabilities in words: "prize 92 %: Gold 61 %, Silver 31 %" (tiers under 1 % left out);
    empty for method 1's results, which have none."""
    if top_probability is None or not tier_probabilities:
        return ""
    parts = [f"{name} {round(100 * share)} %" for name, share in zip(tier_names, tier_probabilities, strict=False)
             if share >= 0.01]
    text = _("prize %(percent)s %%") % {"percent": round(100 * top_probability)}
    return f"{text}: {', '.join(parts)}" if parts else text
