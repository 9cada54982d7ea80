"""The secretariat's pages of an edition: screening (the chair and observers read it too).

The settings page lives in edition_settings.py.

Reading needs `submissions.view_screening`; every change needs the secretariat's
permission and goes through a service.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.access import edition_permission_required
from portal.filter_fields import filter_fields
from portal.models import Edition, Organisation
from portal.paging import page_nav, page_rows
from portal.service_errors import add_service_errors

from .. import exports, selectors, services
from ..filters import SORT_FIELDS, ScreeningFilter
from ..forms.secretariat import BulkScreenForm, ScreenForm
from ..models import Application

SCREENING_PAGE_SIZE = 50
# The application's long texts, which no row of the list shows (`_screening_rows`): left in the database.
SCREENING_LIST_DEFERRED = (
    "summary", "problem", "solution", "impact_evidence", "inclusiveness", "scalability", "resources", "partners",
    "links",
)
Status = Application.Status


def _screening_filter(request, edition: Edition, *, with_attachment_counts: bool = True) -> ScreeningFilter:
    applications = selectors.screening_applications(edition=edition, with_attachment_counts=with_attachment_counts)
    return ScreeningFilter(request.GET, queryset=applications, edition=edition)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _sort_headers(request, current: str) -> dict[str, dict]:
    """Each sortable column's link (the same filters, this column ascending, or descending when it is already
    ascending) and its aria-sort value."""
    headers = {}
    for key in SORT_FIELDS:
        query = request.GET.copy()
        query.pop("page", None)
        ascending, descending = current == key, current == f"-{key}"
        query["o"] = f"-{key}" if ascending else key
        headers[key] = {
            "query": query.urlencode(),
            "aria": "ascending" if ascending else "descending" if descending else "none",
            "arrow": "↑" if ascending else "↓" if descending else "",
        }
    return headers


def _neighbours(filterset: ScreeningFilter, pk: int) -> tuple[int | None, int | None, int, int]:
    """(previous id, next id, place, count) of `pk` in the list as filtered and sorted: one query of ids."""
    ids = list(filterset.qs.values_list("pk", flat=True))
    if pk not in ids:
        return None, None, 0, len(ids)
    index = ids.index(pk)
    return (ids[index - 1] if index > 0 else None, ids[index + 1] if index + 1 < len(ids) else None,
            index + 1, len(ids))


def _screening_rows(applications, *, edition: Edition, query: str, selected: set[int]) -> list[tuple]:
    """The page's applications as flat tuples in the order of the table's columns, for the template's loop.

    Labels come from dicts built once per page, times in the edition's zone formatted here: through the template,
    three `get_..._display` and a `|date` per row cost more than the page's queries. Numbers come as strings: the
    template localizes every number it prints (a third of the rows' cost for the id printed five times a row), and
    whether a row is ticked is decided here rather than by `in` in the template.
    """
    from django_countries import countries

    stages = {code: str(label) for code, label in Application.Stage.choices}
    statuses = {code: str(label) for code, label in Status.choices}
    bands = {code: str(label) for code, label in Organisation.PopulationBand.choices}
    zone = edition.tz
    detail = reverse("submissions:screening_detail", args=[edition.slug, 0])[: -len("0/")] + "{}/"
    suffix = f"?{query}" if query else ""
    country_names: dict[str, str] = {}  # django_countries' lookup of a name costs a fifth of a millisecond
    rows = []
    for application in applications:
        organisation = application.organisation
        code = organisation.country.code
        if code not in country_names:
            country_names[code] = str(countries.name(code))
        submitted = application.submitted_at
        rows.append((
            str(application.pk), application.pk in selected, detail.format(application.pk) + suffix, str(application),
            application.category.name, organisation.name, country_names[code],
            bands.get(organisation.population_band, ""), stages.get(application.stage, ""),
            statuses.get(application.status, ""),
            timezone.localtime(submitted, zone).strftime("%Y-%m-%d %H:%M") if submitted else "",
            str(application.attachment_count), Truncator(application.screening_reason).chars(120),
        ))
    return rows


def _screenable(edition: Edition):
    """What a bulk decision may name: this edition's submitted applications, nothing else."""
    return Application.objects.filter(edition=edition).exclude(status=Status.DRAFT)


# --- screening -------------------------------------------------------------------------------------------

@edition_permission_required("submissions.view_screening")
def screening_list(request, edition):
    filterset = _screening_filter(request, edition, with_attachment_counts=False)
    can_screen = request.user.has_perm("submissions.screen_edition", edition)
    form = None
    if request.method == "POST":
        if not can_screen:
            raise PermissionDenied(_("Only the secretariat of this edition screens applications."))
        form = BulkScreenForm(request.POST, applications=_screenable(edition))
        if form.is_valid():
            try:
                count = services.applications_screen_bulk(
                    applications=form.cleaned_data["applications"], user=request.user,
                    eligible=form.eligible, reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, (
                    ngettext("%(count)s application marked eligible.", "%(count)s applications marked eligible.", count)
                    if form.eligible else
                    ngettext("%(count)s application marked ineligible.", "%(count)s applications marked ineligible.",
                             count)
                ) % {"count": count})
                # Back to the same filters and page.
                return redirect(request.get_full_path())
    elif can_screen:
        form = BulkScreenForm(applications=_screenable(edition))

    # The page's rows only, in the index's order, without the long texts the table does not show; then their files
    # counted, one query for the page.
    page = Paginator(filterset.qs, SCREENING_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page_rows(filterset.qs, page).defer(*SCREENING_LIST_DEFERRED))
    selectors.attachment_counts(page.object_list)
    # isdecimal, not isdigit: "²" is a digit that int() refuses. An id has at most 18 digits.
    selected = {int(value) for value in request.POST.getlist("applications")
                if value.isdecimal() and len(value) <= 18}
    query = _query_without_page(request)
    return render(request, "submissions/secretariat/screening_list.html", {
        "edition": edition,
        "filterset": filterset,
        "filter_fields": filter_fields(filterset.form),
        "rows": _screening_rows(page.object_list, edition=edition, query=query, selected=selected),
        "page": page,
        "page_nav": page_nav(page, request.GET, offer_all=False),
        "query": query,
        "form": form,
        "can_screen": can_screen,
        "sort": _sort_headers(request, request.GET.get("o") or "number"),  # by number unless told otherwise
    })


@edition_permission_required("submissions.view_screening")
def screening_detail(request, edition, pk: int):
    application = selectors.screening_application(edition=edition, pk=pk)
    if application is None:
        raise Http404
    application.edition = edition
    can_screen = request.user.has_perm("submissions.application_screen", application)
    query = _query_without_page(request)
    if request.method == "POST":
        if not can_screen:
            raise PermissionDenied(_("Only the secretariat of this edition screens applications."))
        form = ScreenForm(request.POST)
        if form.is_valid():
            try:
                services.application_screen(application=application, user=request.user, eligible=form.eligible,
                                            reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Decision saved: %(title)s is now %(status)s.") % {
                    "title": application, "status": Status(
                        Status.ELIGIBLE if form.eligible else Status.INELIGIBLE).label,
                })
                # Back to the same place in the list (its filters and sort) the secretariat came from.
                detail = reverse("submissions:screening_detail", kwargs={"slug": edition.slug, "pk": application.pk})
                return redirect(f"{detail}?{query}" if query else detail)
    else:
        decided = application.status in (Status.ELIGIBLE, Status.INELIGIBLE)
        form = ScreenForm(initial={
            "decision": application.status if decided else None,
            "reason": application.screening_reason,
        })

    snapshots = list(application.snapshots.all())
    latest = snapshots[0] if snapshots else None
    data = latest.data if latest else {}
    sections = [(row["label"], row["text"])
                for row in selectors.answers_as_read(data, edition=edition, category=application.category)
                if "label" in row]
    stage = data.get("stage") or ""
    previous_id, next_id, place, count = _neighbours(_screening_filter(request, edition, with_attachment_counts=False),
                                                       application.pk)
    return render(request, "submissions/secretariat/screening_detail.html", {
        "query": query,
        "previous_id": previous_id,
        "next_id": next_id,
        "place": place,
        "count": count,
        "edition": edition,
        "application": application,
        "snapshot": latest,
        "snapshot_count": len(snapshots),
        "data": data,
        "sections": sections,
        "stage_label": Application.Stage(stage).label if stage in Application.Stage.values else stage,
        "links": [line.strip() for line in (data.get("links") or "").splitlines() if line.strip()],
        "attachments": data.get("attachments", []),
        "status_changes": application.status_changes.all(),
        "form": form,
        "can_screen": can_screen,
    })


# --- exports ---------------------------------------------------------------------------------------------

def _export_filename(edition: Edition, extension: str) -> str:
    return f"{edition.slug}-screening-{timezone.localdate(timezone=edition.tz):%Y%m%d}.{extension}"


def _in_language(lines, language: str):
    # A streamed body is produced after the view has returned; keep the request's language for its labels.
    with translation.override(language):
        yield from lines


@edition_permission_required("submissions.view_screening")
def screening_export_csv(request, edition):
    applications = exports.with_answers(_screening_filter(request, edition).qs)
    header = exports.screening_export_header(edition=edition)
    rows = exports.screening_export_rows(applications.iterator(chunk_size=500), edition=edition)
    response = StreamingHttpResponse(
        _in_language(exports.csv_lines(header, rows), translation.get_language()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_filename(edition, "csv")}"'
    return response


@edition_permission_required("submissions.view_screening")
def screening_export_xlsx(request, edition):
    applications = exports.with_answers(_screening_filter(request, edition).qs)
    content = exports.xlsx_bytes(
        exports.screening_export_header(edition=edition),
        exports.screening_export_rows(applications.iterator(chunk_size=500), edition=edition),
        title=_("Screening"),
    )
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_export_filename(edition, "xlsx")}"'
    return response
