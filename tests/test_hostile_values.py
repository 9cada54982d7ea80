"""What the property run over every form found, pinned: each value here answered 500 before its fix."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from judging.forms.assignment import ReminderHoursField, shown_entry_ids
from judging.forms.queue import QueueFilterForm
from judging.forms.votes import BallotForm
from judging.selectors.queue import number_filter
from tests.factories import EditionRoleFactory
from tests.factories.scoring import make_world
from tests.factories.submissions import ApplicationFactory

# "²" is a digit (str.isdigit) that int() refuses; 5000 nines pass isdigit but exceed int()'s 4300 digits.
NOT_NUMBERS = ["²", "1²", "9" * 5000]


@pytest.mark.parametrize("typed", ["72, 24²", "²", "9" * 5000, "0", "9000"])
def test_reminder_hours_that_are_not_whole_hours_within_a_year_are_a_form_error(typed):
    with pytest.raises(ValidationError, match="Type whole numbers of hours"):
        ReminderHoursField().clean(typed)


def test_reminder_hours_still_read_whole_numbers():
    assert ReminderHoursField().clean("24; 72, 24") == [72, 24]


@pytest.mark.parametrize("raw", ["1,²", "²", "9" * 5000, "1,-2"])
def test_a_tampered_list_of_shown_bids_is_refused_not_a_crash(raw):
    assert shown_entry_ids(raw) is None


def test_the_shown_bids_list_still_reads_ids():
    assert shown_entry_ids("3,1,2") == [3, 1, 2]


@pytest.mark.parametrize("query", ["²", "#²", "9" * 5000, "#" + "9" * 5000])
def test_the_queue_search_takes_any_text(query):
    form = QueueFilterForm({"q": query}, categories=["Human-centric"])
    assert form.is_valid()
    assert number_filter(form.cleaned_data["q"]) is None  # searched as text, never int() of it


def test_the_queue_search_reads_numbers():
    assert number_filter("#12") == Q(application_id=12)
    assert number_filter("12") == Q(application_id=12) | Q(queue_position=12)


@pytest.mark.django_db
@pytest.mark.parametrize("number", NOT_NUMBERS)
def test_a_ballot_field_for_an_entry_that_is_not_a_number_is_a_form_error(number):
    entry = ApplicationFactory()
    form = BallotForm({f"rank_{number}": "1"}, entries=[entry], recused=set())
    assert not form.is_valid()
    assert "is not on this ballot" in form.non_field_errors()[0]


@pytest.fixture
def judging():
    world = make_world(judges=1, entries=2)
    world.secretary = EditionRoleFactory(edition=world.edition, role="secretariat").user
    return world


@pytest.mark.django_db
def test_screening_a_selection_with_hostile_ids_answers_the_page(client, judging):
    client.force_login(judging.secretary)
    response = client.post(f"/e/{judging.edition.slug}/screening/", {"applications": NOT_NUMBERS})
    assert response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "data"), [
    ("calibration", {"remove": "abc"}),
    ("calibration", {"remove": "²"}),
    ("shortlist", {"action": "remove", "shortlisting": "abc", "reason": "x"}),
])
def test_a_posted_id_that_is_not_a_number_is_not_found(client, judging, page, data):
    client.force_login(judging.secretary)
    response = client.post(f"/e/{judging.edition.slug}/scoring/rounds/{judging.round.pk}/{page}/", data)
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("user_pk", [2**63, 10**25])
def test_an_id_past_64_bits_in_the_address_is_not_found(client, judging, user_pk):
    client.force_login(judging.secretary)
    response = client.post(f"/e/{judging.edition.slug}/roles/{user_pk}/judge/revoke/")
    assert response.status_code == 404
