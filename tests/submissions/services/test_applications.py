"""The application services' rules (create, drafts, submit, reopen), whatever a view or the browser sends."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.models import Edition
from submissions import services
from submissions.models import Application, ApplicationSnapshot, StatusChange
from tests.factories import CategoryFactory, OrganisationFactory, VerifiedUserFactory, make_pdf
from tests.factories.submissions import answer

pytestmark = pytest.mark.django_db


def test_create_refuses_a_non_member():
    category = CategoryFactory()
    with pytest.raises(ValidationError, match="only for an organisation you belong to"):
        services.application_create(user=VerifiedUserFactory(), organisation=OrganisationFactory(), category=category)


def test_create_refuses_a_kind_the_category_does_not_admit(owner):
    category = CategoryFactory(allowed_kinds=["company"])
    with pytest.raises(ValidationError, match="does not admit organisations of the kind “City or district”"):
        services.application_create(user=owner, organisation=owner.organisations.get(), category=category)
    assert Application.objects.count() == 0


def test_create_enforces_the_entries_per_organisation(owner):
    category = CategoryFactory(max_entries_per_organisation=1)
    organisation = owner.organisations.get()
    first = services.application_create(user=owner, organisation=organisation, category=category)
    with pytest.raises(ValidationError, match="the most allowed"):
        services.application_create(user=owner, organisation=organisation, category=category)
    # A withdrawn entry frees its place.
    services.application_withdraw(application=first, user=owner)
    assert services.application_create(user=owner, organisation=organisation, category=category).status == "draft"


@pytest.mark.parametrize(
    ("state", "opens", "closes", "message"),
    [
        ("draft", -1, 1, "is not open for applications"),
        ("open", 1, 2, "is not open for applications"),
        ("open", -2, -1, "Changes are no longer accepted"),
    ],
)
def test_nothing_changes_outside_the_call(owner, state, opens, closes, message, complete_draft):
    application = complete_draft(owner)
    edition = application.edition
    now = timezone.now()
    Edition.objects.filter(pk=edition.pk).update(
        state=state, opens_at=now + timedelta(days=opens), closes_at=now + timedelta(days=closes)
    )
    application.refresh_from_db()
    for call in (
        lambda: services.application_save_draft(application=application, user=owner, data={"title": "changed"}),
        lambda: services.application_submit(application=application, user=owner),
        lambda: services.application_withdraw(application=application, user=owner),
        lambda: services.attachment_add(application=application, user=owner,
                                        upload=SimpleUploadedFile("a.pdf", make_pdf())),
    ):
        with pytest.raises(ValidationError, match=message):
            call()
    application.refresh_from_db()
    assert (application.title, application.status, application.attachments.count()) == ("title text", "draft", 0)


def test_the_deadline_is_exact_to_the_second(owner, complete_draft):
    application = complete_draft(owner)
    closes = application.edition.closes_at
    services.ensure_call_open(application.edition, now=closes - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="The call closed on"):
        services.ensure_call_open(application.edition, now=closes)
    with pytest.raises(ValidationError, match=r"\(Asia/Seoul\)"):
        services.ensure_call_open(application.edition, now=closes + timedelta(seconds=1))


def test_submit_freezes_a_snapshot_records_history_and_confirms_after_commit(
    owner, django_capture_on_commit_callbacks, complete_draft
):
    application = complete_draft(owner)
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = services.application_submit(application=application, user=owner)
    application.refresh_from_db()
    assert application.status == "submitted"
    assert snapshot.data["title"] == "title text"
    assert snapshot.data["organisation"]["kind"] == "city"
    assert list(StatusChange.objects.filter(application=application).values_list("from_status", "to_status")) == [
        ("", "draft"), ("draft", "submitted"),
    ]
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert "title text" in mail.outbox[0].subject
    snapshot.refresh_from_db()
    assert snapshot.confirmation_sent_at is not None


def test_the_confirmation_task_sends_once_per_snapshot(owner, django_capture_on_commit_callbacks, complete_draft):
    from submissions.tasks import send_submission_confirmation

    application = complete_draft(owner)
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = services.application_submit(application=application, user=owner)
    assert send_submission_confirmation.apply(kwargs={"snapshot_id": snapshot.pk}).get() == "already sent"
    assert send_submission_confirmation.apply(kwargs={"snapshot_id": 999999}).get() == "gone"
    assert len(mail.outbox) == 1


def test_double_submit_makes_one_snapshot(owner, complete_draft):
    application = complete_draft(owner)
    services.application_submit(application=application, user=owner)
    with pytest.raises(ValidationError, match="already been submitted"):
        services.application_submit(application=application, user=owner)
    assert ApplicationSnapshot.objects.filter(application=application).count() == 1


def test_submit_reports_every_problem_by_field(owner):
    category = CategoryFactory()
    application = services.application_create(user=owner, organisation=owner.organisations.get(), category=category)
    services.application_save_draft(application=application, user=owner, data={"summary": "x" * 601, "links": "not a url"})
    with pytest.raises(ValidationError) as raised:
        services.application_submit(application=application, user=owner)
    errors = raised.value.message_dict
    assert errors["summary"] == ["Summary has 601 characters; at most 600 are allowed."]
    assert errors["title"] == ["Give the application a title."]
    assert errors["stage"] == ["Choose the development stage."]
    assert errors["links"] == ["“not a url” is not a web address (it should start with https://)."]
    application.refresh_from_db()
    # The over-long draft is kept as typed: nothing entered is lost.
    assert (application.status, len(answer(application, "summary"))) == ("draft", 601)


def test_reopen_and_resubmit_keeps_the_first_snapshot(owner, complete_draft):
    application = complete_draft(owner)
    first = services.application_submit(application=application, user=owner)
    services.application_reopen(application=application, user=owner)
    services.application_save_draft(application=application, user=owner, data={"title": "Second version"})
    second = services.application_submit(application=application, user=owner)
    first.refresh_from_db()
    assert (first.number, first.data["title"], second.number, second.data["title"]) == (
        1, "title text", 2, "Second version",
    )
