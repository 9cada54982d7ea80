"""The data protection pages: a person's own data page and export, and the deletion requests the secretariat
decides; per role, with another applicant's data present."""

import io
import json
import re
import zipfile

import pytest

from portal.models import DeletionRequest, EditionRole, User
from tests.factories import (
    ApplicationFactory,
    ConsentAcceptanceFactory,
    DeletionRequestFactory,
    EditionFactory,
    EditionRoleFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return EditionFactory()


def _applicant(edition, organisation_name: str, email: str):
    membership = MembershipFactory(organisation__name=organisation_name, user__email=email,
                                   user__name=email.split("@")[0].title())
    ApplicationFactory(edition=edition, organisation=membership.organisation, title=f"{organisation_name} entry")
    return membership.user


@pytest.fixture
def anna(edition):
    return _applicant(edition, "Alpha City", "anna@alpha.example")


@pytest.fixture
def bo(edition):
    return _applicant(edition, "Beta Town", "bo@beta.example")


# --- a person's own data -------------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in ("/my-data/", "/deletion-requests/"):
        assert client.get(url).url.startswith("/accounts/login/?next=")
    assert client.post("/my-data/export.zip").url.startswith("/accounts/login/?next=")


def test_the_export_is_always_the_callers_own_and_never_another_applicants(client, login, anna, bo):
    login(anna)

    response = client.post("/my-data/export.zip", {"user": bo.pk, "pk": bo.pk})  # extra ids are ignored

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="my-data-{anna.pk}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert json.loads(archive.read("account.json"))["email"] == "anna@alpha.example"
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"bo@beta.example" not in everything and b"Beta Town" not in everything
    assert client.get("/my-data/export.zip").status_code == 405  # a download that is audited: POST only


def test_the_page_lists_the_callers_consents_only_in_a_fixed_number_of_queries(
        client, login, anna, bo, django_assert_num_queries):
    ConsentAcceptanceFactory(user=bo, consent__edition__name="Beta's edition")
    login(anna)
    ConsentAcceptanceFactory(user=anna, consent__edition__name="Anna's edition")
    with django_assert_num_queries(7):
        one = client.get("/my-data/")
    for _ in range(4):
        ConsentAcceptanceFactory(user=anna, consent__edition__name="Anna's edition")
    with django_assert_num_queries(7):
        many = client.get("/my-data/")

    assert "Anna&#x27;s edition" in one.content.decode() and "Beta" not in many.content.decode()
    assert many.content.decode().count("Anna&#x27;s edition") == 5


def test_the_page_reads_in_korean(client, login, anna):
    login(anna)
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})

    body = client.get("/my-data/").content.decode()

    assert "내 정보" in body and "계정 삭제" in body


def test_asking_for_deletion_needs_the_confirmation_and_keeps_the_reason(client, login, anna):
    login(anna)

    refused = client.post("/my-data/deletion/", {"reason": "Leaving the city"})
    assert refused.status_code == 400 and "Leaving the city" in refused.content.decode()
    assert client.post("/my-data/deletion/", {"reason": "Leaving the city", "confirm": "on"}).status_code == 302

    assert list(DeletionRequest.objects.values_list("user", "reason", "state")) == [
        (anna.pk, "Leaving the city", "pending")]


def test_a_person_cannot_cancel_anothers_request(client, login, anna, bo):
    theirs = DeletionRequestFactory(user=bo)
    login(anna)

    assert client.post(f"/my-data/deletion/{theirs.pk}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == DeletionRequest.State.PENDING


# --- the secretariat's decisions -----------------------------------------------------------------------

@pytest.fixture
def secretary(edition):
    return EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT).user


@pytest.mark.parametrize("role", [EditionRole.Role.JUDGE, EditionRole.Role.CHAIR, EditionRole.Role.OBSERVER])
def test_other_roles_and_applicants_are_refused_the_decisions(client, login, edition, anna, role):
    pending = DeletionRequestFactory(user=anna)
    login(EditionRoleFactory(edition=edition, role=role).user)

    assert client.get("/deletion-requests/").status_code == 403
    assert client.post(f"/deletion-requests/{pending.pk}/", {"decision": "approve"}).status_code == 403
    client.logout()
    login(MembershipFactory().user)
    assert client.get("/deletion-requests/").status_code == 403
    pending.refresh_from_db()
    assert pending.state == DeletionRequest.State.PENDING


def test_the_secretariat_of_another_edition_sees_and_decides_nothing_of_this_one(client, login, anna):
    pending = DeletionRequestFactory(user=anna)
    login(EditionRoleFactory(role=EditionRole.Role.SECRETARIAT).user)

    assert "anna@alpha.example" not in client.get("/deletion-requests/").content.decode()
    assert client.post(f"/deletion-requests/{pending.pk}/", {"decision": "approve"}).status_code == 404
    pending.refresh_from_db()
    assert pending.state == DeletionRequest.State.PENDING


def test_the_secretariat_approves_and_the_account_is_anonymised(client, login, secretary, anna, bo):
    pending = DeletionRequestFactory(user=anna)
    DeletionRequestFactory(user=bo)
    login(secretary)

    page = client.get(f"/deletion-requests/{pending.pk}/").content.decode()
    response = client.post(f"/deletion-requests/{pending.pk}/", {"decision": "approve"})

    assert "anna@alpha.example" in page and "Alpha City" in page and "bo@beta.example" not in page
    assert response.status_code == 302
    anna = User.objects.get(pk=anna.pk)
    assert (anna.email, anna.is_active) == (f"deleted-{anna.pk}@deleted.invalid", False)
    assert User.objects.get(pk=bo.pk).is_active is True


def test_a_refusal_without_a_note_is_shown_beside_the_field(client, login, secretary, anna):
    pending = DeletionRequestFactory(user=anna)
    login(secretary)

    response = client.post(f"/deletion-requests/{pending.pk}/", {"decision": "refuse", "note": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"note": ["Say why the request is refused: the person reads it."]}


@pytest.mark.parametrize("rows", [1, 6])
def test_the_list_reads_in_a_fixed_number_of_queries(client, login, edition, secretary, rows,
                                                      django_assert_num_queries):
    for n in range(rows):
        DeletionRequestFactory(user=_applicant(edition, f"City {n}", f"person{n}@city{n}.example"))
    DeletionRequestFactory(user=_applicant(EditionFactory(), "Elsewhere", "elsewhere@other.example"))
    login(secretary)

    with django_assert_num_queries(7):
        response = client.get("/deletion-requests/")

    body = response.content.decode()
    assert len(re.findall(r'href="/deletion-requests/\d+/"', body)) == rows
    assert "elsewhere@other.example" not in body


def test_the_secretariats_dashboard_says_requests_wait(client, login, secretary, anna):
    DeletionRequestFactory(user=anna)
    login(secretary)

    assert "1 request to delete an account waits for your decision" in client.get("/dashboard/").content.decode()
