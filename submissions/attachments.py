"""Checking uploaded files by their content, not their name.

filetype reads the magic bytes; pypdf counts a PDF's pages. A file whose content does
not match an allowed type is refused whatever its name says.
"""

import io
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS_PER_APPLICATION = 10
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}
ALLOWED_DESCRIPTION = "PDF, PNG, JPEG, Word (.docx), PowerPoint (.pptx)"


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    pages: int | None


def check_upload(upload) -> CheckedFile:
    """Validate an uploaded file; raise ValidationError with a message for the applicant."""
    size = upload.size
    if not size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name}, code="empty")
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(size), "limit": filesizeformat(MAX_ATTACHMENT_BYTES)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else None
    if content_type == "application/zip":
        content_type = _office_type(upload)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            _("“%(name)s” is not one of the accepted types (%(types)s), whatever its name says.")
            % {"name": upload.name, "types": ALLOWED_DESCRIPTION},
            code="type",
        )
    pages = None
    if content_type == "application/pdf":
        pages = _pdf_pages(upload)
    return CheckedFile(content_type=content_type, extension=ALLOWED_TYPES[content_type], size=size, pages=pages)


def _office_type(upload) -> str | None:
    """A .docx or .pptx is a zip; tell them apart by the part names inside."""
    import zipfile

    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(upload.read())) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "ppt/presentation.xml" in names:
        return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    return None


def _pdf_pages(upload) -> int:
    upload.seek(0)
    try:
        pages = len(PdfReader(io.BytesIO(upload.read())).pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise ValidationError(
            _("“%(name)s” looks like a PDF but cannot be read. Export it again and retry.") % {"name": upload.name},
            code="broken_pdf",
        ) from error
    finally:
        upload.seek(0)
    return pages
