"""Rows of the screening list for CSV and XLSX, built once for the views and for a later Celery task.

Each row ends with the applicant's answers as submitted (the latest snapshot): the budget, every
section of the edition's form in the form's order, and the links, one column each.
Rows carry plain values (int, str, naive datetime in the edition's time zone); each
writer formats them. Text that a spreadsheet would run as a formula is neutralised,
as applicants write the titles and names (OWASP, "CSV injection").
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from portal.models import Edition

from .answers import answer_values, display_value, snapshot_item, snapshot_items, visible_questions
from .models import Application, ApplicationSnapshot
from .selectors import answers_prefetch, form_questions

CSV_BOM = "\ufeff"  # lets Excel read UTF-8 (Korean names) correctly
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def screening_export_header(*, edition: Edition) -> list[str]:
    return [
        _("ID"), _("Title"), _("Category"), _("Organisation"), _("Kind"), _("Country"), _("City"),
        _("Population band"), _("Development stage"), _("Status"),
        _("Submitted at (%(time_zone)s)") % {"time_zone": edition.time_zone},
        _("Attachments"), _("Screening reason"),
        _("Budget (US dollars)"),
        *(str(question.label) for question in _export_questions(edition)),
        _("Links"),
    ]


def with_answers(applications: QuerySet[Application]) -> QuerySet[Application]:
    """The applications with their snapshots (newest first) and answers (for one never submitted), read in two
    more queries per chunk of rows."""
    return applications.prefetch_related(
        Prefetch("snapshots", queryset=ApplicationSnapshot.objects.order_by("application_id", "-number")),
        answers_prefetch(),
    )


def _export_questions(edition: Edition) -> list:
    """A column per current question of the edition (of every category), in form order; headings have none."""
    return [question for question in form_questions(edition=edition) if question.answerable]


def _answers(application: Application, *, edition: Edition) -> list:
    """The answers as submitted (the latest snapshot; the live draft's if none is on record), as text."""
    snapshots = application.snapshots.all()
    questions = _export_questions(edition)
    if snapshots:
        data = snapshots[0].data
    else:  # the draft's own answers (prefetched by `with_answers`), the shown ones
        data = {name: getattr(application, name) for name in Application.CONTENT_FIELDS}
        asked = form_questions(edition=edition, category=application.category)
        values = answer_values(application.answers.all(), asked)
        data["answers"] = [snapshot_item(question, values.get(question.key))
                           for question in visible_questions(asked, values)]
    by_key = {item.get("key"): item for item in snapshot_items(data, questions=questions)}
    budget = data.get("budget_usd")
    return [
        budget if isinstance(budget, int) else None,
        *(display_value(by_key[question.key]) if question.key in by_key else "" for question in questions),
        data.get("links") or "",
    ]


def screening_export_row(application: Application, *, edition: Edition) -> list:
    """One application as export values. Expects the screening selector's joins, `attachment_count` and the
    snapshots of `with_answers`."""
    organisation = application.organisation
    submitted_at = (
        timezone.localtime(application.submitted_at, edition.tz).replace(tzinfo=None, microsecond=0)
        if application.submitted_at else None
    )
    return [
        application.pk,
        application.title,
        application.category.name,
        organisation.name,
        organisation.get_kind_display(),
        str(organisation.country.name),
        organisation.city,
        organisation.get_population_band_display(),
        application.get_stage_display(),
        application.get_status_display(),
        submitted_at,
        application.attachment_count,
        application.screening_reason,
        *_answers(application, edition=edition),
    ]


def screening_export_rows(applications: Iterable[Application], *, edition: Edition) -> Iterator[list]:
    for application in applications:
        yield screening_export_row(application, edition=edition)


def _neutralised(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _csv_cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(EXPORT_DATETIME_FORMAT)
    if isinstance(value, int):
        return value
    return _neutralised(str(value))


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The CSV, line by line, starting with a byte order mark."""
    writer = csv.writer(_Echo())
    yield CSV_BOM + writer.writerow([_csv_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def xlsx_bytes(header: list[str], rows: Iterable[list], *, title: str) -> bytes:
    """The XLSX file, written in openpyxl's write-only mode (rows are streamed to the zip, not kept)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters would make openpyxl refuse the row
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, str) and value.startswith("="):
        # openpyxl stores a string starting with "=" as a formula; keep it as the text it is.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
