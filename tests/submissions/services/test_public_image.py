"""The public image of an application: checked by content, with consent, until publication; audited."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.models import AuditEntry, Edition
from submissions.models import Application
from submissions.services import public_image
from submissions.services.public_image import application_public_image_set
from tests.factories.portal import EditionFactory, MembershipFactory
from tests.factories.public import image_upload
from tests.factories.submissions import SMALL_PDF, ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    application = ApplicationFactory(status=Application.Status.ELIGIBLE,
                                     edition=EditionFactory(state=Edition.State.DELIBERATION))
    return application, MembershipFactory(organisation=application.organisation).user


@pytest.mark.parametrize("name", ["project.png", "project.jpg", "project.webp"])
def test_png_jpeg_and_webp_are_kept_with_the_consent_and_audited(entry, name):
    application, user = entry
    saved = application_public_image_set(application=application, user=user, file=image_upload(name), consent=True)
    assert saved.public_image.name.endswith(name.removeprefix("project"))  # the extension follows the content
    assert saved.public_image_consent is True
    assert saved.public_image.name.startswith(f"public-images/{application.edition_id}/{application.pk}/")
    entry_ = AuditEntry.objects.get(action="application.public_image")
    assert (entry_.actor, entry_.before, entry_.after) == (user, {"image": False, "consent": False},
                                                           {"image": True, "consent": True})


@pytest.mark.parametrize("content, message", [
    (SMALL_PDF, "not a PNG, JPEG or WebP"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "not a readable image"),
    (b"", "is empty"),
])
def test_other_content_is_refused_whatever_its_name(entry, content, message):
    application, user = entry
    with pytest.raises(ValidationError, match=message):
        application_public_image_set(application=application, user=user,
                                     file=SimpleUploadedFile("photo.png", content), consent=True)
    application.refresh_from_db()
    assert not application.public_image and not AuditEntry.objects.filter(action="application.public_image")


def test_a_large_image_is_refused(entry, monkeypatch):
    application, user = entry
    monkeypatch.setattr(public_image, "MAX_PUBLIC_IMAGE_BYTES", 1000)
    with pytest.raises(ValidationError, match="at most"):
        application_public_image_set(application=application, user=user, file=image_upload(), consent=True)


def test_consent_without_an_image_means_nothing(entry):
    application, user = entry
    assert application_public_image_set(application=application, user=user, consent=True).public_image_consent is False


def test_after_publication_only_removal_or_withdrawal(entry):
    application, user = entry
    application_public_image_set(application=application, user=user, file=image_upload(), consent=True)
    Edition.objects.filter(pk=application.edition_id).update(state=Edition.State.PUBLISHED)
    with pytest.raises(ValidationError, match="only be removed"):
        application_public_image_set(application=application, user=user, file=image_upload(), consent=True)
    withdrawn = application_public_image_set(application=application, user=user, consent=False)
    assert (bool(withdrawn.public_image), withdrawn.public_image_consent) == (True, False)
    removed = application_public_image_set(application=application, user=user, consent=False, remove=True)
    assert (bool(removed.public_image), removed.public_image_consent) == (False, False)


def test_a_withdrawn_application_takes_no_image(entry):
    application, user = entry
    Application.objects.filter(pk=application.pk).update(status=Application.Status.WITHDRAWN)
    with pytest.raises(ValidationError, match="withdrawn"):
        application_public_image_set(application=application, user=user, file=image_upload(), consent=True)
