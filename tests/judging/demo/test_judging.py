"""judging.demo.judging: demo judges, bids and a round, assigned at once; plausible reviews; nothing twice."""

import pytest
from django.core.exceptions import ValidationError

from judging.demo.judging import seed_judging, seed_scores
from judging.models import Assignment, AssignmentRun, Bid, JudgeProfile, JudgingRound, Review, Rubric
from portal.models import AuditEntry, EditionRole, User
from tests.factories import CategoryFactory, EditionFactory
from tests.factories.assignment import eligible
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


def _counts(edition) -> dict:
    return {
        "users": User.objects.filter(email__endswith="@demo.example").count(),
        "roles": EditionRole.objects.filter(edition=edition, role="judge").count(),
        "profiles": JudgeProfile.objects.filter(edition=edition).count(),
        "bids": Bid.objects.count(),
        "rounds": JudgingRound.objects.filter(edition=edition).count(),
        "runs": AssignmentRun.objects.count(),
        "assignments": sorted(Assignment.objects.values_list("pk", "application_id", "judge_id")),
    }


def test_seed_judging_assigns_every_entry_and_is_idempotent():
    edition = EditionFactory()
    categories = [CategoryFactory(edition=edition) for _ in range(3)]
    entries = [eligible(edition, categories[i % 3]) for i in range(12)]

    judging_round = seed_judging(edition, judges=6, seed=7)

    first = _counts(edition)
    assert (first["users"], first["roles"], first["profiles"], first["rounds"], first["runs"]) == (6, 6, 6, 1, 1)
    assert first["bids"] > 0
    assert len(first["assignments"]) == len(entries) * 3
    assert set(judging_round.categories.all()) == set(categories)
    assert AssignmentRun.objects.get().state == "succeeded"
    assert all(profile.expertise.exists() for profile in JudgeProfile.objects.all())

    seed_judging(edition, judges=6, seed=7)

    assert _counts(edition) == first


# --- seed_scores: plausible demo reviews written through the scoring services ---------------------------------

def test_every_assigned_judge_submits_a_plausible_review_and_a_second_run_adds_nothing():
    world = make_world(judges=3, entries=4, criteria=((1, 10, 2), (1, 5, 1)))
    assert seed_scores(world.round, seed=7) == {"submitted": 12, "drafts": 0}
    reviews = list(Review.objects.filter(assignment__round=world.round))
    assert [r.state for r in reviews] == ["submitted"] * 12
    assert all(0 <= r.weighted_total <= 10 and 2 <= r.confidence <= 5 for r in reviews)
    assert set(Assignment.objects.filter(round=world.round).values_list("state", flat=True)) == {"submitted"}
    assert Rubric.objects.get(pk=world.rubric.pk).frozen_at is not None
    assert AuditEntry.objects.filter(action="review.submit").count() == 12
    assert seed_scores(world.round, seed=7) == {"submitted": 0, "drafts": 0}


def test_the_same_seed_gives_the_same_scores():
    totals = []
    for _ in range(2):
        world = make_world(judges=2, entries=3)
        seed_scores(world.round, seed=3)
        totals.append([r.weighted_total for r in Review.objects.filter(assignment__round=world.round)
                       .order_by("assignment__judge__pk", "assignment__application__pk")])
    assert totals[0] == totals[1]


def test_shares_leave_some_drafts_and_some_untouched():
    world = make_world(judges=4, entries=10)
    counts = seed_scores(world.round, seed=1, submitted_share=0.5, draft_share=0.25)
    assert counts["submitted"] + counts["drafts"] < 40
    assert Review.objects.filter(state="draft").count() == counts["drafts"]


def test_a_round_that_is_not_open_is_refused():
    world = make_world(judges=1, entries=1, state=JudgingRound.State.ASSIGNING)
    with pytest.raises(ValidationError):
        seed_scores(world.round, seed=1)
    assert Review.objects.count() == 0
