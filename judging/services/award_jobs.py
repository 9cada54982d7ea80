"""The awards jobs (decision e-mails, certificates) as a worker carries them out: one state machine.

An AwardJob's state moves only through `award_job_move`, checked against `AWARD_JOB_TRANSITIONS`
in the same UPDATE that writes it: pending → running → succeeded | failed, and failed → pending
when someone retries. The buttons that start and retry a job live in ceremony_jobs.py (they
enqueue the task, which calls this module: apart, neither imports the other in a circle). The
task `judging.award_job_run` calls `award_job_execute`; PortalTask calls `award_job_fail` when
the task gives up (its `fails_run`). The work itself lives in decisions_mail.py (the e-mails,
each sent once) and award_certificates.py (the PDFs and their zip), which report progress
through the callback they are given. A worker killed under a job: the broker's redelivery of the same message,
or the sweep of stalled jobs (`award_job_stalled` in ceremony_jobs.py), runs it again; what was done stays done
(each e-mail is claimed before it is sent, the certificates are drawn again whole).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.models import Edition, EditionRole

from ..models import AwardJob
from .award_certificates import certificates_build
from .decisions_mail import decisions_send
from .stalled_jobs import DUPLICATE, TAKE_OVER, claim_kind, out_of_attempts, taken_fields

JobState = AwardJob.State
Kind = AwardJob.Kind

# Every move a job's state may make. A running job may be claimed again (its worker died and the message
# came back: the e-mails already sent stay sent); a running job goes back to pending when it is sent to a worker
# again (its worker stalled, or a passing error retries it); a failed job goes back to pending when retried.
AWARD_JOB_TRANSITIONS: dict[str, frozenset[str]] = {
    JobState.PENDING: frozenset({JobState.RUNNING, JobState.FAILED}),
    JobState.RUNNING: frozenset({JobState.RUNNING, JobState.PENDING, JobState.SUCCEEDED, JobState.FAILED}),
    JobState.FAILED: frozenset({JobState.PENDING}),
    JobState.SUCCEEDED: frozenset(),
}
ACTIVE_STATES = (JobState.PENDING, JobState.RUNNING)

# The edition states in which a kind of job may start.
READY_STATES: dict[str, tuple[str, ...]] = {
    Kind.NOTIFY: (Edition.State.PUBLISHED,),
    Kind.CERTIFICATES: (Edition.State.FINALISED, Edition.State.PUBLISHED),
}

MESSAGE_WAITING = gettext_noop("Waiting for a worker")
MESSAGE_STARTING = gettext_noop("Starting")
MESSAGE_DONE = gettext_noop("Done")
MESSAGE_FAILED = gettext_noop("Failed")


def award_job_move(job: AwardJob, to: str, **fields) -> bool:
    """The one writer of a job's state; False (and nothing written) when the stored state forbids the move."""
    sources = [state for state, targets in AWARD_JOB_TRANSITIONS.items() if to in targets]
    if to in (JobState.SUCCEEDED, JobState.FAILED):
        fields.setdefault("finished_at", timezone.now())
    moved = AwardJob.objects.filter(pk=job.pk, state__in=sources).update(state=to, **fields)
    if moved:
        for name, value in {"state": to, **fields}.items():
            setattr(job, name, value)
    return bool(moved)


def award_job_progress(*, job: AwardJob, percent: int, message: str) -> None:
    """Record how far a running job is; each write commits at once, so the page sees it."""
    job.progress, job.message = max(0, min(100, int(percent))), message[:200]
    AwardJob.objects.filter(pk=job.pk, state=JobState.RUNNING).update(progress=job.progress, message=job.message,
                                                                      heartbeat_at=timezone.now())


def ensure_job_ready(edition: Edition, kind: str) -> None:
    if edition.state not in READY_STATES[kind]:
        if kind == Kind.NOTIFY:
            raise ValidationError(_("The decisions can be e-mailed once the results are published."), code="state")
        raise ValidationError(_("Certificates can be made once the chair has finalised the decisions."),
                              code="state")
    if kind == Kind.CERTIFICATES and not EditionRole.objects.filter(edition=edition,
                                                                    role=EditionRole.Role.CHAIR).exists():
        raise ValidationError(_("A certificate is signed by the chair: give someone the chair's role first."),
                              code="chair")


def award_job_fail(*, run_id: int, error: str) -> AwardJob | None:
    """The task gave up (PortalTask's `fails_run`): the job shows the error and offers a retry."""
    job = AwardJob.objects.filter(pk=run_id).first()
    if job is not None:
        award_job_move(job, JobState.FAILED, error=error[:5000], message=MESSAGE_FAILED)
    return job


def award_job_lost_message(job: AwardJob) -> str:
    return _("The worker carrying out this job stopped before it finished (it was started %(attempts)s times). "
             "Try again: what was done is not done twice.") % {"attempts": job.attempts}


@transaction.atomic
def award_job_claim(*, job_id: int, delivery: str | None = None) -> AwardJob | None:
    """Mark the job running for this delivery; None when there is nothing to do: it finished, or it lost its
    worker too often (then it is failed). A duplicate delivery gets the job as it is."""
    job = AwardJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.state in (JobState.SUCCEEDED, JobState.FAILED):
        return None
    kind = claim_kind(job, delivery=delivery)
    if kind == DUPLICATE:
        return job  # works too: each e-mail is claimed before it is sent, the certificates' zip is drawn whole
    if kind == TAKE_OVER and out_of_attempts(job):
        award_job_move(job, JobState.FAILED, error=award_job_lost_message(job), message=MESSAGE_FAILED)
        return None
    award_job_move(job, JobState.RUNNING, progress=0, message=MESSAGE_STARTING, **taken_fields(job, delivery=delivery))
    return job


@transaction.atomic
def award_job_release(*, job_id: int) -> None:
    """A passing error stopped the job and the task retries it: back to pending, so the retry takes it."""
    job = AwardJob.objects.select_for_update().filter(pk=job_id, state=JobState.RUNNING).first()
    if job is not None:
        award_job_move(job, JobState.PENDING, message=MESSAGE_WAITING, queued_at=timezone.now())


def _reporter(job: AwardJob):
    def report(percent: int, message: str) -> None:
        award_job_progress(job=job, percent=percent, message=message)

    return report


def award_job_execute(*, job: AwardJob, delivery: str | None = None) -> AwardJob:
    """Carry out a job (the task's one call). A finished job returns at once; running it again is safe, and the
    same message coming back (`delivery` is the broker message's id) takes over a job whose worker died."""
    if award_job_claim(job_id=job.pk, delivery=delivery) is None:
        return AwardJob.objects.get(pk=job.pk)
    job = AwardJob.objects.select_related("edition").get(pk=job.pk)
    if job.kind == Kind.NOTIFY:
        failures = decisions_send(job=job, progress=_reporter(job))
        if failures:
            award_job_move(job, JobState.FAILED, message=MESSAGE_FAILED, error="\n".join(failures)[:5000])
            return job
    else:
        certificates_build(job=job, progress=_reporter(job))
    award_job_move(job, JobState.SUCCEEDED, progress=100, message=MESSAGE_DONE)
    return job
