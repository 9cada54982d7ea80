"""The confirmation pages of the irreversible judging steps: what they say, who opens them, and that a POST
without the confirmation box changes nothing."""

import pytest
from django.core import mail

from judging.models import AggregationRun, Assignment, JudgingRound
from portal.models import AuditEntry, Edition
from tests.factories import EditionRoleFactory, MembershipFactory
from tests.factories.judging import JudgingRoundFactory
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


def open_url(world) -> str:
    return f"/e/{world.edition.slug}/rounds/{world.round.pk}/open/"


def close_url(world) -> str:
    return f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/close/"


@pytest.fixture
def assigning():
    """A round being assigned in a screening edition: 3 judges, 2 entries, 6 assignments."""
    return make_world(judges=3, entries=2, state=JudgingRound.State.ASSIGNING, edition_state="screening")


@pytest.fixture
def scoring():
    """An open round: 3 judges × 2 entries; judge 0 has submitted both, judge 1 one; judge 2 none."""
    world = make_world(judges=3, entries=2)
    Assignment.objects.filter(judge=world.judges[0]).update(state=Assignment.State.SUBMITTED)
    Assignment.objects.filter(pk=world.assignment(1, 0).pk).update(state=Assignment.State.SUBMITTED)
    return world


def _who(world, who: str):
    if who == "judge":
        return world.judges[0].user
    if who == "applicant":
        return MembershipFactory(organisation=world.entries[0].organisation).user
    if who == "secretariat elsewhere":
        return EditionRoleFactory(role="secretariat").user
    return world.role(who)


# --- opening a round ------------------------------------------------------------------------------------------


def test_the_open_page_says_who_is_emailed_and_what_starts(assigning, client, login):
    login(assigning.role("secretariat"))
    body = client.get(open_url(assigning)).content.decode()
    assert "3 judges are e-mailed the entries assigned to them." in body
    assert "6 assignments, covering 2 entries, can be scored from now on." in body
    assert "Scoring starts now; the deadline is" in body
    assert "the screening ends and the edition moves on to judging" in body
    assert 'name="confirm"' in body and "Open the round and e-mail the judges" in body


def test_opening_without_the_box_changes_nothing(assigning, client, login, django_capture_on_commit_callbacks):
    login(assigning.role("secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(open_url(assigning), {})
    assert response.status_code == 400
    assert "Tick the box to confirm; nothing was changed." in response.content.decode()
    assigning.round.refresh_from_db()
    assigning.edition.refresh_from_db()
    assert (assigning.round.state, assigning.edition.state) == ("assigning", "screening")
    assert mail.outbox == [] and not AuditEntry.objects.filter(action="round.open").exists()


def test_opening_with_the_box_opens_emails_and_starts_the_judging(assigning, client, login,
                                                                  django_capture_on_commit_callbacks):
    login(assigning.role("secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(open_url(assigning), {"confirm": "on"})
    assert response.status_code == 302 and response.url == f"/e/{assigning.edition.slug}/rounds/{assigning.round.pk}/"
    assigning.round.refresh_from_db()
    assigning.edition.refresh_from_db()
    assert (assigning.round.state, assigning.edition.state) == ("open", "judging")
    assert len(mail.outbox) == 3


def test_a_refused_opening_comes_back_to_the_page_with_the_reason(client, login):
    world = make_world(pairs=[], state=JudgingRound.State.ASSIGNING, edition_state="screening")
    login(world.role("secretariat"))
    response = client.post(open_url(world), {"confirm": "on"}, follow=True)
    assert "Nobody is assigned yet: run the assigner first." in response.content.decode()
    world.round.refresh_from_db()
    assert world.round.state == "assigning"


def test_an_open_round_shows_no_confirmation_form(scoring, client, login):
    login(scoring.role("secretariat"))
    body = client.get(open_url(scoring)).content.decode()
    assert 'name="confirm"' not in body and "only a round being assigned can be opened" in body


@pytest.mark.parametrize("who", ["chair", "observer", "committee", "judge", "applicant", "secretariat elsewhere"])
def test_only_the_secretariat_opens_a_round(assigning, client, login, who):
    login(_who(assigning, who))
    assert client.get(open_url(assigning)).status_code == 403
    assert client.post(open_url(assigning), {"confirm": "on"}).status_code == 403
    assigning.round.refresh_from_db()
    assert assigning.round.state == "assigning"


# --- closing a round ------------------------------------------------------------------------------------------


def test_the_close_page_counts_the_missing_reviews_and_their_judges(scoring, client, login):
    login(scoring.role("secretariat"))
    body = client.get(close_url(scoring)).content.decode()
    assert "3 reviews of 6 are still missing (judges who have not finished: 2)." in body
    assert "late judges are locked out" in body
    assert "the judging ends and the edition moves on to the deliberation" in body


def test_the_close_page_of_a_round_that_is_not_the_last_does_not_promise_the_deliberation(scoring, client, login):
    JudgingRoundFactory(edition=scoring.edition, state=JudgingRound.State.OPEN, categories=[scoring.category])
    login(scoring.role("secretariat"))
    body = client.get(close_url(scoring)).content.decode()
    assert "3 reviews of 6 are still missing" in body and "moves on to the deliberation" not in body


def test_closing_without_the_box_changes_nothing(scoring, client, login):
    login(scoring.role("secretariat"))
    response = client.post(close_url(scoring), {})
    assert response.status_code == 400
    scoring.round.refresh_from_db()
    scoring.edition.refresh_from_db()
    assert (scoring.round.state, scoring.edition.state) == ("open", "judging")
    assert AggregationRun.objects.count() == 0


def test_closing_the_last_round_with_the_box_starts_the_deliberation(scoring, client, login):
    login(scoring.role("secretariat"))
    response = client.post(close_url(scoring), {"confirm": "on"}, follow=True)
    body = response.content.decode()
    assert "The computation of the results is queued." in body
    assert "It was the last round: the edition moves on to the deliberation." in body
    scoring.round.refresh_from_db()
    scoring.edition.refresh_from_db()
    assert (scoring.round.state, scoring.edition.state) == ("closed", "deliberation")
    assert AggregationRun.objects.get().state == "pending"


@pytest.mark.parametrize("who", ["chair", "observer", "committee", "judge", "applicant", "secretariat elsewhere"])
def test_only_the_secretariat_closes_a_round(scoring, client, login, who):
    login(_who(scoring, who))
    assert client.get(close_url(scoring)).status_code == 403
    assert client.post(close_url(scoring), {"confirm": "on"}).status_code == 403
    scoring.round.refresh_from_db()
    assert scoring.round.state == "open"


def test_the_leaderboard_links_to_the_close_page_not_a_direct_post(scoring, client, login):
    login(scoring.role("secretariat"))
    body = client.get(f"/e/{scoring.edition.slug}/scoring/rounds/{scoring.round.pk}/results/").content.decode()
    assert f'href="{close_url(scoring)}"' in body and f'action="{close_url(scoring)}"' not in body


# --- starting the deliberation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["secretariat", "chair"])
def test_the_deliberation_page_asks_then_moves_the_edition(client, login, role):
    world = make_world(state=JudgingRound.State.SCORED)
    login(world.role(role))
    url = f"/e/{world.edition.slug}/awards/deliberation/"
    body = client.get(url).content.decode()
    assert "The edition moves from judging to deliberation" in body and 'name="confirm"' in body
    assert client.post(url, {}).status_code == 400
    assert Edition.objects.get(pk=world.edition.pk).state == "judging"
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert Edition.objects.get(pk=world.edition.pk).state == "deliberation"


def test_the_deliberation_page_says_why_not_yet(client, login):
    world = make_world()
    login(world.role("secretariat"))
    body = client.get(f"/e/{world.edition.slug}/awards/deliberation/").content.decode()
    assert "Close every round first" in body and 'name="confirm"' not in body


@pytest.mark.parametrize("who", ["observer", "committee", "judge", "applicant", "secretariat elsewhere"])
def test_only_the_secretariat_and_the_chair_open_the_deliberation_page(client, login, who):
    world = make_world(state=JudgingRound.State.SCORED)
    login(_who(world, who))
    url = f"/e/{world.edition.slug}/awards/deliberation/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "on"}).status_code == 403
    assert Edition.objects.get(pk=world.edition.pk).state == "judging"
