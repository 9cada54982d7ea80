"""The committee vote's pages: the edition's votes, a round's overview, a member's ballot, a category's count."""

import re

import pytest

from judging.models import Ballot, JudgingRound
from judging.services.votes import ballot_save
from portal.models import Edition, EditionRole
from tests.factories import EditionRoleFactory, JudgeProfileFactory, MembershipFactory
from tests.factories.votes import vote_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Four entries; the chair and committee member 1 have voted, committee member 2 has not."""
    world = vote_world(entries=4)
    a, b, c, d = (entry.pk for entry in world.entries)
    ballot_save(judging_round=world.round, category=world.category, voter=world.members[0],
                ranking=[[d], [c], [b], [a]])
    ballot_save(judging_round=world.round, category=world.category, voter=world.members[1],
                ranking=[[a], [b, c]])
    return world


def person(world, who):
    if who == "chair":
        return world.members[0]
    if who == "committee member":
        return world.members[2]
    if who == "applicant":
        return MembershipFactory(organisation=world.entries[0].organisation).user
    if who == "judge":
        return JudgeProfileFactory(edition=world.edition).user
    if who == "another edition's chair":
        return EditionRoleFactory(role=EditionRole.Role.CHAIR).user
    return world.role(who)


def selected(body: str) -> dict[str, str]:
    """The ballot form's chosen rank per field, as the browser would submit it."""
    chosen = {}
    for name, options in re.findall(r'<select name="(rank_\d+)"[^>]*>(.*?)</select>', body, re.S):
        match = re.search(r'<option value="(\d*)" selected>', options)
        chosen[name] = match.group(1) if match else ""
    return chosen


# --- who opens what -------------------------------------------------------------------------------------------


PAGES = ["home", "overview", "ballot", "result"]
ACCESS = {  # role -> the pages they open
    "chair": {"home", "overview", "ballot", "result"},
    "committee member": {"home", "overview", "ballot", "result"},
    "secretariat": {"home", "overview", "result"},
    "observer": {"home", "overview", "result"},
    "judge": set(),
    "applicant": set(),
    "another edition's chair": set(),
}


def url(world, page):
    return {"home": f"/e/{world.edition.slug}/votes/", "overview": world.base, "ballot": world.ballot_url(),
            "result": world.result_url()}[page]


@pytest.mark.parametrize("who", list(ACCESS))
def test_each_role_opens_exactly_its_pages(client, login, world, who):
    login(person(world, who))
    for page in PAGES:
        response = client.get(url(world, page))
        body = response.content.decode()
        if page in ACCESS[who]:
            assert response.status_code == 200, (who, page)
        else:
            assert response.status_code == 403, (who, page)
            assert "Entry A" not in body and "Chair Person" not in body, (who, page)


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for page in PAGES:
        response = client.get(url(world, page))
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), page


def test_a_judge_who_is_also_a_committee_member_votes_and_reads_the_count(client, login, world):
    member = world.members[2]
    JudgeProfileFactory(edition=world.edition, user=member)
    login(member)
    assert [client.get(url(world, page)).status_code for page in PAGES] == [200, 200, 200, 200]


def test_a_round_without_a_vote_or_a_category_outside_the_round_is_not_found(client, login, world):
    login(world.members[0])
    from tests.factories import CategoryFactory

    stray = CategoryFactory(edition=world.edition)
    assert client.get(world.ballot_url(stray)).status_code == 404
    assert client.get(world.result_url(stray)).status_code == 404
    JudgingRound.objects.filter(pk=world.round.pk).update(committee_vote=False)
    assert client.get(world.base).status_code == 404


# --- the ballot -----------------------------------------------------------------------------------------------


def test_a_member_sees_only_their_own_ballot(client, login, world):
    a, b, c, d = (f"rank_{entry.pk}" for entry in world.entries)
    login(world.members[1])
    assert selected(client.get(world.ballot_url()).content.decode()) == {a: "1", b: "2", c: "2", d: ""}
    client.logout()
    login(world.members[0])
    assert selected(client.get(world.ballot_url()).content.decode()) == {a: "4", b: "3", c: "2", d: "1"}
    client.logout()
    login(world.members[2])  # has not voted: nothing chosen, although two others have
    body = client.get(world.ballot_url()).content.decode()
    assert selected(body) == {a: "", b: "", c: "", d: ""}
    assert "You voted" not in body


def test_a_member_ranks_with_numbers_and_ties_and_is_sent_to_the_overview(client, login, world):
    member = world.members[2]
    a, b, c, d = world.entries
    login(member)
    response = client.post(world.ballot_url(), {f"rank_{a.pk}": "2", f"rank_{b.pk}": "1", f"rank_{c.pk}": "2",
                                                f"rank_{d.pk}": ""})
    assert response.status_code == 302 and response.url == world.base
    ballot = Ballot.objects.get(voter=member)
    assert (ballot.ranking, ballot.eligible) == ([[b.pk], sorted([a.pk, c.pk])], sorted(e.pk for e in world.entries))
    overview = client.get(world.base).content.decode()
    assert "Your ballot for “Safety and resilience” is saved" in overview
    assert "3 of 3 members" in overview


def test_a_recused_entry_shows_as_recused_with_no_rank_to_give(client, login, world):
    member = world.members[2]
    a = world.entries[0]
    MembershipFactory(organisation=a.organisation, user=member)
    login(member)
    body = client.get(world.ballot_url()).content.decode()
    assert f'name="rank_{a.pk}"' not in body
    assert "recused (conflict)" in body and "you are a member of the applying organisation" in body
    assert re.findall(r'<option value="(\d+)"', body) == ["1", "2", "3"] * 3  # three entries, ranks 1 to 3


@pytest.mark.parametrize("bad, message", [
    ("out of range", "Choose a rank from 1 to 4, or leave it blank."),
    ("other category", "is not on this ballot: it is not an entry of this category in this round."),
    ("recused", "You are recused from entry"),
    ("nothing", "Give at least one entry a rank."),
])
def test_bad_input_gets_a_clear_message_and_keeps_what_was_chosen(client, login, world, bad, message):
    member = world.members[2]
    a, b, c, d = world.entries
    data = {f"rank_{a.pk}": "1", f"rank_{b.pk}": "2", f"rank_{c.pk}": "2", f"rank_{d.pk}": ""}
    if bad == "out of range":
        data[f"rank_{d.pk}"] = "9"
    elif bad == "other category":
        data[f"rank_{world.other_entry.pk}"] = "1"
    elif bad == "recused":
        MembershipFactory(organisation=d.organisation, user=member)
        data[f"rank_{d.pk}"] = "3"
    else:
        data = {key: "" for key in data}
    login(member)
    response = client.post(world.ballot_url(), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert not Ballot.objects.filter(voter=member).exists()
    if bad != "nothing":
        kept = selected(body)
        assert (kept[f"rank_{a.pk}"], kept[f"rank_{b.pk}"], kept[f"rank_{c.pk}"]) == ("1", "2", "2")


@pytest.mark.parametrize("state", [Edition.State.FINALISED, Edition.State.PUBLISHED])
def test_once_the_edition_is_finalised_the_ballot_is_read_only(client, login, world, state):
    Edition.objects.filter(pk=world.edition.pk).update(state=state)
    member = world.members[1]
    a = world.entries[0]
    login(member)
    body = client.get(world.ballot_url()).content.decode()
    assert "the committee&#x27;s vote is closed" in body and "Change my ballot" not in body
    response = client.post(world.ballot_url(), {f"rank_{a.pk}": "3"})
    assert response.status_code == 400
    assert Ballot.objects.get(voter=member).ranking[0] == [a.pk]


# --- the count ------------------------------------------------------------------------------------------------


def test_the_count_shows_ballots_voters_matrix_paths_and_order_with_ties(client, login, world):
    # chair: D > C > B > A; member 1: A > B = C, D unranked (so last).
    # d: A>B 1:1, A>C 1:1, A>D 1:1, C>B 1:0 (member 1 ties them), B>D 1:1, C>D 1:1: the one link is C→B,
    # so C beats B and nothing else is decided: A = C = D, then B.
    login(world.role("observer"))
    response = client.get(world.result_url())
    body = response.content.decode()
    outcome = response.context["outcome"]
    assert outcome.ballots == 2
    assert "2 ballots" in body and "Voted: Chair Person, Committee Member 1" in body
    assert "Committee Member 2" not in body
    places = [(p["place"], p["tied"], [e.title for e in p["entries"]]) for p in response.context["places"]]
    assert places == [(1, True, ["Entry A", "Entry C", "Entry D"]), (4, False, ["Entry B"])]
    assert "= tied" in body and "schulze-winning-votes, version 1" in body
    matrix = [[value for _y, value, _wins in cells] for _x, cells in response.context["pairwise"]]
    assert matrix == [[None, 1, 1, 1], [1, None, 0, 1], [1, 1, None, 1], [1, 1, 1, None]]
    assert body.count('class="vote-matrix"') == 2
    assert body.count('<td class="wins">') == 2  # C over B, in both tables


def test_the_count_before_anyone_votes(client, login):
    world = vote_world(entries=2)
    login(world.members[0])
    response = client.get(world.result_url())
    assert response.status_code == 200 and "Nobody has voted in this category yet." in response.content.decode()


# --- queries ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entries", [1, 8])
def test_the_ballot_and_the_count_cost_the_same_queries_for_one_and_many_entries(client, login, entries,
                                                                                  django_assert_num_queries):
    world = vote_world(entries=entries)
    for number, member in enumerate(world.members):
        ranking = [[entry.pk] for entry in world.entries[number:] + world.entries[:number]]
        ballot_save(judging_round=world.round, category=world.category, voter=member, ranking=ranking)
    other = vote_world(entries=2)  # another edition's vote, never on these pages
    ballot_save(judging_round=other.round, category=other.category, voter=other.members[0],
                ranking=[[other.entries[0].pk]])
    login(world.members[1])
    # Savepoint and release, session, user, edition, round, role, categories, entries, the entries' summaries
    # (answers to the form's "summary" question), memberships, affiliations, conflicts, bids (the recusal), the
    # member's ballot, and the edition's state as stored (is the vote still open?).
    with django_assert_num_queries(16):
        response = client.get(world.ballot_url())
    assert response.status_code == 200 and len(selected(response.content.decode())) == entries
    # The count: the edition's voters and their ballots instead of the member's own ballot.
    with django_assert_num_queries(17):
        response = client.get(world.result_url())
    assert response.status_code == 200 and len(response.context["outcome"].entries) == entries
    with django_assert_num_queries(16):  # the overview: no summaries read
        response = client.get(world.base)
    assert response.status_code == 200
    assert other.entries[0].title not in response.content.decode()


# --- links ----------------------------------------------------------------------------------------------------


def test_the_workspace_and_the_round_page_link_to_the_vote(client, login, world):
    login(world.members[2])  # a committee member only: the workspace opens for them now
    body = client.get(f"/e/{world.edition.slug}/").content.decode()
    assert f'href="/e/{world.edition.slug}/votes/"' in body
    client.logout()
    login(world.role("secretariat"))
    body = client.get(f"/e/{world.edition.slug}/rounds/{world.round.pk}/").content.decode()
    assert f'href="{world.base}"' in body
    judge = JudgeProfileFactory(edition=world.edition).user
    client.logout()
    login(judge)
    assert f"/e/{world.edition.slug}/votes/" not in client.get(f"/e/{world.edition.slug}/").content.decode()


# --- the round's option -----------------------------------------------------------------------------------------


def test_the_secretariat_sets_and_clears_the_committee_vote_on_the_round_form(client, login):
    from tests.factories import CategoryFactory, EditionFactory

    edition = EditionFactory(time_zone="Asia/Seoul")
    category = CategoryFactory(edition=edition, name="Safety and resilience")
    login(EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT).user)
    data = {"name": "Final round", "position": "1", "categories": [category.pk], "source": "eligible",
            "previous_round": "", "judges_per_entry": "3", "deadline": "2026-12-20T18:00", "reminder_hours": "24",
            "committee_vote": "on"}
    form = client.get(f"/e/{edition.slug}/rounds/new/").content.decode()
    assert "The committee votes on this round&#x27;s entries (Schulze)" in form
    assert client.post(f"/e/{edition.slug}/rounds/new/", data).status_code == 302
    judging_round = JudgingRound.objects.get()
    assert judging_round.committee_vote is True
    edit = f"/e/{edition.slug}/rounds/{judging_round.pk}/edit/"
    assert 'name="committee_vote" id="id_committee_vote" checked' in client.get(edit).content.decode()
    data.pop("committee_vote")
    assert client.post(edit, data).status_code == 302
    judging_round.refresh_from_db()
    assert judging_round.committee_vote is False
    from portal.models import AuditEntry

    entry = AuditEntry.objects.get(action="round.update")
    assert (entry.before["committee_vote"], entry.after["committee_vote"]) == (True, False)


# --- a blind round ----------------------------------------------------------------------------------------------


def test_a_blind_rounds_vote_is_blind_for_a_member_who_is_also_a_judge_and_only_for_them(world, client, login):
    JudgingRound.objects.filter(pk=world.round.pk).update(blind=True)
    organisation = world.entries[0].organisation
    judge_too = world.members[1]
    JudgeProfileFactory(edition=world.edition, user=judge_too)
    for who, blind in ((judge_too, True), (world.members[0], False)):
        client.logout()
        login(who)
        for url in (world.ballot_url(), world.result_url()):
            body = client.get(url).content.decode()
            assert (organisation.name in body) is not blind, (who, url)
            assert world.entries[0].title in body
