"""The ceremony material of an edition: the awards jobs (decision e-mails, certificates) and the exports.

The chair and the secretariat start the jobs; the observer and the committee members read the page
and download the material. All scores and reviews go to the committee and the observer only, never
to a judge. Judges and applicants never open these pages.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from portal.access import edition_permission_required
from portal.models import Edition
from portal.progress import JobProgress, job_progress_response
from portal.service_errors import run_service
from submissions import exports as writers

from ..models import AwardJob
from ..selectors import ceremony as selectors
from ..services import award_exports, award_jobs, ceremony_jobs

Kind = AwardJob.Kind

REFUSAL_READ = _lazy("Only the secretariat, the chair, the committee members and the observers open this page.")
REFUSAL_RUN = _lazy("Only the chair and the secretariat start these jobs.")
REFUSAL_SCORES = _lazy("All scores and reviews are for the committee and the observers; judges never read them.")


def _job_progress(request, edition: Edition, job: AwardJob) -> JobProgress:
    """A job for the shared progress partial; a failed one offers a retry to those who may start jobs."""
    failed = job.state == AwardJob.State.FAILED
    stalled = job.is_stalled  # its worker died: never "running", and it may be tried again at once
    can_retry = (failed or stalled) and request.user.has_perm("judging.run_award_jobs", edition)
    return JobProgress(
        dom_id=f"award-job-{job.pk}", label=job.get_kind_display(),
        url=reverse("judging:award_job_progress", args=[edition.slug, job.pk]),
        progress=job.progress, state=job.state, state_label=job.get_state_display(),
        message=_(job.message) if job.message else "",
        finished=job.state in (AwardJob.State.SUCCEEDED, AwardJob.State.FAILED),
        error=job.error if failed else "", queued_at=job.queued_at, stalled=stalled,
        retry_url=reverse("judging:award_job_retry", args=[edition.slug, job.pk]) if can_retry else "",
    )


@edition_permission_required("judging.view_award_jobs", refusal=REFUSAL_READ)
def award_jobs_page(request, edition: Edition):
    jobs = list(selectors.award_jobs(edition=edition)[:20])
    counts = selectors.decision_notice_counts(edition=edition)
    awardees = selectors.awardee_decisions(edition=edition).count()
    return render(request, "judging/awards/jobs.html", {
        "edition": edition,
        "jobs": [(job, _job_progress(request, edition, job)) for job in jobs],
        "active": any(job.state in award_jobs.ACTIVE_STATES for job in jobs),
        "counts": counts,
        "to_send": counts["applicants"] - counts["sent"],
        "awardees": awardees,
        "can_run": request.user.has_perm("judging.run_award_jobs", edition),
        "can_export_scores": request.user.has_perm("judging.export_scores", edition),
        "notify_ready": edition.state in award_jobs.READY_STATES[Kind.NOTIFY],
        "certificates_ready": edition.state in award_jobs.READY_STATES[Kind.CERTIFICATES],
    })


@edition_permission_required("judging.run_award_jobs", refusal=REFUSAL_RUN)
@require_POST
def award_job_start(request, edition: Edition, kind: str):
    if kind not in Kind.values:
        raise Http404
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm, then start the job."))
    else:
        success = (_("The decision e-mails are queued: they are sent once a worker starts the job.")
                   if kind == Kind.NOTIFY else
                   _("The certificates are queued: they are drawn once a worker starts the job."))
        run_service(request, lambda: ceremony_jobs.award_job_start(edition=edition, kind=kind, user=request.user),
                    success=success)
    return redirect("judging:award_jobs", edition.slug)


def _job(edition: Edition, job_id: int) -> AwardJob:
    return get_object_or_404(AwardJob, pk=job_id, edition=edition)


@edition_permission_required("judging.run_award_jobs", refusal=REFUSAL_RUN)
@require_POST
def award_job_retry(request, edition: Edition, job_id: int):
    job = _job(edition, job_id)
    run_service(request, lambda: ceremony_jobs.award_job_retry(job=job, user=request.user),
                success=_("The job is queued again; what was already done is not done twice."))
    return redirect("judging:award_jobs", edition.slug)


@edition_permission_required("judging.view_award_jobs", refusal=REFUSAL_READ)
def award_job_progress(request, edition: Edition, job_id: int):
    return job_progress_response(request, _job_progress(request, edition, _job(edition, job_id)))


@edition_permission_required("judging.view_award_jobs", refusal=REFUSAL_READ)
def award_job_download(request, edition: Edition, job_id: int):
    """The certificates' zip, streamed from private storage."""
    job = _job(edition, job_id)
    if job.kind != Kind.CERTIFICATES or job.state != AwardJob.State.SUCCEEDED or not job.result:
        raise Http404
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=f"{edition.slug}-certificates.zip",
                        content_type="application/zip")


# --- exports --------------------------------------------------------------------------------------------------


def _filename(edition: Edition, what: str, extension: str) -> str:
    return f"{edition.slug}-{what}-{timezone.localdate(timezone=edition.tz):%Y%m%d}.{extension}"


def _in_language(lines, language: str):
    # A streamed body is produced after the view has returned; keep the request's language for its labels.
    with translation.override(language):
        yield from lines


def _export(request, edition: Edition, *, what: str, title: str, header: list[str], rows):
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(writers.xlsx_bytes(header, rows, title=title), content_type=writers.XLSX_CONTENT_TYPE)
        extension = "xlsx"
    else:
        response = StreamingHttpResponse(_in_language(writers.csv_lines(header, rows), translation.get_language()),
                                         content_type="text/csv; charset=utf-8")
        extension = "csv"
    response["Content-Disposition"] = f'attachment; filename="{_filename(edition, what, extension)}"'
    return response


@edition_permission_required("judging.export_results", refusal=REFUSAL_READ)
def awards_export_results(request, edition: Edition):
    """Per category and tier the awarded entries, then the edition's awards and mentions with their citations."""
    decisions = selectors.award_decisions(edition=edition).iterator(chunk_size=500)
    return _export(request, edition, what="results", title=_("Results"),
                   header=award_exports.results_header(edition=edition), rows=award_exports.results_rows(decisions))


@edition_permission_required("judging.export_scores", refusal=REFUSAL_SCORES)
def awards_export_scores(request, edition: Edition):
    """Every review of every round: judge, criterion scores, total, comments."""
    criteria = award_exports.score_criteria(edition=edition)
    reviews = selectors.edition_reviews(edition=edition).iterator(chunk_size=500)
    return _export(request, edition, what="scores", title=_("Scores and reviews"),
                   header=award_exports.scores_header(edition=edition, criteria=criteria),
                   rows=award_exports.scores_rows(reviews, edition=edition, criteria=criteria))
