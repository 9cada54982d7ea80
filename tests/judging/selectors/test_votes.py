"""The count of a committee vote, on cases computed by hand, and the round's overview."""

import pytest

from judging.algorithms.voting import METHOD, VERSION, schulze
from judging.algorithms.voting import Ballot as VotingBallot
from judging.models import Ballot
from judging.selectors.votes import vote_order, vote_overview, vote_result
from judging.services.votes import ballot_save
from portal.models import EditionRole
from portal.services import role_revoke
from tests.factories import BallotFactory, MembershipFactory
from tests.factories.votes import vote_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return vote_world(entries=4)


def cast(world, member, letters: str):
    """A ballot from a string such as "B>C=A": '>' separates groups, '=' ties."""
    by_letter = {entry.title[-1]: entry.pk for entry in world.entries}
    ranking = [[by_letter[x] for x in group.split("=")] for group in letters.split(">")]
    return ballot_save(judging_round=world.round, category=world.category, voter=member, ranking=ranking)


def by_title(world, table):
    names = {entry.pk: entry.title[-1] for entry in world.entries}
    return {names[x]: {names[y]: n for y, n in row.items()} for x, row in table.items()}


def test_nobody_voted_yet(world):
    assert vote_result(judging_round=world.round, category=world.category) is None
    assert vote_order(judging_round=world.round, category=world.category) is None


def test_a_cycle_of_three_members_ends_in_a_tie_above_the_entry_all_rank_last(world):
    # Three members, four entries; A, B and C beat each other in a circle (a Condorcet cycle):
    #   chair      A > B > C > D
    #   member 1   B > C > A > D
    #   member 2   C > A > B > D
    # d: A>B 2:1, B>C 2:1, C>A 2:1, each of A, B, C over D 3:0.
    # Links A→B 2, B→C 2, C→A 2, {A,B,C}→D 3; every path among A, B, C is as strong as 2 both ways, so none
    # beats another: A = B = C, and all three beat D (3 against 0).
    chair, one, two = world.members
    cast(world, chair, "A>B>C>D")
    cast(world, one, "B>C>A>D")
    cast(world, two, "C>A>B>D")
    outcome = vote_result(judging_round=world.round, category=world.category)
    assert by_title(world, outcome.result.pairwise) == {
        "A": {"B": 2, "C": 1, "D": 3}, "B": {"A": 1, "C": 2, "D": 3},
        "C": {"A": 2, "B": 1, "D": 3}, "D": {"A": 0, "B": 0, "C": 0},
    }
    assert by_title(world, outcome.result.strongest) == {
        "A": {"B": 2, "C": 2, "D": 3}, "B": {"A": 2, "C": 2, "D": 3},
        "C": {"A": 2, "B": 2, "D": 3}, "D": {"A": 0, "B": 0, "C": 0},
    }
    a, b, c, d = world.entries
    assert [[entry.title for entry in group] for group in outcome.order] == [["Entry A", "Entry B", "Entry C"],
                                                                            ["Entry D"]]
    assert vote_order(judging_round=world.round, category=world.category) == [[a.pk, b.pk, c.pk], [d.pk]]
    assert (outcome.ballots, outcome.voters, outcome.method, outcome.version) == (
        3, [chair, one, two], METHOD, VERSION)
    # The same as the algorithm on the same ballots.
    direct = schulze([a.pk, b.pk, c.pk, d.pk], [
        [[a.pk], [b.pk], [c.pk], [d.pk]], [[b.pk], [c.pk], [a.pk], [d.pk]], [[c.pk], [a.pk], [b.pk], [d.pk]]])
    assert (outcome.result.pairwise, outcome.result.strongest, outcome.result.order) == (
        direct.pairwise, direct.strongest, direct.order)


def test_a_recused_member_counts_for_nothing_in_pairs_with_that_entry(world):
    # Member 2 belongs to A's organisation: A is never on their ballot, and they rank C > B > D.
    #   chair      A > B > C > D
    #   member 1   B > C > A > D
    #   member 2   C > B > D     (recused from A)
    # d: A>B 1:1, A>C 1:1 (member 2 counts in neither), B>C 2:1, A>D 2:0, B>D 3:0, C>D 3:0.
    # Links B→C 2, A→D 2, B→D 3, C→D 3; nobody beats A or B (no path either way between them): A = B,
    # then C (beaten by B), then D. Had member 2 ranked A last instead, A would lose to C 1:2.
    chair, one, two = world.members
    a, b, c, d = world.entries
    MembershipFactory(organisation=a.organisation, user=two)
    cast(world, chair, "A>B>C>D")
    cast(world, one, "B>C>A>D")
    cast(world, two, "A>C>B>D")  # A is dropped: recused
    outcome = vote_result(judging_round=world.round, category=world.category)
    assert by_title(world, outcome.result.pairwise) == {
        "A": {"B": 1, "C": 1, "D": 2}, "B": {"A": 1, "C": 2, "D": 3},
        "C": {"A": 1, "B": 1, "D": 3}, "D": {"A": 0, "B": 0, "C": 0},
    }
    assert by_title(world, outcome.result.strongest) == {
        "A": {"B": 0, "C": 0, "D": 2}, "B": {"A": 0, "C": 2, "D": 3},
        "C": {"A": 0, "B": 0, "D": 3}, "D": {"A": 0, "B": 0, "C": 0},
    }
    assert vote_order(judging_round=world.round, category=world.category) == [[a.pk, b.pk], [c.pk], [d.pk]]
    direct = schulze([a.pk, b.pk, c.pk, d.pk], [
        [[a.pk], [b.pk], [c.pk], [d.pk]], [[b.pk], [c.pk], [a.pk], [d.pk]],
        VotingBallot(ranking=[[c.pk], [b.pk], [d.pk]], eligible=frozenset({b.pk, c.pk, d.pk}))])
    assert outcome.result.order == direct.order


def test_a_conflict_found_after_the_vote_recuses_at_the_count(world):
    chair, one, _two = world.members
    a, b, c, d = world.entries
    cast(world, chair, "A>B>C>D")
    cast(world, one, "A>B>C>D")
    MembershipFactory(organisation=a.organisation, user=one)
    outcome = vote_result(judging_round=world.round, category=world.category)
    assert by_title(world, outcome.result.pairwise)["A"] == {"B": 1, "C": 1, "D": 1}


def test_only_todays_voters_and_candidates_count(world):
    chair, one, two = world.members
    a, b, c, d = world.entries
    cast(world, chair, "D>C>B>A")
    cast(world, one, "A>B>C>D")
    cast(world, two, "A>B>C>D")
    role_revoke(edition=world.edition, user=two, role=EditionRole.Role.COMMITTEE)
    BallotFactory(round=world.round, category=world.category, ranking=[[d.pk]], eligible=[d.pk])  # not a voter
    d.status = "withdrawn"  # no longer eligible: off the round's entries
    d.save(update_fields=["status"])
    outcome = vote_result(judging_round=world.round, category=world.category)
    assert outcome.voters == [chair, one]
    assert [entry.title for entry in outcome.entries] == ["Entry A", "Entry B", "Entry C"]
    assert outcome.result.order == [[a.pk, b.pk, c.pk]]  # 1:1 on every pair


def test_an_entry_added_after_a_ballot_is_not_ranked_last_on_it(world):
    chair, one, _two = world.members
    a, b, c, d = world.entries
    cast(world, chair, "A>B")
    Ballot.objects.filter(voter=chair).update(eligible=[a.pk, b.pk, c.pk])  # as if D came later
    outcome = vote_result(judging_round=world.round, category=world.category)
    assert by_title(world, outcome.result.pairwise)["A"] == {"B": 1, "C": 1, "D": 0}


def test_the_overview_counts_ballots_of_members_who_may_vote(world):
    chair, one, two = world.members
    for entry in world.entries:
        MembershipFactory(organisation=entry.organisation, user=two)  # recused from the whole category
    cast(world, one, "A")
    rows = vote_overview(judging_round=world.round, user=one)
    assert [(r.category.name, r.entries, r.voted, r.may_vote, r.you_voted, r.you_may_vote) for r in rows] == [
        ("Safety and resilience", 4, 1, 2, True, True),
        ("Human-centric", 1, 0, 3, False, True),
    ]
    assert [(r.you_voted, r.you_may_vote) for r in vote_overview(judging_round=world.round, user=two)] == [
        (False, False), (False, True)]
