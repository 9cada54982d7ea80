"""The secretariat's page of an edition's judges: reading, adding, editing; who may do what."""

import re

import pytest
from django.core import mail

from judging.models import JudgeProfile
from portal.models import AuditEntry, EditionRole, RoleInvitation
from submissions.models import Application
from tests.factories import (
    ApplicationFactory,
    CategoryFactory,
    EditionFactory,
    EditionRoleFactory,
    OrganisationFactory,
    VerifiedUserFactory,
)
from tests.factories.judging import JudgeProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    edition = EditionFactory()
    human = CategoryFactory(edition=edition, name="Human-centric")
    applicant = OrganisationFactory(name="Applying City")
    ApplicationFactory(edition=edition, category=human, organisation=applicant, status=Application.Status.ELIGIBLE)
    outsider = OrganisationFactory(name="Never Applied Here")
    judge = JudgeProfileFactory(edition=edition, user=VerifiedUserFactory(email="known.judge@example.org"))
    return {"edition": edition, "human": human, "applicant": applicant, "outsider": outsider, "judge": judge,
            "list": f"/e/{edition.slug}/judges/", "edit": f"/e/{edition.slug}/judges/{judge.pk}/"}


def person(edition, role):
    return EditionRoleFactory(edition=edition, role=role).user


def add_data(world, **changes) -> dict:
    data = {"email": "new.judge@example.org", "country": "KR", "capacity": "25", "expertise": [world["human"].pk],
            "affiliations": "applying city", "active": "on"}
    data.update(changes)
    return data


def test_the_secretariat_adds_a_judge_by_the_address_of_their_account(world, client, login):
    newcomer = VerifiedUserFactory(email="new.judge@example.org")
    login(person(world["edition"], "secretariat"))
    page = client.get(world["list"]).content.decode()
    assert "known.judge@example.org" in page and "Add a judge" in page
    # Affiliations are typed names (case aside), not a list of every applicant: the page does not grow with them.
    assert "Applying City" not in page and "Never Applied Here" not in page

    response = client.post(world["list"], add_data(world, email="NEW.judge@example.org"))
    assert response.status_code == 302
    judge = JudgeProfile.objects.get(user=newcomer)
    assert (judge.country.code, judge.capacity, judge.active) == ("KR", 25, True)
    assert list(judge.expertise.all()) == [world["human"]]
    assert list(judge.affiliations.all()) == [world["applicant"]]
    assert EditionRole.objects.filter(edition=world["edition"], user=newcomer, role="judge").exists()
    assert AuditEntry.objects.filter(action="judge.create").count() == 1


def test_an_address_without_an_account_is_invited_to_judge(world, client, login, django_capture_on_commit_callbacks):
    login(person(world["edition"], "secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(world["list"], add_data(world, email="Nobody@Example.org"), follow=True)
    assert "has no account yet: an invitation to judge was sent" in response.content.decode()
    invitation = RoleInvitation.objects.get()
    assert (invitation.edition, invitation.email, invitation.role) == (world["edition"], "nobody@example.org", "judge")
    assert [message.to for message in mail.outbox] == [["nobody@example.org"]]
    assert f"/roles/invitations/{invitation.token}/" in mail.outbox[0].body
    assert JudgeProfile.objects.count() == 1  # the profile comes with the acceptance


@pytest.mark.parametrize(("changes", "message"), [
    ({"email": "known.judge@example.org"}, "already a judge of this edition"),
    ({"email": "not an address"}, "Enter a valid email address."),
    ({"capacity": "-1"}, "greater than or equal to 0"),
    ({"affiliations": "Nowhere Town"}, "No applicant of this edition is named “Nowhere Town”."),
])
def test_bad_input_is_explained_and_kept(world, changes, message, client, login):
    VerifiedUserFactory(email="new.judge@example.org")
    login(person(world["edition"], "secretariat"))
    response = client.post(world["list"], add_data(world, **changes))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'value="KR" selected' in html
    assert JudgeProfile.objects.count() == 1


def test_an_outsider_organisation_cannot_be_posted_as_an_affiliation(world, client, login):
    VerifiedUserFactory(email="new.judge@example.org")
    login(person(world["edition"], "secretariat"))
    response = client.post(world["list"], add_data(world, affiliations="Never Applied Here"))
    assert response.status_code == 400
    assert "No applicant of this edition is named “Never Applied Here”." in response.content.decode()
    assert JudgeProfile.objects.count() == 1


def test_the_secretariat_edits_a_judge(world, client, login):
    login(person(world["edition"], "secretariat"))
    assert world["edit"] in client.get(world["list"]).content.decode()
    data = add_data(world, capacity="7", affiliations=[world["applicant"].pk])  # the judge's page: a list
    data.pop("email")
    data.pop("active")
    response = client.post(world["edit"], data)
    assert response.status_code == 302
    judge = JudgeProfile.objects.get(pk=world["judge"].pk)
    assert (judge.capacity, judge.active, judge.country.code) == (7, False, "KR")
    entry = AuditEntry.objects.get(action="judge.update")
    assert (entry.before["capacity"], entry.after["capacity"]) == (20, 7)

    bad = client.post(world["edit"], {**data, "capacity": "many"})
    assert bad.status_code == 400 and "Enter a whole number." in bad.content.decode()


def test_two_applicants_of_one_name_are_refused_by_name_and_each_line_is_one_affiliation(world, client, login):
    VerifiedUserFactory(email="new.judge@example.org")
    other = OrganisationFactory(name="Second Applicant")
    ApplicationFactory(edition=world["edition"], category=world["human"], organisation=other)
    twin = OrganisationFactory(name="APPLYING CITY")
    ApplicationFactory(edition=world["edition"], category=world["human"], organisation=twin)
    login(person(world["edition"], "secretariat"))
    refused = client.post(world["list"], add_data(world, affiliations="Applying City"))
    assert refused.status_code == 400
    assert "Several applicants are named “Applying City”" in refused.content.decode()
    assert client.post(world["list"], add_data(world, affiliations=" second applicant \n\nSecond Applicant")
                       ).status_code == 302
    assert list(JudgeProfile.objects.get(user__email="new.judge@example.org").affiliations.all()) == [other]


@pytest.mark.parametrize("role", ["chair", "observer"])
def test_the_chair_and_observers_read_the_list_but_change_nothing(world, role, client, login):
    login(person(world["edition"], role))
    page = client.get(world["list"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "known.judge@example.org" in html and "Add a judge" not in html and world["edit"] not in html
    VerifiedUserFactory(email="new.judge@example.org")
    assert client.post(world["list"], add_data(world)).status_code == 403
    assert client.get(world["edit"]).status_code == 403
    assert client.post(world["edit"], {"capacity": "1"}).status_code == 403
    assert JudgeProfile.objects.count() == 1


@pytest.mark.parametrize("who", ["judge", "applicant", "other_secretariat"])
def test_judges_applicants_and_other_editions_see_nothing(world, who, client, login):
    if who == "judge":
        user = world["judge"].user
    elif who == "applicant":
        user = VerifiedUserFactory()
    else:
        user = person(EditionFactory(), "secretariat")
    login(user)
    for url in (world["list"], world["edit"]):
        response = client.get(url)
        assert response.status_code == 403
        assert "known.judge@example.org" not in response.content.decode()


@pytest.mark.parametrize("rows", [1, 61])
def test_the_list_takes_the_same_number_of_queries_for_one_and_many_judges(world, client, login, rows,
                                                                           django_assert_num_queries):
    for _ in range(rows - 1):
        judge = JudgeProfileFactory(edition=world["edition"], expertise=[world["human"]])
        judge.affiliations.set([world["applicant"]])
    JudgeProfileFactory(user=VerifiedUserFactory(email="other.edition.judge@example.org"))
    login(person(world["edition"], "secretariat"))
    client.get(world["list"])
    with django_assert_num_queries(9):  # the applicants are no longer read for a list of them
        html = client.get(world["list"]).content.decode()
    assert len(re.findall(r'href="/e/[^/]+/judges/\d+/"', html)) == min(rows, 50)  # one page
    assert "other.edition.judge@example.org" not in html
    if rows > 1:
        assert "61 judges" in html


@pytest.mark.parametrize("entries", [1, 40])
def test_the_page_is_the_same_size_and_query_count_for_one_and_many_entries(world, client, login, entries,
                                                                            django_assert_num_queries):
    """Neither the applicants (the affiliations once were a list of them) nor the judges' loads grow the page."""
    for number in range(entries - 1):
        application = ApplicationFactory(edition=world["edition"], category=world["human"],
                                         organisation=OrganisationFactory(name=f"Applicant {number}"),
                                         status=Application.Status.ELIGIBLE)
        world["judge"].affiliations.add(application.organisation)
    login(person(world["edition"], "secretariat"))
    client.get(world["list"])
    with django_assert_num_queries(9):  # the applicants are no longer read for a list of them
        html = client.get(world["list"]).content.decode()
    assert "Applicant 0" not in html and "Applying City" not in html
    counts = re.findall(r'<td class="num"[^>]*>(\d+)</td>', html)
    assert counts == ["20", "0", str(entries - 1)]  # capacity, active assignments, affiliations of the one judge
