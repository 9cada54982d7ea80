"""judging.demo.votes: the World Smart City Awards path of the judged demo, ending in the committee's vote."""

import pytest
from django.core.management import call_command

from judging.models import Ballot, EntryResult, JudgingRound, Shortlisting
from judging.selectors.votes import vote_order, vote_result
from portal.models import AuditEntry, Edition, EditionRole

pytestmark = pytest.mark.django_db

SMALL = ["--entries", "3", "--judged-entries", "15", "--judges", "4"]


def _finalists(category_round, category):
    return list(EntryResult.objects.filter(
        round=category_round, category=category,
        application_id__in=Shortlisting.objects.filter(round=category_round).values("application_id"),
    ).order_by("rank", "application_id").values_list("application_id", flat=True))


def test_the_world_demo_votes_on_three_finalists_per_category_and_gives_one_winner_each(client):
    call_command("seed_demo", *SMALL)
    edition = Edition.objects.get(slug="wsca-demo")
    category_round = JudgingRound.objects.get(edition=edition, name="Category round")
    final = JudgingRound.objects.get(edition=edition, name="Final round")
    assert (final.committee_vote, final.source, final.previous_round, final.state) == (
        True, "shortlist", category_round, "open")
    assert edition.state == "judging"  # the final round was planned before the category round closed
    assert sorted(EditionRole.objects.filter(edition=edition, role="committee").values_list(
        "user__email", flat=True)) == ["committee1@demo.example", "committee2@demo.example", "committee3@demo.example"]
    orders = []
    for category in final.categories.order_by("position", "pk"):
        first, second, third = _finalists(category_round, category)
        outcome = vote_result(judging_round=final, category=category)
        assert outcome.ballots == 3
        assert [voter.name for voter in outcome.voters] == [  # by name
            "Demo Committee One", "Demo Committee Three", "Demo Committee Two"]
        orders.append(vote_order(judging_round=final, category=category))
        assert len(orders[-1][0]) == 1  # one winner
        expected = {"human-centric": [[first], [second], [third]],
                    "tech-innovative": [[second], [first], [third]],  # the committee departs from the scores
                    "safety-resilience": [[first], sorted([second, third])]}[category.slug]  # recusal: a tie below
        assert orders[-1] == expected
    # committee3 belongs to the leading safety finalist's organisation: that entry is recused on their ballot.
    safety = final.categories.get(slug="safety-resilience")
    recused = _finalists(category_round, safety)[0]
    assert Ballot.objects.get(round=final, category=safety, voter__email="committee3@demo.example").eligible == sorted(
        _finalists(category_round, safety)[1:])
    client.post("/accounts/login/", {"login": "committee3@demo.example", "password": "demo-portal-2026"})
    body = client.get(f"/e/wsca-demo/votes/rounds/{final.pk}/categories/{safety.pk}/").content.decode()
    assert "recused (conflict)" in body and f'name="rank_{recused}"' not in body
    result = client.get(f"/e/wsca-demo/votes/rounds/{final.pk}/categories/{safety.pk}/result/").content.decode()
    assert "= tied" in result and "3 ballots" in result

    counts = (Ballot.objects.count(), JudgingRound.objects.count(), Shortlisting.objects.count(),
              AuditEntry.objects.count())
    call_command("seed_demo", *SMALL)
    assert (Ballot.objects.count(), JudgingRound.objects.count(), Shortlisting.objects.count(),
            AuditEntry.objects.count()) == counts
