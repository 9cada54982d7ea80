"""Editing a draft, autosave and attachments: nothing typed is lost, another organisation's data never shown."""

from datetime import timedelta

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from moto.server import ThreadedMotoServer

from config.storage import default_storage_config
from submissions import attachments as attachment_checks
from submissions.models import Application, Attachment, Question
from tests.factories import EditionRoleFactory, MembershipFactory
from tests.factories.submissions import (
    SMALL_PDF,
    ApplicationFactory,
    AttachmentFactory,
    answer,
    application_form_data,
    make_pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    membership = MembershipFactory(organisation__name="Alpha Town")
    app = ApplicationFactory(organisation=membership.organisation, title="Alpha project")
    app.owner = membership.user
    return app


@pytest.fixture
def stranger():
    """An applicant of another organisation."""
    return MembershipFactory(organisation__name="Beta City").user


def _edit(application) -> str:
    return f"/applications/{application.pk}/edit/"


# --- the edit page -------------------------------------------------------------------------------------

def test_edit_page_shows_the_editions_questions_with_guidance_and_limits(client, login, application):
    questions = Question.objects.filter(edition=application.edition)
    questions.filter(key="summary").update(label_en="In a nutshell", help_text_en="What the project does, for whom.",
                                           max_chars=500)
    questions.filter(key="solution").update(required=False)
    questions.exclude(key__in=["summary", "solution"]).update(retired_at=timezone.now())
    login(application.owner)
    response = client.get(_edit(application))
    body = response.content.decode()
    assert list(response.context["form"].fields) == ["title", "summary", "solution", "stage", "budget_usd", "links"]
    assert '<label for="id_summary">In a nutshell:</label>' in body
    assert "What the project does, for whom. Required to submit. At most 500 characters." in body
    assert 'maxlength="500"' in body and 'maxlength="4000"' in body
    assert "problem" not in response.context["form"].fields
    assert 'data-autosave-url="/applications/%d/autosave/"' % application.pk in body
    assert "(Asia/Seoul)" in body


def test_guidance_is_escaped(client, login, application):
    Question.objects.filter(edition=application.edition, key="summary").update(
        help_text_en="<script>alert(1)</script>")
    login(application.owner)
    body = client.get(_edit(application)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_saving_a_draft_keeps_everything(client, login, application):
    login(application.owner)
    data = application_form_data(application, title="New title", summary="Line one\r\nLine two", budget_usd="1200")
    response = client.post(_edit(application), data)
    assert response.status_code == 302
    assert response.url == _edit(application)
    application.refresh_from_db()
    assert (application.title, answer(application, "summary"), application.budget_usd) == ("New title", "Line one\nLine two", 1200)


def test_save_and_preview_goes_to_the_preview(client, login, application):
    login(application.owner)
    response = client.post(_edit(application), {**application_form_data(application), "then": "preview"})
    assert response.url == f"/applications/{application.pk}/preview/"


def test_an_over_long_field_is_kept_in_the_draft(client, login, application):
    login(application.owner)
    long_summary = "x" * 700  # the default limit for the summary is 600
    response = client.post(_edit(application), application_form_data(application, summary=long_summary))
    assert response.status_code == 302
    application.refresh_from_db()
    assert answer(application, "summary") == long_summary
    body = client.get(_edit(application)).content.decode()
    assert long_summary in body


def test_a_field_that_does_not_parse_is_shown_with_its_error_and_the_rest_is_saved(client, login, application):
    login(application.owner)
    data = application_form_data(application, title="Kept title", budget_usd="about a million")
    response = client.post(_edit(application), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "budget_usd": ["Enter the budget as a whole number of US dollars, e.g. 250000."]
    }
    body = response.content.decode()
    assert 'value="about a million"' in body and 'aria-invalid="true"' in body
    application.refresh_from_db()
    assert (application.title, application.budget_usd) == ("Kept title", None)


def test_a_request_carrying_some_fields_changes_only_those(client, login, application):
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/autosave/", {"title": "Only the title"})
    assert response.json()["errors"] == {}
    application.refresh_from_db()
    assert (application.title, answer(application, "summary"), application.stage) == ("Only the title", "A short summary.", "pilot")
    response = client.post(_edit(application), {"budget_usd": "1,000"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["budget_usd"]


def test_the_navigation_offers_my_applications_and_apply(client, login, application):
    login(application.owner)
    body = client.get("/dashboard/").content.decode()
    assert '<a href="/applications/">My applications</a>' in body and '<a href="/apply/">Apply</a>' in body


def test_a_submitted_application_is_not_edited_here(client, login, application):
    Application.objects.filter(pk=application.pk).update(status="submitted")
    login(application.owner)
    response = client.get(_edit(application), follow=True)
    assert response.redirect_chain == [(f"/applications/{application.pk}/", 302)]
    assert "cannot be edited" in response.content.decode()
    response = client.post(_edit(application), application_form_data(application, title="Sneaky change"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This application has been submitted. Reopen it to make changes."
    ]
    assert 'value="Sneaky change"' in response.content.decode()
    application.refresh_from_db()
    assert application.title == "Alpha project"


def test_after_the_deadline_the_draft_is_not_changed_and_the_input_is_shown(client, login, application):
    application.edition.closes_at = timezone.now() - timedelta(seconds=1)
    application.edition.save()
    login(application.owner)
    response = client.post(_edit(application), application_form_data(application, title="Too late"))
    assert response.status_code == 200
    [message] = response.context["form"].non_field_errors()
    assert message.startswith("The call closed on ") and message.endswith("Changes are no longer accepted.")
    assert 'value="Too late"' in response.content.decode()
    application.refresh_from_db()
    assert application.title == "Alpha project"


def test_after_the_deadline_the_edit_page_says_so_and_locks_the_form(client, login, application):
    application.edition.closes_at = timezone.now() - timedelta(seconds=1)
    application.edition.save()
    login(application.owner)
    response = client.get(_edit(application))
    body = response.content.decode()
    assert response.context["call_refusal"].startswith("The call closed on ")
    assert 'data-closed="true"' in body
    assert body.count("<fieldset class=\"form-block\" disabled>") + body.count('id="attachments" disabled>') == 2


# --- another organisation's id in the URL --------------------------------------------------------------

@pytest.mark.parametrize("path", ["edit/", "autosave/", "submit/", "attachments/", "reopen/", "withdraw/"])
def test_posting_to_another_organisations_application_changes_nothing(client, login, application, stranger, path):
    login(stranger)
    data = application_form_data(application, title="Hijacked", summary="Hijacked")
    data["file"] = SimpleUploadedFile("x.pdf", SMALL_PDF, content_type="application/pdf")
    response = client.post(f"/applications/{application.pk}/{path}", data)
    assert response.status_code == 403
    assert "Alpha" not in response.content.decode()
    application.refresh_from_db()
    assert (application.title, application.status, application.attachments.count()) == ("Alpha project", "draft", 0)


def test_removing_or_downloading_another_organisations_file_is_refused(client, login, application, stranger):
    attachment = AttachmentFactory(application=application, original_name="alpha-plan.pdf")
    login(stranger)
    response = client.post(f"/attachments/{attachment.pk}/remove/")
    assert response.status_code == 403
    response = client.get(f"/attachments/{attachment.pk}/download/")
    assert response.status_code == 403
    assert "alpha-plan" not in response.content.decode()
    attachment.refresh_from_db()
    assert attachment.removed_at is None


# --- autosave ------------------------------------------------------------------------------------------

def test_autosave_saves_and_answers_json(client, login, application):
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/autosave/",
                           application_form_data(application, problem="Typed a moment ago"))
    assert response.status_code == 200
    reply = response.json()
    assert set(reply) == {"saved_at", "errors", "version"}
    assert reply["errors"] == {}
    application.refresh_from_db()
    assert answer(application, "problem") == "Typed a moment ago"
    assert reply["version"] == str(application.version) == "1"


def test_an_autosave_reads_the_edition_category_and_questions_once(client, login, application,
                                                                   django_assert_num_queries):
    """The service's locked copy of the application comes with its edition and category, locking only the
    application's row, and keeps the questions the view's form was built from."""
    login(application.owner)
    data = application_form_data(application, problem="First")
    client.post(f"/applications/{application.pk}/autosave/", data)
    data["problem"] = "Second"
    with django_assert_num_queries(AUTOSAVE_QUERIES) as captured:
        response = client.post(f"/applications/{application.pk}/autosave/", data)
    assert response.status_code == 200 and response.json()["errors"] == {}
    reads = [query["sql"] for query in captured.captured_queries]
    assert [sql.startswith('SELECT "submissions_question"') for sql in reads].count(True) == 1
    assert [sql.startswith('SELECT "submissions_edition"') for sql in reads].count(True) == 0
    assert answer(application, "problem") == "Second"


# The view's reads (session, user, application, membership, questions), the locked application with its edition
# and category, the answers read and written, the application saved, and the savepoints (three fewer than when the
# locked copy read its edition, category and questions again).
AUTOSAVE_QUERIES = 14


def test_application_lock_locks_the_application_row_only(application):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from submissions.services.status import application_lock

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        locked = application_lock(application)
    assert (locked.pk, locked.edition, locked.category) == (application.pk, application.edition, application.category)
    if connection.features.has_select_for_update_of:
        assert captured.captured_queries[-1]["sql"].endswith('FOR UPDATE OF "submissions_application"')


def test_autosave_keeps_an_over_long_field_and_reports_a_bad_one(client, login, application):
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/autosave/",
                           application_form_data(application, summary="y" * 900, budget_usd="12k"))
    reply = response.json()
    assert response.status_code == 200
    assert reply["saved_at"] is not None
    assert reply["errors"] == {"budget_usd": ["Enter the budget as a whole number of US dollars, e.g. 250000."]}
    application.refresh_from_db()
    assert answer(application, "summary") == "y" * 900


def test_autosave_after_the_deadline_saves_nothing_and_says_why(client, login, application):
    application.edition.closes_at = timezone.now() - timedelta(seconds=1)
    application.edition.save()
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/autosave/",
                           application_form_data(application, title="Too late"))
    assert response.status_code == 400
    reply = response.json()
    assert reply["saved_at"] is None
    assert reply["errors"]["__all__"][0].startswith("The call closed on ")
    application.refresh_from_db()
    assert application.title == "Alpha project"


def test_autosave_with_an_expired_session_is_a_redirect_not_json(client, application):
    # The page's script sees this and keeps the text in the browser until the user logs in again.
    response = client.post(f"/applications/{application.pk}/autosave/", application_form_data(application))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_autosave_needs_post(client, login, application):
    login(application.owner)
    assert client.get(f"/applications/{application.pk}/autosave/").status_code == 405


# --- attachments ---------------------------------------------------------------------------------------

def _upload(client, application, name: str, content: bytes, **fields):
    data = {**fields, "file": SimpleUploadedFile(name, content, content_type="application/pdf")}
    return client.post(f"/applications/{application.pk}/attachments/", data)


def test_uploading_a_real_pdf_shows_its_name_size_and_pages(client, login, application):
    login(application.owner)
    response = _upload(client, application, "City plan.pdf", make_pdf(pages=3),
                       **application_form_data(application, title="Saved with the upload"))
    assert response.status_code == 302
    assert response.url == f"{_edit(application)}#attachments"
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.pages) == (
        "City plan.pdf", "application/pdf", 3)
    assert attachment.file.name.startswith(f"applications/{application.edition_id}/{application.pk}/")
    assert "City plan" not in attachment.file.name
    application.refresh_from_db()
    assert application.title == "Saved with the upload"
    body = client.get(_edit(application)).content.decode()
    assert "“City plan.pdf” attached (3 pages)." in body
    assert f'href="/attachments/{attachment.pk}/download/">City plan.pdf</a>' in body
    assert "<td>PDF</td>" in body and "<td>3</td>" in body


def test_a_forbidden_type_renamed_to_pdf_is_refused_beside_the_file_field(client, login, application):
    login(application.owner)
    windows_program = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 256
    response = _upload(client, application, "report.pdf", windows_program,
                       **application_form_data(application, title="Typed before the upload"))
    assert response.status_code == 200
    assert response.context["upload_form"].errors == {"file": [
        "“report.pdf” is not one of the accepted types (PDF, PNG, JPEG, Word (.docx), PowerPoint (.pptx)), "
        "whatever its name says."
    ]}
    assert Attachment.objects.count() == 0
    application.refresh_from_db()
    assert application.title == "Typed before the upload"
    assert 'value="Typed before the upload"' in response.content.decode()


def test_an_empty_file_is_refused(client, login, application):
    login(application.owner)
    response = _upload(client, application, "empty.pdf", b"")
    assert response.context["upload_form"].errors == {"file": ["“empty.pdf” is empty."]}
    assert Attachment.objects.count() == 0


def test_a_file_over_the_limit_is_refused(client, login, application, monkeypatch):
    monkeypatch.setattr(attachment_checks, "MAX_ATTACHMENT_BYTES", 100)
    login(application.owner)
    response = _upload(client, application, "big.pdf", SMALL_PDF, **application_form_data(application, title="Kept"))
    assert response.context["upload_form"].errors == {
        "file": [f"“big.pdf” is {len(SMALL_PDF)}\xa0bytes; files may be at most 100\xa0bytes."]
    }
    assert Attachment.objects.count() == 0
    application.refresh_from_db()
    assert application.title == "Kept"


def test_upload_without_a_file_says_so(client, login, application):
    login(application.owner)
    response = client.post(f"/applications/{application.pk}/attachments/", application_form_data(application))
    assert response.context["upload_form"].errors == {"file": ["Choose a file to upload."]}


def test_saving_the_draft_with_a_file_chosen_uploads_it_too(client, login, application):
    login(application.owner)
    data = {**application_form_data(application),
            "file": SimpleUploadedFile("plan.pdf", SMALL_PDF, content_type="application/pdf")}
    assert client.post(_edit(application), data).status_code == 302
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["plan.pdf"]


def test_removing_an_attachment_hides_it_and_keeps_the_typed_text(client, login, application):
    attachment = AttachmentFactory(application=application, original_name="old.pdf")
    login(application.owner)
    response = client.post(f"/attachments/{attachment.pk}/remove/",
                           application_form_data(application, title="Typed before removing"))
    assert response.status_code == 302
    attachment.refresh_from_db()
    application.refresh_from_db()
    assert attachment.removed_at is not None
    assert application.title == "Typed before removing"
    response = client.get(_edit(application))
    assert list(response.context["attachments"]) == []
    assert "“old.pdf” removed." in response.content.decode()
    assert client.post(f"/attachments/{attachment.pk}/remove/").status_code == 404


def test_files_of_a_submitted_application_cannot_be_removed(client, login, application):
    attachment = AttachmentFactory(application=application)
    Application.objects.filter(pk=application.pk).update(status="submitted")
    login(application.owner)
    response = client.post(f"/attachments/{attachment.pk}/remove/", follow=True)
    assert "This application has been submitted. Reopen it to change its files." in response.content.decode()
    attachment.refresh_from_db()
    assert attachment.removed_at is None


def test_download_goes_through_the_view_with_safe_headers(client, login, application):
    attachment = AttachmentFactory(application=application, original_name="Plan de la ville.pdf")
    login(application.owner)
    response = client.get(f"/attachments/{attachment.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Plan de la ville.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == SMALL_PDF


@pytest.mark.parametrize(("role", "status"), [("secretariat", 200), ("observer", 200), ("judge", 403)])
def test_download_by_edition_roles(client, login, application, role, status):
    attachment = AttachmentFactory(application=application)
    login(EditionRoleFactory(edition=application.edition, role=role).user)
    assert client.get(f"/attachments/{attachment.pk}/download/").status_code == status


def test_edition_staff_without_mfa_are_sent_to_set_it_up_before_reading(client, login, application, settings):
    settings.PORTAL_MFA_REQUIRED = True
    attachment = AttachmentFactory(application=application)
    login(EditionRoleFactory(edition=application.edition, role="secretariat").user)
    for url in [f"/applications/{application.pk}/", f"/attachments/{attachment.pk}/download/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/2fa/totp/activate")
    client.logout()
    login(application.owner)  # applicants need no MFA
    assert client.get(f"/applications/{application.pk}/").status_code == 200


def test_download_needs_login(client, application):
    attachment = AttachmentFactory(application=application)
    response = client.get(f"/attachments/{attachment.pk}/download/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.fixture
def s3_storage(settings, monkeypatch):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="portal-files")
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_config(
        bucket="portal-files", private_root="/unused", endpoint_url=endpoint, region="us-east-1",
        access_key="testing", secret_key="testing", expire=60,
    )}
    yield endpoint
    server.stop()


def test_download_from_s3_redirects_to_a_signed_url(client, login, application, s3_storage):
    import urllib.request

    attachment = AttachmentFactory(application=application, original_name="plan.pdf")
    login(application.owner)
    response = client.get(f"/attachments/{attachment.pk}/download/")
    assert response.status_code == 302
    assert response.url.startswith(f"{s3_storage}/portal-files/private/applications/")
    assert "X-Amz-Signature=" in response.url and "X-Amz-Expires=60" in response.url
    with urllib.request.urlopen(response.url) as signed:  # noqa: S310 - loopback moto server
        assert signed.read() == SMALL_PDF
        assert signed.headers["Content-Disposition"] == 'attachment; filename="plan.pdf"'
