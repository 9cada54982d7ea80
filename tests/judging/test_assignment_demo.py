"""seed_judging: demo judges, bids and a round, assigned at once; running it again changes nothing."""

import pytest

from judging.demo import seed_judging
from judging.models import Assignment, AssignmentRun, Bid, JudgeProfile, JudgingRound
from portal.models import EditionRole, User
from tests.factories import CategoryFactory, EditionFactory
from tests.factories.judging_worlds import eligible

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
