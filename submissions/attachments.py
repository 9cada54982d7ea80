"""Checking uploaded files by their content, not their name, within a bounded budget of time and memory.

filetype reads the magic bytes; pypdf counts a PDF's pages; zipfile reads an Office file's table of contents.
A file whose content does not match an allowed type is refused whatever its name says, and a file built to
exhaust the parser (a page tree thousands deep, a /Kids list of millions, a cycle, a zip of a million members
or a decompression bomb) is refused with a message, never a 500.

Why no subprocess or signal timeout: every parse here is bounded by the input's size (at most
MAX_ATTACHMENT_BYTES) and by explicit limits (pypdf's Configuration for the page tree, arrays, dictionaries and
decompression; "%%EOF" looked for in the last 64 KB before pypdf scans for it line by line; at most 100 000
objects, counted by a regular expression before pypdf might rebuild a broken cross-reference table from each; the
zip's member count read from its end record before the directory is parsed; member reads capped in bytes). The
slowest file found, 300 000 references in one /Kids list (refused at pypdf's array limit), takes under a second;
a signal cannot interrupt a request served in a thread, and a process per upload would cost more than that on
every honest file. Images among the attachments are recognised by their magic bytes only, never decoded; the
public image is (submissions/services/public_image.py), with a pixel limit.
"""

import logging
import re
import zipfile
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError

logger = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS_PER_APPLICATION = 10
# A PDF is read only to count its pages. Beyond these the file is refused, not read further.
MAX_PDF_PAGES = 5000
PDF_LIMITS = {
    "page_tree_maximum_depth": 32,  # real page trees are a handful of levels deep
    "page_tree_maximum_entries": MAX_PDF_PAGES * 2,
    "page_tree_maximum_page_entries": 200_000,
    "array_maximum_element_count": 20_000,
    "dictionary_maximum_element_count": 10_000,
    "zlib_maximum_output_length": 50_000_000,
    "lzw_maximum_output_length": 50_000_000,
    "run_length_maximum_output_length": 50_000_000,
    "maximum_declared_stream_length": MAX_ATTACHMENT_BYTES,
}
PDF_TAIL_BYTES = 64 * 1024
# Objects outside object streams; an honest 20 MB PDF of 5000 pages has a few tens of thousands.
MAX_PDF_OBJECTS = 100_000
# An Office file or an OpenDocument is a zip. Its table of contents is read, never its members' content (except
# an OpenDocument's few-byte `mimetype`), so a zip bomb costs nothing to check. One that declares more members or
# more bytes in all than these is refused all the same: no honest document does.
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}
ALLOWED_DESCRIPTION = "PDF, PNG, JPEG, Word (.docx), PowerPoint (.pptx)"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    pages: int | None


def check_size(upload, *, limit: int | None = None) -> None:
    """Refuse an empty file or one over `limit` (MAX_ATTACHMENT_BYTES), naming it; before anything reads it."""
    limit = MAX_ATTACHMENT_BYTES if limit is None else limit
    size = upload.size
    if not size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name}, code="empty")
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )


def sniff_type(upload) -> str | None:
    """The content type from the first bytes; a zip is told apart as .docx or .pptx by its part names."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if is_zip(head):
        # filetype names some zips .docx by a glance at the first member; the directory decides, within limits.
        return office_type(upload)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def is_zip(head: bytes) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"))


def check_upload(upload) -> CheckedFile:
    """Validate an uploaded file; raise ValidationError with a message for the applicant."""
    check_size(upload)
    content_type = sniff_type(upload)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            _("“%(name)s” is not one of the accepted types (%(types)s), whatever its name says.")
            % {"name": upload.name, "types": ALLOWED_DESCRIPTION},
            code="type",
        )
    pages = None
    if content_type == "application/pdf":
        pages = pdf_pages(upload)
    return CheckedFile(content_type=content_type, extension=ALLOWED_TYPES[content_type], size=upload.size,
                       pages=pages)


class ZipRefused(Exception):
    """The zip is readable but declares more than a document ever holds."""


def open_zip(upload) -> zipfile.ZipFile:
    """The upload as a ZipFile, after checking the member count its end record declares and the total size its
    directory declares; ZipRefused or zipfile.BadZipFile otherwise."""
    upload.seek(0)
    # The end record is read first (zipfile's own reader of it): a directory of millions of entries is refused
    # before zipfile builds an object for each.
    end_record = zipfile._EndRecData(upload)  # noqa: SLF001 - stable since Python 2; no public equivalent
    if end_record is None:
        raise zipfile.BadZipFile("no end of central directory")
    if end_record[zipfile._ECD_ENTRIES_TOTAL] > MAX_ZIP_MEMBERS:  # noqa: SLF001
        raise ZipRefused
    upload.seek(0)
    archive = zipfile.ZipFile(upload)
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS or sum(info.file_size for info in infos) > MAX_ZIP_UNCOMPRESSED_BYTES:
        archive.close()
        raise ZipRefused
    return archive


# What a broken zip raises besides BadZipFile: a truncated directory (EOFError, struct.error via ValueError),
# an unsupported method (NotImplementedError), an encrypted member (RuntimeError), a bad stream (zlib.error).
ZIP_ERRORS = (zipfile.BadZipFile, ZipRefused, EOFError, OSError, ValueError, KeyError, NotImplementedError,
              RuntimeError, OverflowError, zipfile.LargeZipFile)


def office_type(upload) -> str | None:
    """A .docx or .pptx is a zip; tell them apart by the part names inside. None for any other or broken zip."""
    try:
        with open_zip(upload) as archive:
            names = set(archive.namelist())
    except ZIP_ERRORS:
        return None
    except Exception:  # a third-party parser on hostile input: anything it raises means "not a document"
        logger.warning("Unexpected error reading an uploaded zip", exc_info=True)
        return None
    finally:
        upload.seek(0)
    if "word/document.xml" in names:
        return DOCX
    if "ppt/presentation.xml" in names:
        return PPTX
    return None


def zip_member_head(upload, name: str, limit: int = 256) -> bytes | None:
    """At most `limit` bytes of one member, decompressed as a stream (a bomb yields only `limit` bytes); None when
    the zip or the member cannot be read."""
    try:
        with open_zip(upload) as archive, archive.open(name) as member:
            return member.read(limit)
    except ZIP_ERRORS:
        return None
    except Exception:  # as in office_type
        logger.warning("Unexpected error reading an uploaded zip member", exc_info=True)
        return None
    finally:
        upload.seek(0)


def _ends_like_a_pdf(upload) -> bool:
    """Whether "%%EOF" is in the file's last PDF_TAIL_BYTES. pypdf looks for it line by line backwards from the
    end, which over 20 MB of short lines takes seconds; a PDF ends with it, give or take a little trailing data."""
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(max(size - PDF_TAIL_BYTES, 0))
    return b"%%EOF" in upload.read(PDF_TAIL_BYTES)


OBJECT_HEADER = re.compile(rb"\d+\s+\d+\s+obj\b")


def _object_headers(upload, *, stop_after: int) -> int:
    """How many "N G obj" headers the file holds (counting stops past `stop_after`), read 1 MB at a time. When the
    cross-reference table is broken pypdf rebuilds it by parsing every one of them (about 13 µs each): 20 MB of
    tiny objects would take a request's worker for a minute."""
    upload.seek(0)
    count = 0
    while count <= stop_after and (chunk := upload.read(1024 * 1024)):
        count += len(OBJECT_HEADER.findall(chunk))
    return count


def pdf_pages(upload) -> int:
    """The PDF's page count, read within PDF_LIMITS; ValidationError naming the file otherwise."""
    upload.seek(0)
    try:
        if not _ends_like_a_pdf(upload):
            raise ValueError("no %%EOF near the end")
        if _object_headers(upload, stop_after=MAX_PDF_OBJECTS) > MAX_PDF_OBJECTS:
            raise LimitReachedError("too many objects")
        upload.seek(0)
        with apply_configuration(**PDF_LIMITS):
            pages = len(PdfReader(upload).pages)
    except LimitReachedError as error:
        raise ValidationError(
            _("“%(name)s” is built in a way that cannot be checked safely (too many pages or parts, or nested too "
              "deeply). Export or print it to PDF again and retry.") % {"name": upload.name},
            code="pdf_limits",
        ) from error
    except Exception as error:  # pypdf on hostile input raises many kinds; each means the same to the applicant
        raise ValidationError(
            _("“%(name)s” looks like a PDF but cannot be read. Export it again and retry.") % {"name": upload.name},
            code="broken_pdf",
        ) from error
    finally:
        upload.seek(0)
    if pages > MAX_PDF_PAGES:
        raise ValidationError(
            _("“%(name)s” has %(pages)s pages; a file may have at most %(limit)s.")
            % {"name": upload.name, "pages": pages, "limit": MAX_PDF_PAGES},
            code="pdf_pages",
        )
    return pages

