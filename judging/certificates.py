"""PDF certificates for awardees, drawn by WeasyPrint from a template the secretariat can read.

The wording and the look live in ``judging/templates/judging/awards/certificate.html``; this
module only checks the context, renders the template in the language active when called,
and turns the HTML into a one-page A4 PDF. The awards services call it; it writes nothing.
"""

import io
import zipfile
from datetime import date
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.text import slugify

TEMPLATE = "judging/awards/certificate.html"

# Prizes whose label the template translates. Any other award is named by the edition
# (``prize_name``) and printed as given.
PRIZES = ("gold", "silver", "bronze", "winner", "leadership", "special_mention")

REQUIRED = ("edition_name", "organisation_name", "project_title", "awarded_on", "chair_name")

# A fixed timestamp for every member of the zip, so the same certificates give the same bytes.
_ZIP_TIMESTAMP = (2000, 1, 1, 0, 0, 0)


def certificate_pdf(*, context: dict[str, Any]) -> bytes:
    """One certificate as PDF bytes, in the active language.

    The context holds ``edition_name``, ``organisation_name``, ``project_title``,
    ``awarded_on`` (a date), ``chair_name``; either ``prize`` (one of PRIZES) or ``prize_name``
    (an award the edition names, e.g. "Smart Governance Award"); and optionally
    ``category_name`` (edition-level awards have none), ``city`` and ``country`` (names, already
    in the active language). Raises ValueError when one is missing or unknown.
    """
    _check(context)
    html = render_to_string(TEMPLATE, context)
    # WeasyPrint loads Pango through ctypes when imported: keep that off the start-up of every
    # web and worker process, and let the portal run on a machine without Pango.
    from weasyprint import HTML, URLFetcher

    # Values are escaped by the template, so nothing can point WeasyPrint at the network; the
    # fetcher makes sure of it. Relative URLs (a logo, a font) resolve inside static/.
    fetcher = URLFetcher(allowed_protocols={"file"})
    return HTML(string=html, base_url=f"{settings.BASE_DIR / 'static'}/", url_fetcher=fetcher).write_pdf()


def certificates_zip(*, items: list[tuple[str, bytes]]) -> bytes:
    """A zip of PDFs: each (name, pdf) becomes a safe ASCII file name ending in .pdf, made unique."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, (name, pdf) in enumerate(items, start=1):
            filename = _unique(_safe_stem(name, number), used)
            used.add(filename)
            archive.writestr(zipfile.ZipInfo(filename, date_time=_ZIP_TIMESTAMP), pdf)
    return buffer.getvalue()


def _check(context: dict[str, Any]) -> None:
    missing = [key for key in REQUIRED if not context.get(key)]
    if not (context.get("prize") or context.get("prize_name")):
        missing.append("prize or prize_name")
    if missing:
        raise ValueError(f"A certificate needs {', '.join(missing)}.")
    if context.get("prize") and context["prize"] not in PRIZES:
        raise ValueError(f"Unknown prize {context['prize']!r}: one of {', '.join(PRIZES)}, or a prize_name.")
    if not isinstance(context["awarded_on"], date):
        raise ValueError("awarded_on must be a date.")


def _safe_stem(name: str, number: int) -> str:
    stem = name.removesuffix(".pdf").removesuffix(".PDF")
    # slugify keeps ASCII letters, digits, "-" and "_" only; a name with none (e.g. all Hangul)
    # falls back to its position.
    return slugify(stem)[:80].strip("-_") or f"certificate-{number}"


def _unique(stem: str, used: set[str]) -> str:
    filename, suffix = f"{stem}.pdf", 2
    while filename in used:
        filename, suffix = f"{stem}-{suffix}.pdf", suffix + 1
    return filename
