"""Reads for the committee's vote: a vote round's entries per category, who may vote, who is recused from
which entry, each member's own ballot, and the count (the Schulze method, judging/algorithms/voting.py).

A member is recused from an entry (never on their ballot; in the count they take part in no pair with it)
when they hold a conflict of interest with it: a Conflict row or a "conflict" bid on it as a judge of the
edition, membership of the applying organisation, or that organisation among their judge profile's
affiliations. Recusal is read again at every count, so a conflict found after a member voted still takes
the entry off their ballot. Every function here costs a fixed number of queries, however many entries,
members or ballots there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from portal.models import Edition, EditionRole, Membership, User
from submissions.models import Application, Category

from ..algorithms.voting import Ballot as VotingBallot
from ..algorithms.voting import SchulzeResult, schulze
from ..models import Ballot, Bid, Conflict, JudgeProfile, JudgingRound
from .assignment import round_entries

VOTER_ROLES = (EditionRole.Role.CHAIR, EditionRole.Role.COMMITTEE)
# A round's vote takes ballots while its judges score and after (a closed round becomes "scored" by itself as
# soon as its results are computed); it closes for good when the edition is finalised.
VOTE_ROUND_STATES = (JudgingRound.State.OPEN, JudgingRound.State.CLOSED, JudgingRound.State.SCORED)
LOCKED_EDITION_STATES = (Edition.State.FINALISED, Edition.State.PUBLISHED)

RECUSAL_KINDS = {
    "member": gettext_lazy("you are a member of the applying organisation"),
    "affiliation": gettext_lazy("the applying organisation is among your affiliations as a judge"),
    "declared": gettext_lazy("you declared a conflict of interest as a judge"),
    "recorded": gettext_lazy("the secretariat recorded a conflict of interest"),
    "bid": gettext_lazy("you bid “conflict” on it as a judge"),
}


def vote_is_open(judging_round: JudgingRound) -> bool:
    """Whether the round's vote takes ballots: a vote round, open or closed or scored, in an unlocked edition."""
    return (
        judging_round.committee_vote
        and judging_round.state in VOTE_ROUND_STATES
        and judging_round.edition.state not in LOCKED_EDITION_STATES
    )


def vote_rounds(*, edition: Edition) -> list[JudgingRound]:
    """The edition's rounds decided by a committee vote, in order."""
    return list(JudgingRound.objects.filter(edition=edition, committee_vote=True).order_by("position"))


def vote_categories(*, judging_round: JudgingRound) -> list[Category]:
    return list(judging_round.categories.order_by("position", "name"))


def vote_category(*, judging_round: JudgingRound, category_id: int) -> Category | None:
    return judging_round.categories.filter(pk=category_id).first()


def vote_entries(*, judging_round: JudgingRound, category: Category) -> list[Application]:
    """The entries of `category` the round decides on (for a round on a shortlist: that category's shortlist)."""
    return list(
        round_entries(round=judging_round).filter(category=category)
        .select_related("organisation").order_by("title", "id")
    )


def edition_voter_ids(*, edition: Edition) -> list[int]:
    """The chair(s) and committee members of the edition."""
    return sorted(set(
        EditionRole.objects.filter(edition=edition, role__in=VOTER_ROLES).values_list("user_id", flat=True)
    ))


def recusals(*, edition: Edition, user_ids: Iterable[int],
             entries: Iterable[Application]) -> dict[int, dict[int, list[str]]]:
    """user id -> {application id -> the kinds of conflict (RECUSAL_KINDS keys)} for every recused pair."""
    user_ids = list(user_ids)
    entries = list(entries)
    found: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    if not user_ids or not entries:
        return {}
    entry_ids = [entry.pk for entry in entries]
    by_organisation: dict[int, list[int]] = defaultdict(list)
    for entry in entries:
        by_organisation[entry.organisation_id].append(entry.pk)

    for user_id, organisation_id in Membership.objects.filter(
        user_id__in=user_ids, organisation_id__in=list(by_organisation)
    ).values_list("user_id", "organisation_id"):
        for application_id in by_organisation[organisation_id]:
            found[user_id][application_id].append("member")
    for user_id, organisation_id in JudgeProfile.affiliations.through.objects.filter(
        judgeprofile__edition=edition, judgeprofile__user_id__in=user_ids, organisation_id__in=list(by_organisation)
    ).values_list("judgeprofile__user_id", "organisation_id"):
        for application_id in by_organisation[organisation_id]:
            found[user_id][application_id].append("affiliation")
    for user_id, application_id, source in Conflict.objects.filter(
        judge__edition=edition, judge__user_id__in=user_ids, application_id__in=entry_ids
    ).values_list("judge__user_id", "application_id", "source"):
        found[user_id][application_id].append("declared" if source == Conflict.Source.DECLARED else "recorded")
    for user_id, application_id in Bid.objects.filter(
        judge__edition=edition, judge__user_id__in=user_ids, application_id__in=entry_ids, level=Bid.Level.CONFLICT
    ).values_list("judge__user_id", "application_id"):
        found[user_id][application_id].append("bid")
    return {user_id: dict(pairs) for user_id, pairs in found.items()}


def recusal_reasons(kinds: list[str]) -> str:
    return "; ".join(str(RECUSAL_KINDS[kind]) for kind in kinds)


def ballot_of(*, judging_round: JudgingRound, category: Category, voter: User) -> Ballot | None:
    """The member's own ballot in this round and category, if they have voted."""
    return Ballot.objects.filter(round=judging_round, category=category, voter=voter).first()


# --- the count --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteOutcome:
    """A category's count: its entries, the Schulze result over their ids, and who voted (never how)."""

    entries: list[Application]  # the candidates, in the order the tables list them
    result: SchulzeResult[int]
    voters: list[User]  # the members whose ballot counted, by name

    @property
    def ballots(self) -> int:
        return len(self.voters)

    @property
    def method(self) -> str:
        return self.result.method

    @property
    def version(self) -> str:
        return self.result.version

    @property
    def order(self) -> list[list[Application]]:
        """Groups of tied entries, best first."""
        by_id = {entry.pk: entry for entry in self.entries}
        return [[by_id[pk] for pk in group] for group in self.result.order]


def _counted_ballots(judging_round: JudgingRound, category: Category,
                     entries: list[Application]) -> tuple[list[VotingBallot[int]], list[User]]:
    """The ballots of the edition's current voters, each limited to today's entries and recusals."""
    voter_ids = edition_voter_ids(edition=judging_round.edition)
    rows = list(
        Ballot.objects.filter(round=judging_round, category=category, voter_id__in=voter_ids)
        .select_related("voter").order_by("voter__name", "voter__email")
    )
    if not rows:
        return [], []
    candidates = {entry.pk for entry in entries}
    recused = recusals(edition=judging_round.edition, user_ids=[row.voter_id for row in rows], entries=entries)
    ballots, voters = [], []
    for row in rows:
        eligible = (set(row.eligible) & candidates) - set(recused.get(row.voter_id, {}))
        ranking = [[pk for pk in group if pk in eligible] for group in row.ranking]
        ballots.append(VotingBallot(ranking=[group for group in ranking if group], eligible=frozenset(eligible)))
        voters.append(row.voter)
    return ballots, voters


def vote_result(*, judging_round: JudgingRound, category: Category) -> VoteOutcome | None:
    """The count of a category's vote in a round; None when nobody has voted yet."""
    entries = vote_entries(judging_round=judging_round, category=category)
    ballots, voters = _counted_ballots(judging_round, category, entries)
    if not ballots:
        return None
    return VoteOutcome(entries=entries, result=schulze([entry.pk for entry in entries], ballots), voters=voters)


def vote_order(*, judging_round: JudgingRound, category: Category) -> list[list[int]] | None:
    """The vote's order of a category as groups of application ids (tied ids share a group), best first;
    None when nobody has voted. The proposal of a round with `committee_vote` reads its ranking from here."""
    outcome = vote_result(judging_round=judging_round, category=category)
    return [list(group) for group in outcome.result.order] if outcome is not None else None


# --- the round's overview ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryVote:
    category: Category
    entries: int
    voted: int  # ballots of members who may vote here
    may_vote: int  # members with at least one entry they are not recused from
    you_voted: bool
    you_may_vote: bool


def vote_overview(*, judging_round: JudgingRound, user: User) -> list[CategoryVote]:
    """Per category of the round: entries, how many members voted of those who may, and `user`'s part."""
    categories = vote_categories(judging_round=judging_round)
    entries = list(round_entries(round=judging_round).only("id", "category_id", "organisation_id"))
    voter_ids = edition_voter_ids(edition=judging_round.edition)
    recused = recusals(edition=judging_round.edition, user_ids=voter_ids, entries=entries)
    voted = defaultdict(set)
    for category_id, voter_id in Ballot.objects.filter(round=judging_round, voter_id__in=voter_ids).values_list(
        "category_id", "voter_id"
    ):
        voted[category_id].add(voter_id)
    rows = []
    for category in categories:
        ids = {entry.pk for entry in entries if entry.category_id == category.pk}
        able = {voter for voter in voter_ids if ids - set(recused.get(voter, {}))}
        rows.append(CategoryVote(
            category=category, entries=len(ids), voted=len(voted[category.pk] & able), may_vote=len(able),
            you_voted=user.pk in voted[category.pk], you_may_vote=user.pk in able,
        ))
    return rows
