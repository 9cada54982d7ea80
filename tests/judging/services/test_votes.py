"""The ballot service: who votes, what a ballot may name, recusal, and when the vote is closed."""

import pytest
from django.core.exceptions import ValidationError

from judging.models import Ballot, Bid, Conflict, JudgingRound
from judging.services.votes import ballot_save
from portal.models import AuditEntry, Edition, EditionRole
from tests.factories import (
    BidFactory,
    ConflictFactory,
    EditionRoleFactory,
    JudgeProfileFactory,
    MembershipFactory,
    ShortlistingFactory,
)
from tests.factories.votes import vote_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return vote_world(entries=4)


def ids(world, *letters):
    return [world.entries["ABCD".index(letter)].pk for letter in letters]


def save(world, member, ranking, *, category=None):
    return ballot_save(judging_round=world.round, category=category or world.category, voter=member, ranking=ranking)


def test_a_member_casts_a_ballot_then_replaces_it_and_the_trail_keeps_no_ranking(world):
    member = world.members[1]
    a, b, c, d = ids(world, *"ABCD")
    ballot = save(world, member, [[b], [a, c]])
    assert (ballot.ranking, ballot.eligible) == ([[b], sorted([a, c])], sorted([a, b, c, d]))
    save(world, member, [[d]])
    ballot.refresh_from_db()
    assert (Ballot.objects.count(), ballot.ranking) == (1, [[d]])
    entries = list(AuditEntry.objects.filter(action__startswith="vote.").order_by("pk"))
    assert [(e.action, e.actor, e.after) for e in entries] == [
        ("vote.ballot_cast", member, {"category": "Safety and resilience", "ranked": 3, "recused": []}),
        ("vote.ballot_replace", member, {"category": "Safety and resilience", "ranked": 1, "recused": []}),
    ]


def test_the_chair_votes_too(world):
    assert save(world, world.members[0], [[world.entries[0].pk]]).voter == world.members[0]


@pytest.mark.parametrize("role", ["secretariat", "observer", "judge"])
def test_only_the_chair_and_committee_members_vote(world, role):
    with pytest.raises(ValidationError, match="Only the chair and the committee members vote"):
        save(world, world.role(role), [[world.entries[0].pk]])
    assert not Ballot.objects.exists()


def test_a_committee_member_of_another_edition_does_not_vote_here(world):
    stranger = EditionRoleFactory(role=EditionRole.Role.COMMITTEE).user
    with pytest.raises(ValidationError, match="Only the chair"):
        save(world, stranger, [[world.entries[0].pk]])


@pytest.mark.parametrize("bad, message", [
    ("other", "is not on this ballot: it is not an entry of “Safety and resilience”"),
    ("twice", "is ranked twice"),
    ("junk", "names entries by their number"),
    ("empty", "Rank at least one entry"),
])
def test_a_ballot_names_each_entry_of_its_category_once(world, bad, message):
    a = world.entries[0].pk
    ranking = {"other": [[a], [world.other_entry.pk]], "twice": [[a], [a]], "junk": [["x"]], "empty": [[]]}[bad]
    with pytest.raises(ValidationError, match=message):
        save(world, world.members[1], ranking)
    assert not Ballot.objects.exists()


def test_a_category_outside_the_round_is_refused(world):
    from tests.factories import CategoryFactory

    stray = CategoryFactory(edition=world.edition)
    with pytest.raises(ValidationError, match="not one of the round's"):
        save(world, world.members[1], [[world.entries[0].pk]], category=stray)


def test_a_round_on_a_shortlist_votes_on_the_shortlisted_entries_only(world):
    previous = world.round
    final = JudgingRound.objects.create(edition=world.edition, name="Final", position=previous.position + 1,
                                        source=JudgingRound.Source.SHORTLIST, previous_round=previous,
                                        deadline=previous.deadline, state=JudgingRound.State.OPEN, committee_vote=True)
    final.categories.set([world.category])
    a, b, c, _d = world.entries
    for entry in (a, b):
        ShortlistingFactory(round=previous, application=entry)
    ballot = ballot_save(judging_round=final, category=world.category, voter=world.members[1], ranking=[[b.pk]])
    assert ballot.eligible == sorted([a.pk, b.pk])
    with pytest.raises(ValidationError, match="is not on this ballot"):
        ballot_save(judging_round=final, category=world.category, voter=world.members[1], ranking=[[c.pk]])


# --- recusal --------------------------------------------------------------------------------------------------


def _conflict(world, member, entry, how):
    if how == "membership":
        MembershipFactory(organisation=entry.organisation, user=member)
        return ["member"]
    judge = JudgeProfileFactory(edition=world.edition, user=member)
    if how == "affiliation":
        judge.affiliations.add(entry.organisation)
    elif how == "declared":
        ConflictFactory(judge=judge, application=entry, source=Conflict.Source.DECLARED)
    elif how == "recorded":
        ConflictFactory(judge=judge, application=entry, source=Conflict.Source.SECRETARIAT)
    else:
        BidFactory(judge=judge, application=entry, level=Bid.Level.CONFLICT)


@pytest.mark.parametrize("how", ["membership", "affiliation", "declared", "recorded", "bid"])
def test_a_conflicted_entry_is_dropped_from_the_ballot_and_from_its_eligible_set(world, how):
    member = world.members[2]
    a, b, c, d = world.entries
    _conflict(world, member, a, how)
    ballot = save(world, member, [[a.pk], [b.pk], [c.pk, d.pk]])
    assert (ballot.ranking, ballot.eligible) == ([[b.pk], sorted([c.pk, d.pk])], sorted([b.pk, c.pk, d.pk]))
    assert AuditEntry.objects.get(action="vote.ballot_cast").after["recused"] == [a.pk]


def test_a_conflict_in_another_edition_does_not_recuse(world):
    member = world.members[2]
    a = world.entries[0]
    other_judge = JudgeProfileFactory(user=member)  # a judge of another edition
    other_judge.affiliations.add(a.organisation)
    ConflictFactory(judge=other_judge, application=a)
    assert save(world, member, [[a.pk]]).eligible == sorted(entry.pk for entry in world.entries)


def test_a_member_recused_from_every_entry_has_no_ballot(world):
    member = world.members[2]
    for entry in world.entries:
        MembershipFactory(organisation=entry.organisation, user=member)
    with pytest.raises(ValidationError, match="recused from every entry"):
        save(world, member, [[world.entries[0].pk]])


# --- when the vote is closed ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [Edition.State.FINALISED, Edition.State.PUBLISHED])
def test_no_ballot_once_the_edition_is_finalised(state):
    world = vote_world(edition_state=state)
    with pytest.raises(ValidationError, match="The edition is finalised: the committee's vote is closed") as error:
        save(world, world.members[1], [[world.entries[0].pk]])
    assert error.value.code == "finalised"
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("state, allowed", [
    (JudgingRound.State.SCHEDULED, False), (JudgingRound.State.ASSIGNING, False), (JudgingRound.State.OPEN, True),
    (JudgingRound.State.CLOSED, True), (JudgingRound.State.SCORED, True),
])
def test_the_vote_is_open_with_the_round(state, allowed):
    world = vote_world(state=state)
    if allowed:
        assert save(world, world.members[1], [[world.entries[0].pk]])
    else:
        with pytest.raises(ValidationError, match="The vote opens with the round"):
            save(world, world.members[1], [[world.entries[0].pk]])


def test_a_round_without_a_vote_takes_no_ballot(world):
    JudgingRound.objects.filter(pk=world.round.pk).update(committee_vote=False)
    with pytest.raises(ValidationError, match="does not vote on this round"):
        save(world, world.members[1], [[world.entries[0].pk]])
