"""Shortlisting: the top n per category with ties included, hand-picked entries with a reason, audited."""

import pytest
from django.core.exceptions import ValidationError

from judging.models import JudgingRound, Shortlisting
from judging.services.aggregation import round_aggregate
from judging.services.shortlist import shortlist_add, shortlist_remove, shortlist_top
from portal.models import AuditEntry, Edition
from tests.factories.judging import EntryResultFactory, ShortlistingFactory
from tests.factories.scoring import hand_world, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed():
    """Ranks A 1, B 2 (tied), C 2 (tied), D 4 — see test_aggregation_service."""
    world = hand_world()
    round_aggregate(judging_round=world.round)
    JudgingRound.objects.filter(pk=world.round.pk).update(state=JudgingRound.State.SCORED)
    world.round.refresh_from_db()
    world.secretariat = world.role("secretariat")
    return world


def listed(world) -> list:
    return sorted(Shortlisting.objects.filter(round=world.round).values_list("application__title", "by_rank"))


def test_the_top_n_per_category_takes_everyone_tied_at_the_cut(closed):
    outcome = shortlist_top(judging_round=closed.round, per_category=2, user=closed.secretariat)
    assert listed(closed) == [("Entry 1", True), ("Entry 2", True), ("Entry 3", True)]
    assert (outcome.added, outcome.kept, outcome.ties_beyond) == (3, 0, {closed.category.pk: 1})
    entry = AuditEntry.objects.get(action="shortlist.top")
    assert (entry.actor, entry.after["per_category"], entry.after["ties_beyond"]) == (
        closed.secretariat, 2, {str(closed.category.pk): 1})


def test_taking_the_top_again_adds_nothing_twice(closed):
    shortlist_top(judging_round=closed.round, per_category=1, user=closed.secretariat)
    outcome = shortlist_top(judging_round=closed.round, per_category=1, user=closed.secretariat)
    assert (outcome.added, outcome.kept) == (0, 1)
    assert listed(closed) == [("Entry 1", True)]


def test_a_hand_picked_entry_needs_a_reason_and_is_audited(closed):
    with pytest.raises(ValidationError) as refused:
        shortlist_add(judging_round=closed.round, application=closed.entries[3], user=closed.secretariat, reason=" ")
    assert list(refused.value.message_dict) == ["reason"]
    shortlist_add(judging_round=closed.round, application=closed.entries[3], user=closed.secretariat,
                  reason="A pilot in a small city; the committee wants to see it in the final.")
    assert listed(closed) == [("Entry 4", False)]
    assert AuditEntry.objects.get(action="shortlist.add").after["reason"].startswith("A pilot in a small city")
    with pytest.raises(ValidationError):
        shortlist_add(judging_round=closed.round, application=closed.entries[3], user=closed.secretariat,
                      reason="Twice")


def test_taking_an_entry_off_needs_a_reason_too(closed):
    shortlist_top(judging_round=closed.round, per_category=1, user=closed.secretariat)
    row = Shortlisting.objects.get()
    with pytest.raises(ValidationError):
        shortlist_remove(shortlisting=row, user=closed.secretariat, reason="")
    shortlist_remove(shortlisting=row, user=closed.secretariat, reason="Withdrawn by the applicant.")
    assert listed(closed) == []
    assert AuditEntry.objects.get(action="shortlist.remove").after == {"reason": "Withdrawn by the applicant."}


@pytest.mark.parametrize("state", ["scheduled", "assigning", "open"])
def test_no_shortlist_while_the_round_is_still_scoring(closed, state):
    JudgingRound.objects.filter(pk=closed.round.pk).update(state=state)
    closed.round.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        shortlist_top(judging_round=closed.round, per_category=2, user=closed.secretariat)
    assert refused.value.code == "round_open"


def test_the_shortlist_is_locked_once_the_edition_is_finalised(closed):
    Edition.objects.filter(pk=closed.edition.pk).update(state=Edition.State.FINALISED)
    closed.round.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        shortlist_top(judging_round=closed.round, per_category=2, user=closed.secretariat)
    assert refused.value.code == "finalised"


# --- the page -------------------------------------------------------------------------------------------------------


def page_url(world) -> str:
    return f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/shortlist/"


@pytest.mark.parametrize("role", ["secretariat", "chair"])
def test_the_secretariat_and_the_chair_draw_the_shortlist_on_its_page(client, login, closed, role):
    login(closed.role(role) if role == "chair" else closed.secretariat)
    response = client.post(page_url(closed), {"action": "top", "per_category": "2"}, follow=True)
    body = response.content.decode()
    assert "Entries tied at the cut all went through: 1 more than asked in total." in body
    assert listed(closed) == [("Entry 1", True), ("Entry 2", True), ("Entry 3", True)]
    response = client.post(page_url(closed), {"action": "add", "application": closed.entries[3].pk, "reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_an_observer_reads_the_shortlist_but_cannot_change_it(client, login, closed):
    shortlist_top(judging_round=closed.round, per_category=1, user=closed.secretariat)
    login(closed.role("observer"))
    response = client.get(page_url(closed))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Entry 1" in body and "Add the top entries" not in body
    assert client.post(page_url(closed), {"action": "top", "per_category": "3"}).status_code == 403
    assert listed(closed) == [("Entry 1", True)]


@pytest.mark.parametrize("rows", [1, 30])
def test_the_shortlist_page_costs_the_same_queries_for_one_and_many_entries(client, login, rows,
                                                                            django_assert_num_queries):
    world = make_world(judges=1, entries=rows + 1, pairs=[], state=JudgingRound.State.SCORED)
    secretariat = world.role("secretariat")
    for rank, entry in enumerate(world.entries, start=1):
        EntryResultFactory(round=world.round, application=entry, rank=rank)
    for entry in world.entries[:rows]:  # the last entry stays a candidate for the "add by hand" form
        ShortlistingFactory(round=world.round, application=entry, decided_by=secretariat)
    ShortlistingFactory(application__title="Shortlisted in another edition")
    login(secretariat)
    client.get(page_url(world))  # warm the session
    with django_assert_num_queries(10):
        response = client.get(page_url(world))
    assert response.status_code == 200
    assert [row.application for row in response.context["listed"]] == sorted(world.entries[:rows],
                                                                              key=lambda entry: entry.title)
    assert [row.result.rank for row in response.context["listed"]] == [
        world.entries.index(entry) + 1 for entry in sorted(world.entries[:rows], key=lambda entry: entry.title)]
    assert "Shortlisted in another edition" not in response.content.decode()
