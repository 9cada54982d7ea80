"""The secretariat creates and edits rounds on pages of their own (times in the edition's zone)."""

import datetime
import re
import zoneinfo

import pytest

from judging.models import JudgingRound
from portal.models import AuditEntry
from tests.factories import CategoryFactory, EditionFactory, EditionRoleFactory, VerifiedUserFactory
from tests.factories.judging import JudgeProfileFactory, JudgingRoundFactory

pytestmark = pytest.mark.django_db

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


@pytest.fixture
def world():
    edition = EditionFactory(time_zone="Asia/Seoul")
    human = CategoryFactory(edition=edition, name="Human-centric", position=1)
    tech = CategoryFactory(edition=edition, name="Tech-innovative", position=2)
    foreign = CategoryFactory(name="Somebody else's category")
    return {"edition": edition, "human": human, "tech": tech, "foreign": foreign,
            "new": f"/e/{edition.slug}/rounds/new/", "list": f"/e/{edition.slug}/rounds/"}


def person(edition, role):
    return EditionRoleFactory(edition=edition, role=role).user


def round_data(world, **changes) -> dict:
    data = {"name": "First round", "position": "1", "categories": [world["human"].pk, world["tech"].pk],
            "source": "eligible", "previous_round": "", "judges_per_entry": "3", "deadline": "2026-12-20T18:00",
            "reminder_hours": "24, 72", "blind": "on"}
    data.update(changes)
    return data


def test_the_secretariat_creates_a_round_with_its_deadline_in_the_editions_zone(world, client, login):
    login(person(world["edition"], "secretariat"))
    page = client.get(world["list"])
    assert world["new"] in page.content.decode()
    form = client.get(world["new"])
    assert form.status_code == 200 and "Somebody else" not in form.content.decode()

    response = client.post(world["new"], round_data(world))
    judging_round = JudgingRound.objects.get()
    assert response.status_code == 302 and response.url == f"/e/{world['edition'].slug}/rounds/{judging_round.pk}/"
    assert judging_round.deadline == datetime.datetime(2026, 12, 20, 18, 0, tzinfo=SEOUL)
    assert (judging_round.name, judging_round.judges_per_entry, judging_round.blind, judging_round.reminder_hours) == (
        "First round", 3, True, [72, 24])
    assert set(judging_round.categories.all()) == {world["human"], world["tech"]}
    assert AuditEntry.objects.filter(action="round.create").count() == 1


@pytest.mark.parametrize(("changes", "message"), [
    ({"categories": []}, "This field is required."),
    ({"deadline": "next tuesday"}, "Enter a valid date/time."),
    ({"reminder_hours": "72, soon"}, "Type whole numbers of hours"),
    ({"judges_per_entry": "0"}, "greater than or equal to 1"),
    ({"source": "shortlist"}, "A round on a shortlist needs the round it follows."),
])
def test_bad_input_is_explained_and_every_value_typed_is_kept(world, changes, message, client, login):
    login(person(world["edition"], "secretariat"))
    response = client.post(world["new"], round_data(world, name="Kept name", **changes))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'value="Kept name"' in html
    assert JudgingRound.objects.count() == 0


def test_a_category_of_another_edition_is_refused(world, client, login):
    login(person(world["edition"], "secretariat"))
    response = client.post(world["new"], round_data(world, categories=[world["foreign"].pk]))
    assert response.status_code == 400
    assert JudgingRound.objects.count() == 0


def test_a_taken_position_is_refused_beside_the_field(world, client, login):
    JudgingRoundFactory(edition=world["edition"], position=1, categories=[world["human"]])
    login(person(world["edition"], "secretariat"))
    assert 'value="2"' in client.get(world["new"]).content.decode()  # the next free position is proposed
    response = client.post(world["new"], round_data(world, position="1"))
    assert response.status_code == 400
    assert JudgingRound.objects.count() == 1


def test_the_secretariat_edits_a_round_and_an_untouched_deadline_keeps_its_seconds(world, client, login):
    deadline = datetime.datetime(2026, 12, 20, 18, 0, 42, tzinfo=SEOUL)
    judging_round = JudgingRoundFactory(edition=world["edition"], categories=[world["human"]], deadline=deadline,
                                        judges_per_entry=3, reminder_hours=[24])
    url = f"/e/{world['edition'].slug}/rounds/{judging_round.pk}/edit/"
    login(person(world["edition"], "secretariat"))
    assert url in client.get(f"/e/{world['edition'].slug}/rounds/{judging_round.pk}/").content.decode()
    page = client.get(url).content.decode()
    assert 'value="2026-12-20T18:00"' in page and 'value="24"' in page

    data = round_data(world, name=judging_round.name, position=str(judging_round.position),
                      categories=[world["human"].pk, world["tech"].pk], deadline="2026-12-20T18:00",
                      reminder_hours="24", judges_per_entry="4")
    data.pop("blind")
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(r'class="errorlist"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    judging_round.refresh_from_db()
    assert (judging_round.judges_per_entry, judging_round.deadline) == (4, deadline)
    assert set(judging_round.categories.all()) == {world["human"], world["tech"]}
    entry = AuditEntry.objects.get(action="round.update")
    assert (entry.before["judges_per_entry"], entry.after["judges_per_entry"]) == (3, 4)


def test_a_closed_round_keeps_its_settings(world, client, login):
    judging_round = JudgingRoundFactory(edition=world["edition"], categories=[world["human"]],
                                        state=JudgingRound.State.CLOSED, judges_per_entry=3)
    url = f"/e/{world['edition'].slug}/rounds/{judging_round.pk}/edit/"
    login(person(world["edition"], "secretariat"))
    assert "its settings no longer change" in client.get(url).content.decode()
    response = client.post(url, round_data(world, name=judging_round.name, position=str(judging_round.position),
                                           judges_per_entry="5"))
    assert response.status_code == 400
    assert "its settings no longer change" in response.content.decode()
    judging_round.refresh_from_db()
    assert judging_round.judges_per_entry == 3


@pytest.mark.parametrize("role", ["chair", "observer", "judge", "applicant", "stranger"])
def test_nobody_but_the_secretariat_creates_or_edits_rounds(world, role, client, login):
    judging_round = JudgingRoundFactory(edition=world["edition"], categories=[world["human"]], judges_per_entry=3)
    if role == "judge":
        user = JudgeProfileFactory(edition=world["edition"]).user
    elif role in ("applicant", "stranger"):
        user = VerifiedUserFactory()
    else:
        user = person(world["edition"], role)
    login(user)
    edit = f"/e/{world['edition'].slug}/rounds/{judging_round.pk}/edit/"
    for url in (world["new"], edit):
        assert client.get(url).status_code == 403
    assert client.post(world["new"], round_data(world, position="5")).status_code == 403
    assert client.post(edit, round_data(world, judges_per_entry="9")).status_code == 403
    judging_round.refresh_from_db()
    assert (JudgingRound.objects.count(), judging_round.judges_per_entry) == (1, 3)


def test_another_editions_secretariat_cannot_reach_the_round(world, client, login):
    judging_round = JudgingRoundFactory(edition=world["edition"], categories=[world["human"]])
    other = EditionFactory()
    login(person(other, "secretariat"))
    assert client.get(f"/e/{other.slug}/rounds/{judging_round.pk}/edit/").status_code == 404
    assert client.get(f"/e/{world['edition'].slug}/rounds/{judging_round.pk}/edit/").status_code == 403


def test_the_secretariat_asks_the_assigner_to_keep_panels_connected_and_the_change_is_audited(world, client, login):
    login(person(world["edition"], "secretariat"))
    form = client.get(world["new"]).content.decode()
    assert "Keep panels connected: every category&#x27;s judges linked through shared entries" in form
    assert "심사위원단 연결 유지" in client.get(world["new"], HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert client.post(world["new"], round_data(world, connected_panels="on")).status_code == 302
    judging_round = JudgingRound.objects.get(edition=world["edition"])
    assert judging_round.connected_panels is True
    edit = f"/e/{world['edition'].slug}/rounds/{judging_round.pk}/edit/"
    page = client.get(edit).content.decode()
    assert re.search(r"<input[^>]*name=\"connected_panels\"[^>]*checked", page), re.findall(r"<input[^>]*connected_panels[^>]*>", page)
    assert client.post(edit, round_data(world)).status_code == 302
    judging_round.refresh_from_db()
    assert judging_round.connected_panels is False
    entry = AuditEntry.objects.get(action="round.update")
    assert (entry.before["connected_panels"], entry.after["connected_panels"]) == (True, False)
