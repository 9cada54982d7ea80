"""The Celery app of the killed-worker tests: the test worker app, plus a pause inside a job's step.

With PORTAL_TEST_PAUSE_AT=<percent> in its environment, a worker sleeps PORTAL_TEST_PAUSE_SECONDS right after a
job first reports that much progress, on the job's first attempt only: the job is provably mid-way (running,
its progress written) while the test kills the worker. The hook lives here, in the tests, wrapping the services'
own progress reports; nothing in the portal's code knows about it.
"""

import os
import time

import django

from tests.celery_worker_app import app

django.setup()  # the hook wraps the services' functions: the models must be loaded first

from judging.models import AggregationRun, AssignmentRun, AwardJob  # noqa: E402
from judging.services import aggregation, assignment_runs, award_jobs, decisions_mail  # noqa: E402

__all__ = ["app"]

PAUSE_AT = os.environ.get("PORTAL_TEST_PAUSE_AT")
PAUSE_SECONDS = float(os.environ.get("PORTAL_TEST_PAUSE_SECONDS", "120"))


def _pause(model, pk: int, percent: int) -> None:
    if PAUSE_AT is not None and percent >= int(PAUSE_AT) and model.objects.get(pk=pk).attempts == 1:
        time.sleep(PAUSE_SECONDS)


if PAUSE_AT is not None:
    assignment_report = assignment_runs._Progress.__call__
    aggregation_report = aggregation.aggregation_run_progress
    award_report = award_jobs.award_job_progress

    def _assignment(self, percent, message):
        assignment_report(self, percent, message)
        _pause(AssignmentRun, self.run_id, percent)

    def _aggregation(run, percent):
        aggregation_report(run, percent)
        _pause(AggregationRun, run.pk, percent)

    def _award(*, job, percent, message):
        award_report(job=job, percent=percent, message=message)
        _pause(AwardJob, job.pk, percent)

    assignment_runs._Progress.__call__ = _assignment
    aggregation.aggregation_run_progress = _aggregation
    award_jobs.award_job_progress = _award
    decisions_mail.MAIL_BATCH = 2  # progress after every two applicants, so the job is killed between batches
