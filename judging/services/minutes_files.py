"""The file attached to committee minutes: PDF, Word (.docx) or OpenDocument text (.odt), up to 20 MB.

Checked by content like the applicants' attachments (submissions/attachments.py, whose size limit and .docx
test are reused); an .odt is a zip whose first member, `mimetype`, names its type.
"""

import zipfile

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from submissions.attachments import MAX_ATTACHMENT_BYTES, _office_type

ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    ODT: ".odt",
}


def minutes_file_check(upload) -> str:
    """The file's extension by its content; ValidationError (on `file`) for anything else."""
    if not upload.size:
        raise ValidationError({"file": _("“%(name)s” is empty.") % {"name": upload.name}})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("“%(name)s” is %(size)s; files may be at most %(limit)s.") % {
            "name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(MAX_ATTACHMENT_BYTES)}})
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    content_type = kind.mime if kind else None
    if content_type == "application/zip":
        content_type = _office_type(upload) or _odt_type(upload)
    if content_type not in EXTENSIONS:
        raise ValidationError({"file": _("“%(name)s” is not a PDF, Word (.docx) or OpenDocument (.odt) file, "
                                         "whatever its name says.") % {"name": upload.name}})
    return EXTENSIONS[content_type]


def _odt_type(upload) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, KeyError):
        return None
    finally:
        upload.seek(0)
    return ODT if mimetype == ODT else None
