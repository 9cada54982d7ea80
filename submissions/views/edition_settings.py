"""The secretariat's settings page of an edition: its details, categories and state (the form: form_builder.py).

Every part is one form on one page, posted together; each part has its own save button. The part
chosen is saved; the other parts come back with what was typed in them and a note that it is not
saved yet, so a save or a refusal of one part never loses edits in another. Changes of state, and
a closing time moved into the past while drafts exist, ask for confirmation first, in a step on
the same page that says what will happen (the typed edits ride along in the same form).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.access import edition_permission_required
from portal.concurrency import EditedMeanwhile
from portal.formatting import local_time
from portal.models import Edition
from portal.service_errors import add_service_errors
from portal.services import editions as edition_services

from .. import services
from ..forms.data_protection import DataProtectionForm
from ..forms.secretariat import EditionSettingsForm, category_formset
from ..models import Application
from .data_protection_settings import consent_overview, save_data_protection

PARTS = ("edition", "categories", "privacy")
# A POST carries a part's fields only if the page showed them; a part absent from the POST is read from the database.
PART_MARKERS = {"edition": "time_zone", "categories": "categories-TOTAL_FORMS", "privacy": "privacy-consent_text_en"}
KEEP = "keep"  # the page's default button (Enter in a field) and "cancel": save nothing, keep every edit


class _RowRefused(Exception):
    pass


def _save_rows(formset, *, save, delete) -> bool:
    """Apply a formset through the services, all or nothing; a refusal goes beside the row's field."""
    deleted = set(formset.deleted_forms) if formset.can_delete else set()
    try:
        with transaction.atomic():
            for form in formset.forms:
                instance = form.instance if form.instance.pk else None
                try:
                    if form in deleted:
                        if instance is not None:
                            delete(instance)
                    elif form.has_changed():
                        save(instance, form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(form, error)
                    raise _RowRefused from error
    except _RowRefused:
        return False
    return True


STATE_ACTIONS = {
    # posted value: (target state, service)
    "open": (Edition.State.OPEN, edition_services.edition_open),
    "close": (Edition.State.CLOSED, edition_services.edition_close),
    "start_screening": (Edition.State.SCREENING, edition_services.edition_start_screening),
}


def _state_buttons(edition: Edition) -> list[tuple[str, str]]:
    allowed = edition_services.EDITION_TRANSITIONS[edition.state]
    labels = {
        "open": _("Reopen the call") if edition.state == Edition.State.CLOSED else _("Open the call"),
        "close": _("Close the call"),
        "start_screening": _("Start screening"),
    }
    return [(action, labels[action]) for action, (target, _service) in STATE_ACTIONS.items() if target in allowed]


# --- what a step will do ---------------------------------------------------------------------------------

def _application_counts(edition: Edition) -> dict[str, int]:
    Status = Application.Status
    return Application.objects.filter(edition=edition).aggregate(
        drafts=Count("pk", filter=Q(status=Status.DRAFT)),
        submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
    )


def _transition_consequences(edition: Edition, action: str) -> dict:
    """What the confirmation step of a change of state says, with the counts it depends on."""
    counts = _application_counts(edition)
    drafts, submitted = counts["drafts"], counts["submitted"]
    closes = local_time(edition.closes_at, edition=edition, with_zone=True)
    lines = []
    if action == "open":
        lines.append(_("The call becomes public: applicants see it and can start, edit and submit applications "
                       "until %(closes)s.") % {"closes": closes})
        if edition.opens_at > timezone.now():
            lines.append(_("Applicants can submit only from %(opens)s.")
                         % {"opens": local_time(edition.opens_at, edition=edition, with_zone=True)})
    elif action == "close":
        lines.append(_("Applicants can no longer submit, edit, reopen or withdraw applications."))
        lines.append(ngettext("%(count)s draft has not been submitted: it will never be submitted unless you "
                              "reopen the call.",
                              "%(count)s drafts have not been submitted: they will never be submitted unless you "
                              "reopen the call.", drafts) % {"count": drafts})
        lines.append(ngettext("%(count)s application has been submitted and is kept for screening.",
                              "%(count)s applications have been submitted and are kept for screening.",
                              submitted) % {"count": submitted})
    else:
        lines.append(_("Screening starts: the call cannot be reopened after this."))
        lines.append(ngettext("%(count)s submitted application goes to screening.",
                              "%(count)s submitted applications go to screening.", submitted) % {"count": submitted})
        lines.append(ngettext("%(count)s draft is left out for good.", "%(count)s drafts are left out for good.",
                              drafts) % {"count": drafts})
    return {"action": action, "label": dict(_state_buttons(edition)).get(action, ""), "lines": lines, **counts}


def _deadline_warning(edition: Edition, form: EditionSettingsForm, confirmed: str) -> dict | None:
    """A closing time moved into the past while drafts exist: what it shuts out, unless this very value was confirmed."""
    closes_at = form.cleaned_data["closes_at"]
    if closes_at == edition.closes_at or closes_at > timezone.now():
        return None
    posted = form.data.get("closes_at", "")
    if confirmed and confirmed == posted:
        return None
    drafts = _application_counts(edition)["drafts"]
    if not drafts:
        return None
    zone = form.cleaned_data["time_zone"]
    return {
        "drafts": drafts,
        "posted": posted,
        "text": ngettext(
            "The new closing time, %(closes)s (%(tz)s), has already passed: %(count)s draft that has not been "
            "submitted would be shut out, and its applicant could no longer submit it.",
            "The new closing time, %(closes)s (%(tz)s), has already passed: %(count)s drafts that have not been "
            "submitted would be shut out, and their applicants could no longer submit them.", drafts,
        ) % {"closes": local_time(closes_at, edition=Edition(time_zone=zone)), "tz": zone, "count": drafts},
    }


# --- saving one part -------------------------------------------------------------------------------------

def _save_edition(request, edition: Edition, page: dict) -> str | None:
    form = page["edition"]
    if not form.is_valid():
        return None
    # Only what was changed: the page shows minutes, and an untouched deadline keeps its seconds. Times are
    # read in the zone chosen with them, so a new zone takes the times as shown.
    changed = set(form.changed_data) - {"details_version"}
    if "time_zone" in changed:
        changed |= {"opens_at", "closes_at"}
    if not changed:
        return _("Nothing was changed in the edition details.")
    if "closes_at" in changed:
        page["deadline_warning"] = _deadline_warning(edition, form, request.POST.get("confirm_closes_at", ""))
        if page["deadline_warning"]:
            return None
    try:
        edition_services.edition_update(edition=edition, user=request.user,
                                        data={name: form.cleaned_data[name] for name in changed},
                                        loaded_version=form.cleaned_data.get("details_version") or None)
    except EditedMeanwhile as stale:
        form.data = form.data.copy()
        form.data["details_version"] = stale.current_version  # saving again saves over what is stored now
        form.add_error(None, stale)
        return None
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    return _("Edition details saved.")


def _save_categories(request, edition: Edition, page: dict) -> str | None:
    categories = page["categories"]
    if categories.is_valid() and _save_rows(
        categories,
        save=lambda category, values: services.category_save(
            edition=edition, user=request.user, category=category, data=values),
        delete=lambda category: services.category_delete(edition=edition, user=request.user, category=category),
    ):
        return _("Categories saved.")
    return None


SAVERS = {"edition": _save_edition, "categories": _save_categories, "privacy": save_data_protection}


def _change_state(request, edition: Edition, page: dict) -> str | None:
    action = request.POST.get("transition", "")
    if action not in dict(_state_buttons(edition)):
        messages.error(request, _("This change of state cannot be made now."))
        return None
    refusal = edition_services.edition_open_refusal(edition) if action == "open" else None
    if refusal is not None:  # said before the confirmation step, which would only lead to it
        messages.error(request, refusal)
        return None
    if request.POST.get("confirmed") != action:
        page["confirm"] = _transition_consequences(edition, action)
        return None
    try:
        edition = STATE_ACTIONS[action][1](edition=edition, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    return _("The edition is now “%(state)s”.") % {"state": edition.get_state_display()}


# --- the page --------------------------------------------------------------------------------------------

def _page(edition: Edition, data, bound: set[str]) -> dict:
    """The parts' forms: those in `bound` hold the posted values, the others the stored ones."""
    return {
        "edition": EditionSettingsForm(data if "edition" in bound else None,
                                       initial=EditionSettingsForm.initial_for(edition)),
        "categories": category_formset(edition=edition, data=data if "categories" in bound else None),
        "privacy": DataProtectionForm(data if "privacy" in bound else None,
                                      initial=DataProtectionForm.initial_for(edition)),
    }


@edition_permission_required("submissions.configure_edition")
def edition_settings(request, edition):
    if request.method != "POST":
        return _render(request, edition, _page(edition, None, set()))

    posted = {part for part, marker in PART_MARKERS.items() if marker in request.POST}
    page = _page(edition, request.POST, posted)
    part = request.POST.get("part", "")
    if "transition" in request.POST:
        part = "state"
        saved = _change_state(request, edition, page)
    elif part in SAVERS:
        saved = SAVERS[part](request, edition, page)
    else:
        saved = None  # "keep": the page again, every edit as typed
    if not saved:
        refused = part in SAVERS and not page.get("deadline_warning")
        return _render(request, edition, page, posted=posted, failed_part=part if refused else None)

    messages.success(request, saved)
    edition.refresh_from_db()
    others = posted - {part}
    page = _page(edition, request.POST, others)
    if not any(page[other].has_changed() for other in others):
        url = reverse("submissions:edition_settings", kwargs={"slug": edition.slug})
        return redirect(f"{url}#{part}")
    return _render(request, edition, page, posted=others)


def _render(request, edition: Edition, page: dict, *, posted: set[str] = frozenset(), failed_part: str | None = None):
    unsaved = {part for part in posted if part != failed_part and page[part].has_changed()}
    return render(request, "submissions/secretariat/edition_settings.html", {
        "edition": edition,
        "edition_form": page["edition"],
        "categories": page["categories"],
        "privacy_form": page["privacy"],
        "consent": consent_overview(edition),
        "state_buttons": _state_buttons(edition),
        "failed_part": failed_part,
        "unsaved": sorted(unsaved),
        "confirm": page.get("confirm"),
        "deadline_warning": page.get("deadline_warning"),
    })
