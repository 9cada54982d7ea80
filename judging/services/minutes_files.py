"""The file attached to committee minutes: PDF, Word (.docx) or OpenDocument text (.odt), up to 20 MB.

Checked by content like the applicants' attachments (submissions/attachments.py, whose size limit and .docx
test are reused); an .odt is a zip whose first member, `mimetype`, names its type.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from submissions.attachments import check_size, is_zip, pdf_pages, sniff_type, zip_member_head

ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    ODT: ".odt",
}


def minutes_file_check(upload) -> str:
    """The file's extension by its content; ValidationError (on `file`) for anything else."""
    try:
        check_size(upload)
        content_type = sniff_type(upload)
        if content_type is None and is_zip(_head(upload)):
            content_type = _odt_type(upload)
        if content_type not in EXTENSIONS:
            raise ValidationError(_("“%(name)s” is not a PDF, Word (.docx) or OpenDocument (.odt) file, "
                                    "whatever its name says.") % {"name": upload.name})
        if content_type == "application/pdf":
            pdf_pages(upload)  # a PDF that cannot be read, or is built to exhaust a reader, is refused here
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    return EXTENSIONS[content_type]


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    return head


def _odt_type(upload) -> str | None:
    # Only the member's first bytes are decompressed: a `mimetype` member that inflates to gigabytes costs nothing.
    head = zip_member_head(upload, "mimetype", limit=len(ODT) + 8)
    if head is None:
        return None
    return ODT if head.decode("ascii", "replace").strip() == ODT else None
