"""The prize proposal and the committee's decisions, read in a fixed number of queries.

For each category the proposal takes the edition's final round that covers it (the highest-position round
including the category) and, when its results are computed, fills the category's tiers in order from the
ranking by corrected score, after the places the committee has already decided:

- an entry whose bootstrap interval overlaps the interval of an entry on the other side of a tier's end (the
  cut between the tier's last place and the next entry, counted over the whole ranking) is flagged uncertain
  at that tier;
- entries sharing a rank that straddle a tier's end are a tie ("3 entries tie for 2 silver places"), never
  broken here: the committee decides it (tie-break rule or by hand with a reason);
- an entry the committee moved to another category's consideration leaves its own category's proposal and is
  listed as a candidate in the other category;
- where the final round is decided by the committee's vote (`committee_vote`), the vote's Schulze order takes
  the place of the ranking by score (entries tied in the vote share a rank, so the ties rule above applies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from itertools import groupby
from operator import or_

from django.db.models import Prefetch, Q

from portal.models import Edition
from submissions.models import Application, Category

from ..models import (
    AwardDecision,
    CategoryConsideration,
    DeliberationMinutes,
    EditionAward,
    EntryResult,
    JudgingRound,
    PrizeTier,
)
from .results import prize_chance
from .votes import vote_order


@dataclass
class Candidate:
    application: Application
    result: EntryResult | None  # its own category's final-round result
    uncertain_at: list[PrizeTier] = field(default_factory=list)  # tiers whose end its interval crosses
    moved_to: Category | None = None  # considered in another category instead
    moved_in: bool = False  # considered here, moved from its own category
    vote_rank: int | None = None  # its rank in the committee's vote, where the vote decides
    chance: str = ""  # method 2: its chance of each prize, in words (the leaderboard's column)

    @property
    def rank(self) -> int | None:
        if self.vote_rank is not None:
            return self.vote_rank
        return self.result.rank if self.result else None


@dataclass
class TieNote:
    tier: PrizeTier
    entries: list[Candidate]
    places: int  # how many of the tier's places the tied entries compete for
    carried: bool = False  # the rest of a tie that began in the tier above


@dataclass
class TierProposal:
    tier: PrizeTier
    decisions: list[AwardDecision]
    proposed: list[Candidate]
    tie: TieNote | None

    @property
    def open_places(self) -> int:
        """Places neither decided, proposed nor contested by a tie: the ranking has no entry left for them."""
        contested = self.tie.places if self.tie else 0
        return max(0, self.tier.places - len(self.decisions) - len(self.proposed) - contested)

    @property
    def undecided(self) -> int:
        return max(0, self.tier.places - len(self.decisions))


@dataclass
class CategoryProposal:
    category: Category
    round: JudgingRound | None  # the final round covering the category
    results_ready: bool
    tiers: list[TierProposal]
    ranking: list[Candidate]  # every ranked entry of the category still considered here, best first
    moved_in: list[Candidate]
    moved_away: list[Candidate]
    by_vote: bool = False  # the ranking is the committee's vote, not the scores
    total: int = 0  # the board (selectors/award_board.py): every ranked entry still considered here
    page: object = None  # the board: the shown page of the whole ranking (a Paginator page of candidates)

    @property
    def ties(self) -> list[TieNote]:
        return [tier.tie for tier in self.tiers if tier.tie is not None]

    @property
    def candidates(self) -> list[Candidate]:
        return [*self.ranking, *self.moved_in]

    def tier(self, tier_id: int) -> TierProposal | None:
        return next((tier for tier in self.tiers if tier.tier.pk == tier_id), None)


@dataclass
class AwardGiven:
    award: EditionAward
    decisions: list[AwardDecision]

    @property
    def full(self) -> bool:
        return self.award.max_recipients is not None and len(self.decisions) >= self.award.max_recipients


@dataclass
class Proposal:
    edition: Edition
    categories: list[CategoryProposal]
    awards: list[AwardGiven]

    def category(self, category_id: int) -> CategoryProposal | None:
        return next((c for c in self.categories if c.category.pk == category_id), None)


def final_rounds(*, edition: Edition) -> dict[int, JudgingRound]:
    """For each category id, the highest-position round of the edition that includes it."""
    chosen: dict[int, JudgingRound] = {}
    for judging_round in JudgingRound.objects.filter(edition=edition).prefetch_related(
            Prefetch("categories", queryset=Category.objects.only("id"))).order_by("-position"):
        for category in judging_round.categories.all():
            chosen.setdefault(category.pk, judging_round)
    return chosen


def award_proposal(*, edition: Edition) -> Proposal:
    rounds = final_rounds(edition=edition)
    categories = list(Category.objects.filter(edition=edition).order_by("position", "id").prefetch_related(
        Prefetch("prize_tiers", queryset=PrizeTier.objects.order_by("position"))))
    pairs = [Q(round_id=rounds[c.pk].pk, category_id=c.pk) for c in categories if c.pk in rounds]
    results = list(EntryResult.objects.filter(reduce(or_, pairs)).select_related(
        "application__organisation").order_by("category_id", "rank", "application_id")) if pairs else []
    result_of = {result.application_id: result for result in results}
    decisions = list(AwardDecision.objects.filter(edition=edition).select_related(
        "application__organisation", "decided_by", "tier", "award").order_by("id"))
    considerations = list(CategoryConsideration.objects.filter(edition=edition).select_related(
        "application__organisation", "category"))
    moved = {c.application_id: c for c in considerations}
    placed = {d.application_id for d in decisions if d.tier_id is not None and d.application_id is not None}
    by_tier: dict[int, list[AwardDecision]] = {}
    by_award: dict[int, list[AwardDecision]] = {}
    for decision in decisions:
        if decision.tier_id is not None:
            by_tier.setdefault(decision.tier_id, []).append(decision)
        else:
            by_award.setdefault(decision.award_id, []).append(decision)

    proposals = []
    for category in categories:
        own = [r for r in results if r.category_id == category.pk]
        ranking = [Candidate(r.application, r) for r in own if r.application_id not in moved]
        moved_away = [Candidate(r.application, r, moved_to=moved[r.application_id].category)
                      for r in own if r.application_id in moved]
        moved_in = [Candidate(c.application, result_of.get(c.application_id), moved_in=True)
                    for c in considerations if c.category_id == category.pk]
        tiers = list(category.prize_tiers.all())
        names = [str(tier.get_level_display()) for tier in tiers]
        for candidate in ranking + moved_away:
            if candidate.result is not None:
                candidate.chance = prize_chance(candidate.result.tier_probabilities, candidate.result.top_probability,
                                                names)
        judging_round = rounds.get(category.pk)
        order = (vote_order(judging_round=judging_round, category=category)
                 if judging_round is not None and judging_round.committee_vote else None)
        if order:
            ranking = _ordered_by_vote(ranking, order)
        else:
            _flag_uncertain(ranking, tiers)  # score intervals say nothing about a vote's order
        proposals.append(CategoryProposal(
            category=category, round=judging_round, results_ready=bool(own), ranking=ranking,
            moved_in=moved_in, moved_away=moved_away, tiers=_fill(ranking, tiers, by_tier, placed),
            by_vote=bool(order),
        ))
    awards = [AwardGiven(award, by_award.get(award.pk, []))
              for award in EditionAward.objects.filter(edition=edition).order_by("position", "id")]
    return Proposal(edition=edition, categories=proposals, awards=awards)


def _ordered_by_vote(ranking: list[Candidate], order: list[list[int]]) -> list[Candidate]:
    """The candidates in the vote's order: competition ranks by vote group (tied in the vote, tied here)."""
    vote_rank, before = {}, 0
    for group in order:
        for application_id in group:
            vote_rank[application_id] = before + 1
        before += len(group)
    for candidate in ranking:
        candidate.vote_rank = vote_rank.get(candidate.application.pk, before + 1)
    return sorted(ranking, key=lambda candidate: (candidate.vote_rank, candidate.application.pk))


def _flag_uncertain(ranking: list[Candidate], tiers: list[PrizeTier]) -> None:
    """Flag, at each tier's end, every entry whose interval overlaps one on the other side of the cut."""
    cut = 0
    for tier in tiers:
        cut += tier.places
        inside, outside = ranking[:cut], ranking[cut:]
        if not inside or not outside:
            continue
        for entry in inside:
            low, high = entry.result.interval_low, entry.result.interval_high
            if any(low <= other.result.interval_high and other.result.interval_low <= high for other in outside):
                entry.uncertain_at.append(tier)
        for entry in outside:
            low, high = entry.result.interval_low, entry.result.interval_high
            if any(low <= other.result.interval_high and other.result.interval_low <= high for other in inside):
                entry.uncertain_at.append(tier)


def _fill(ranking: list[Candidate], tiers: list[PrizeTier], by_tier: dict[int, list[AwardDecision]],
          placed: set[int]) -> list[TierProposal]:
    """The tiers' places after the decisions taken, filled in rank order; a rank group that does not fit is a tie."""
    queue = [list(group) for _rank, group in groupby(
        (c for c in ranking if c.application.pk not in placed), key=lambda c: c.rank)]
    carried = 0  # members of the head group already counted in the tier above's tie
    filled = []
    for tier in tiers:
        decisions = by_tier.get(tier.pk, [])
        free = max(0, tier.places - len(decisions))
        proposed: list[Candidate] = []
        tie = None
        while free and queue:
            group = queue[0]
            left = len(group) - carried
            if carried and left <= free:
                tie = TieNote(tier, group, left, carried=True)
                free -= left
                queue.pop(0)
                carried = 0
            elif carried or len(group) > free:
                tie = TieNote(tier, group, free, carried=bool(carried))
                carried += free
                free = 0
            else:
                proposed.extend(group)
                free -= len(group)
                queue.pop(0)
        filled.append(TierProposal(tier=tier, decisions=decisions, proposed=proposed, tie=tie))
    return filled


def deliberation_minutes(*, edition: Edition):
    return DeliberationMinutes.objects.filter(edition=edition).select_related("written_by").order_by("-held_on", "-id")
