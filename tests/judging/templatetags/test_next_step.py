"""`{% next_step edition %}`: the partial says where the edition stands, who moves it on, and links only for them."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from judging.models import JudgingRound
from tests.factories import EditionRoleFactory, VerifiedUserFactory
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


def _render(edition, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load next_step %}{% next_step edition %}").render(Context({"request": request,
                                                                                   "edition": edition}))


def test_the_secretariat_gets_the_link_to_close_the_last_round():
    world = make_world()
    html = _render(world.edition, EditionRoleFactory(edition=world.edition, role="secretariat").user)
    assert "The edition is in “Judging”." in html
    assert "Next step: “Deliberation”. Who takes it: The secretariat." in html
    assert f'href="/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/close/"' in html


def test_the_observer_reads_the_step_without_a_link():
    world = make_world(state=JudgingRound.State.SCORED)
    html = _render(world.edition, EditionRoleFactory(edition=world.edition, role="observer").user)
    assert "Who takes it: The secretariat or the chair." in html and "Start the deliberation" in html
    assert "href=" not in html


def test_the_blockers_are_listed():
    world = make_world()
    world.round.__class__.objects.create(edition=world.edition, name="Final", deadline=world.round.deadline)
    html = _render(world.edition, EditionRoleFactory(edition=world.edition, role="chair").user)
    assert "Close every round first; still running:" in html and "Final" in html


@pytest.mark.parametrize("who", ["judge", "stranger"])
def test_judges_and_strangers_get_nothing(who):
    world = make_world()
    user = world.judges[0].user if who == "judge" else VerifiedUserFactory()
    assert _render(world.edition, user).strip() == ""
