"""The admin for the secretariat: read-only applications and their records, screening through the service."""

import pytest
from django.contrib.auth.models import Group, Permission

from portal.models import AuditEntry, Edition
from submissions.models import Application
from tests.factories import ApplicationFactory, CategoryFactory, EditionFactory, EditionRoleFactory
from tests.factories.portal import InvitationFactory
from tests.factories.submissions import submitted_application

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/submissions/application/"


def _staff_secretariat(edition):
    """A secretariat member with the admin group the demo gives them (every portal and submissions permission)."""
    group, _ = Group.objects.get_or_create(name="Secretariat")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=["portal", "submissions"]))
    user = EditionRoleFactory(edition=edition, role="secretariat", user__is_staff=True).user
    user.groups.add(group)
    return user


@pytest.fixture
def edition():
    return EditionFactory()


@pytest.fixture
def application(edition):
    return submitted_application(category=CategoryFactory(edition=edition), title="Rain gardens")


def test_every_submissions_admin_page_opens(client, login, edition, application):
    InvitationFactory(organisation=application.organisation)
    login(_staff_secretariat(edition))
    snapshot = application.snapshots.get()
    attachment = application.attachments.get()
    for url in [
        CHANGELIST, f"{CHANGELIST}{application.pk}/change/",
        "/admin/submissions/applicationsnapshot/", f"/admin/submissions/applicationsnapshot/{snapshot.pk}/change/",
        "/admin/submissions/attachment/", f"/admin/submissions/attachment/{attachment.pk}/change/",
        "/admin/submissions/statuschange/", "/admin/portal/invitation/",
        f"/admin/portal/edition/{edition.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url


def test_applications_are_read_only_in_the_admin(client, login, edition, application):
    login(_staff_secretariat(edition))
    body = client.get(f"{CHANGELIST}{application.pk}/change/").content.decode()
    assert 'name="status"' not in body and 'name="title"' not in body
    assert client.post(f"{CHANGELIST}{application.pk}/change/", {"status": "eligible"}).status_code == 403
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_no_file_url_and_no_invitation_token_in_the_admin(client, login, edition, application):
    invitation = InvitationFactory(organisation=application.organisation)
    attachment = application.attachments.get()
    login(_staff_secretariat(edition))
    body = client.get(f"/admin/submissions/attachment/{attachment.pk}/change/").content.decode()
    assert "project-plan.pdf" in body and attachment.file.name not in body
    body = client.get(f"/admin/portal/invitation/{invitation.pk}/change/").content.decode()
    assert invitation.email in body and invitation.token not in body


def test_edition_admin_has_form_sections_inline(client, login, edition):
    login(_staff_secretariat(edition))
    body = client.get(f"/admin/portal/edition/{edition.pk}/change/").content.decode()
    assert 'name="form_sections-TOTAL_FORMS"' in body and 'name="categories-TOTAL_FORMS"' in body


def test_mark_eligible_action_calls_the_service(client, login, edition, application):
    user = _staff_secretariat(edition)
    login(user)
    response = client.post(CHANGELIST, {"action": "mark_eligible", "_selected_action": [application.pk]})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "eligible"
    assert list(AuditEntry.objects.filter(action="application.eligible").values_list("actor", "target_id")) == [
        (user.pk, str(application.pk)),
    ]


def test_mark_ineligible_action_asks_for_the_reason(client, login, edition, application):
    login(_staff_secretariat(edition))
    response = client.post(CHANGELIST, {"action": "mark_ineligible", "_selected_action": [application.pk]})
    assert response.status_code == 200
    assert "Reason the applicants will read" in response.content.decode()
    response = client.post(CHANGELIST, {"action": "mark_ineligible", "_selected_action": [application.pk],
                                        "apply": "1", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    application.refresh_from_db()
    assert application.status == "submitted"
    response = client.post(CHANGELIST, {"action": "mark_ineligible", "_selected_action": [application.pk],
                                        "apply": "1", "reason": "Outside the call's scope."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.screening_reason) == ("ineligible", "Outside the call's scope.")


def test_admin_actions_respect_the_edition_roles(client, login, edition, application):
    other_edition = EditionFactory()
    login(_staff_secretariat(other_edition))
    response = client.post(CHANGELIST, {"action": "mark_eligible", "_selected_action": [application.pk]},
                           follow=True)
    assert "you screen only in editions where you are secretariat" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    response = client.post("/admin/portal/edition/", {"action": "edition_close",
                                                          "_selected_action": [edition.pk]}, follow=True)
    assert "only its secretariat changes its state" in response.content.decode()
    assert Edition.objects.get(pk=edition.pk).state == "open"


def test_edition_state_actions_use_the_services(client, login, edition):
    login(_staff_secretariat(edition))
    client.post("/admin/portal/edition/", {"action": "edition_close", "_selected_action": [edition.pk]})
    edition.refresh_from_db()
    assert edition.state == "closed"
    assert list(AuditEntry.objects.filter(edition=edition).values_list("action", flat=True)) == ["edition.closed"]


def test_a_draft_cannot_be_screened_from_the_admin(client, login, edition):
    draft = ApplicationFactory(edition=edition, category=CategoryFactory(edition=edition), title="Half done")
    login(_staff_secretariat(edition))
    response = client.post(CHANGELIST, {"action": "mark_eligible", "_selected_action": [draft.pk]}, follow=True)
    assert "Half done is Draft and cannot be screened." in response.content.decode()
    assert Application.objects.get(pk=draft.pk).status == "draft"
