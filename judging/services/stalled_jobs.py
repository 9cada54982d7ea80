"""Jobs that survive their worker: who may take a job, the worker's pulse, and the sweep of stalled jobs.

Three kinds of job run on workers: the assigner's runs (assignment_runs.py), the computations of results
(aggregation.py, aggregation_runs.py) and the awards jobs (award_jobs.py). Each records, beside its state, who
has it (judging/models/jobs.py). A worker killed under a job (SIGKILL, out of memory, its host gone) writes
nothing more, so:

- the broker gives its message back (late acknowledgement; `reject_on_worker_lost` at once when a pool child
  dies, the visibility timeout when the whole worker died): the same message may take over its own job
  (`claim_kind`), since the visibility timeout outlasts every task's time limit, the worker that had it is gone;
- a running job whose heartbeat is older than PORTAL_JOB_STALL_SECONDS is stalled: the page says so at once,
  and `jobs_sweep_stalled` (job_sweep.py; beat, every PORTAL_JOB_SWEEP_SECONDS) sends it to a worker again while it was taken
  fewer than PORTAL_JOB_MAX_ATTEMPTS times, and marks it failed (with its "Try again") otherwise. A job taken
  that often and lost each time (one that kills its worker) fails instead of looping.

Every step a job repeats is idempotent (each kind's module says how), so a job run again after its worker died
ends as one clean run would. The pulse is a thread of our own because Celery records no progress of a task
that the database could read, and the workers' own heartbeats say a worker lives, not that it still has a job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from ..models.jobs import RUNNING, WorkerJob

logger = logging.getLogger(__name__)


TAKE, TAKE_OVER, DUPLICATE = "take", "take over", "duplicate"


def claim_kind(job: WorkerJob, *, delivery: str | None) -> str:
    """How a worker holding message `delivery` comes to `job` (the row is locked by the caller).

    TAKE: the job waits for a worker. TAKE_OVER: it is running but its worker is gone: this very message came
    back from the broker (Redis returns a message only after the visibility timeout, longer than any task may
    run; a pool child's death requeues it at once), or the job is stalled. DUPLICATE: a live worker has it and
    this is a second message for the same job; it runs too, without claiming anything (each kind's write is
    serialised and idempotent, so both end in the one result).
    """
    if job.state != RUNNING:
        return TAKE
    if (delivery and job.delivery == delivery) or job.is_stalled:
        return TAKE_OVER
    return DUPLICATE


def out_of_attempts(job: WorkerJob) -> bool:
    """A job taken this many times already lost its worker each time: fail it rather than loop."""
    return job.attempts >= settings.PORTAL_JOB_MAX_ATTEMPTS


def taken_fields(job: WorkerJob, *, delivery: str | None) -> dict:
    """What a worker writes when it takes a job."""
    now = timezone.now()
    return {"started_at": now, "heartbeat_at": now, "attempts": job.attempts + 1, "delivery": delivery or ""}


@contextmanager
def job_pulse(model: type[WorkerJob], pk: int) -> Iterator[None]:
    """While the block runs, write the job's heartbeat every PORTAL_JOB_PULSE_SECONDS from a thread of its own.

    A step that reports no progress for minutes (the solver at scale) thus still shows a live worker; a worker
    that dies takes the thread with it, and the heartbeat stops.
    """
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.PORTAL_JOB_PULSE_SECONDS):
                try:
                    model.objects.filter(pk=pk, state=RUNNING).update(heartbeat_at=timezone.now())
                except DatabaseError as error:  # a passing outage: the next beat tries again
                    logger.warning("heartbeat of %s %s not written: %s", model.__name__, pk, error)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"pulse-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
