"""The deliberation page's proposal: the same figures as `award_proposal`, read in a fixed number of queries
whatever the category's size, rendering only what is shown.

What needs the whole category is computed over it in the database: the ranking's length, and, for each entry
above a tier's end, whether its interval overlaps any entry's below it (one aggregate). Only the ranking's
head is read in full (the places to fill, the decided ones skipped, up to the whole rank group at the last
place, so a tie at a tier's end is complete), with one page of the whole ranking. An entry of the page below
a tier's end is flagged against the entries above it, which are all in the head. Where the committee's vote
orders the final round (a shortlist), the ranking is read whole, as `award_proposal` does.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from portal.models import Edition
from portal.paging import page_rows
from submissions.models import Category

from ..models import AwardDecision, CategoryConsideration, EditionAward, EntryResult, PrizeTier
from .awards import AwardGiven, Candidate, CategoryProposal, Proposal, _fill, _ordered_by_vote, final_rounds
from .results import prize_chance
from .votes import vote_order

RANKING_PER_PAGE = 50
_NO_LIMIT = 2**31 - 1


class _Counted(Paginator):
    """A paginator told the list's length (counted with the board's aggregate), not counting it again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


def _overlaps(low, high) -> Q:
    return Q(interval_low__lte=high, interval_high__gte=low)


def award_board(*, edition: Edition, ranking_category: int | None = None, page: str | None = None,
                show_all: bool = False) -> Proposal:
    """The proposal with each category's ranking paged: page `page` (or all of it with `show_all`) of the category
    `ranking_category`, the first page of the others."""
    rounds = final_rounds(edition=edition)
    categories = list(Category.objects.filter(edition=edition).order_by("position", "id").prefetch_related(
        Prefetch("prize_tiers", queryset=PrizeTier.objects.order_by("position"))))
    decisions = list(AwardDecision.objects.filter(edition=edition).select_related(
        "application__organisation", "decided_by", "tier", "award").order_by("id"))
    considerations = list(CategoryConsideration.objects.filter(edition=edition).select_related(
        "application__organisation", "category"))
    moved = {c.application_id: c for c in considerations}
    pairs = Q(pk__in=[])
    for category in categories:
        if category.pk in rounds:
            pairs |= Q(round_id=rounds[category.pk].pk, category_id=category.pk)
    moved_results = {r.application_id: r for r in EntryResult.objects.filter(pairs, application_id__in=list(moved))}
    placed = {d.application_id for d in decisions if d.tier_id is not None and d.application_id is not None}
    by_tier: dict[int, list[AwardDecision]] = {}
    by_award: dict[int, list[AwardDecision]] = {}
    for decision in decisions:
        (by_tier.setdefault(decision.tier_id, []) if decision.tier_id is not None
         else by_award.setdefault(decision.award_id, [])).append(decision)

    proposals = []
    for category in categories:
        judging_round = rounds.get(category.pk)
        tiers = list(category.prize_tiers.all())
        names = [str(tier.get_level_display()) for tier in tiers]
        moved_away = [Candidate(c.application, moved_results[c.application_id], moved_to=c.category)
                      for c in considerations if c.application.category_id == category.pk
                      and c.application_id in moved_results]
        moved_in = [Candidate(c.application, moved_results.get(c.application_id), moved_in=True)
                    for c in considerations if c.category_id == category.pk]
        if judging_round is None:
            proposals.append(CategoryProposal(category=category, round=None, results_ready=False, tiers=_fill(
                [], tiers, by_tier, placed), ranking=[], moved_in=moved_in, moved_away=moved_away))
            continue
        ranked = (EntryResult.objects.filter(round_id=judging_round.pk, category_id=category.pk)
                  .exclude(application_id__in=list(moved)).select_related("application__organisation")
                  .order_by("rank", "application_id"))
        order = vote_order(judging_round=judging_round, category=category) if judging_round.committee_vote else None
        targeted = ranking_category == category.pk
        if order:
            ranking = _ordered_by_vote([Candidate(r.application, r) for r in ranked], order)
            total, head = len(ranking), ranking
            paginator = Paginator(ranking, max(total, 1) if targeted and show_all else RANKING_PER_PAGE)
            shown = paginator.get_page(page if targeted else None)
        else:
            head, total = _head(ranked, tiers, placed)
            per_page = max(total, 1) if targeted and show_all else RANKING_PER_PAGE
            shown = _Counted(ranked, per_page, count=total).get_page(page if targeted else None)
            rows = {c.application.pk: c for c in head}
            shown.object_list = [rows.get(r.application_id) or Candidate(r.application, r)
                                 for r in page_rows(ranked, shown)]
            _flag(head, shown.object_list, tiers)
        for candidate in [*head, *shown.object_list, *moved_away]:
            if candidate.result is not None:
                candidate.chance = prize_chance(candidate.result.tier_probabilities,
                                                candidate.result.top_probability, names)
        proposals.append(CategoryProposal(
            category=category, round=judging_round, results_ready=bool(total or moved_away), ranking=head,
            moved_in=moved_in, moved_away=moved_away, tiers=_fill(head, tiers, by_tier, placed),
            by_vote=bool(order), total=total, page=shown,
        ))
    awards = [AwardGiven(award, by_award.get(award.pk, []))
              for award in EditionAward.objects.filter(edition=edition).order_by("position", "id")]
    return Proposal(edition=edition, categories=proposals, awards=awards)


def _head(ranked, tiers: list[PrizeTier], placed: set[int]) -> tuple[list[Candidate], int]:
    """The ranking's head (enough places for every tier after the decided ones, to the end of the last place's
    rank group), flagged where its interval overlaps one below a tier's end; and the ranking's length. Two
    queries."""
    size = max(1, sum(tier.places for tier in tiers) + len(placed))
    last = Subquery(ranked.values("rank")[size - 1:size], output_field=IntegerField())
    head = [Candidate(r.application, r) for r in ranked.filter(rank__lte=Coalesce(last, _NO_LIMIT))]
    counts, checks, cut = {"total": Count("pk")}, [], 0
    for number, tier in enumerate(tiers):
        cut += tier.places
        inside = head[:cut]
        ids = [c.application.pk for c in inside]
        for candidate in inside:
            key = f"tier{number}_{candidate.application.pk}"
            counts[key] = Count("pk", filter=_overlaps(candidate.result.interval_low, candidate.result.interval_high)
                                & ~Q(application_id__in=ids))
            checks.append((key, candidate, tier))
    figures = ranked.aggregate(**counts)
    for key, candidate, tier in checks:
        if figures[key]:
            candidate.uncertain_at.append(tier)
    return head, figures["total"]


def _flag(head: list[Candidate], shown: list[Candidate], tiers: list[PrizeTier]) -> None:
    """Flag the shown entries below a tier's end whose interval overlaps one above it (all of those are in the
    head), then order every entry's flags by tier, as `_flag_uncertain` gives them."""
    unique = list({id(c): c for c in [*head, *shown]}.values())
    cut = 0
    for tier in tiers:
        cut += tier.places
        inside = head[:cut]
        ids = {c.application.pk for c in inside}
        for candidate in unique:
            low, high = candidate.result.interval_low, candidate.result.interval_high
            if candidate.application.pk not in ids and any(
                    low <= other.result.interval_high and other.result.interval_low <= high for other in inside):
                candidate.uncertain_at.append(tier)
    order = {tier.pk: number for number, tier in enumerate(tiers)}
    for candidate in unique:
        candidate.uncertain_at.sort(key=lambda tier: order[tier.pk])
