"""The scoring area's front page and the calibration page, per role."""

import pytest

from judging.models import CalibrationEntry, JudgingRound
from tests.factories import MembershipFactory
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


def home_url(world) -> str:
    return f"/e/{world.edition.slug}/scoring/"


def calibration_url(world) -> str:
    return f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/calibration/"


def test_a_judge_finds_their_rounds_with_progress_and_no_committee_links(client, login):
    world = make_world(judges=1, entries=2)
    login(world.judges[0].user)
    body = client.get(home_url(world)).content.decode()
    assert f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/queue/" in body
    assert "0 of 2 submitted" in body
    assert "/results/" not in body and "/calibration/" not in body


def test_the_committee_finds_the_rounds_pages(client, login):
    world = make_world(judges=1, entries=1)
    login(world.role("observer"))
    body = client.get(home_url(world)).content.decode()
    assert "/results/" in body and "/calibration/" in body and "/queue/" not in body


def test_strangers_and_applicants_get_403_on_the_scoring_front_page(client, login):
    world = make_world(judges=1, entries=1)
    login(MembershipFactory(organisation=world.entries[0].organisation).user)
    response = client.get(home_url(world))
    assert response.status_code == 403
    assert world.round.name not in response.content.decode()


def test_the_secretariat_marks_a_calibration_entry_on_the_page(client, login):
    world = make_world(judges=1, entries=2, state=JudgingRound.State.SCHEDULED)
    login(world.role("secretariat"))
    response = client.post(calibration_url(world), {"application": world.entries[1].pk}, follow=True)
    assert "is now a calibration entry" in response.content.decode()
    assert list(CalibrationEntry.objects.values_list("application_id", flat=True)) == [world.entries[1].pk]
    client.post(calibration_url(world), {"remove": world.entries[1].pk})
    assert CalibrationEntry.objects.count() == 0


@pytest.mark.parametrize("role", ["chair", "observer"])
def test_the_chair_and_observers_read_the_calibration_entries_but_do_not_change_them(client, login, role):
    world = make_world(judges=1, entries=2, state=JudgingRound.State.SCHEDULED)
    CalibrationEntry.objects.create(round=world.round, application=world.entries[0])
    login(world.role(role))
    body = client.get(calibration_url(world)).content.decode()
    assert "Entry 1" in body and "Mark as a calibration entry" not in body
    assert client.post(calibration_url(world), {"application": world.entries[1].pk}).status_code == 403
    assert CalibrationEntry.objects.count() == 1


def test_judges_do_not_see_which_entries_calibrate(client, login):
    world = make_world(judges=1, entries=2, state=JudgingRound.State.SCHEDULED)
    CalibrationEntry.objects.create(round=world.round, application=world.entries[0])
    login(world.judges[0].user)
    assert client.get(calibration_url(world)).status_code == 403


def settings_url(world) -> str:
    return f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/settings/"


def test_the_secretariat_sets_the_applicants_card_and_finds_the_prizes_page(client, login):
    from portal.models import AuditEntry

    world = make_world(judges=1, entries=1)
    login(world.role("secretariat"))
    page = client.get(settings_url(world)).content.decode()
    # Where prize tiers end is each category's tiers, set on the prizes page.
    assert f'href="/e/{world.edition.slug}/awards/setup/"' in page
    response = client.post(settings_url(world), {"explanation_to_applicants": "on"})
    assert response.status_code == 302
    world.round.refresh_from_db()
    assert world.round.explanation_to_applicants is True
    assert AuditEntry.objects.get(action="round.scoring_settings").before == {
        "explanation_to_applicants": False, "aggregation_method": "calibrated"}


@pytest.mark.parametrize("role", ["chair", "observer"])
def test_others_read_the_scoring_settings_but_do_not_change_them(client, login, role):
    world = make_world(judges=1, entries=1)
    login(world.role(role))
    assert "Applicants read their explanation card" in client.get(settings_url(world)).content.decode()
    assert client.post(settings_url(world), {"explanation_to_applicants": "on"}).status_code == 403
    world.round.refresh_from_db()
    assert world.round.explanation_to_applicants is False
