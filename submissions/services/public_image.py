"""An application's public image: shown on the public winner's page, only if the entry wins and with consent.

Decision: the image and the consent may be set until the edition is published (so the public pages never change
under a press release without the applicant's say), and consent may be withdrawn, or the image removed, at any
time, also after publication (the applicant's right to take it back). Any status but withdrawn may carry one.
"""

import io

import filetype
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from portal.models import Edition, User
from portal.services.audit import audit_log
from submissions.models import Application

from .status import application_lock

MAX_PUBLIC_IMAGE_BYTES = 5 * 1024 * 1024
# Pixels, not bytes, are what a viewer must decode: a 5 MB PNG can declare 100 000 × 100 000 of them.
MAX_PUBLIC_IMAGE_PIXELS = 40_000_000
PUBLIC_IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


def check_public_image(upload) -> str:
    """The image's extension, from its content; ValidationError with a message for the applicant otherwise.

    Pillow reads the header and checks the chunks (`verify`) without decoding the pixels; an image whose declared
    size is a decompression bomb is refused by its dimensions before anything could decode it.
    """
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name}, code="empty")
    if upload.size > MAX_PUBLIC_IMAGE_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; a public image may be at most %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size),
               "limit": filesizeformat(MAX_PUBLIC_IMAGE_BYTES)},
            code="too_large",
        )
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    kind = filetype.guess(content[:8192])
    if kind is None or kind.mime not in PUBLIC_IMAGE_TYPES:
        raise ValidationError(
            _("“%(name)s” is not a PNG, JPEG or WebP image, whatever its name says.") % {"name": upload.name},
            code="type",
        )
    try:  # the magic bytes can lie about the rest: the whole image must decode
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > MAX_PUBLIC_IMAGE_PIXELS:
                raise _TooManyPixels(width, height)
            image.verify()
    except (_TooManyPixels, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("“%(name)s” is too large in pixels; a public image may have at most %(megapixels)s megapixels "
              "(for example 8000 × 5000).") % {"name": upload.name, "megapixels": MAX_PUBLIC_IMAGE_PIXELS // 10**6},
            code="too_many_pixels",
        ) from error
    except Exception as error:  # Pillow on hostile input raises many kinds; each means "not a readable image"
        raise ValidationError(_("“%(name)s” is not a readable image.") % {"name": upload.name},
                              code="unreadable") from error
    return PUBLIC_IMAGE_TYPES[kind.mime]


class _TooManyPixels(Exception):
    pass


@transaction.atomic
def application_public_image_set(*, application: Application, user: User, file=None, consent: bool,
                                 remove: bool = False) -> Application:
    """Set (a new `file`), keep (`file=None`) or `remove` the public image, and record the consent. Audited."""
    application = application_lock(application)
    edition = Edition.objects.get(pk=application.edition_id)
    before = {"image": bool(application.public_image), "consent": application.public_image_consent}
    takes_back = remove or (file is None and not consent)
    if edition.state == Edition.State.PUBLISHED and not takes_back:
        raise ValidationError(_("The results are published: the public image can now only be removed, "
                                "or the consent withdrawn."))
    if application.status == Application.Status.WITHDRAWN:
        raise ValidationError(_("This application was withdrawn."))
    if file is not None:
        extension = check_public_image(file)
        application.public_image.save(f"image{extension}", file, save=False)
    elif remove:
        application.public_image = ""
    application.public_image_consent = bool(consent) and bool(application.public_image)
    application.full_clean(exclude=["edition", "category", "organisation", "created_by"], validate_unique=False,
                           validate_constraints=False)
    application.save(update_fields=["public_image", "public_image_consent", "updated_at"])
    audit_log(actor=user, action="application.public_image", target=application, edition_id=edition.pk,
              before=before, after={"image": bool(application.public_image),
                                    "consent": application.public_image_consent})
    return application
