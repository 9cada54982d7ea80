"""The chair's and the secretariat's buttons for the awards jobs: start one, retry a failed (or stalled) one; and
`award_job_stalled`, which the sweep of stalled jobs (job_sweep.py) calls for a job whose worker died.

Each enqueues `judging.award_job_run` once its transaction commits. They live apart from the job's
state machine (award_jobs.py), which the task calls, so that this module imports the task at module
level and the task imports the services it calls, without a circle (as round_jobs.py does).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Edition, User
from portal.services import audit_log

from ..models import AwardJob
from ..tasks.awards import award_job_run
from .award_jobs import (
    ACTIVE_STATES,
    MESSAGE_FAILED,
    MESSAGE_WAITING,
    award_job_lost_message,
    award_job_move,
    ensure_job_ready,
)
from .stalled_jobs import out_of_attempts

JobState = AwardJob.State
Kind = AwardJob.Kind


@transaction.atomic
def award_job_start(*, edition: Edition, kind: str, user: User | None) -> AwardJob:
    """Start a job of `kind` for the edition; its task runs once this transaction commits.

    Refused while a job of the same kind is waiting or running, and before the edition is ready:
    decision e-mails once it is published, certificates once it is finalised.
    """
    if kind not in Kind.values:
        raise ValidationError(_("Unknown job."), code="kind")
    edition = Edition.objects.select_for_update().get(pk=edition.pk)  # two clicks at once start one job
    ensure_job_ready(edition, kind)
    if AwardJob.objects.filter(edition=edition, kind=kind, state__in=ACTIVE_STATES).exists():
        raise ValidationError(_("This job is already running."), code="running")
    job = AwardJob(edition=edition, kind=kind, created_by=user if user and user.is_authenticated else None,
                   message=MESSAGE_WAITING)
    job.full_clean(exclude=["created_by", "result"])
    job.save()
    audit_log(actor=user, action="award.job_started", target=edition, edition=edition,
              after={"job": job.pk, "kind": kind})
    award_job_run.delay_on_commit(run_id=job.pk)
    return job


@transaction.atomic
def award_job_retry(*, job: AwardJob, user: User | None) -> AwardJob:
    """failed (or stalled: its worker gave no sign of life) → pending, and the task again: the e-mails already
    sent are not sent again. The job's times start again: queued now, not yet started, not finished."""
    job = AwardJob.objects.select_for_update().select_related("edition").get(pk=job.pk)
    before = {"job": job.pk, "state": job.state, "queued_at": job.queued_at.isoformat()}
    if job.is_stalled:  # the page offers "Try again" at once; the stalled attempt ends failed, as the sweep would
        award_job_move(job, JobState.FAILED, message=MESSAGE_FAILED,
                       error=_("Its worker stopped giving signs of life; tried again."))
    if job.state != JobState.FAILED:
        raise ValidationError(_("Only a failed job can be tried again."), code="state")
    ensure_job_ready(job.edition, job.kind)
    if AwardJob.objects.filter(edition=job.edition, kind=job.kind, state__in=ACTIVE_STATES).alive(
            ACTIVE_STATES).exists():
        raise ValidationError(_("This job is already running."), code="running")
    award_job_move(job, JobState.PENDING, progress=0, message=MESSAGE_WAITING, error="", finished_at=None,
                   queued_at=timezone.now(), started_at=None, heartbeat_at=None, attempts=0, delivery="")
    audit_log(actor=user, action="award.job_retried", target=job.edition, edition=job.edition, before=before,
              after={"job": job.pk, "kind": job.kind, "queued_at": job.queued_at.isoformat()})
    award_job_run.delay_on_commit(run_id=job.pk)
    return job


@transaction.atomic
def award_job_stalled(*, run_id: int) -> str | None:
    """The sweep found the job stalled: send it again, or fail it when it has no attempt left. Returns
    "requeued", "failed", or None when it is not stalled any more."""
    job = AwardJob.objects.select_for_update().select_related("edition").filter(pk=run_id).first()
    if job is None or not job.is_stalled:
        return None
    before = {"job": job.pk, "state": job.state, "attempts": job.attempts, "heartbeat_at": str(job.last_sign)}
    if out_of_attempts(job):
        award_job_move(job, JobState.FAILED, error=award_job_lost_message(job), message=MESSAGE_FAILED)
        outcome = "failed"
    else:
        award_job_move(job, JobState.PENDING, message=MESSAGE_WAITING, queued_at=timezone.now(), delivery="")
        award_job_run.delay_on_commit(run_id=job.pk)
        outcome = "requeued"
    audit_log(actor=None, action="award.job_stalled", target=job.edition, edition=job.edition, before=before,
              after={"job": job.pk, "kind": job.kind, "state": job.state, "outcome": outcome})
    return outcome
