"""The proposal: each category's final ranking fills its tiers in order; ties and uncertain places are shown."""

import pytest

from judging.selectors.awards import award_proposal
from tests.factories import AwardDecisionFactory, CategoryConsiderationFactory, EntryResultFactory
from tests.factories.deliberation import award_world

pytestmark = pytest.mark.django_db


def _titles(candidates) -> list[str]:
    return [c.application.title for c in candidates]


def _tiers(world):
    return award_proposal(edition=world.edition).category(world.category.pk).tiers


def test_the_ranking_fills_gold_silver_and_bronze_in_order():
    world = award_world([9, 8, 7, 6, 5, 4, 3, 2])
    gold, silver, bronze = _tiers(world)
    assert [_titles(t.proposed) for t in (gold, silver, bronze)] == [
        ["Entry 1"], ["Entry 2", "Entry 3"], ["Entry 4", "Entry 5", "Entry 6"]]
    assert [t.tie for t in (gold, silver, bronze)] == [None, None, None]
    category = award_proposal(edition=world.edition).category(world.category.pk)
    assert [c.uncertain_at for c in category.ranking] == [[]] * 8
    assert category.round == world.round  # the highest-position round, not the earlier one


def test_a_tie_at_the_gold_silver_boundary_is_shown_and_carried_into_silver():
    world = award_world([9, 9, 7, 6, 5, 4, 3])
    gold, silver, bronze = _tiers(world)
    assert (gold.proposed, _titles(gold.tie.entries), gold.tie.places, gold.tie.carried) == (
        [], ["Entry 1", "Entry 2"], 1, False)
    # The other tied entry takes a silver place, but which one is for the committee to decide.
    assert (silver.tie.places, silver.tie.carried, _titles(silver.proposed)) == (1, True, ["Entry 3"])
    assert _titles(bronze.proposed) == ["Entry 4", "Entry 5", "Entry 6"]


def test_a_tie_at_the_silver_bronze_boundary_three_entries_for_two_silver_places():
    world = award_world([9, 8, 8, 8, 5, 4, 3])
    gold, silver, bronze = _tiers(world)
    assert (_titles(gold.proposed), silver.proposed, silver.tie.places) == (["Entry 1"], [], 2)
    assert _titles(silver.tie.entries) == ["Entry 2", "Entry 3", "Entry 4"]
    assert (bronze.tie.carried, bronze.tie.places, _titles(bronze.proposed)) == (True, 1, ["Entry 5", "Entry 6"])


def test_a_tie_at_the_end_of_bronze_competes_for_the_last_place():
    world = award_world([9, 8, 7, 6, 5, 4, 4, 3])
    gold, silver, bronze = _tiers(world)
    assert _titles(bronze.proposed) == ["Entry 4", "Entry 5"]
    assert (_titles(bronze.tie.entries), bronze.tie.places, bronze.tie.carried) == (["Entry 6", "Entry 7"], 1, False)


def test_every_entry_whose_interval_crosses_a_tier_end_is_flagged_not_only_the_neighbours():
    # Gold ends after entry 1 (8.5–9.5). Entry 2 (7.9–8.1) is told apart from it; entry 3, further down, has a
    # wide interval (6.5–8.6) that reaches into entry 1's: both are flagged at gold's end, entry 2 is not.
    world = award_world([9, 8, 7, 6, 5, 4, 3], intervals=[(8.5, 9.5), (7.9, 8.1), (6.5, 8.6), (5.9, 6.1),
                                                           (4.9, 5.1), (3.9, 4.1), (2.9, 3.1)])
    ranking = award_proposal(edition=world.edition).category(world.category.pk).ranking
    # Silver's end (after entry 3) and bronze's (after entry 6) separate cleanly: nothing is flagged there.
    assert [[t.level for t in c.uncertain_at] for c in ranking] == [["gold"], [], ["gold"], [], [], [], []]


def test_an_overlap_at_the_end_of_bronze_flags_both_sides():
    world = award_world([9, 8, 7, 6, 5, 4, 3.9], intervals=[(8.9, 9.1), (7.9, 8.1), (6.9, 7.1), (5.9, 6.1),
                                                             (4.9, 5.1), (3.5, 4.5), (3.0, 4.0)])
    ranking = award_proposal(edition=world.edition).category(world.category.pk).ranking
    assert [[t.level for t in c.uncertain_at] for c in ranking] == [[], [], [], [], [], ["bronze"], ["bronze"]]


def test_decisions_taken_fill_places_and_the_proposal_fills_the_rest():
    world = award_world([9, 8, 7, 6, 5, 4, 3])
    # The committee put entry 5 in gold (a departure): entry 1 moves down to the silver proposal.
    AwardDecisionFactory(tier=world.tier("gold"), application=world.entries[4], departs=True, reason="Why")
    gold, silver, bronze = _tiers(world)
    assert (gold.undecided, gold.proposed) == (0, [])
    assert _titles(silver.proposed) == ["Entry 1", "Entry 2"]
    assert _titles(bronze.proposed) == ["Entry 3", "Entry 4", "Entry 6"]


def test_an_entry_moved_to_another_category_leaves_its_ranking_and_is_a_candidate_there():
    world = award_world([9, 8, 7, 6])
    other = award_world([5, 4], edition=world.edition, name="Tech-innovative")
    CategoryConsiderationFactory(application=world.entries[0], category=other.category)
    proposal = award_proposal(edition=world.edition)
    own, there = proposal.category(world.category.pk), proposal.category(other.category.pk)
    assert (_titles(own.tiers[0].proposed), _titles(own.moved_away)) == (["Entry 2"], ["Entry 1"])
    assert (_titles(there.moved_in), there.moved_in[0].rank) == (["Entry 1"], 1)


def test_a_category_whose_final_round_has_no_results_yet_has_no_proposal():
    world = award_world([9, 8])
    from tests.factories import JudgingRoundFactory

    JudgingRoundFactory(edition=world.edition, categories=[world.category])  # a later round, not computed yet
    category = award_proposal(edition=world.edition).category(world.category.pk)
    assert (category.results_ready, category.ranking, [t.proposed for t in category.tiers]) == (False, [], [[], [], []])


def test_results_of_another_edition_never_enter_the_proposal():
    world = award_world([9, 8])
    EntryResultFactory(category=world.category, corrected=10, rank=1)  # another edition's round and entry
    category = award_proposal(edition=world.edition).category(world.category.pk)
    assert _titles(category.ranking) == ["Entry 1", "Entry 2"]


# --- a final round decided by the committee's vote (the World Smart City Awards path) ---------------------------


def _vote_decided_world():
    from judging.models import PrizeTier
    from tests.factories import PrizeTierFactory
    from tests.factories.votes import vote_world

    world = vote_world(entries=4)
    PrizeTierFactory(category=world.category, level=PrizeTier.Level.WINNER, places=1, position=1)
    for rank, entry in enumerate(world.entries, start=1):  # by score: A, B, C, D
        EntryResultFactory(round=world.round, application=entry, category=world.category, rank=rank,
                           corrected=10 - rank, interval_low=9.5 - rank, interval_high=10.5 - rank)
    return world


def test_without_ballots_a_vote_round_proposes_by_score():
    world = _vote_decided_world()
    proposal = award_proposal(edition=world.edition).category(world.category.pk)
    assert (proposal.by_vote, _titles(proposal.tiers[0].proposed)) == (False, ["Entry A"])


def test_the_committees_vote_decides_the_proposal_of_a_vote_round():
    from judging.services.votes import ballot_save

    world = _vote_decided_world()
    a, b, c, d = (entry.pk for entry in world.entries)
    for member in world.members:  # all three put C first: C beats everyone in the vote
        ballot_save(judging_round=world.round, category=world.category, voter=member, ranking=[[c], [a], [b], [d]])
    proposal = award_proposal(edition=world.edition).category(world.category.pk)
    assert proposal.by_vote is True
    assert _titles(proposal.tiers[0].proposed) == ["Entry C"]
    assert [(candidate.application.title, candidate.rank) for candidate in proposal.ranking] == [
        ("Entry C", 1), ("Entry A", 2), ("Entry B", 3), ("Entry D", 4)]


def test_a_tie_in_the_vote_is_a_tie_for_the_place():
    from judging.services.votes import ballot_save

    world = _vote_decided_world()
    a, b, c, d = (entry.pk for entry in world.entries)
    # One member each way: A and C beat each other equally often, so they share first place in the vote.
    ballot_save(judging_round=world.round, category=world.category, voter=world.members[0], ranking=[[a], [c], [b], [d]])
    ballot_save(judging_round=world.round, category=world.category, voter=world.members[1], ranking=[[c], [a], [b], [d]])
    proposal = award_proposal(edition=world.edition).category(world.category.pk)
    winner = proposal.tiers[0]
    assert winner.proposed == [] and winner.tie is not None
    assert sorted(_titles(winner.tie.entries)) == ["Entry A", "Entry C"]


def test_the_deliberation_page_says_the_order_is_the_vote(client, login):
    from judging.services.votes import ballot_save

    world = _vote_decided_world()
    a, b, c, d = (entry.pk for entry in world.entries)
    ballot_save(judging_round=world.round, category=world.category, voter=world.members[0], ranking=[[c], [a]])
    login(world.members[0])  # the chair
    html = client.get(f"/e/{world.edition.slug}/awards/").content.decode()
    assert "(Schulze method), not from the scores." in html
    assert f'/e/{world.edition.slug}/votes/rounds/{world.round.pk}/categories/{world.category.pk}/result/' in html
