"""The judge's workbench: the queue, one entry beside its scoring form, drafts, submission, conflicts, files.

Views parse input, call one service per change and show the result; the services decide
what is allowed (only the assigned judge, only while the round is open and before its
deadline, never after finalisation). A judge reaches only their own assignments: any other
id gets a 403 page that shows nothing of the entry, and no page here shows another judge's
scores. The committee's pages live in results.py and scoring_committee.py, the applicant's in
scoring_feedback.py; every URL is listed in judging/urls.py.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from portal.access import edition_permission_required
from portal.concurrency import EditedMeanwhile
from portal.filter_fields import filter_fields
from portal.paging import page_nav, query_without_page, wants_all
from portal.service_errors import add_service_errors
from submissions.models import Attachment

from ..forms.queue import QueueFilterForm
from ..forms.scoring import ConflictForm, ReviewForm
from ..models import Assignment, Review
from ..selectors import queue as queue_selectors
from ..selectors import scoring as selectors
from ..services import conflicts as conflict_services
from ..services import rubrics as rubric_services
from ..services import scoring as services
from .loaders import load_review_assignment

NOT_JUDGING = _lazy("Only the judges and the committee of this edition can open its scoring pages.")
NO_QUEUE = _lazy("Only the judges of this edition have a queue here.")
REVIEW_PERM = "judging.review_assignment"
NOT_YOURS = _lazy("This entry is not assigned to you, or no longer is.")


def review_permission_required(view=None, **options):
    """The judge's own assignment: `edition_permission_required` on the assignment of the URL's pk."""
    decorator = edition_permission_required(REVIEW_PERM, load=load_review_assignment, refusal=NOT_YOURS, **options)
    return decorator(view) if view is not None else decorator


# --- helpers -------------------------------------------------------------------------------------------


def _queue_url(assignment: Assignment) -> str:
    return reverse("judging:scoring_workbench", args=[assignment.round.edition.slug, assignment.round_id])


def _next_in_queue(assignment: Assignment) -> Assignment | None:
    """The first entry of the judge's queue still to be submitted, other than this one."""
    return (
        Assignment.objects.filter(round_id=assignment.round_id, judge_id=assignment.judge_id,
                                  state__in=Assignment.OPEN_STATES)
        .exclude(pk=assignment.pk)
        .order_by("queue_position", "id")
        .first()
    )


def _saved_differences(form: ReviewForm, review: Review | None) -> list[tuple[str, str]]:
    """(field label, what is saved) for each field where the judge's input differs from the saved review."""
    if review is None:
        return []
    saved = ReviewForm.initial_from(review)
    differences = []
    for name, field in form.fields.items():
        if name == "version" or name not in form.data:
            continue
        typed, stored = str(form.data.get(name) or "").strip(), saved.get(name)
        stored_text = "" if stored is None else str(stored)
        if typed != stored_text.strip():
            differences.append((field.label, stored_text or _("(empty)")))
    return differences


def _review_page(request, assignment: Assignment, *, form: ReviewForm | None = None, status: int = 200,
                 stale: bool = False):
    judging_round = assignment.round
    edition = judging_round.edition
    rubric = rubric_services.rubric_for_application(assignment.application)
    criteria = list(rubric.criteria.all()) if rubric else []
    review = selectors.own_review(assignment)
    if form is None:
        form = ReviewForm(criteria=criteria, review=review)
    refusal = services.scoring_refusal(assignment=assignment, user=request.user)
    snapshot = selectors.latest_snapshot(application=assignment.application)
    content = selectors.entry_for_judge(application=assignment.application, judging_round=judging_round,
                                        snapshot=snapshot)
    for attachment in content["attachments"]:
        attachment["url"] = reverse("judging:scoring_attachment", args=[assignment.pk, attachment["number"]])
    return render(request, "judging/scoring/review.html", {
        "assignment": assignment,
        "round": judging_round,
        "edition": edition,
        "rubric": rubric,
        "review": review,
        "form": form,
        "content": content,
        "title": content["title"] or selectors.entry_title(application=assignment.application,
                                                           judging_round=judging_round),
        "refusal": refusal.messages[0] if refusal else "",
        "can_score": refusal is None and bool(criteria),
        "submitted": review is not None and review.state == Review.State.SUBMITTED,
        "conflict_form": ConflictForm(),
        "saved_differences": _saved_differences(form, review) if stale else [],
        "queue_url": _queue_url(assignment),
        "now": timezone.now(),
    }, status=status)


# --- the queue ----------------------------------------------------------------------------------------------


@edition_permission_required("portal.view_edition_workspace", refusal=NOT_JUDGING)
def scoring_home(request, edition):
    """Where a judge finds their rounds, and the committee the rounds' results."""
    judge = selectors.judge_profile(user=request.user, edition=edition)
    committee_rounds = []
    for judging_round in selectors.committee_rounds(edition=edition):
        judging_round.edition = edition
        if request.user.has_perm("judging.view_round", judging_round):
            committee_rounds.append(judging_round)
    if judge is None and not committee_rounds:
        raise PermissionDenied(NOT_JUDGING)
    for judging_round in committee_rounds:
        judging_round.can_see_results = request.user.has_perm("judging.view_results", judging_round)
    return render(request, "judging/scoring/home.html", {
        "edition": edition,
        "judge_rounds": list(selectors.judge_rounds(judge=judge)) if judge else [],
        "committee_rounds": committee_rounds,
        "is_judge": judge is not None and judge.active,
    })


@edition_permission_required("portal.judge_edition", refusal=NO_QUEUE)
def workbench(request, edition, round_id: int):
    """The judge's queue for one round: their own entries, in their own fixed order, with progress; searchable by
    title or number and filtered by the state of the review and by category (GET, so a filtered queue has a URL)."""
    judging_round = selectors.round_for_edition(edition=edition, pk=round_id)
    judge = selectors.judge_profile(user=request.user, edition=edition)
    if judging_round is None or judge is None:
        raise PermissionDenied(NO_QUEUE)
    summary = queue_selectors.queue_summary(judge=judge, judging_round=judging_round)
    progress = summary.progress
    state_labels = {"submitted": _("Done"), "in_progress": _("In progress"), "assigned": _("To do")}
    filters = QueueFilterForm(request.GET or None, categories=summary.categories)
    wanted = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    show_all = wants_all(request.GET)
    queue, page, matching = queue_selectors.queue_page(
        judge=judge, judging_round=judging_round, summary=summary, state_filter=wanted.get("state") or "",
        category=wanted.get("category") or "", query=wanted.get("q") or "", page=request.GET.get("page"),
        show_all=show_all)
    # Plain tuples unpacked by the template's loop. The number is the row's place in the whole queue, so a filtered
    # list and every page keep the numbers the judge knows.
    rows = [(row.number, row.url, row.title, row.category, row.state, state_labels.get(row.state, ""))
            for row in queue]
    return render(request, "judging/scoring/workbench.html", {
        "edition": edition,
        "round": judging_round,
        "queue": queue,
        "rows": rows,
        "matching": matching,
        "filters": filters,
        "filter_fields": filter_fields(filters),
        "filtered": filters.active,
        "page_nav": page_nav(page, request.GET) if page is not None else None,
        "show_all": show_all,
        "whole_url": "?" + query_without_page(request.GET),
        "progress": progress,
        "percent_done": round(100 * progress.done / progress.total) if progress.total else 0,
        "open": judging_round.state == judging_round.State.OPEN and timezone.now() < judging_round.deadline,
        "now": timezone.now(),
    })


# --- one entry ------------------------------------------------------------------------------------------------


@review_permission_required
@require_http_methods(["GET", "POST"])
def review(request, assignment: Assignment):
    if request.method != "POST":
        return _review_page(request, assignment)

    # The rubric the form is built from goes to the service with the assignment (read once per request); a bound
    # form needs no saved review (the service reads it under the row lock).
    rubric = rubric_services.rubric_for_application(assignment.application)
    criteria = list(rubric.criteria.all()) if rubric else []
    form = ReviewForm(request.POST, criteria=criteria)
    if not form.is_valid():
        return _review_page(request, assignment, form=form, status=400)
    submitting = request.POST.get("action") == "submit"
    try:
        saved = services.review_save(assignment=assignment, user=request.user, data=form.review_input(),
                                     submit=submitting, rubric=rubric)
    except EditedMeanwhile as stale:
        # Another tab saved first: the judge's input stays on the page, now over the saved version.
        form = form.reloaded_at(stale.current_version)
        form.add_error(None, stale)
        return _review_page(request, selectors.review_assignment(pk=assignment.pk), form=form, status=409, stale=True)
    except ValidationError as error:
        add_service_errors(form, error)
        return _review_page(request, selectors.review_assignment(pk=assignment.pk), form=form, status=400)

    if saved.outcome == "unchanged":
        messages.info(request, _("Your review already held exactly this (saved from another tab or by a second "
                                 "click): nothing was changed, and no second receipt is sent.")
                      if saved.state == Review.State.SUBMITTED else
                      _("Your draft already held exactly this: nothing was changed."))
        return redirect("judging:scoring_review", pk=assignment.pk)
    if saved.outcome == "updated":
        messages.success(request, _("Your submitted review is updated. You can change it until the round closes."))
        return redirect("judging:scoring_review", pk=assignment.pk)
    if saved.outcome == "draft":
        messages.success(request, _("Draft saved."))
        return redirect("judging:scoring_review", pk=assignment.pk)
    messages.success(request, _("Review submitted. You can still change it until the round closes."))
    following = _next_in_queue(assignment)
    if following is not None:
        return redirect("judging:scoring_review", pk=following.pk)
    return redirect(_queue_url(assignment))


def _autosave_needs_mfa(request) -> JsonResponse:
    return JsonResponse({"saved_at": None, "errors": {"__all__": [_("Set up two-factor authentication.")]}},
                        status=403)


@review_permission_required(mfa_refusal=_autosave_needs_mfa)
@require_POST
def review_autosave(request, assignment: Assignment):
    """Save the draft from the page's script; answers JSON {saved_at, errors, state}."""
    rubric = rubric_services.rubric_for_application(assignment.application)
    criteria = list(rubric.criteria.all()) if rubric else []
    form = ReviewForm(request.POST, criteria=criteria)
    form.is_valid()
    try:
        saved = services.review_save_draft(assignment=assignment, user=request.user, data=form.review_input(),
                                           rubric=rubric)
    except EditedMeanwhile as stale:
        # Nothing saved: the page's button shows the judge both versions to compare (review above).
        return JsonResponse({"saved_at": None, "errors": {"__all__": [stale.messages[0]]}, "stale": True}, status=409)
    except ValidationError as error:
        add_service_errors(form, error)
        errors = {field: [str(m) for m in field_errors] for field, field_errors in form.errors.items()}
        return JsonResponse({"saved_at": None, "errors": errors}, status=400)
    errors = {field: [str(m) for m in field_errors] for field, field_errors in form.errors.items()}
    return JsonResponse({
        "saved_at": timezone.now().isoformat(),
        "errors": errors,  # fields that could not be read kept their stored value
        "state": saved.state,
        "complete": saved.weighted_total is not None,
        "version": saved.version,  # the page saves over this one next
    })


@review_permission_required
@require_POST
def review_conflict(request, assignment: Assignment):
    """One button with a reason: the assignment engineer's service records it and finds a replacement."""
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you have a conflict of interest with this entry."))
        return redirect("judging:scoring_review", pk=assignment.pk)
    try:
        conflict_services.assignment_declare_conflict(assignment=assignment, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("judging:scoring_review", pk=assignment.pk)
    messages.success(request, _("Conflict declared. The entry has left your queue; the secretariat is told and "
                                "another judge takes it over."))
    return redirect(_queue_url(assignment))


def _serves_signed_urls(storage) -> bool:
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage)


@review_permission_required
def review_attachment(request, assignment: Assignment, number: int):
    """An attachment of the submitted snapshot, for the assigned judge; neutral file name in a blind round."""
    snapshot = selectors.latest_snapshot(application=assignment.application)
    listed = (snapshot.data.get("attachments") or []) if snapshot else []
    if not 1 <= number <= len(listed):
        raise Http404
    attachment = get_object_or_404(Attachment, pk=listed[number - 1].get("id"), application=assignment.application)
    name = selectors.attachment_download_name(number=number, name=attachment.original_name,
                                              content_type=attachment.content_type, blind=assignment.round.blind)
    storage = attachment.file.storage
    if _serves_signed_urls(storage):
        return redirect(storage.url(attachment.file.name, parameters={
            "ResponseContentDisposition": content_disposition_header(True, name),
            "ResponseContentType": attachment.content_type,
        }))
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
