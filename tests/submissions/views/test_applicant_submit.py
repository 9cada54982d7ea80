"""Submitting, resubmitting after a reopen, withdrawing: snapshots, the confirmation e-mail, clear refusals."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal import public_cache
from submissions.models import Answer, ApplicationSnapshot, StatusChange
from tests.factories import MembershipFactory
from tests.factories.submissions import ApplicationFactory, AttachmentFactory, answer, application_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    membership = MembershipFactory(organisation__name="Alpha Town", user__email="owner@alpha.example")
    MembershipFactory(organisation=membership.organisation, user__email="colleague@alpha.example", role="member")
    app = ApplicationFactory(organisation=membership.organisation, title="Alpha project")
    app.owner = membership.user
    return app


def _submit(client, application, **changes):
    return client.post(f"/applications/{application.pk}/submit/", application_form_data(application, **changes))


def test_submitting_stores_a_snapshot_and_sends_the_confirmation_after_commit(
    client, login, application, django_capture_on_commit_callbacks
):
    AttachmentFactory(application=application, original_name="plan.pdf")
    login(application.owner)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _submit(client, application, title="Final title")
    assert response.status_code == 302
    assert response.url == f"/applications/{application.pk}/"
    # The confirmation task, then (once it has run) one outbox e-mail per member; and the public pages' copies are
    # dropped, since an application left the drafts.
    assert public_cache.invalidate in callbacks
    assert len([callback for callback in callbacks if callback is not public_cache.invalidate]) == 3
    snapshot = ApplicationSnapshot.objects.get()
    assert (snapshot.number, snapshot.data["title"], snapshot.submitted_by) == (1, "Final title", application.owner)
    assert [attachment["name"] for attachment in snapshot.data["attachments"]] == ["plan.pdf"]
    application.refresh_from_db()
    assert application.status == "submitted"
    assert sorted((message.subject, message.to) for message in mail.outbox) == [
        (f"Received: “Final title” for {application.edition.name}", ["colleague@alpha.example"]),
        (f"Received: “Final title” for {application.edition.name}", ["owner@alpha.example"]),
    ]
    assert f"/applications/{application.pk}/" in mail.outbox[0].body
    snapshot.refresh_from_db()
    assert snapshot.confirmation_sent_at is not None
    page = client.get(response.url).content.decode()
    assert "Application submitted (submission #1)." in page


def test_submitting_an_incomplete_form_shows_every_error_beside_its_field(client, login, application):
    login(application.owner)
    response = _submit(client, application, title="", summary="s" * 601, problem="", stage="",
                       links="https://ok.example\nnot a link")
    assert response.status_code == 200
    assert response.context["submit_failed"] is True
    assert response.context["form"].errors == {
        "title": ["Give the application a title."],
        "summary": ["Summary has 601 characters; at most 600 are allowed."],
        "problem": ["Problem is required."],
        "stage": ["Choose the development stage."],
        "links": ["“not a link” is not a web address (it should start with https://)."],
    }
    body = response.content.decode()
    assert "The application was not submitted" in body
    assert ('<ul class="errorlist" id="id_summary_error">'
            "<li>Summary has 601 characters; at most 600 are allowed.") in body
    assert "s" * 601 in body
    # The draft kept everything that was typed, the over-long text too.
    application.refresh_from_db()
    assert (application.status, answer(application, "summary"), application.links) == (
        "draft", "s" * 601, "https://ok.example\nnot a link")
    assert ApplicationSnapshot.objects.count() == 0


def test_submitting_from_the_detail_page_without_fields_reports_the_saved_drafts_errors(client, login, application):
    Answer.objects.filter(application=application, question__key="solution").delete()
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/submit/")
    assert response.status_code == 200
    assert response.context["form"].errors == {"solution": ["Solution is required."]}
    assert ApplicationSnapshot.objects.count() == 0


def test_a_double_submit_makes_one_snapshot_and_says_so(client, login, application):
    login(application.owner)
    assert _submit(client, application).status_code == 302
    response = _submit(client, application)
    assert response.status_code == 302
    assert response.url == f"/applications/{application.pk}/"
    assert "This application has already been submitted; nothing was changed." in client.get(response.url).content.decode()
    assert ApplicationSnapshot.objects.count() == 1
    assert list(StatusChange.objects.values_list("to_status", flat=True)) == ["submitted"]


def test_a_submit_one_second_after_the_deadline_changes_nothing(client, login, application):
    application.edition.closes_at = timezone.now() - timedelta(seconds=1)
    application.edition.save()
    login(application.owner)
    response = _submit(client, application, title="Late title")
    assert response.status_code == 200
    [message] = response.context["form"].non_field_errors()
    assert message.startswith("The call closed on ") and "(Asia/Seoul). Changes are no longer accepted." in message
    assert 'value="Late title"' in response.content.decode()
    application.refresh_from_db()
    assert (application.status, application.title) == ("draft", "Alpha project")
    assert ApplicationSnapshot.objects.count() == 0
    assert mail.outbox == []


def test_a_category_that_no_longer_admits_the_organisation_is_reported_at_the_top(client, login, application):
    application.category.allowed_kinds = ["company"]
    application.category.save()
    login(application.owner)
    response = _submit(client, application)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"{application.category.name} does not admit organisations of this kind."
    ]
    assert ApplicationSnapshot.objects.count() == 0


def test_submit_needs_post(client, login, application):
    login(application.owner)
    assert client.get(f"/applications/{application.pk}/submit/").status_code == 405


def test_reopen_and_resubmit_makes_a_second_snapshot_and_keeps_the_first(client, login, application):
    login(application.owner)
    _submit(client, application, title="First version")
    assert client.get(f"/applications/{application.pk}/reopen/").status_code == 200
    response = client.post(f"/applications/{application.pk}/reopen/")
    assert response.status_code == 302
    assert response.url == f"/applications/{application.pk}/edit/"
    application.refresh_from_db()
    assert application.status == "draft"
    _submit(client, application, title="Second version")
    assert [(s.number, s.data["title"]) for s in ApplicationSnapshot.objects.order_by("number")] == [
        (1, "First version"), (2, "Second version"),
    ]
    response = client.get(f"/applications/{application.pk}/")
    assert response.context["snapshot"].number == 2
    assert [change.to_status for change in response.context["history"]] == ["submitted", "draft", "submitted"]


def test_reopen_after_the_deadline_is_refused(client, login, application):
    login(application.owner)
    _submit(client, application)
    application.edition.closes_at = timezone.now() - timedelta(seconds=1)
    application.edition.save()
    response = client.post(f"/applications/{application.pk}/reopen/")
    assert response.status_code == 200
    assert response.context["error"].startswith("The call closed on ")
    application.refresh_from_db()
    assert application.status == "submitted"


def test_reopening_a_draft_is_refused_with_a_message(client, login, application):
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/reopen/")
    assert response.context["error"] == "Only a submitted application can be reopened."


def test_withdraw_with_a_reason(client, login, application):
    login(application.owner)
    _submit(client, application)
    page = client.get(f"/applications/{application.pk}/withdraw/")
    assert '<label for="id_reason">Reason (optional):</label>' in page.content.decode()
    response = client.post(f"/applications/{application.pk}/withdraw/", {"reason": "  The project was paused.  "})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"
    change = StatusChange.objects.get(to_status="withdrawn")
    assert change.reason == "The project was paused."
    body = client.get(f"/applications/{application.pk}/").content.decode()
    assert "The application has been withdrawn." in body and "The project was paused." in body
    assert f"/applications/{application.pk}/reopen/" not in body


def test_withdraw_twice_is_refused_and_keeps_the_reason_typed(client, login, application):
    login(application.owner)
    client.post(f"/applications/{application.pk}/withdraw/", {"reason": ""})
    response = client.post(f"/applications/{application.pk}/withdraw/", {"reason": "Again"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["This application can no longer be withdrawn."]
    assert ">\nAgain</textarea>" in response.content.decode()
    assert StatusChange.objects.filter(to_status="withdrawn").count() == 1


def test_a_member_who_is_not_the_creator_may_submit(client, login, application):
    colleague = application.organisation.memberships.get(role="member").user
    login(colleague)
    assert _submit(client, application).status_code == 302
    assert ApplicationSnapshot.objects.get().submitted_by == colleague
