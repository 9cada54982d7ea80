"""Files built to hurt a parser: for the hostile-upload tests and the property tests over every form.

Each builder is small and fast: a "bomb" declares or compresses to its size, it is never that large here.
"""

import io
import struct
import zipfile
import zlib

from .submissions import make_pdf


def pdf_from_objects(objects: dict[int, bytes], *, root: int = 1) -> bytes:
    """A PDF with a valid cross-reference table around the given object bodies."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n")
    xref = out.tell()
    size = max(objects) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n")
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref))
    return out.getvalue()


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGE = b"<< /Type /Page /MediaBox [0 0 10 10] >>"


def pdf_deep_page_tree(depth: int = 2000) -> bytes:
    objects = {1: CATALOG}
    for level in range(depth):
        objects[2 + level] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (3 + level)
    objects[2 + depth] = PAGE
    return pdf_from_objects(objects)


def pdf_huge_page_list(kids: int = 300_000) -> bytes:
    """One page referenced `kids` times from the root's /Kids."""
    return pdf_from_objects({1: CATALOG, 2: b"<< /Type /Pages /Kids [" + b"3 0 R " * kids + b"] /Count %d >>" % kids,
                             3: PAGE})


def pdf_many_pages(pages: int) -> bytes:
    return pdf_from_objects({1: CATALOG, 2: b"<< /Type /Pages /Kids [" + b"3 0 R " * pages + b"] /Count %d >>" % pages,
                             3: PAGE})


def pdf_lying_count() -> bytes:
    return pdf_from_objects({1: CATALOG, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 999999999 >>", 3: PAGE})


def pdf_kids_cycle() -> bytes:
    return pdf_from_objects({1: CATALOG, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                             3: b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"})


def pdf_truncated() -> bytes:
    whole = make_pdf(pages=3)
    return whole[: len(whole) // 2]


def pdf_many_objects_broken_xref(objects: int = 120_000) -> bytes:
    """Tiny objects and a startxref that points nowhere: pypdf would rebuild the table by parsing each."""
    body = b"".join(b"%d 0 obj\n<< /Type /Page >>\nendobj\n" % number for number in range(1, objects + 1))
    return b"%PDF-1.4\n" + body + b"startxref\n999\n%%EOF\n"


def pdf_without_eof(objects: int = 50_000) -> bytes:
    """No %%EOF: pypdf would look for it line by line from the end."""
    return pdf_many_objects_broken_xref(objects).removesuffix(b"%%EOF\n")


def pdf_object_stream_bomb() -> bytes:
    """An object stream that inflates to 60 MB of zeros (60 KB here)."""
    bomb = zlib.compress(b"\x00" * 60_000_000, 9)
    return pdf_from_objects({
        1: CATALOG, 2: b"<< /Type /Pages /Kids [] /Count 0 >>",
        3: b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(bomb) + bomb
        + b"\nendstream",
    })


def pdf_header_on_zip() -> bytes:
    return b"%PDF-1.7\n" + docx()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_zip_bomb(inflated: int = 100_000_000) -> bytes:
    """A .docx with a member that really inflates to `inflated` bytes of zeros (about 0.1% of that on disk)."""
    return docx({"word/media/bomb.bin": b"\x00" * inflated})


def _patch_central_directory(data: bytes, name: bytes, *, uncompressed: int) -> bytes:
    """Make the central directory declare `uncompressed` bytes for member `name` (its data stays tiny)."""
    data = bytearray(data)
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if bytes(data[start + 46:start + 46 + name_length]) == name:
            struct.pack_into("<I", data, start + 24, uncompressed)
            return bytes(data)
        start += 4
    raise ValueError(name)


def docx_declaring(uncompressed: int = 0xFFFFFFF0) -> bytes:
    """A .docx whose directory declares a 4 GB member: a bomb by its own account."""
    return _patch_central_directory(docx({"word/media/huge.bin": b"x"}), b"word/media/huge.bin",
                                    uncompressed=uncompressed)


def docx_declaring_members(count: int = 5_000_000) -> bytes:
    """A .docx whose end record claims `count` members (a directory zipfile would build an object for each)."""
    data = bytearray(docx())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, count & 0xFFFF, count & 0xFFFF)
    if count > 0xFFFF:  # the 16-bit fields cannot say it: a zip64 end record would; declare the most they can
        struct.pack_into("<HH", data, end + 8, 0xFFFE, 0xFFFE)
    return bytes(data)


def odt(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        archive.writestr("content.xml", b"<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def odt_mimetype_bomb(inflated: int = 50_000_000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text" + b"x" * inflated)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares width × height pixels, with one tiny compressed row: a pixel bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


HOSTILE_NAMES = [
    "a" * 400 + ".pdf",
    "계획서 (최종) 🙂.pdf",
    "../../../etc/passwd.pdf",
    "..\\..\\windows\\system32.pdf",
    "nul\x00byte.pdf",
    "evil\u202efdp.exe",
    "..",
    ".",
    " ",
    "CON.pdf",
    "name\r\nX-Injected: 1.pdf",
    "<script>alert(1)</script>.pdf",
]
