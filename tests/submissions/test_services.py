"""The application services' rules, whatever a view or the browser sends."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.models import AuditEntry, Edition, Membership
from submissions import services
from submissions.models import Application, ApplicationSnapshot, StatusChange
from tests.factories import (
    ApplicationFactory,
    CategoryFactory,
    EditionFactory,
    MembershipFactory,
    OrganisationFactory,
    VerifiedUserFactory,
    make_pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return MembershipFactory(organisation__kind="city").user


def _complete_draft(user, **category_kwargs):
    category = CategoryFactory(**category_kwargs)
    organisation = user.organisations.get()
    application = services.application_create(user=user, organisation=organisation, category=category)
    data = {field: f"{field} text" for field in
            ["title", "summary", "problem", "solution", "impact_evidence", "inclusiveness", "scalability",
             "resources", "partners"]}
    data.update(stage="pilot", links="https://example.org")
    return services.application_save_draft(application=application, user=user, data=data)


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
def test_nothing_changes_outside_the_call(owner, state, opens, closes, message):
    application = _complete_draft(owner)
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


def test_the_deadline_is_exact_to_the_second(owner):
    application = _complete_draft(owner)
    closes = application.edition.closes_at
    services.ensure_call_open(application.edition, now=closes - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="The call closed on"):
        services.ensure_call_open(application.edition, now=closes)
    with pytest.raises(ValidationError, match=r"\(Asia/Seoul\)"):
        services.ensure_call_open(application.edition, now=closes + timedelta(seconds=1))


def test_submit_freezes_a_snapshot_records_history_and_confirms_after_commit(owner, django_capture_on_commit_callbacks):
    application = _complete_draft(owner)
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


def test_the_confirmation_task_sends_once_per_snapshot(owner, django_capture_on_commit_callbacks):
    from submissions.tasks import send_submission_confirmation

    application = _complete_draft(owner)
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = services.application_submit(application=application, user=owner)
    assert send_submission_confirmation.apply(kwargs={"snapshot_id": snapshot.pk}).get() == "already sent"
    assert send_submission_confirmation.apply(kwargs={"snapshot_id": 999999}).get() == "gone"
    assert len(mail.outbox) == 1


def test_double_submit_makes_one_snapshot(owner):
    application = _complete_draft(owner)
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
    assert (application.status, len(application.summary)) == ("draft", 601)


def test_reopen_and_resubmit_keeps_the_first_snapshot(owner):
    application = _complete_draft(owner)
    first = services.application_submit(application=application, user=owner)
    services.application_reopen(application=application, user=owner)
    services.application_save_draft(application=application, user=owner, data={"title": "Second version"})
    second = services.application_submit(application=application, user=owner)
    first.refresh_from_db()
    assert (first.number, first.data["title"], second.number, second.data["title"]) == (
        1, "title text", 2, "Second version",
    )


def test_attachments_are_stored_under_clean_random_names_and_frozen_in_the_snapshot(owner):
    application = _complete_draft(owner)
    attachment = services.attachment_add(
        application=application, user=owner, upload=SimpleUploadedFile("Plan (final) 한글.pdf", make_pdf(pages=3))
    )
    assert (attachment.original_name, attachment.pages, attachment.content_type) == (
        "Plan (final) 한글.pdf", 3, "application/pdf",
    )
    assert attachment.file.name.startswith(f"applications/{application.edition_id}/{application.pk}/")
    assert attachment.file.name.endswith(".pdf") and "Plan" not in attachment.file.name
    snapshot = services.application_submit(application=application, user=owner)
    assert [item["name"] for item in snapshot.data["attachments"]] == ["Plan (final) 한글.pdf"]
    # Removing it from a reopened draft hides it but keeps the file the snapshot names.
    services.application_reopen(application=application, user=owner)
    services.attachment_remove(attachment=attachment, user=owner)
    attachment.refresh_from_db()
    assert attachment.removed_at is not None and attachment.file.storage.exists(attachment.file.name)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "is empty"),
        ("script.pdf", b"#!/bin/sh\necho not a pdf\n", "is not one of the accepted types"),
        ("image.pdf", b"GIF89a" + b"\x00" * 100, "is not one of the accepted types"),
        ("broken.pdf", b"%PDF-1.4\nbroken", "cannot be read"),
    ],
)
def test_bad_files_are_refused_with_a_message(owner, name, content, message):
    application = _complete_draft(owner)
    with pytest.raises(ValidationError, match=message):
        services.attachment_add(application=application, user=owner, upload=SimpleUploadedFile(name, content))
    assert application.attachments.count() == 0


def test_a_file_over_the_limit_is_refused(owner, monkeypatch):
    monkeypatch.setattr("submissions.attachments.MAX_ATTACHMENT_BYTES", 1000)
    application = _complete_draft(owner)
    with pytest.raises(ValidationError, match="files may be at most 1000"):
        services.attachment_add(application=application, user=owner,
                                upload=SimpleUploadedFile("big.pdf", make_pdf(pages=20)))


def test_screening_needs_a_reason_to_refuse_and_is_audited():
    secretariat = VerifiedUserFactory()
    application = ApplicationFactory(status="submitted")
    with pytest.raises(ValidationError, match="Give the applicant a reason"):
        services.application_screen(application=application, user=secretariat, eligible=False, reason="  ")
    services.application_screen(application=application, user=secretariat, eligible=False, reason="Outside the region")
    application.refresh_from_db()
    assert (application.status, application.screening_reason) == ("ineligible", "Outside the region")
    entry = AuditEntry.objects.get(action="application.ineligible")
    assert (entry.actor, entry.before, entry.after) == (
        secretariat, {"status": "submitted"}, {"status": "ineligible", "reason": "Outside the region"},
    )


def test_bulk_screening_is_all_or_nothing():
    secretariat = VerifiedUserFactory()
    submitted = ApplicationFactory(status="submitted")
    draft = ApplicationFactory(status="draft")
    with pytest.raises(ValidationError, match="cannot be screened"):
        services.applications_screen_bulk(applications=[submitted, draft], user=secretariat, eligible=True)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
