"""What an applicant reads when a submit or a change is refused: every problem at once, and "the call is closed"
(with its closing time in the edition's zone) for every action after the call closed, never "correct the fields"."""

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.models import Edition
from submissions.models import Application, ApplicationSnapshot, Attachment
from tests.factories import MembershipFactory
from tests.factories.submissions import SMALL_PDF, ApplicationFactory, application_form_data

pytestmark = pytest.mark.django_db

CLOSED_AT = datetime(2026, 5, 31, 14, 59, tzinfo=UTC)  # 31 May 2026, 23:59 in Seoul
CLOSED_MESSAGE = "The call closed on 31 May 2026, 23:59 (Asia/Seoul). Changes are no longer accepted."


@pytest.fixture
def application():
    membership = MembershipFactory(organisation__name="Alpha Town")
    app = ApplicationFactory(organisation=membership.organisation, title="Alpha project")
    app.owner = membership.user
    return app


def _close_at_deadline(application) -> None:
    Edition.objects.filter(pk=application.edition_id).update(
        opens_at=datetime(2026, 3, 1, tzinfo=UTC), closes_at=CLOSED_AT)


# --- every problem at once -----------------------------------------------------------------------------------

def test_a_submit_lists_refused_input_and_everything_missing_together(client, login, application):
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/submit/", application_form_data(
        application, title="", problem="", summary="s" * 601, budget_usd="1,000", links="not a link"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "title": ["Give the application a title."],
        "summary": ["Summary has 601 characters; at most 600 are allowed."],
        "problem": ["Problem is required."],
        "budget_usd": ["Enter the budget as a whole number of US dollars, e.g. 250000."],
        "links": ["“not a link” is not a web address (it should start with https://)."],
    }
    body = response.content.decode()
    summary = body[body.index('id="error-summary"'):body.index('id="autosave-status"')]
    assert summary.count("<li>") == 5
    for field in ("title", "summary", "problem", "budget_usd", "links"):
        assert f'<a href="#id_{field}">' in summary
    assert "Correct the fields listed here, then submit again." in summary
    assert ApplicationSnapshot.objects.count() == 0


def test_a_submit_beyond_the_category_limit_is_listed_with_the_rest(client, login, application):
    ApplicationFactory(organisation=application.organisation, category=application.category, status="submitted",
                       edition=application.edition)
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/submit/",
                           application_form_data(application, title=""))
    assert response.context["form"].errors == {
        "title": ["Give the application a title."],
        "__all__": [f"Alpha Town has already submitted 1 entry in {application.category.name}, the most allowed. "
                    "Withdraw it to submit this one."],
    }
    application.refresh_from_db()
    assert application.status == "draft"


# --- after the call closed -----------------------------------------------------------------------------------

def _assert_closed_page(response, *, submitted: bool = False) -> str:
    assert response.status_code == 200
    body = response.content.decode()
    assert "The call is closed" in body
    assert CLOSED_MESSAGE in body
    assert "Correct the fields" not in body and "then submit again" not in body
    return body


def test_a_submit_after_the_close_says_the_call_is_closed(client, login, application):
    _close_at_deadline(application)
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/submit/",
                           application_form_data(application, title="Late title"))
    body = _assert_closed_page(response)
    assert "The application was not submitted and nothing was saved." in body
    assert 'value="Late title"' in body
    application.refresh_from_db()
    assert (application.status, application.title) == ("draft", "Alpha project")


def test_an_edit_after_the_close_says_the_call_is_closed(client, login, application):
    _close_at_deadline(application)
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/edit/", application_form_data(application, title="Late"))
    body = _assert_closed_page(response)
    assert "Nothing was saved. What you typed is still shown below" in body
    assert "Some of your changes need attention" not in body


def test_an_upload_after_the_close_says_the_call_is_closed(client, login, application):
    _close_at_deadline(application)
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/attachments/",
                           {"file": SimpleUploadedFile("plan.pdf", SMALL_PDF, content_type="application/pdf")})
    _assert_closed_page(response)
    assert Attachment.objects.count() == 0


def test_an_autosave_after_the_close_answers_with_the_call_closed(client, login, application):
    _close_at_deadline(application)
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/autosave/", {"title": "Late"})
    assert response.status_code == 400
    assert response.json() == {"saved_at": None, "version": None, "errors": {"__all__": [CLOSED_MESSAGE]}}


def test_reopening_after_the_close_says_the_call_is_closed_before_and_after_pressing(client, login, application):
    Application.objects.filter(pk=application.pk).update(status="submitted")
    _close_at_deadline(application)
    login(application.owner)
    body = _assert_closed_page(client.get(f"/applications/{application.pk}/reopen/"))
    assert "Reopen as a draft</button>" not in body
    _assert_closed_page(client.post(f"/applications/{application.pk}/reopen/"))
    application.refresh_from_db()
    assert application.status == "submitted"


def test_withdrawing_after_the_close_says_the_call_is_closed(client, login, application):
    _close_at_deadline(application)
    login(application.owner)
    body = _assert_closed_page(client.get(f"/applications/{application.pk}/withdraw/"))
    assert "Withdraw the application</button>" not in body
    _assert_closed_page(client.post(f"/applications/{application.pk}/withdraw/", {"reason": ""}))
    application.refresh_from_db()
    assert application.status == "draft"


def test_a_call_closed_early_by_the_secretariat_says_so_with_its_deadline(client, login, application):
    Edition.objects.filter(pk=application.edition_id).update(
        state=Edition.State.CLOSED, closes_at=datetime(2099, 5, 31, 14, 59, tzinfo=UTC))
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/submit/", application_form_data(application))
    body = response.content.decode()
    assert "The call is closed" in body
    assert (f"The call for {application.edition.name} was closed by the secretariat before its deadline of "
            "31 May 2099, 23:59 (Asia/Seoul). Changes are no longer accepted.") in body
    assert "Correct the fields" not in body
