"""The screening list's countries, kept as applications enter and leave the list: the filter offers exactly the
countries of the edition's submitted applications after every change, and the page shows them."""

import importlib

import pytest
from django.apps import apps

from submissions.models import ScreeningCountry
from submissions.services.screening_countries import screening_countries_rebuild
from submissions.services.status import application_set_status
from tests.factories import ApplicationFactory, EditionFactory, EditionRoleFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _countries(edition) -> list[str]:
    return sorted(ScreeningCountry.objects.filter(edition=edition).values_list("country", flat=True))


def _offered(client, edition) -> list[str]:
    response = client.get(f"/e/{edition.slug}/screening/")
    return [code for code, _name in response.context["filterset"].filters["country"].extra["choices"]]


@pytest.fixture
def edition():
    return EditionFactory()


def test_a_submission_from_a_new_country_adds_it_and_a_reopened_draft_takes_it_away(client, login, edition):
    seoul = ApplicationFactory(edition=edition, status="submitted", organisation__country="KR")
    nairobi = ApplicationFactory(edition=edition, organisation__country="KE")  # a draft: not listed
    login(EditionRoleFactory(edition=edition, role="secretariat").user)
    assert _offered(client, edition) == ["KR"]
    application_set_status(application=nairobi, to="submitted", user=None)
    assert _offered(client, edition) == ["KE", "KR"]  # Kenya, South Korea: by name
    assert 'value="KE"' in client.get(f"/e/{edition.slug}/screening/").content.decode()
    application_set_status(application=nairobi, to="draft", user=None)
    assert _offered(client, edition) == ["KR"]
    application_set_status(application=seoul, to="eligible", user=None)  # screening: still listed
    assert _offered(client, edition) == ["KR"]


def test_a_country_stays_while_another_application_from_it_is_listed(edition):
    ApplicationFactory(edition=edition, status="submitted", organisation__country="KE")
    leaving = ApplicationFactory(edition=edition, status="submitted", organisation__country="KE")
    application_set_status(application=leaving, to="draft", user=None)
    assert _countries(edition) == ["KE"]


def test_another_editions_applications_never_count(edition):
    ApplicationFactory(status="submitted", organisation__country="PE")
    ApplicationFactory(edition=edition, status="submitted", organisation__country="KR")
    assert _countries(edition) == ["KR"]


def test_an_organisation_moving_country_moves_its_editions_lists(edition):
    organisation = OrganisationFactory(country="KR")
    ApplicationFactory(edition=edition, status="submitted", organisation=organisation)
    organisation.country = "JP"
    organisation.save()
    assert _countries(edition) == ["JP"]


def test_the_rebuild_and_the_migration_count_what_the_applications_say(edition):
    ApplicationFactory(edition=edition, status="submitted", organisation__country="KR")
    ApplicationFactory(edition=edition, status="ineligible", organisation__country="PE")
    ApplicationFactory(edition=edition, organisation__country="JP")  # a draft
    ScreeningCountry.objects.all().delete()
    screening_countries_rebuild(edition=edition)
    assert _countries(edition) == ["KR", "PE"]
    ScreeningCountry.objects.all().delete()
    importlib.import_module("submissions.migrations.0013_screening_countries").fill_countries(apps, None)
    assert _countries(edition) == ["KR", "PE"]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_save_outside_any_transaction_still_counts_its_country():
    """Autocommit (a script, a worker, a live-server test): the locking read runs in its own transaction rather
    than failing the save on PostgreSQL, which refuses SELECT ... FOR UPDATE outside one."""
    edition = EditionFactory()
    application = ApplicationFactory(edition=edition, status="submitted", organisation__country="KR")
    assert _countries(edition) == ["KR"]
    application_set_status(application=application, to="draft", user=None)
    assert _countries(edition) == []
