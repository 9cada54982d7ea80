"""Reads for scoring: the judge's queue and entry, the committee's leaderboard, breakdowns and charts' data.

Every list is one query with its joins applied, whatever its length, so the pages keep the
same number of queries for 10 rows as for 1,000.

Blind rounds
------------
In a blind round the judge sees no organisation name, city, country or website, no
partner line that names the organisation, and no attachment's original name. Redaction
works on the submitted snapshot: the organisation's name, city and web host (from the
snapshot and from the organisation as it is now) are replaced in every text, links to its
web host are dropped, and attachments become "Attachment 1", "Attachment 2"...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django_countries import countries

from portal.db import fetch_rows
from portal.models import Edition, Organisation
from submissions.models import Application, ApplicationSnapshot
from submissions.selectors import application_form_sections

from ..models import (
    AggregationRun,
    Assignment,
    CalibrationEntry,
    Criterion,
    CriterionScore,
    EntryResult,
    JudgeProfile,
    JudgeResult,
    JudgingRound,
    Review,
    Shortlisting,
)
from ..algorithms.aggregation import competition_ranks
from .assignment import round_entries

# --- identity and redaction -------------------------------------------------------------------------------


def _host(url: str) -> str:
    host = (urlparse(url if "//" in url else f"//{url}").hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def identity_terms(organisation: Organisation | None, snapshot_organisation: dict | None = None) -> list[str]:
    """The strings that would tell a judge who applied: names, city and web host, longest first."""
    terms = set()
    for source in (snapshot_organisation or {}, {"name": getattr(organisation, "name", ""),
                                                 "city": getattr(organisation, "city", "")}):
        for key in ("name", "city"):
            value = (source.get(key) or "").strip()
            if len(value) >= 3:
                terms.add(value)
    website = getattr(organisation, "website", "") or ""
    if website and _host(website):
        terms.add(_host(website))
    return sorted(terms, key=len, reverse=True)


class Redactor:
    """Replaces the identity terms in a text (case-insensitive); a no-op outside blind rounds."""

    def __init__(self, terms: list[str], *, active: bool) -> None:
        self.active = active and bool(terms)
        self.hosts = [term for term in terms if "." in term and " " not in term]
        self.pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE) if self.active else None
        self.mask = _("[withheld]")

    def names_it(self, text: str) -> bool:
        return bool(self.pattern and self.pattern.search(text or ""))

    def __call__(self, text: str) -> str:
        if not self.active or not text:
            return text or ""
        return self.pattern.sub(self.mask, text)

    def keeps_link(self, link: str) -> bool:
        if not self.active:
            return True
        host = _host(link)
        return not any(host == h or host.endswith(f".{h}") for h in self.hosts) and not self.names_it(link)


def redactor_for(*, application: Application, judging_round: JudgingRound,
                 snapshot_data: dict | None = None) -> Redactor:
    organisation = application.organisation
    return Redactor(identity_terms(organisation, (snapshot_data or {}).get("organisation")),
                    active=judging_round.blind)


def entry_title(*, application: Application, judging_round: JudgingRound) -> str:
    """The entry's title as a judge of the round may read it (redacted in a blind round)."""
    title = application.title or _("Untitled entry")
    if not judging_round.blind:
        return title
    return Redactor(identity_terms(application.organisation), active=True)(title)


def attachment_download_name(*, number: int, name: str, content_type: str, blind: bool) -> str:
    """What a judge's download is called: the original name, or in a blind round "attachment-<n>.<ext>"."""
    if not blind:
        return name
    suffix = {"application/pdf": ".pdf"}.get(content_type) or (
        "." + name.rsplit(".", 1)[1].lower()[:8] if "." in name and name.rsplit(".", 1)[1].isalnum() else ""
    )
    return f"attachment-{number}{suffix}"


def latest_snapshot(*, application: Application) -> ApplicationSnapshot | None:
    return ApplicationSnapshot.objects.filter(application=application).order_by("-number").first()


def entry_for_judge(*, application: Application, judging_round: JudgingRound,
                    snapshot: ApplicationSnapshot | None) -> dict:
    """The submitted snapshot arranged as a judge reads it, with identity withheld in a blind round."""
    data = snapshot.data if snapshot else {}
    blind = judging_round.blind
    redact = redactor_for(application=application, judging_round=judging_round, snapshot_data=data)
    organisation = data.get("organisation") or {}
    kind, band, stage = organisation.get("kind") or "", organisation.get("population_band") or "", data.get("stage") or ""
    sections = []
    for section in application_form_sections(edition=judging_round.edition):
        text = data.get(str(section.field)) or ""
        if blind and section.field == "partners":
            text = "\n".join(line for line in text.splitlines() if not redact.names_it(line))
        sections.append({"label": section.label, "text": redact(text)})
    links = [line.strip() for line in (data.get("links") or "").splitlines() if line.strip()]
    attachments = []
    for number, attachment in enumerate(data.get("attachments") or [], start=1):
        attachments.append({
            "number": number,
            "name": _("Attachment %(number)s") % {"number": number} if blind else attachment.get("name", ""),
            "size": attachment.get("size"),
            "pages": attachment.get("pages"),
            "content_type": attachment.get("content_type", ""),
        })
    return {
        "blind": blind,
        "submitted": snapshot is not None,
        "number": snapshot.number if snapshot else None,
        "title": redact(data.get("title") or application.title or ""),
        "category": (data.get("category") or {}).get("name", ""),
        "organisation": None if blind else {
            "name": organisation.get("name", ""),
            "city": organisation.get("city", ""),
            "country": countries.name(organisation.get("country", "")) or organisation.get("country", ""),
        },
        "kind": Organisation.Kind(kind).label if kind in Organisation.Kind.values else "",
        "population_band": (
            Organisation.PopulationBand(band).label if band in Organisation.PopulationBand.values else ""
        ),
        "stage": Application.Stage(stage).label if stage in Application.Stage.values else "",
        "budget_usd": data.get("budget_usd"),
        "sections": sections,
        "links": [
            {"text": redact(link), "is_web": link.lower().startswith(("https://", "http://")) and not blind}
            for link in links if redact.keeps_link(link)
        ],
        "attachments": attachments,
    }


# --- the judge's side -----------------------------------------------------------------------------------


def judge_profile(*, user, edition: Edition) -> JudgeProfile | None:
    if not user.is_authenticated:
        return None
    return JudgeProfile.objects.filter(user=user, edition=edition).first()


def judge_rounds(*, judge: JudgeProfile) -> QuerySet[JudgingRound]:
    """The rounds in which the judge has active assignments, with their progress counted in the same query."""
    mine = Q(assignments__judge=judge, assignments__state__in=Assignment.ACTIVE_STATES)
    return (
        JudgingRound.objects.filter(edition_id=judge.edition_id)
        .annotate(
            mine=Count("assignments", filter=mine),
            done=Count("assignments", filter=mine & Q(assignments__state=Assignment.State.SUBMITTED)),
        )
        .filter(mine__gt=0)
        .order_by("position")
    )


@dataclass
class QueueRow:
    """One line of a judge's queue: only what the page shows, read as plain values (no model instances)."""

    pk: int
    application_id: int
    state: str
    title: str
    category: str
    url: str


def judge_queue(*, judge: JudgeProfile, judging_round: JudgingRound) -> list[QueueRow]:
    """The judge's active assignments in the round, in their queue order: one query, titles blind-safe.

    Reads plain values rather than models: a queue of 1,000 entries would otherwise build 5,000 model
    instances (and parse their dates) for a page that shows four columns.
    """
    rows = (
        Assignment.objects.filter(round=judging_round, judge=judge, state__in=Assignment.ACTIVE_STATES)
        .order_by("queue_position", "id")
        .values_list("pk", "application_id", "state", "application__title", "application__category__name",
                     "application__organisation__name", "application__organisation__city",
                     "application__organisation__website")
    )
    review_url = reverse("judging:scoring_review", args=[0]).replace("/0/", "/{}/")
    untitled = _("Untitled entry")
    queue = []
    for pk, application_id, state, title, category, name, city, website in rows:
        title = title or untitled
        if judging_round.blind:
            terms = identity_terms(None, {"name": name, "city": city})
            if website and _host(website):
                terms = sorted({*terms, _host(website)}, key=len, reverse=True)
            title = Redactor(terms, active=True)(title)
        queue.append(QueueRow(pk, application_id, state, title, category, review_url.format(pk)))
    return queue


@dataclass
class QueueProgress:
    done: int
    in_progress: int
    to_do: int

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.to_do


def queue_progress(rows: list) -> QueueProgress:
    states = [row.state for row in rows]
    return QueueProgress(
        done=states.count(Assignment.State.SUBMITTED),
        in_progress=states.count(Assignment.State.IN_PROGRESS),
        to_do=states.count(Assignment.State.ASSIGNED),
    )


def review_assignment(*, pk: int) -> Assignment | None:
    """One assignment with what its review page needs: round, edition, judge, entry, its review and scores."""
    return (
        Assignment.objects.select_related(
            "round__edition", "judge__user", "application__category", "application__organisation", "application__edition"
        )
        .prefetch_related(Prefetch("review__scores", queryset=CriterionScore.objects.order_by("criterion_id")))
        .filter(pk=pk)
        .first()
    )


def own_review(assignment: Assignment) -> Review | None:
    try:
        return assignment.review
    except Review.DoesNotExist:
        return None


# --- the committee's side ---------------------------------------------------------------------------------


def round_for_edition(*, edition: Edition, pk: int) -> JudgingRound | None:
    return JudgingRound.objects.filter(edition=edition, pk=pk).select_related("edition").first()


def committee_rounds(*, edition: Edition) -> QuerySet[JudgingRound]:
    return (
        JudgingRound.objects.filter(edition=edition)
        .prefetch_related("categories")
        .annotate(results=Count("entry_results", distinct=True))
        .order_by("position")
    )


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

    @property
    def shown(self) -> dict:
        return {"mean": f"{self.mean:.2f}", "median": f"{self.median:.2f}", "corrected": f"{self.corrected:.2f}",
                "interval": f"{self.interval_low:.2f}–{self.interval_high:.2f}", "spread": f"{self.spread:.1f}"}


BOARD_COLUMNS = (
    "application_id", "application__title", "application__organisation__name", "application__stage",
    "application__organisation__population_band", "n_reviews", "mean", "median", "corrected", "spread",
    "interval_low", "interval_high", "rank", "tied", "disagreement", "uncorrected_judges", "boundary_overlap",
)


def leaderboard(*, judging_round: JudgingRound, category_id: int | None, stage: str = "",
                band: str = "") -> list[BoardRow]:
    """One category's results in rank order, optionally only one development stage and/or population band."""
    results = EntryResult.objects.filter(round=judging_round)
    if category_id is not None:
        results = results.filter(category_id=category_id)
    if stage:
        results = results.filter(application__stage=stage)
    if band:
        results = results.filter(application__organisation__population_band=band)
    stage_labels = {code: str(label) for code, label in Application.Stage.choices}
    band_labels = {code: str(label) for code, label in Organisation.PopulationBand.choices}
    entry_url = reverse("judging:scoring_entry", args=[judging_round.edition.slug, judging_round.pk, 0])
    entry_url = entry_url[: -len("0/")] + "{}/"
    rows = []
    # The raw cursor: a thousand rows through the ORM's row machinery cost more than the query.
    for (application_id, title, organisation, stage_code, band_code, n_reviews, mean, median, corrected, spread,
         interval_low, interval_high, rank, tied, disagreement, uncorrected_judges, boundary_overlap) in fetch_rows(
        results.order_by("category_id", "rank", "application_id").values_list(*BOARD_COLUMNS)
    ):
        rows.append(BoardRow(
            application_id, title, organisation, stage_code or "", stage_labels.get(stage_code, ""), band_code,
            band_labels.get(band_code, band_code), n_reviews, mean, median, corrected, spread, interval_low,
            interval_high, rank, bool(tied), bool(disagreement), uncorrected_judges, bool(boundary_overlap),
            url=entry_url.format(application_id),
        ))
    return rows


def peer_bands(rows: list[BoardRow], *, group_by: str) -> list[dict]:
    """The rows split into peer bands (by stage, population band or both), ranked within each band."""
    def key(row: BoardRow) -> tuple:
        return tuple(value for wanted, value in (("stage", row.stage), ("band", row.band)) if wanted in group_by)

    def label(row: BoardRow) -> str:
        parts = []
        if "stage" in group_by:
            parts.append(row.stage_label or str(_("Stage not given")))
        if "band" in group_by:
            parts.append(row.band_label)
        return " · ".join(parts)

    groups: dict[tuple, list[BoardRow]] = {}
    for row in rows:
        groups.setdefault(key(row) if group_by else (), []).append(row)
    bands = []
    for _key, members in sorted(groups.items()):
        ranks, tied = competition_ranks([member.corrected for member in members])
        for member, rank, is_tied in zip(members, ranks.tolist(), tied.tolist(), strict=True):
            member.band_rank, member.band_tied = rank, is_tied
        members.sort(key=lambda m: (m.band_rank, m.application_id))
        bands.append({"label": label(members[0]) if group_by else "", "rows": members})
    return bands


def results_method(*, judging_round: JudgingRound) -> tuple[str, str] | None:
    """(method, version) the round's current results were computed with; None before the first computation."""
    # No ordering (first() would add ORDER BY id and scan them all): every row of a round carries the same method.
    return next(iter(EntryResult.objects.filter(round=judging_round).order_by()
                     .values_list("method", "method_version")[:1]), None)


def round_result_scores(*, judging_round: JudgingRound) -> list[tuple[int, float, float]]:
    """(category id, mean, corrected) of every result of the round: the distribution charts' data, one query."""
    return list(
        EntryResult.objects.filter(round=judging_round).order_by().values_list("category_id", "mean", "corrected")
    )


def judge_results(*, judging_round: JudgingRound) -> list[JudgeResult]:
    return list(
        JudgeResult.objects.filter(round=judging_round).select_related("judge__user").order_by("offset", "judge_id")
    )


def latest_run(*, judging_round: JudgingRound) -> AggregationRun | None:
    return AggregationRun.objects.filter(round=judging_round).order_by("-created_at", "-id").first()


def entries_without_results(*, judging_round: JudgingRound, category_id: int | None) -> int:
    """Entries of the round (by their active assignments) that have no result: no submitted review counted yet."""
    assigned = Assignment.objects.filter(round=judging_round, state__in=Assignment.ACTIVE_STATES)
    if category_id is not None:
        assigned = assigned.filter(application__category_id=category_id)
    with_result = EntryResult.objects.filter(round=judging_round, application_id=OuterRef("application_id"))
    return assigned.filter(~Exists(with_result)).values("application_id").distinct().count()


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
