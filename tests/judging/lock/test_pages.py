"""Pages refuse a finalised edition's changes with a message, and change nothing."""

import pytest

from judging.models import AggregationRun

pytestmark = pytest.mark.django_db


def test_a_judges_review_post_is_refused(locked, client, login, fingerprint):
    assignment = locked.world.assignment(0, 0)
    criterion = locked.world.criteria[0]
    before = fingerprint(locked.edition)
    login(assignment.judge.user)
    response = client.post(f"/scoring/assignments/{assignment.pk}/",
                           {f"score_{criterion.pk}": "2", "action": "submit"})
    assert response.status_code in (400, 403)
    assert "The edition is finalised" in response.content.decode()
    assert fingerprint(locked.edition) == before


def test_the_secretariats_assignment_move_is_refused(locked, client, login, fingerprint):
    assignment = locked.world.assignment(0, 0)
    other = locked.world.judges[1]
    before = fingerprint(locked.edition)
    login(locked.secretariat)
    url = f"/e/{locked.edition.slug}/rounds/{locked.round.pk}/assignments/{assignment.pk}/move/"
    response = client.post(url, {"to_judge": other.pk, "action": "move"}, follow=True)
    assert "finalised" in response.content.decode()
    assert fingerprint(locked.edition) == before


def test_starting_the_aggregation_is_refused(locked, client, login, fingerprint):
    before = fingerprint(locked.edition)
    login(locked.secretariat)
    response = client.post(f"/e/{locked.edition.slug}/scoring/rounds/{locked.round.pk}/aggregate/", follow=True)
    assert "The edition is finalised: its results are locked for good." in response.content.decode()
    assert AggregationRun.objects.filter(round=locked.round).count() == 0
    assert fingerprint(locked.edition) == before
