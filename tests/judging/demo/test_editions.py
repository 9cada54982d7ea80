"""judging.demo.editions: the judged World Smart City Awards demo with judges, scores and results, built once."""

import pytest
from django.core.management import call_command

from judging.models import Assignment, EntryResult, JudgeProfile, JudgingRound, PrizeTier, Review
from portal.models import AuditEntry, Edition
from submissions.models import Application

pytestmark = pytest.mark.django_db

SMALL = ["--entries", "6", "--judged-entries", "12", "--judges", "4"]


def _counts():
    return (Application.objects.count(), Assignment.objects.count(), Review.objects.count(),
            EntryResult.objects.count(), AuditEntry.objects.count())


def test_the_judged_demo_edition_has_assignments_scores_and_one_winner_per_category(client):
    call_command("seed_demo", *SMALL)
    edition = Edition.objects.get(slug="wsca-demo")
    judging_round = JudgingRound.objects.get(edition=edition, name="Category round")
    # Closed for the shortlist of finalists (scored as soon as its results are recomputed after commit).
    assert (edition.state, judging_round.state) == ("judging", "closed")
    tiers = PrizeTier.objects.filter(category__edition=edition)
    assert sorted(tiers.values_list("category__slug", "level", "places")) == [
        ("human-centric", "winner", 1), ("safety-resilience", "winner", 1), ("tech-innovative", "winner", 1)]
    assert sorted(PrizeTier.objects.filter(category__edition__slug="seoul-demo").values_list(
        "category__slug", "position", "level", "places")) == [
        (slug, position, level, places) for slug in ("human-centric", "safety-resilience", "tech-innovative")
        for position, level, places in ((1, "gold", 1), (2, "silver", 2), (3, "bronze", 3))]
    assert Application.objects.filter(edition=edition, status="eligible").count() == 12
    assert JudgeProfile.objects.filter(edition=edition).count() == 7  # the three demo judges and four more
    assert Assignment.objects.filter(round=judging_round).count() == 12 * judging_round.judges_per_entry
    assert EntryResult.objects.filter(round=judging_round).count() == Application.objects.filter(
        edition=edition, assignments__review__state="submitted").distinct().count()
    # The demo judge logs in and finds a workbench with entries assigned.
    response = client.post("/accounts/login/", {"login": "judge1@demo.example", "password": "demo-portal-2026"})
    assert response.status_code == 302
    final_round = JudgingRound.objects.get(edition=edition, name="Final round")
    mine = Assignment.objects.filter(round=final_round, judge__user__email="judge1@demo.example")
    assert mine.count() > 0
    # Their queue of finalists is left to do, for the newcomer who logs in as them.
    assert Review.objects.filter(assignment__in=mine).count() == 0
    page = client.get(f"/e/wsca-demo/scoring/rounds/{final_round.pk}/queue/")
    assert page.status_code == 200
    # The chair reads the leaderboard.
    client.logout()
    client.post("/accounts/login/", {"login": "chair@demo.example", "password": "demo-portal-2026"})
    assert client.get(f"/e/wsca-demo/scoring/rounds/{judging_round.pk}/results/").status_code == 200


def test_the_judged_demo_edition_is_built_once():
    call_command("seed_demo", *SMALL)
    counts = _counts()
    call_command("seed_demo", *SMALL)
    assert _counts() == counts


def test_zero_judged_entries_skips_that_edition():
    call_command("seed_demo", "--entries", "3", "--judged-entries", "0")
    assert not Edition.objects.filter(slug="wsca-demo").exists()
