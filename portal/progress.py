"""One progress partial for every long job (the assigner's runs, the results' computations).

The page includes `portal/_job_progress.html` with a `JobProgress`; the job's endpoint answers the same
partial, which polls itself with htmx every second until the job is finished. When it finishes, an htmx
request gets a full reload (the page shows the outcome); a plain request gets the final partial.
"""

from dataclasses import dataclass

from django.shortcuts import render
from django_htmx.http import HttpResponseClientRefresh


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


def job_progress_response(request, job: JobProgress):
    if job.finished and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "portal/_job_progress.html", {"job": job})
