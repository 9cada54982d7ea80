"""The committee's settings of a round: scoring settings, calibration entries, the shortlist.

Secretariat, chair and observers read them; judges never do, nor do applicants. Observers read
and change nothing; what each role may change is checked on the round.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.service_errors import add_service_errors
from submissions.models import Application

from ..forms.scoring import (
    CalibrationForm,
    ScoringSettingsForm,
    ShortlistAddForm,
    ShortlistRemoveForm,
    ShortlistTopForm,
)
from ..models import JudgingRound, Shortlisting
from ..selectors import results as result_selectors
from ..services import calibration as calibration_services
from ..services import rounds as round_services
from ..services import shortlist as shortlist_services
from .loaders import round_permission_required

# --- the round's scoring settings -------------------------------------------------------------------------------


@round_permission_required("judging.view_round")
@require_http_methods(["GET", "POST"])
def scoring_settings(request, judging_round: JudgingRound):
    can_manage = request.user.has_perm("judging.manage_round", judging_round)
    initial = {"explanation_to_applicants": judging_round.explanation_to_applicants,
               "aggregation_method": judging_round.aggregation_method}
    form = ScoringSettingsForm(initial=initial)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the secretariat changes a round's scoring settings."))
        form = ScoringSettingsForm(request.POST)
        if form.is_valid():
            try:
                round_services.round_scoring_settings_update(
                    round=judging_round, user=request.user,
                    explanation_to_applicants=form.cleaned_data["explanation_to_applicants"],
                    aggregation_method=form.cleaned_data["aggregation_method"] or None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Scoring settings saved."))
                return redirect(request.path)
        status = 400
    return render(request, "judging/scoring/settings.html", {
        "edition": judging_round.edition, "round": judging_round, "form": form, "can_manage": can_manage,
    }, status=status)


# --- calibration ----------------------------------------------------------------------------------------------


@round_permission_required("judging.view_round")
@require_http_methods(["GET", "POST"])
def calibration(request, judging_round: JudgingRound):
    can_manage = request.user.has_perm("judging.manage_calibration", judging_round)
    entries = result_selectors.calibration_entries(judging_round=judging_round)
    marked = {entry.application_id for entry in entries}
    candidates = result_selectors.round_candidates(judging_round=judging_round).exclude(pk__in=marked)
    form = CalibrationForm(candidates=candidates)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the secretariat chooses the calibration entries."))
        try:
            if "remove" in request.POST:
                application = get_object_or_404(Application, pk=_posted_id(request, "remove"),
                                                edition_id=judging_round.edition_id)
                calibration_services.calibration_unmark(judging_round=judging_round, application=application,
                                                    user=request.user)
                messages.success(request, _("“%(title)s” is no longer a calibration entry.") % {"title": application.title})
                return redirect(request.path)
            form = CalibrationForm(request.POST, candidates=candidates)
            if form.is_valid():
                application = form.cleaned_data["application"]
                calibration_services.calibration_mark(judging_round=judging_round, application=application,
                                                  user=request.user)
                messages.success(request, _("“%(title)s” is now a calibration entry: every judge of its category "
                                            "scores it first.") % {"title": application.title})
                return redirect(request.path)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(request.path)
    return render(request, "judging/scoring/calibration.html", {
        "edition": judging_round.edition, "round": judging_round, "entries": entries, "form": form,
        "can_manage": can_manage,
        "editable": judging_round.state in (JudgingRound.State.SCHEDULED, JudgingRound.State.ASSIGNING),
    }, status=400 if request.method == "POST" else 200)


# --- shortlist ------------------------------------------------------------------------------------------------


@round_permission_required("judging.view_results")
@require_http_methods(["GET", "POST"])
def shortlist(request, judging_round: JudgingRound):
    can_manage = request.user.has_perm("judging.manage_shortlist", judging_round)
    listed = result_selectors.shortlist(judging_round=judging_round)
    candidates = result_selectors.round_candidates(judging_round=judging_round).exclude(
        pk__in=[row.application_id for row in listed]
    )
    top_form, add_form = ShortlistTopForm(), ShortlistAddForm(candidates=candidates)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the secretariat and the chair change the shortlist."))
        action = request.POST.get("action")
        try:
            if action == "top":
                top_form = ShortlistTopForm(request.POST)
                if top_form.is_valid():
                    outcome = shortlist_services.shortlist_top(
                        judging_round=judging_round, per_category=top_form.cleaned_data["per_category"],
                        user=request.user)
                    messages.success(request, _("%(added)s entries added to the shortlist (%(kept)s were on it "
                                                "already).") % {"added": outcome.added, "kept": outcome.kept})
                    if outcome.ties_beyond:
                        messages.warning(request, _("Entries tied at the cut all went through: %(extra)s more than "
                                                    "asked in total.") % {"extra": sum(outcome.ties_beyond.values())})
                    return redirect(request.path)
            elif action == "add":
                add_form = ShortlistAddForm(request.POST, candidates=candidates)
                if add_form.is_valid():
                    shortlist_services.shortlist_add(
                        judging_round=judging_round, application=add_form.cleaned_data["application"],
                        user=request.user, reason=add_form.cleaned_data["reason"])
                    messages.success(request, _("Entry added to the shortlist."))
                    return redirect(request.path)
            elif action == "remove":
                row = get_object_or_404(Shortlisting, pk=_posted_id(request, "shortlisting"), round=judging_round)
                remove_form = ShortlistRemoveForm(request.POST)
                if remove_form.is_valid():
                    shortlist_services.shortlist_remove(shortlisting=row, user=request.user,
                                                        reason=remove_form.cleaned_data["reason"])
                    messages.success(request, _("Entry taken off the shortlist."))
                    return redirect(request.path)
                messages.error(request, _("Say why this entry comes off the shortlist."))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            target = add_form if action == "add" else top_form
            add_service_errors(target, error)
        status = 400
    results = result_selectors.shortlist_results(judging_round=judging_round,
                                          application_ids=[row.application_id for row in listed])
    for row in listed:
        row.result = results.get(row.application_id)
    return render(request, "judging/scoring/shortlist.html", {
        "edition": judging_round.edition, "round": judging_round, "listed": listed, "top_form": top_form,
        "add_form": add_form, "remove_form": ShortlistRemoveForm(), "can_manage": can_manage,
        "editable": judging_round.state in shortlist_services.SHORTLIST_STATES,
    }, status=status)


def _posted_id(request, name: str) -> int | None:
    """The posted id, or None (so: 404) when it is not a whole number: the lookup would raise on "abc"."""
    value = request.POST.get(name, "")
    return int(value) if value.isdecimal() and len(value) <= 18 else None
