"""Before a round opens, the round page says when a category's judges form panels that share no entry."""

import pytest

from judging.models import CalibrationEntry, JudgingRound
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


def _round_url(world) -> str:
    return f"/e/{world.edition.slug}/rounds/{world.round.pk}/"


def test_a_category_split_into_panels_that_share_no_entry_is_flagged_with_the_advice(client, login):
    # Judges 0 and 1 score entries 0 and 1; judges 2 and 3 score entries 2 and 3: two panels.
    world = make_world(judges=4, entries=4, pairs=[(0, 0), (1, 0), (0, 1), (1, 1), (2, 2), (3, 2), (2, 3), (3, 3)],
                       state=JudgingRound.State.ASSIGNING)
    login(world.role("secretariat"))
    body = client.get(_round_url(world)).content.decode()
    assert "the judges form 2 panels that share no entry (judges per panel: 2, 2)" in body
    assert f"/scoring/rounds/{world.round.pk}/calibration/" in body


def test_judges_linked_through_shared_entries_raise_no_warning(client, login):
    # A chain: 0-1 share entry 0, 1-2 share entry 1, 2-3 share entry 2: one panel.
    world = make_world(judges=4, entries=3, pairs=[(0, 0), (1, 0), (1, 1), (2, 1), (2, 2), (3, 2)],
                       state=JudgingRound.State.ASSIGNING)
    login(world.role("secretariat"))
    body = client.get(_round_url(world)).content.decode()
    assert "share no entry" not in body


def test_a_calibration_entry_scored_by_every_judge_joins_the_panels(client, login):
    pairs = [(0, 0), (1, 0), (0, 1), (1, 1), (2, 2), (3, 2), (2, 3), (3, 3), (0, 4), (1, 4), (2, 4), (3, 4)]
    world = make_world(judges=4, entries=5, pairs=pairs, state=JudgingRound.State.ASSIGNING)
    CalibrationEntry.objects.create(round=world.round, application=world.entries[4])
    login(world.role("secretariat"))
    assert "share no entry" not in client.get(_round_url(world)).content.decode()


def test_the_warning_speaks_korean(client, login):
    world = make_world(judges=4, entries=4, pairs=[(0, 0), (1, 0), (0, 1), (1, 1), (2, 2), (3, 2), (2, 3), (3, 3)],
                       state=JudgingRound.State.ASSIGNING)
    login(world.role("secretariat"))
    body = client.get(_round_url(world), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "보정 항목" in body


def test_a_round_that_keeps_panels_connected_says_so_when_they_are(client, login):
    world = make_world(judges=4, entries=3, pairs=[(0, 0), (1, 0), (1, 1), (2, 1), (2, 2), (3, 2)],
                       state=JudgingRound.State.ASSIGNING)
    JudgingRound.objects.filter(pk=world.round.pk).update(connected_panels=True)
    login(world.role("secretariat"))
    body = client.get(_round_url(world)).content.decode()
    assert "Panels are connected: in every category, all judges are linked through entries they share" in body
    korean = client.get(_round_url(world), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "심사위원단이 연결되어 있습니다" in korean


def test_a_round_that_keeps_panels_connected_says_why_a_split_is_left(client, login):
    world = make_world(judges=4, entries=4, pairs=[(0, 0), (1, 0), (0, 1), (1, 1), (2, 2), (3, 2), (2, 3), (3, 3)],
                       state=JudgingRound.State.ASSIGNING)
    JudgingRound.objects.filter(pk=world.round.pk).update(connected_panels=True)
    login(world.role("secretariat"))
    body = client.get(_round_url(world)).content.decode()
    assert "Panels are connected" not in body
    assert "conflicts and capacities left no review it could swap or add" in body


def test_without_the_option_a_connected_round_is_not_announced(client, login):
    world = make_world(judges=4, entries=3, pairs=[(0, 0), (1, 0), (1, 1), (2, 1), (2, 2), (3, 2)],
                       state=JudgingRound.State.ASSIGNING)
    login(world.role("secretariat"))
    assert "Panels are connected" not in client.get(_round_url(world)).content.decode()
