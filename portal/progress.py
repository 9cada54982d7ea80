"""One progress partial for every long job (the assigner's runs, the results' computations, the awards jobs).

The page includes `portal/_job_progress.html` with a `JobProgress`; the job's endpoint answers the same
partial, which polls itself with htmx every second until the job is finished. When it finishes, an htmx
request gets a full reload (the page shows the outcome); a plain request gets the final partial.

What the partial says follows the job's stored state only: queued (with how long it has waited: a job no
worker takes, because the broker or the workers are down, stays queued and says so), running with its
progress, done, or failed with its error and a "Try again" button for whom may start it again. A running job
whose worker gave no sign of life for PORTAL_JOB_STALL_SECONDS (`stalled`, judging/models/jobs.py) never says
"running": it says its worker stopped, that it is restarted or failed within minutes, and offers "Try again".
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRefresh

# A job still queued after this long has most likely no worker to take it: the partial says so.
QUEUED_TOO_LONG = timedelta(minutes=5)

PENDING, RUNNING = "pending", "running"


@dataclass(frozen=True)
class JobProgress:
    dom_id: str  # the <progress> element's id; the partial's wrapper is "<dom_id>-job"
    url: str  # the job's progress endpoint, polled while the job runs
    label: str
    progress: int  # percent
    state: str
    state_label: str
    message: str = ""
    finished: bool = False
    error: str = ""  # the failure, shown when the job failed
    retry_url: str = ""  # where a POST starts the job again, when the page offers it
    queued_at: datetime | None = None  # when the job was queued, for "queued for 7 minutes"
    stalled: bool = False  # running, but its worker gave no sign of life for too long

    @property
    def shown_state(self) -> str:
        return "stalled" if self.stalled else self.state

    @property
    def status(self) -> str:
        """The one line the partial says about the job; never "running" unless the job is running."""
        if self.state == PENDING:
            return _("Queued: waiting for a worker to start it.")
        if self.stalled:
            return _("Stopped at %(progress)s%%: its worker has given no sign of life for minutes. It is sent to a "
                     "worker again, or marked failed, within a few minutes.") % {"progress": self.progress}
        if self.state == RUNNING and self.message:
            return _("Running: %(step)s (%(progress)s%%)") % {"step": self.message, "progress": self.progress}
        if self.state == RUNNING:
            return _("Running (%(progress)s%%)") % {"progress": self.progress}
        return self.state_label  # done, failed, or a job kind's own end (the assigner's "no feasible assignment")

    @property
    def queued_minutes(self) -> int | None:
        if self.state != PENDING or self.queued_at is None:
            return None
        return max(0, int((timezone.now() - self.queued_at).total_seconds() // 60))

    @property
    def queued_too_long(self) -> bool:
        queued = self.state == PENDING and self.queued_at is not None
        return queued and timezone.now() - self.queued_at > QUEUED_TOO_LONG


def job_progress_response(request, job: JobProgress):
    if job.finished and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "portal/_job_progress.html", {"job": job})
