"""The cockpit's "remind now" button (judging/views/cockpit.py): the secretariat's, a POST, with a clear message."""

import pytest
from django.core import mail

from judging.models import JudgingRound
from judging.services.scoring import ReviewInput, review_submit
from portal.models import AuditEntry
from tests.factories import VerifiedUserFactory
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Three judges with two entries each: judge 0 has submitted both, judge 2 one, judge 1 none."""
    world = make_world(judges=3, entries=2)
    for judge, entry in ((0, 0), (0, 1), (2, 0)):
        review_submit(assignment=world.assignment(judge, entry), user=world.judges[judge].user, notify=False,
                      data=ReviewInput(scores={c.pk: 5 for c in world.criteria}))
    return world


# --- remind now --------------------------------------------------------------------------------------------------

def _remind(client, world):
    return client.post(f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/remind/", follow=True)


def test_remind_now_mails_the_judges_with_open_reviews_and_says_how_many(client, login, world,
                                                                        django_capture_on_commit_callbacks):
    login(world.role("secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _remind(client, world)
    assert response.redirect_chain[-1][0] == f"/e/{world.edition.slug}/#round-completion-{world.round.pk}"
    assert [str(m) for m in response.context["messages"]][-1:] == [
        f"2 judges with open reviews in {world.round.name} are being reminded by e-mail."]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.judges[1].user.email, world.judges[2].user.email])
    assert AuditEntry.objects.filter(action="round.remind", edition=world.edition).count() == 1


def test_remind_now_refuses_a_round_that_is_not_open(client, login, world, django_capture_on_commit_callbacks):
    JudgingRound.objects.filter(pk=world.round.pk).update(state=JudgingRound.State.CLOSED)
    login(world.role("secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _remind(client, world)
    assert [str(m) for m in response.context["messages"]][-1:] == [
        f"Reminders go out only while a round is open for scoring; “{world.round.name}” is closed."]
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["chair", "observer", "judge", "stranger"])
def test_remind_now_is_the_secretariats(client, login, world, role, django_capture_on_commit_callbacks):
    user = VerifiedUserFactory() if role == "stranger" else world.role(role)
    login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/remind/")
    assert response.status_code == 403
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="round.remind").exists()


def test_remind_now_is_a_post(client, login, world):
    login(world.role("secretariat"))
    assert client.get(f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/remind/").status_code == 405


