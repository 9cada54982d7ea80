"""Applicants' files: checked by content, stored under random names, frozen in the snapshot."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from submissions import services
from tests.factories import make_pdf

pytestmark = pytest.mark.django_db


def test_attachments_are_stored_under_clean_random_names_and_frozen_in_the_snapshot(owner, complete_draft):
    application = complete_draft(owner)
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
def test_bad_files_are_refused_with_a_message(owner, name, content, message, complete_draft):
    application = complete_draft(owner)
    with pytest.raises(ValidationError, match=message):
        services.attachment_add(application=application, user=owner, upload=SimpleUploadedFile(name, content))
    assert application.attachments.count() == 0


def test_a_file_over_the_limit_is_refused(owner, monkeypatch, complete_draft):
    monkeypatch.setattr("submissions.attachments.MAX_ATTACHMENT_BYTES", 1000)
    application = complete_draft(owner)
    with pytest.raises(ValidationError, match="files may be at most 1000"):
        services.attachment_add(application=application, user=owner,
                                upload=SimpleUploadedFile("big.pdf", make_pdf(pages=20)))
