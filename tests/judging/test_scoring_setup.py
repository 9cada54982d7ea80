"""The scoring tests' set-up (tests/factories/scoring.py's make_world) checked on its own."""

import pytest

from judging.models import Assignment
from portal.models import EditionRole
from submissions.models import ApplicationSnapshot
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


def test_the_world_has_what_the_scoring_tests_need():
    world = make_world(judges=2, entries=3)
    assert Assignment.objects.filter(round=world.round).count() == 6
    assert [c.name for c in world.rubric.criteria.all()] == ["Criterion 1", "Criterion 2"]
    assert ApplicationSnapshot.objects.filter(application__in=world.entries).count() == 3
    assert EditionRole.objects.filter(edition=world.edition, role="judge").count() == 2
