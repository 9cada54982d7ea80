"""The submissions admin (a superuser's tool): read-only applications and their records, editions and categories
changed through the services, screening through the service. Who may reach the admin at all:
tests/portal/test_admin_lockdown.py."""

import pytest

from portal.models import AuditEntry, Edition
from submissions.models import Application, Category
from tests.factories import ApplicationFactory, CategoryFactory, EditionFactory, VerifiedUserFactory
from tests.factories.portal import InvitationFactory
from tests.factories.submissions import QuestionFactory, submitted_application

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/submissions/application/"


def _superuser(edition=None):
    """The only kind of person the admin lets in (the edition is irrelevant: a superuser acts in every one)."""
    return VerifiedUserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def edition():
    return EditionFactory()


@pytest.fixture
def application(edition):
    return submitted_application(category=CategoryFactory(edition=edition), title="Rain gardens")


def test_every_submissions_admin_page_opens(client, login, edition, application):
    InvitationFactory(organisation=application.organisation)
    login(_superuser(edition))
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
    login(_superuser(edition))
    body = client.get(f"{CHANGELIST}{application.pk}/change/").content.decode()
    assert 'name="status"' not in body and 'name="title"' not in body
    assert client.post(f"{CHANGELIST}{application.pk}/change/", {"status": "eligible"}).status_code == 403
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_no_file_url_and_no_invitation_token_in_the_admin(client, login, edition, application):
    invitation = InvitationFactory(organisation=application.organisation)
    attachment = application.attachments.get()
    login(_superuser(edition))
    body = client.get(f"/admin/submissions/attachment/{attachment.pk}/change/").content.decode()
    assert "project-plan.pdf" in body and attachment.file.name not in body
    body = client.get(f"/admin/portal/invitation/{invitation.pk}/change/").content.decode()
    assert invitation.email in body and invitation.token not in body


def test_edition_admin_shows_categories_and_form_questions_read_only(client, login, edition):
    CategoryFactory(edition=edition, name="Human-centric")
    QuestionFactory(edition=edition, label_en="Your pilot's budget")
    login(_superuser(edition))
    body = client.get(f"/admin/portal/edition/{edition.pk}/change/").content.decode()
    assert "Human-centric" in body and "Your pilot&#x27;s budget" in body
    assert 'name="categories-0-name"' not in body and 'name="questions-0-label"' not in body


def test_edition_settings_saved_in_the_admin_go_through_the_service(client, login, edition):
    login(_superuser(edition))
    page = client.get(f"/admin/portal/edition/{edition.pk}/change/")
    data = {**{name: value for name, value in page.context["adminform"].form.initial.items() if value is not None},
            "name": "Seoul Smart City Prize 2027", "opens_at_0": "2030-01-01", "opens_at_1": "00:00:00",
            "closes_at_0": "2030-03-01", "closes_at_1": "00:00:00"}
    for prefix in ("categories", "questions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(f"/admin/portal/edition/{edition.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(action="edition.update")
    assert (entry.before["name"], entry.after["name"]) == (edition.name, "Seoul Smart City Prize 2027")


def test_editions_are_neither_added_nor_deleted_in_the_admin(client, login, edition):
    login(_superuser(edition))
    assert client.get("/admin/portal/edition/add/").status_code == 403
    assert client.post(f"/admin/portal/edition/{edition.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Edition.objects.filter(pk=edition.pk).exists()


def test_a_category_with_applications_is_not_deleted_and_the_admin_says_why(client, login, edition, application):
    login(_superuser(edition))
    response = client.post(f"/admin/submissions/category/{application.category.pk}/delete/", {"post": "yes"})
    # The applications protect it (Django's own refusal page names them); the service would refuse it too.
    assert "<title>Cannot delete category" in response.content.decode()
    assert Category.objects.filter(pk=application.category.pk).exists()
    assert not AuditEntry.objects.filter(action="category.delete").exists()


def test_a_category_added_in_the_admin_goes_through_the_service(client, login, edition):
    login(_superuser(edition))
    response = client.post("/admin/submissions/category/add/", {
        "edition": edition.pk, "name": "Safety and resilience", "slug": "safety", "description": "",
        "allowed_kinds": "[]", "max_entries_per_organisation": 1, "position": 3})
    assert response.status_code == 302, response.content.decode()[:3000]
    category = Category.objects.get(slug="safety")
    assert AuditEntry.objects.get(action="category.create").target_id == str(category.pk)


def test_mark_eligible_action_calls_the_service(client, login, edition, application):
    user = _superuser(edition)
    login(user)
    response = client.post(CHANGELIST, {"action": "mark_eligible", "_selected_action": [application.pk]})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "eligible"
    assert list(AuditEntry.objects.filter(action="application.eligible").values_list("actor", "target_id")) == [
        (user.pk, str(application.pk)),
    ]


def test_mark_ineligible_action_asks_for_the_reason(client, login, edition, application):
    login(_superuser(edition))
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


def test_edition_state_actions_use_the_services(client, login, edition):
    login(_superuser(edition))
    client.post("/admin/portal/edition/", {"action": "edition_close", "_selected_action": [edition.pk]})
    edition.refresh_from_db()
    assert edition.state == "closed"
    assert list(AuditEntry.objects.filter(edition=edition).values_list("action", flat=True)) == ["edition.closed"]


def test_a_draft_cannot_be_screened_from_the_admin(client, login, edition):
    draft = ApplicationFactory(edition=edition, category=CategoryFactory(edition=edition), title="Half done")
    login(_superuser(edition))
    response = client.post(CHANGELIST, {"action": "mark_eligible", "_selected_action": [draft.pk]}, follow=True)
    assert "Half done is Draft and cannot be screened." in response.content.decode()
    assert Application.objects.get(pk=draft.pk).status == "draft"
