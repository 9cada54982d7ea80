"""One application's screening page: what was submitted, its files and history, and the decision form."""

import pytest

from portal.models import AuditEntry
from submissions import services
from submissions.models import Application
from tests.factories import ApplicationFactory, CategoryFactory, EditionFactory, EditionRoleFactory, MembershipFactory
from tests.factories.submissions import submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return EditionFactory(time_zone="Asia/Seoul")


@pytest.fixture
def application(edition):
    return submitted_application(category=CategoryFactory(edition=edition), title="Secret Water Plan",
                                 problem="Floods every summer.")


def _url(application) -> str:
    return f"/e/{application.edition.slug}/screening/{application.pk}/"


@pytest.mark.parametrize(("role", "status", "form_shown"), [
    ("secretariat", 200, True), ("chair", 200, False), ("observer", 200, False), ("judge", 403, False),
])
def test_detail_by_role(client, login, application, role, status, form_shown):
    login(EditionRoleFactory(edition=application.edition, role=role).user)
    response = client.get(_url(application))
    body = response.content.decode()
    assert response.status_code == status
    assert ("Floods every summer." in body) is (status == 200)
    assert ('name="decision"' in body) is form_shown


def test_detail_refuses_applicants_and_other_editions_secretariat(client, login, application):
    for user in (application.organisation.memberships.get().user, EditionRoleFactory(role="secretariat").user):
        login(user)
        response = client.get(_url(application))
        assert response.status_code == 403
        assert "Floods every summer." not in response.content.decode()
        client.logout()


def test_an_application_is_reached_only_through_its_own_edition(client, login, application):
    other = EditionFactory()
    login(EditionRoleFactory(edition=other, role="secretariat").user)
    response = client.get(f"/e/{other.slug}/screening/{application.pk}/")
    assert response.status_code == 404
    assert "Floods every summer." not in response.content.decode()


def test_drafts_are_not_screened(client, login, edition):
    draft = ApplicationFactory(edition=edition, status="draft", problem="Half written.")
    login(EditionRoleFactory(edition=edition, role="secretariat").user)
    response = client.get(_url(draft))
    assert response.status_code == 404
    assert "Half written." not in response.content.decode()


def test_detail_shows_the_snapshot_its_files_and_history(client, login, application):
    # A later change to the live row is not what was submitted.
    Application.objects.filter(pk=application.pk).update(problem="Changed behind the snapshot.")
    secretariat = EditionRoleFactory(edition=application.edition, role="secretariat").user
    login(secretariat)
    response = client.get(_url(application))
    body = response.content.decode()
    assert "Floods every summer." in body and "Changed behind the snapshot." not in body
    attachment = application.attachments.get()
    assert f'<a href="/attachments/{attachment.pk}/download/">project-plan.pdf</a>' in body
    assert [(c.from_status, c.to_status) for c in response.context["status_changes"]] == [
        ("", "draft"), ("draft", "submitted"),
    ]
    assert response.context["snapshot"] == application.snapshots.get()


def test_screen_one_application_then_change_the_decision(client, login, application):
    secretariat = EditionRoleFactory(edition=application.edition, role="secretariat").user
    login(secretariat)
    response = client.post(_url(application), {"decision": "ineligible", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "reason": ["Give the applicant a reason when marking an application ineligible."]
    }
    assert 'value="ineligible" required id="id_decision_1" checked' in response.content.decode()

    response = client.post(_url(application), {"decision": "ineligible", "reason": "Not a city project."})
    assert (response.status_code, response.url) == (302, _url(application))
    application.refresh_from_db()
    assert (application.status, application.screening_reason) == ("ineligible", "Not a city project.")

    # On appeal: eligible after all, and the earlier reason no longer shows to the applicant.
    client.post(_url(application), {"decision": "eligible", "reason": ""})
    application.refresh_from_db()
    assert (application.status, application.screening_reason) == ("eligible", "")
    assert list(AuditEntry.objects.filter(target_id=str(application.pk), action__in=[
        "application.ineligible", "application.eligible"]).order_by("id").values_list("action", "actor")) == [
        ("application.ineligible", secretariat.pk), ("application.eligible", secretariat.pk),
    ]


@pytest.mark.parametrize("role", ["chair", "observer"])
def test_readers_cannot_post_a_decision(client, login, application, role):
    login(EditionRoleFactory(edition=application.edition, role=role).user)
    response = client.post(_url(application), {"decision": "eligible"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_resubmission_shows_the_latest_snapshot(client, login, application):
    applicant = application.organisation.memberships.get().user
    services.application_reopen(application=application, user=applicant)
    services.application_save_draft(application=application, user=applicant, data={"problem": "Floods, revised."})
    services.application_submit(application=application, user=applicant)
    login(EditionRoleFactory(edition=application.edition, role="observer").user)
    response = client.get(_url(application))
    assert response.context["snapshot"].number == 2
    assert "Floods, revised." in response.content.decode()


def test_members_of_the_applying_organisation_with_a_judge_role_still_get_403(client, login, application):
    user = MembershipFactory(organisation=application.organisation).user
    EditionRoleFactory(edition=application.edition, role="judge", user=user)
    login(user)
    assert client.get(_url(application)).status_code == 403


def test_the_attachment_link_downloads_the_submitted_file(client, login, application):
    login(EditionRoleFactory(edition=application.edition, role="observer").user)
    response = client.get(_url(application))
    [attachment] = response.context["attachments"]
    download = client.get(f"/attachments/{attachment['id']}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
