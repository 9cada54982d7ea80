"""Jobs survive their worker: real Celery worker processes, PostgreSQL and Redis, a worker killed with SIGKILL.

Each test starts its own worker (tests/worker/jobs_worker_app.py) on a queue of its own, starts a job through
the portal's own service (the message goes through Redis after commit), waits until the job is provably
mid-way (running, its progress written, the worker paused inside the step), kills the worker as the kernel's
OOM killer would, and starts another. Nothing in the portal knows about the test; what brings the job back is:

- the sweep of stalled jobs (beat, embedded in the second worker with -B): the run is sent again, or failed;
- the broker's redelivery of the unacknowledged message (a short visibility timeout in these workers);
- Celery's requeue when a prefork pool child dies (reject_on_worker_lost).

The bounds are shortened through the environment (heartbeat every 0.5 s, stalled after 4 s, swept every second).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings

from config.celery_app import app
from judging.algorithms.assignment import solve_assignment
from judging.models import (
    AggregationRun,
    Assignment,
    AssignmentRun,
    AwardJob,
    DecisionNotice,
    EntryResult,
    JudgingRound,
)
from judging.services import aggregation, assignment_problem, ceremony_jobs, round_jobs
from portal.models import AuditEntry, EditionRole
from tests.factories import CategoryFactory, EditionFactory, EditionRoleFactory
from tests.factories.assignment import eligible, judge
from tests.factories.ceremony import ceremony_edition
from tests.factories.judging import JudgingRoundFactory
from tests.factories.scoring import hand_world

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ENTRIES, JUDGES, K = 60, 12, 3
STALL_SECONDS = 4
FAST = {"PORTAL_JOB_PULSE_SECONDS": "0.5", "PORTAL_JOB_STALL_SECONDS": str(STALL_SECONDS),
        "PORTAL_JOB_SWEEP_SECONDS": "1"}


@pytest.fixture
def queue(settings):
    """A queue of this test's own on the Redis of REDIS_URL; this process sends its tasks there."""
    name = f"portal-jobs-{uuid.uuid4().hex[:8]}"
    settings.PORTAL_JOB_STALL_SECONDS = STALL_SECONDS  # the pages this test reads use the workers' bound
    previous = (app.conf.task_always_eager, app.conf.task_default_queue, app.conf.broker_url, app.conf.result_backend)
    app.conf.update(task_always_eager=False, task_default_queue=name, broker_url=os.environ["REDIS_URL"],
                    result_backend=os.environ["REDIS_URL"])
    yield name
    app.conf.update(task_always_eager=previous[0], task_default_queue=previous[1], broker_url=previous[2],
                    result_backend=previous[3])


@contextmanager
def worker(queue: str, log_dir, *, pool: str = "solo", beat: bool = False, **environment):
    """A worker process in a session (process group) of its own, so SIGKILL can take it whole."""
    node = f"{queue}-{uuid.uuid4().hex[:4]}"
    database = django_settings.DATABASES["default"]
    env = {**os.environ, **FAST, **environment, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "REDIS_URL": os.environ["REDIS_URL"],
           "DATABASE_URL": f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@{database['HOST']}:"
                           f"{database['PORT']}/{database['NAME']}"}
    command = [sys.executable, "-m", "celery", "-A", "tests.worker.jobs_worker_app", "worker", f"--pool={pool}",
               "--concurrency=1", "-Q", queue, "--loglevel=INFO", "-n", f"{node}@%h", "--without-gossip",
               "--without-mingle"]
    if beat:
        command += ["-B", f"--schedule={log_dir / (node + '-beat')}"]
    log_path = log_dir / f"{node}.log"
    process = subprocess.Popen(command, cwd=django_settings.BASE_DIR, env=env, start_new_session=True,  # noqa: S603
                               stdout=open(log_path, "w"), stderr=subprocess.STDOUT)  # noqa: SIM115
    process.log_path = log_path
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[f"{node}@{socket.gethostname()}"], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start; see {log_path}")
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def kill_whole(process: subprocess.Popen) -> None:
    """SIGKILL to the worker's process group: with --pool=solo the main process is the one running the task."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def mid_way(model, pk: int, percent: int):
    def check():
        job = model.objects.get(pk=pk)
        return job if job.state == "running" and job.progress >= percent else None
    return check


def finished(model, pk: int):
    def check():
        job = model.objects.get(pk=pk)
        return job if job.state in ("succeeded", "failed", "infeasible") else None
    return check


# --- the assigner ------------------------------------------------------------------------------------------------


def build_round() -> tuple[JudgingRound, object]:
    edition = EditionFactory(state="screening")
    categories = [CategoryFactory(edition=edition, name=name)
                  for name in ("Human-centric", "Tech-innovative", "Safety and resilience")]
    judging_round = JudgingRoundFactory(edition=edition, categories=categories, judges_per_entry=K)
    for i in range(ENTRIES):
        eligible(edition, categories[i % 3])
    for i in range(JUDGES):
        judge(edition, expertise=[categories[i % 3]], capacity=20)
    return judging_round, EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT).user


def optimal_pairs(judging_round: JudgingRound) -> set[tuple[int, int]]:
    """The set one clean, uninterrupted run writes: solved here, from the same rows."""
    built = assignment_problem.round_problem(JudgingRound.objects.select_related("edition").get(pk=judging_round.pk))
    solution = solve_assignment(built.problem)
    return {(int(built.entry_ids[i]), int(built.judge_ids[j])) for i, j in solution.pairs}


def assert_one_optimal_set(judging_round: JudgingRound) -> None:
    active = list(Assignment.objects.filter(round=judging_round, state__in=Assignment.ACTIVE_STATES)
                  .values_list("application_id", "judge_id"))
    assert len(active) == len(set(active)) == ENTRIES * K  # no duplicate assignment
    assert set(active) == optimal_pairs(judging_round)


def round_page(client, judging_round: JudgingRound) -> str:
    return client.get(f"/e/{judging_round.edition.slug}/rounds/{judging_round.pk}/").content.decode()


def test_an_assigner_run_whose_worker_is_killed_is_sent_again_by_the_sweep_and_ends_as_one_clean_run(
        queue, tmp_path, client, login):
    judging_round, secretariat = build_round()
    with worker(queue, tmp_path, PORTAL_TEST_PAUSE_AT="50") as first:
        run = round_jobs.assignment_run_create(round=judging_round, user=secretariat)  # sent to Redis on commit
        wait_for(mid_way(AssignmentRun, run.pk, 50), seconds=60, what="the run to be mid-way")
        kill_whole(first)
    killed_at = time.monotonic()
    assert AssignmentRun.objects.get(pk=run.pk).state == "running"  # what the dead worker left behind

    time.sleep(max(0.0, STALL_SECONDS + 1 - (time.monotonic() - killed_at)))
    login(secretariat)
    page = round_page(client, judging_round)
    assert 'data-state="stalled"' in page and "Running" not in page  # read-only: the page alone says it stopped

    with worker(queue, tmp_path, beat=True):
        run = wait_for(finished(AssignmentRun, run.pk), seconds=90, what="the run to finish")
    assert (run.state, run.attempts, run.progress) == ("succeeded", 2, 100), run.error
    assert_one_optimal_set(judging_round)
    assert list(AuditEntry.objects.filter(action="round.assign_stalled").values_list("after__outcome", flat=True)) == [
        "requeued"]
    assert AuditEntry.objects.filter(action="round.assign", after__run=run.pk).count() == 1
    page = round_page(client, judging_round)
    assert "Running" not in page and ": Done</h3>" in page


def test_an_assigner_run_killed_with_no_attempt_left_is_failed_and_try_again_finishes_it(
        queue, tmp_path, client, login):
    judging_round, secretariat = build_round()
    with worker(queue, tmp_path, PORTAL_TEST_PAUSE_AT="50") as first:
        run = round_jobs.assignment_run_create(round=judging_round, user=secretariat)
        wait_for(mid_way(AssignmentRun, run.pk, 50), seconds=60, what="the run to be mid-way")
        kill_whole(first)

    with worker(queue, tmp_path, beat=True, PORTAL_JOB_MAX_ATTEMPTS="1"):
        run = wait_for(finished(AssignmentRun, run.pk), seconds=60, what="the sweep to fail the run")
        assert run.state == "failed" and "stopped before it finished" in run.error
        assert Assignment.objects.filter(round=judging_round).count() == 0  # nothing half-written
        login(secretariat)
        page = round_page(client, judging_round)
        retry_url = f"/e/{judging_round.edition.slug}/rounds/{judging_round.pk}/runs/{run.pk}/retry/"
        assert f'action="{retry_url}"' in page and "Running" not in page

        client.post(retry_url)
        retried = AssignmentRun.objects.filter(round=judging_round).exclude(pk=run.pk).get()
        retried = wait_for(finished(AssignmentRun, retried.pk), seconds=60, what="the new run to finish")
    assert (retried.state, retried.attempts) == ("succeeded", 1)
    assert_one_optimal_set(judging_round)


# --- the results' computation: the broker gives the message back ----------------------------------------------------


def test_a_computation_whose_worker_is_killed_is_redelivered_by_the_broker_and_computes_the_same_results(
        queue, tmp_path):
    world = hand_world()
    aggregation.aggregation_run_execute(run=AggregationRun.objects.create(round=world.round))  # one clean run
    expected = sorted(EntryResult.objects.filter(round=world.round).values_list("application_id", "corrected", "rank"))
    short_timeout = {"CELERY_VISIBILITY_TIMEOUT": "3", "PORTAL_JOB_STALL_SECONDS": "600"}  # no sweep: the broker
    with worker(queue, tmp_path, PORTAL_TEST_PAUSE_AT="30", **short_timeout) as first:
        run = round_jobs.aggregation_request(judging_round=world.round, user=None)
        taken = wait_for(mid_way(AggregationRun, run.pk, 30), seconds=60, what="the computation to be mid-way")
        kill_whole(first)

    with worker(queue, tmp_path, **short_timeout):
        run = wait_for(finished(AggregationRun, run.pk), seconds=90, what="the redelivered computation")
    assert (run.state, run.attempts, run.delivery) == ("succeeded", 2, taken.delivery)  # the same message, back
    assert sorted(EntryResult.objects.filter(round=world.round).values_list(
        "application_id", "corrected", "rank")) == expected


# --- the awards job: a prefork pool child killed ---------------------------------------------------------------------


def test_an_award_job_whose_pool_child_is_killed_is_requeued_and_each_decision_goes_out_once(queue, tmp_path):
    world = ceremony_edition()
    with worker(queue, tmp_path, pool="prefork", PORTAL_TEST_PAUSE_AT="40") as parent:
        job = ceremony_jobs.award_job_start(edition=world.edition, kind=AwardJob.Kind.NOTIFY, user=world.chair)
        taken = wait_for(mid_way(AwardJob, job.pk, 40), seconds=60, what="the job to be mid-way")
        sent_before = DecisionNotice.objects.filter(sent_at__isnull=False).count()
        with open(f"/proc/{parent.pid}/task/{parent.pid}/children") as children:
            [child] = [int(pid) for pid in children.read().split()]
        os.kill(child, signal.SIGKILL)  # the pool child running the job dies; the worker itself lives

        job = wait_for(finished(AwardJob, job.pk), seconds=90, what="the requeued job to finish")
    assert (job.state, job.attempts, job.delivery) == ("succeeded", 2, taken.delivery), job.error
    assert sent_before == 2  # killed between two batches of two
    notices = DecisionNotice.objects.filter(application__edition=world.edition)
    assert [(n.sent_at is not None, len(n.recipients) == len(set(n.recipients)) > 0) for n in notices] == [
        (True, True)] * 5
    assert "signal 9" in parent.log_path.read_text()
