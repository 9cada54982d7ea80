"""The organiser's "create an edition" page: who may open it, what it creates or copies, and bad input kept."""

import pytest
from django.utils import timezone, translation

from judging.models import JudgingRound
from portal.models import AuditEntry, Edition, EditionRole
from submissions.models import Application, Category
from tests.factories import (
    ApplicationFactory,
    CategoryFactory,
    EditionFactory,
    EditionRoleFactory,
    MembershipFactory,
    VerifiedUserFactory,
)
from tests.factories.editions import last_year_edition

pytestmark = pytest.mark.django_db

URL = "/organise/editions/new/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def form_data(**changes) -> dict:
    return {"name_en": "Seoul Smart City Prize 2026", "slug": "seoul-2026", "programme_en": "Seoul Smart City Prize",
            "description_en": "The third edition.", "time_zone": "Asia/Seoul", "opens_at": "2026-03-15T09:00",
            "closes_at": "2026-05-15T18:00", "copy_from": "", **changes}


@pytest.fixture
def last():
    """Last year's edition, with applications and scores; its secretariat is an organiser."""
    return last_year_edition()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["applicant", "judge", "secretariat", "chair"])
def test_everyone_but_an_organiser_gets_a_403_in_the_portals_layout(who, client, login, last):
    if who == "applicant":
        user = MembershipFactory().user
        ApplicationFactory(edition=last.edition, organisation=user.memberships.get().organisation)
    elif who == "secretariat":
        user = VerifiedUserFactory(is_organiser=False)
        EditionRoleFactory(edition=last.edition, user=user, role="secretariat")
    else:
        user = EditionRoleFactory(edition=last.edition, role=who).user
    login(user)
    for response in (client.get(URL), client.post(URL, form_data(copy_from=last.edition.pk))):
        page = response.content.decode()
        assert response.status_code == 403
        assert "Only organisers create editions." in page and 'class="site-header"' in page
        assert "Seoul Smart City Prize 2025" not in page  # no edition is offered for copying
    assert not Edition.objects.filter(slug="seoul-2026").exists()


def test_an_organiser_sees_the_form_and_only_the_editions_whose_secretariat_they_are(client, login, last):
    judged_elsewhere = EditionFactory(name="Barcelona Awards 2025")
    EditionRoleFactory(edition=judged_elsewhere, user=last.secretariat, role="judge")
    EditionFactory(name="Somebody Else's Prize")
    login(last.secretariat)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Create an edition" in page and 'data-slug-from="id_name_en"' in page
    assert "Seoul Smart City Prize 2025" in page
    assert "Barcelona Awards 2025" not in page and "Somebody Else" not in page
    assert "Not copied" in page and "Applications, their files and their screening" in page


def test_an_organiser_creates_an_empty_edition_and_lands_on_its_settings(client, login):
    organiser = VerifiedUserFactory(is_organiser=True)
    login(organiser)
    response = client.post(URL, form_data(), follow=True)
    edition = Edition.objects.get(slug="seoul-2026")
    assert response.redirect_chain == [("/e/seoul-2026/settings/", 302)]
    assert "is created as a draft and you are its secretariat. Next:" in response.content.decode()
    assert (edition.state, edition.time_zone, edition.programme) == ("draft", "Asia/Seoul", "Seoul Smart City Prize")
    # The times were read in the edition's zone (Seoul, UTC+9).
    assert timezone.localtime(edition.opens_at, timezone.get_fixed_timezone(0)).strftime("%Y-%m-%d %H:%M") == (
        "2026-03-15 00:00")
    assert list(EditionRole.objects.filter(edition=edition).values_list("user_id", "role")) == [
        (organiser.pk, "secretariat")]
    assert Category.objects.filter(edition=edition).count() == 0


def test_the_address_is_made_from_the_name_when_left_empty(client, login):
    login(VerifiedUserFactory(is_organiser=True))
    response = client.post(URL, form_data(slug="", name_en="World Smart City Awards 2026"))
    assert response.status_code == 302
    assert Edition.objects.filter(slug="world-smart-city-awards-2026").exists()


def test_an_organiser_copies_last_years_edition(client, login, last):
    login(last.secretariat)
    response = client.post(URL, form_data(copy_from=last.edition.pk), follow=True)
    new = Edition.objects.get(slug="seoul-2026")
    assert response.redirect_chain == [("/e/seoul-2026/settings/", 302)]
    assert "with the set-up of “Seoul Smart City Prize 2025”" in response.content.decode()
    assert list(Category.objects.filter(edition=new).values_list("slug", flat=True)) == [
        "human-centric", "tech-innovative"]
    assert list(JudgingRound.objects.filter(edition=new).values_list("name", "state")) == [
        ("Category round", "scheduled"), ("Final round", "scheduled")]
    assert Application.objects.filter(edition=new).count() == 0


def test_copying_an_edition_whose_secretariat_the_organiser_is_not_is_refused(client, login, last):
    organiser = VerifiedUserFactory(is_organiser=True)
    EditionRoleFactory(edition=last.edition, user=organiser, role="chair")  # a role there, but not the secretariat
    login(organiser)
    editions, audit = Edition.objects.count(), AuditEntry.objects.count()
    response = client.post(URL, form_data(copy_from=last.edition.pk))
    page = response.content.decode()
    assert response.status_code == 400
    assert "You can copy only an edition whose secretariat you are." in page
    assert 'value="Seoul Smart City Prize 2026"' in page  # what was typed is kept
    assert (Edition.objects.count(), AuditEntry.objects.count()) == (editions, audit)


@pytest.mark.parametrize(("changes", "message"), [
    ({"slug": "seoul-2025"}, "Another edition already uses the address “seoul-2025”; choose another."),
    ({"closes_at": "2026-03-01T09:00"}, "The closing time must come after the opening time."),
    ({"time_zone": "Mars/Olympus"}, "“Mars/Olympus” is not a known time zone, e.g. Asia/Seoul."),
    ({"opens_at": "next spring"}, "Enter a valid date/time."),
    ({"slug": "", "name_en": "", "name_ko": "서울 스마트시티 상"}, "Choose a web address: lower-case letters, digits and hyphens."),
])
def test_bad_input_says_what_is_wrong_and_keeps_everything_typed(changes, message, client, login, last):
    login(last.secretariat)
    editions = Edition.objects.count()
    response = client.post(URL, form_data(copy_from=last.edition.pk, **changes))
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page and "Nothing was created" in page
    typed = form_data(**changes)
    assert f'value="{typed.get("name_ko") or typed["name_en"]}"' in page and "The third edition.</textarea>" in page
    assert f'<option value="{last.edition.pk}" selected>' in page
    assert Edition.objects.count() == editions


def test_a_link_preselects_the_edition_to_copy_with_its_programme_and_zone(client, login, last):
    login(last.secretariat)
    page = client.get(f"{URL}?copy_from={last.edition.pk}").content.decode()
    assert f'<option value="{last.edition.pk}" selected>' in page
    assert 'value="Seoul Smart City Prize"' in page and '<option value="Asia/Seoul" selected>' in page
    # Last year's opening and closing, a year on, in the edition's zone (Seoul: 1 March 2025 00:00 UTC is 09:00).
    assert 'name="opens_at" value="2026-03-01T09:00"' in page and 'name="closes_at" value="2026-04-30T09:00"' in page
    other = EditionFactory()
    page = client.get(f"{URL}?copy_from={other.pk}").content.decode()  # not theirs: nothing preselected
    assert f'<option value="{other.pk}"' not in page and 'value="Seoul Smart City Prize"' not in page


@pytest.mark.parametrize("sources", [1, 4])
def test_the_page_reads_a_fixed_number_of_queries_however_many_editions_it_offers(
        sources, client, login, django_assert_num_queries):
    organiser = VerifiedUserFactory(is_organiser=True)
    for n in range(sources):
        edition = EditionFactory(name=f"Edition {n}")
        EditionRoleFactory(edition=edition, user=organiser, role="secretariat")
        CategoryFactory(edition=edition)
    login(organiser)
    # The request's savepoint and its release, the session, the user, the editions with their counts.
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert response.content.decode().count("?copy_from=") == sources
