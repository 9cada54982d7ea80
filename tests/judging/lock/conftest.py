"""A finalised edition with everything the lock covers, and a fingerprint of all of it to compare before and after.

The edition in deliberation (`deliberating`) is in tests/judging/conftest.py, shared with the concurrency tests.
"""

import hashlib

import pytest

from judging.models import CriterionScore
from judging.services.edition_stages import edition_finalise
from judging.signals import GUARDED


def lock_fingerprint(edition) -> dict:
    """Every guarded row of the edition, as values, with a hash of the scores: equal before and after means unchanged."""
    rows = {}
    for model, path in GUARDED.items():
        values = list(model.objects.filter(**{path: edition}).order_by("pk").values())
        rows[model.__name__] = values
    scores = CriterionScore.objects.filter(review__assignment__round__edition=edition).order_by("pk")
    rows["scores_hash"] = hashlib.sha256(repr(list(scores.values_list("pk", "score", "comment"))).encode()).hexdigest()
    return rows


@pytest.fixture
def fingerprint():
    return lock_fingerprint


@pytest.fixture
def locked(deliberating):
    """The same edition, finalised by its chair."""
    edition_finalise(edition=deliberating.edition, user=deliberating.chair)
    deliberating.edition.refresh_from_db()
    deliberating.round.refresh_from_db()
    return deliberating
