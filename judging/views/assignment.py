"""The secretariat's pages for rounds and the assigner. Chair and observer read them; judges and applicants never.

Every view goes through `edition_permission_required`: `judging.view_rounds` to read,
`judging.manage_rounds` to change anything. Writes call the services only.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.access import edition_permission_required
from portal.paging import page_nav, page_rows, query_without_page, wants_all
from portal.progress import JobProgress, job_progress_response
from portal.service_errors import add_service_errors, run_service

from ..forms.assignment import (
    AssignmentAddForm,
    AssignmentMoveForm,
    AssignmentReleaseForm,
    JudgeSearchForm,
    RoundForm,
)
from ..forms.confirm import ConfirmForm
from ..models import Assignment, AssignmentRun, JudgingRound
from ..selectors import assignment as selectors
from ..selectors import design as design_selectors
from ..selectors.design import round_assignment_summary
from ..selectors.stages import round_open_summary
from ..services import assignments as assignment_services
from ..services import round_jobs
from ..services import rounds as round_services

ASSIGNMENTS_PER_PAGE = 50
SHORT_ENTRIES_SHOWN = 20
JUDGES_PER_PAGE = 50


def _round(edition, round_pk: int) -> JudgingRound:
    judging_round = get_object_or_404(JudgingRound.objects.select_related("edition", "previous_round"),
                                      pk=round_pk, edition=edition)
    judging_round.edition = edition  # the same object the permission check used
    return judging_round


def _change_summary(change: assignment_services.AssignmentChange) -> str:
    loads = "; ".join(
        _("%(judge)s %(before)s → %(after)s of %(capacity)s")
        % {"judge": load.judge.user, "before": load.before, "after": load.after, "capacity": load.capacity}
        for load in change.loads
    )
    return _("Total affinity %(change)+d (this pair: %(affinity)s). Loads: %(loads)s.") % {
        "change": change.affinity_change, "affinity": change.affinity, "loads": loads}


def _run_job(edition, judging_round: JudgingRound, run: AssignmentRun, *, can_manage: bool) -> JobProgress:
    """The assigner's run for the progress partial; a failed run offers a new run to whom may start one."""
    failed = run.state == AssignmentRun.State.FAILED
    stalled = run.is_stalled  # its worker died: never "running", and a new run may start at once
    can_retry = (failed or stalled) and can_manage and judging_round.state in round_services.CHANGEABLE_ROUND_STATES
    return JobProgress(
        dom_id="run-progress", label=_("The assigner's run"),
        url=reverse("judging:round_run_progress", args=[edition.slug, judging_round.pk, run.pk]),
        progress=run.progress, state=run.state, state_label=run.get_state_display(),
        message=_(run.message) if run.message else "", finished=run.state in selectors.FINISHED_RUN_STATES,
        error=run.error if failed else "", queued_at=run.queued_at, stalled=stalled,
        retry_url=(reverse("judging:round_run_retry", args=[edition.slug, judging_round.pk, run.pk])
                   if can_retry else ""),
    )


def _gap(run: AssignmentRun | None) -> float | None:
    if run is None or run.objective is None or run.bound is None:
        return None
    return (run.bound - run.objective) / abs(run.bound) * 100 if run.bound else 0.0


@edition_permission_required("judging.view_rounds")
def round_list(request, edition):
    return render(request, "judging/assignment/round_list.html", {
        "edition": edition,
        "rounds": selectors.edition_rounds(edition=edition),
        "can_manage": request.user.has_perm("judging.manage_rounds", edition),
    })


@dataclass(frozen=True)
class CategoryLine:
    """One category of the round as its page shows it: entries, how many lack judges, judges and panels."""

    category: object
    entries: int
    short: int
    judges: int
    assignments: int
    panels: int


@edition_permission_required("judging.view_rounds")
def round_detail(request, edition, round_pk: int):
    """The round's page. Its cost does not grow with the round: the counts and the panel check are read from the
    summaries the assignment services store (selectors/design.py), the entries counted per category on their
    index, and the lists are one page each (assignments, short entries); the judges have their own page."""
    judging_round = _round(edition, round_pk)
    active_run, last_run = selectors.round_last_runs(round=judging_round)
    categories = list(judging_round.categories.order_by("position", "name"))
    summary = round_assignment_summary(round=judging_round, categories=categories)
    listed = selectors.round_assignments(round=judging_round)
    paginator = Paginator(listed, ASSIGNMENTS_PER_PAGE)
    paginator.count = summary.rows  # counted with the summaries: no COUNT over the round's assignments
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page_rows(listed, page))  # the page's keys walked on the index, then joined
    entry_counts = design_selectors.round_entry_counts(round=judging_round)
    k = judging_round.judges_per_entry
    lines = [CategoryLine(category=category, entries=entry_counts.get(category.pk, 0),
                          short=max(0, entry_counts.get(category.pk, 0) - counted.entries_with_at_least(k)),
                          judges=counted.judges, assignments=counted.assignments, panels=len(counted.panel_sizes))
             for category, counted in summary.categories]
    short_count = sum(line.short for line in lines)
    # Entries without any assignment: every entry before the first run; afterwards only those that joined the
    # round later (screened in, a category added).
    unassigned_count = sum(max(0, line.entries - counted.entries_assigned)
                           for line, (_c, counted) in zip(lines, summary.categories, strict=True))
    short_entries = design_selectors.round_short_entry_rows(
        round=judging_round, unassigned=unassigned_count, limit=SHORT_ENTRIES_SHOWN,
        stored=[(entry, judges) for _category, counted in summary.categories for entry, judges in counted.short_entries],
    ) if short_count else []
    judge_counts = design_selectors.round_judge_counts(round=judging_round)
    can_manage = request.user.has_perm("judging.manage_rounds", edition)
    panels = summary.design
    return render(request, "judging/assignment/round_detail.html", {
        "edition": edition,
        "round": judging_round,
        "categories": categories,
        "category_lines": lines,
        "entry_count": sum(entry_counts.values()),
        "judge_count": sum(judge_counts.values()),
        "active_judge_count": judge_counts.get(True, 0),
        "active_run": active_run,
        "active_job": _run_job(edition, judging_round, active_run, can_manage=can_manage) if active_run else None,
        "last_run": last_run,
        "last_job": _run_job(edition, judging_round, last_run, can_manage=can_manage)
        if last_run is not None and last_run.state == AssignmentRun.State.FAILED and active_run is None else None,
        "gap": _gap(last_run),
        "shortfall": sorted((last_run.shortfall or {}).items()) if last_run else [],
        "page": page,
        "short_entries": short_entries,
        "short_count": short_count,
        "late_count": unassigned_count if summary.rows else 0,
        "replacement_notes": selectors.round_replacement_notes(round=judging_round),
        "split_categories": panels.split,
        "panels_connected": panels.connected,
        "panel_repair": (last_run.panels or {}) if last_run is not None and judging_round.connected_panels else {},
        "can_manage": can_manage,
        "can_change": can_manage and judging_round.state in round_services.CHANGEABLE_ROUND_STATES,
        "can_open": can_manage and judging_round.state == JudgingRound.State.ASSIGNING and active_run is None,
        "release_form": AssignmentReleaseForm(),
        "active_states": selectors.ACTIVE_STATES,
        "started_states": selectors.STARTED_STATES,
    })


@edition_permission_required("judging.view_rounds")
def round_judges(request, edition, round_pk: int):
    """The edition's judges with their load in this round: a page of them, searched by name or address, the
    whole list one click away ("Show all")."""
    judging_round = _round(edition, round_pk)
    search = JudgeSearchForm(request.GET or None)
    judges = selectors.round_judges(round=judging_round)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    if query:
        judges = judges.filter(Q(user__email__icontains=query) | Q(user__name__icontains=query))
    page = None
    if wants_all(request.GET):
        rows = list(judges)
    else:
        page = Paginator(judges, JUDGES_PER_PAGE).get_page(request.GET.get("page"))
        rows = list(page_rows(judges, page))
    return render(request, "judging/assignment/round_judges.html", {
        "edition": edition, "round": judging_round, "search": search, "query": query, "judges": rows,
        "page_nav": page_nav(page, request.GET) if page is not None else None,
        "whole_url": "?" + query_without_page(request.GET),
    })


@edition_permission_required("judging.manage_rounds")
def round_create(request, edition):
    """A new round, from the secretariat's form; the services check what the form cannot."""
    next_position = (JudgingRound.objects.filter(edition=edition).aggregate(last=Max("position"))["last"] or 0) + 1
    form = RoundForm(request.POST or None, edition=edition,
                     initial={"position": next_position, "judges_per_entry": 3, "reminder_hours": [72, 24],
                              "source": JudgingRound.Source.ELIGIBLE})
    if request.method == "POST" and form.is_valid():
        try:
            judging_round = round_services.round_create(edition=edition, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Round “%(round)s” created.") % {"round": judging_round.name})
            return redirect("judging:round_detail", slug=edition.slug, round_pk=judging_round.pk)
    return render(request, "judging/assignment/round_form.html", {
        "edition": edition, "form": form, "round": None,
    }, status=400 if form.is_bound else 200)


@edition_permission_required("judging.manage_rounds")
def round_edit(request, edition, round_pk: int):
    judging_round = _round(edition, round_pk)
    form = RoundForm(request.POST or None, edition=edition, round=judging_round,
                     initial=RoundForm.initial_for(judging_round))
    if request.method == "POST" and form.is_valid():
        changed = set(form.changed_data)  # an untouched deadline keeps its seconds
        try:
            round_services.round_update(round=judging_round, user=request.user,
                                  data={name: form.cleaned_data[name] for name in changed})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Round settings saved.") if changed else _("Nothing was changed."))
            return redirect("judging:round_detail", slug=edition.slug, round_pk=judging_round.pk)
    return render(request, "judging/assignment/round_form.html", {
        "edition": edition, "form": form, "round": judging_round,
        "locked": judging_round.state not in round_services.CHANGEABLE_ROUND_STATES,
    }, status=400 if form.is_bound else 200)


@require_POST
@edition_permission_required("judging.manage_rounds")
def round_run(request, edition, round_pk: int):
    judging_round = _round(edition, round_pk)
    run_service(request, lambda: round_jobs.assignment_run_create(round=judging_round, user=request.user),
                success=_("The assigner's run is queued: it starts when a worker is free. "
                          "This page shows its progress."))
    return redirect("judging:round_detail", slug=edition.slug, round_pk=judging_round.pk)


@require_POST
@edition_permission_required("judging.manage_rounds")
def round_run_retry(request, edition, round_pk: int, run_pk: int):
    """A failed run's "Try again": a new run of the assigner, queued."""
    run = get_object_or_404(AssignmentRun.objects.select_related("round"), pk=run_pk, round__pk=round_pk,
                            round__edition=edition)
    run_service(request, lambda: round_jobs.assignment_run_retry(run=run, user=request.user),
                success=_("A new run of the assigner is queued: it starts when a worker is free."))
    return redirect("judging:round_detail", slug=edition.slug, round_pk=round_pk)


@require_GET
@edition_permission_required("judging.view_rounds")
def round_run_progress(request, edition, round_pk: int, run_pk: int):
    """The run's progress partial, polled by itself while the run goes on."""
    run = get_object_or_404(AssignmentRun.objects.select_related("round"), pk=run_pk, round__pk=round_pk,
                            round__edition=edition)
    return job_progress_response(request, _run_job(edition, run.round, run, can_manage=request.user.has_perm(
        "judging.manage_rounds", edition)))


@require_http_methods(["GET", "POST"])
@edition_permission_required("judging.manage_rounds")
def round_open(request, edition, round_pk: int):
    """Open the round for scoring: a page that says what happens (who is e-mailed, how many assignments), then
    the POST with the confirmation box. Without the box nothing changes."""
    judging_round = _round(edition, round_pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None,
                       label=_("Yes, open the round and e-mail the judges"))
    if request.method == "POST" and form.is_valid():
        if run_service(request, lambda: round_services.round_open(round=judging_round, user=request.user),
                       success=_("The round is open for scoring. Each judge is e-mailed their entries.")):
            return redirect("judging:round_detail", slug=edition.slug, round_pk=judging_round.pk)
        return redirect("judging:round_open", slug=edition.slug, round_pk=judging_round.pk)
    active_run, _last = selectors.round_last_runs(round=judging_round)
    return render(request, "judging/assignment/round_open.html", {
        "edition": edition, "round": judging_round, "form": form,
        "summary": round_open_summary(judging_round=judging_round),
        "can_open": judging_round.state == JudgingRound.State.ASSIGNING and active_run is None,
    }, status=400 if form.is_bound else 200)


@edition_permission_required("judging.manage_rounds")
def assignment_add(request, edition, round_pk: int):
    judging_round = _round(edition, round_pk)
    form = AssignmentAddForm(request.POST or None, round=judging_round,
                             initial={"application": request.GET.get("application")})
    preview = None
    if request.method == "POST" and form.is_valid():
        judge, application = form.cleaned_data["judge"], form.cleaned_data["application"]
        if request.POST.get("action") == "preview":
            preview = assignment_services.manual_change_check(round=judging_round, judge=judge, application=application)
        else:
            try:
                change = assignment_services.assignment_add_manual(round=judging_round, judge=judge, application=application,
                                                        user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("“%(entry)s” is now assigned to %(judge)s. %(effect)s") % {
                    "entry": application, "judge": judge.user, "effect": _change_summary(change)})
                return redirect("judging:round_detail", slug=edition.slug, round_pk=judging_round.pk)
    return render(request, "judging/assignment/assignment_add.html", {
        "edition": edition, "round": judging_round, "form": form, "preview": preview,
        "preview_summary": _change_summary(preview) if preview else "",
    })


@edition_permission_required("judging.manage_rounds")
def assignment_move(request, edition, round_pk: int, pk: int):
    judging_round = _round(edition, round_pk)
    assignment = get_object_or_404(
        Assignment.objects.select_related("judge__user", "application__organisation", "application__category"),
        pk=pk, round=judging_round,
    )
    form = AssignmentMoveForm(request.POST or None, round=judging_round, exclude_judge_id=assignment.judge_id)
    preview = None
    if request.method == "POST" and form.is_valid():
        to_judge = form.cleaned_data["to_judge"]
        if request.POST.get("action") == "preview":
            preview = assignment_services.manual_change_check(round=judging_round, judge=to_judge,
                                                   application=assignment.application, moving=assignment)
        else:
            try:
                change = assignment_services.assignment_move(assignment=assignment, to_judge=to_judge, user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("“%(entry)s” moved from %(old)s to %(new)s. %(effect)s") % {
                    "entry": assignment.application, "old": assignment.judge.user, "new": to_judge.user,
                    "effect": _change_summary(change)})
                return redirect("judging:round_detail", slug=edition.slug, round_pk=judging_round.pk)
    return render(request, "judging/assignment/assignment_move.html", {
        "edition": edition, "round": judging_round, "assignment": assignment, "form": form, "preview": preview,
        "preview_summary": _change_summary(preview) if preview else "",
    })


@require_POST
@edition_permission_required("judging.manage_rounds")
def assignment_release(request, edition, round_pk: int, pk: int):
    judging_round = _round(edition, round_pk)
    assignment = get_object_or_404(Assignment.objects.select_related("judge__user", "application"), pk=pk,
                                   round=judging_round)
    form = AssignmentReleaseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run_service(request, lambda: assignment_services.assignment_release(assignment=assignment, user=request.user, reason=reason),
                success=_("%(judge)s no longer judges “%(entry)s”.") % {
                    "judge": assignment.judge.user, "entry": assignment.application})
    return redirect(f"{reverse('judging:round_detail', args=[edition.slug, judging_round.pk])}#assignments")
