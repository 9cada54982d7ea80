"""The admin shows a finalised edition's judging rows read-only: change and delete POSTs are refused."""

import pytest

from judging.models import Criterion, JudgingRound, Rubric
from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(VerifiedUserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_change_form_is_read_only_and_says_why(locked, admin_client):
    response = admin_client.get(f"/admin/judging/judginground/{locked.round.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The edition is finalised: nothing in it changes any more. This page is read-only." in html
    assert 'name="_save"' not in html


@pytest.mark.parametrize("path", ["judginground", "rubric"])
def test_a_change_post_is_refused(locked, admin_client, fingerprint, path):
    obj = locked.round if path == "judginground" else locked.world.rubric
    before = fingerprint(locked.edition)
    response = admin_client.post(f"/admin/judging/{path}/{obj.pk}/change/", {"name": "Renamed"})
    assert response.status_code == 403
    assert fingerprint(locked.edition) == before


@pytest.mark.parametrize("model", [JudgingRound, Rubric, Criterion])
def test_a_delete_is_refused(locked, admin_client, fingerprint, model):
    obj = model.objects.filter(pk__in=model.objects.values("pk")).first()
    before = fingerprint(locked.edition)
    response = admin_client.post(f"/admin/judging/{model._meta.model_name}/{obj.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert fingerprint(locked.edition) == before


def test_the_finalised_edition_itself_cannot_be_deleted(locked, admin_client):
    response = admin_client.post(f"/admin/portal/edition/{locked.edition.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
